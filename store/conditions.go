package store

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
)

// RecordCondition keeps a condition's new status in its request's
// decision, in the audit trail and on the account's timeline, once per
// event ("condition/0/met").
func (s *Store) RecordCondition(ctx context.Context, requestID string, n int, event string, c credit.Condition) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		accountID, kept, err := keepCondition(ctx, tx, requestID, n, event, c)
		if err != nil || !kept {
			return err // or kept by an earlier attempt
		}
		summary := fmt.Sprintf("Condition met: %s (%s)", c.What(), c.Note)
		if c.Status == credit.ConditionWaived {
			summary = "Condition waived: " + c.What()
			if c.Note != "" {
				summary += " (" + c.Note + ")"
			}
		}
		return addTimeline(ctx, tx, accountID, requestID+"/"+event, credit.TimelineEntry{
			Kind: "condition_" + c.Status, Actor: c.ResolvedBy, Summary: summary, Ref: requestID})
	})
}

// ExpireLetterOfCredit makes the n-th condition of a request, a letter of
// credit that expired, pending again (c), once, if the account is not
// closed; it answers whether the account was open (and the letter is
// pending).
func (s *Store) ExpireLetterOfCredit(ctx context.Context, requestID string, n int, event string, c credit.Condition) (bool, error) {
	open := false
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var status string
		var done bool
		err := tx.QueryRow(ctx, `SELECT a.status, EXISTS (SELECT 1 FROM decisions d WHERE d.request_id = r.id AND d.event = $2)
			FROM credit_requests r JOIN accounts a ON a.id = r.account_id WHERE r.id = $1 FOR UPDATE OF a`,
			requestID, event).Scan(&status, &done)
		switch {
		case err != nil:
			return fmt.Errorf("letter of credit %d of %s: %w", n, requestID, err)
		case done:
			open = true // by an earlier attempt
			return nil
		case status == credit.AccountClosed:
			return nil
		}
		accountID, _, err := keepCondition(ctx, tx, requestID, n, event, c)
		if err != nil {
			return err
		}
		open = true
		return addTimeline(ctx, tx, accountID, requestID+"/"+event, credit.TimelineEntry{
			Kind: "condition_expired", Actor: "creditflow", Ref: requestID,
			Summary: "Letter of credit expired on " + c.ExpiredOn + ": no order ships until credit records a new one (" + c.What() + ")"})
	})
	return open, err
}

// keepCondition writes a condition's change to the audit trail and the
// request's decision, once per event; it answers the request's account,
// and whether this call kept it.
func keepCondition(ctx context.Context, tx pgx.Tx, requestID string, n int, event string, c credit.Condition) (string, bool, error) {
	doc, err := json.Marshal(c)
	if err != nil {
		return "", false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, conditions, reason, decided_by, decided_at)
		VALUES ($1, $2, $3, jsonb_build_array($4::jsonb), $5, $6, coalesce($7, now())) ON CONFLICT (request_id, event) DO NOTHING`,
		requestID, event, c.Status, doc, c.Note, cmp.Or(c.ResolvedBy, "creditflow"), c.ResolvedAt)
	if err != nil || tag.RowsAffected() == 0 {
		return "", false, err
	}
	var accountID string
	if err := tx.QueryRow(ctx, `UPDATE credit_requests SET decision = jsonb_set(decision, ARRAY['conditions', $2::text], $3::jsonb),
			updated_at = now() WHERE id = $1 RETURNING account_id`, requestID, strconv.Itoa(n), doc).Scan(&accountID); err != nil {
		return "", false, fmt.Errorf("condition %d of %s: %w", n, requestID, err)
	}
	return accountID, true, nil
}

// LapseApproval takes back an approval whose conditions were not met in
// time: its pending conditions lapse, the account's limit goes back to
// what it was before, the request is lapsed. Once.
func (s *Store) LapseApproval(ctx context.Context, requestID string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, reason, decided_by, decided_at)
			VALUES ($1, 'lapsed', 'lapsed', 'conditions not met in time', 'creditflow', $2) ON CONFLICT (request_id, event) DO NOTHING`,
			requestID, at)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var accountID, cur string
		var before *int64
		err = tx.QueryRow(ctx, `UPDATE credit_requests r SET status = 'lapsed', updated_at = now(),
				decision = jsonb_set(r.decision, '{conditions}', (SELECT coalesce(jsonb_agg(CASE WHEN c->>'status' = 'pending'
					THEN c || jsonb_build_object('status', 'lapsed', 'resolved_by', 'creditflow', 'resolved_at', $2::timestamptz)
					ELSE c END ORDER BY k), '[]'::jsonb)
					FROM jsonb_array_elements(r.decision->'conditions') WITH ORDINALITY AS e(c, k)))
			WHERE r.id = $1 RETURNING r.account_id, r.limit_before, r.currency`, requestID, at).Scan(&accountID, &before, &cur)
		if err != nil {
			return fmt.Errorf("lapse %s: %w", requestID, err)
		}
		limit := int64(0)
		if before != nil {
			limit = *before
		}
		if _, err := tx.Exec(ctx, `UPDATE accounts SET credit_limit = $2, updated_at = now() WHERE id = $1`, accountID, limit); err != nil {
			return err
		}
		return addTimeline(ctx, tx, accountID, requestID+"/lapsed", credit.TimelineEntry{
			Kind: "approval_lapsed", Actor: "creditflow", Ref: requestID,
			Summary: "The approval lapsed: its conditions were not met in time; the credit limit is back to " + money.New(limit, cur).Display()})
	})
}

// PendingConditions lists the conditions an account's approvals still
// wait for.
func (s *Store) PendingConditions(ctx context.Context, accountID string) ([]credit.Condition, error) {
	rows, err := s.Pool.Query(ctx, `SELECT c FROM credit_requests r, jsonb_array_elements(r.decision->'conditions') c
		WHERE r.account_id = $1 AND r.status = 'approved_with_conditions' AND c->>'status' = 'pending'
		ORDER BY r.created_at`, accountID)
	if err != nil {
		return nil, fmt.Errorf("pending conditions of %s: %w", accountID, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[credit.Condition])
}
