package store

import (
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
// decision, in the audit trail and on the account's timeline, once.
func (s *Store) RecordCondition(ctx context.Context, requestID string, n int, c credit.Condition) error {
	doc, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		event := fmt.Sprintf("condition/%d/%s", n, c.Status)
		tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, conditions, reason, decided_by, decided_at)
			VALUES ($1, $2, $3, jsonb_build_array($4::jsonb), $5, $6, $7) ON CONFLICT (request_id, event) DO NOTHING`,
			requestID, event, c.Status, doc, c.Note, c.ResolvedBy, c.ResolvedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err // or kept by an earlier attempt
		}
		var accountID string
		if err := tx.QueryRow(ctx, `UPDATE credit_requests SET decision = jsonb_set(decision, ARRAY['conditions', $2::text], $3::jsonb),
				updated_at = now() WHERE id = $1 RETURNING account_id`, requestID, strconv.Itoa(n), doc).Scan(&accountID); err != nil {
			return fmt.Errorf("condition %d of %s: %w", n, requestID, err)
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
