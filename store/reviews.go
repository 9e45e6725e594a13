package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
)

// ReviewState is where a customer stands in its periodic review cycle.
type ReviewState struct {
	AccountID string
	Status    string
	// Band of the account's last scored request ("" if none was scored).
	Band string
	// LastReview is when its last credit request was decided, its last
	// periodic review expired undecided, or (never reviewed) it was
	// created.
	LastReview time.Time
	// UnderReview: a periodic review of it is being scored or waits for
	// a decision.
	UnderReview bool
	CreditLimit money.Money
}

// reviewStateColumns reads an account's review cycle from its requests:
// the rule lives here once, for the schedule and for the account's page.
const reviewStateColumns = `a.id, a.status, a.currency, a.credit_limit,
	coalesce((SELECT r.band FROM credit_requests r WHERE r.account_id = a.id AND r.band IS NOT NULL
		ORDER BY r.created_at DESC, r.id DESC LIMIT 1), ''),
	greatest(a.created_at, (SELECT max(coalesce(r.decided_at,
		CASE WHEN r.kind = 'periodic_review' AND r.status = 'expired' THEN r.updated_at END))
		FROM credit_requests r WHERE r.account_id = a.id)),
	EXISTS (SELECT 1 FROM credit_requests r WHERE r.account_id = a.id AND r.kind = 'periodic_review'
		AND r.status IN ('scoring', 'pending_review'))`

func scanReviewState(row pgx.CollectableRow) (ReviewState, error) {
	var s ReviewState
	var cur string
	var limit int64
	err := row.Scan(&s.AccountID, &s.Status, &cur, &limit, &s.Band, &s.LastReview, &s.UnderReview)
	s.CreditLimit = money.New(limit, cur)
	return s, err
}

// ReviewCandidates lists the customers (active or on hold) after afterID,
// in id order, a page at a time, with their review cycle: the schedule
// reads every customer once a day and starts the reviews that are due.
func (s *Store) ReviewCandidates(ctx context.Context, afterID string, limit int) ([]ReviewState, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+reviewStateColumns+` FROM accounts a
		WHERE a.status IN ('active', 'on_hold') AND a.id > $1 ORDER BY a.id LIMIT $2`, afterID, limit)
	if err != nil {
		return nil, fmt.Errorf("review candidates: %w", err)
	}
	out, err := pgx.CollectRows(rows, scanReviewState)
	if err != nil {
		return nil, fmt.Errorf("review candidates: %w", err)
	}
	return out, nil
}

// ReviewStates reads the review cycle of the accounts among ids.
func (s *Store) ReviewStates(ctx context.Context, ids []string) (map[string]ReviewState, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+reviewStateColumns+` FROM accounts a WHERE a.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("review states: %w", err)
	}
	list, err := pgx.CollectRows(rows, scanReviewState)
	if err != nil {
		return nil, fmt.Errorf("review states: %w", err)
	}
	out := make(map[string]ReviewState, len(list))
	for _, st := range list {
		out[st.AccountID] = st
	}
	return out, nil
}

// ReviewRecord reads what an account did since its last review, up to
// asOf: the invoices that fell due (days late on the calendar, as
// days_overdue is), broken promises, disputes and holds, and its exposure
// against its limit now.
func (s *Store) ReviewRecord(ctx context.Context, accountID string, since, asOf time.Time) (policy.ReviewRecord, error) {
	r := policy.ReviewRecord{Since: since}
	account, err := s.Account(ctx, accountID)
	if err != nil {
		return r, err
	}
	r.CreditLimit, r.Exposure = account.CreditLimit, account.Exposure
	// Open or paid invoices that fell due in the period, and older ones
	// still open; a disputed invoice is counted as a dispute instead.
	rows, err := s.Pool.Query(ctx, `SELECT i.amount,
			greatest(0, coalesce((i.paid_at AT TIME ZONE 'UTC')::date, $4::date) - i.due_date)
		FROM invoices i
		WHERE i.account_id = $1 AND i.status IN ('open', 'paid') AND i.due_date < $4::date
			AND (i.due_date >= $2::date OR i.status = 'open' OR i.paid_at >= $3)
		ORDER BY i.due_date, i.id`, accountID, since.UTC().Format(time.DateOnly), since, asOf.UTC().Format(time.DateOnly))
	if err != nil {
		return r, fmt.Errorf("review record of %s: %w", accountID, err)
	}
	r.Invoices, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (policy.InvoiceLateness, error) {
		var l policy.InvoiceLateness
		return l, row.Scan(&l.Amount, &l.DaysLate)
	})
	if err != nil {
		return r, fmt.Errorf("review record of %s: %w", accountID, err)
	}
	err = s.Pool.QueryRow(ctx, `SELECT
		(SELECT count(*) FROM promises p JOIN invoices i ON i.id = p.invoice_id
			WHERE i.account_id = $1 AND p.status = 'broken' AND p.promised_date >= $2::date),
		(SELECT count(*) FROM disputes d JOIN invoices i ON i.id = d.invoice_id
			WHERE i.account_id = $1 AND d.created_at >= $3),
		(SELECT count(*) FROM holds h WHERE h.account_id = $1 AND (h.placed_at >= $3 OR h.released_at IS NULL))`,
		accountID, since.UTC().Format(time.DateOnly), since).Scan(&r.BrokenPromises, &r.Disputes, &r.Holds)
	if err != nil {
		return r, fmt.Errorf("review record of %s: %w", accountID, err)
	}
	return r, nil
}

// ReviewApplied is what a periodic review's decision did to the account.
type ReviewApplied struct {
	// PutOnHold: the decision moved the account to on_hold (a hold, or a
	// limit lowered below the exposure).
	PutOnHold bool
	// Released: the decision lifted the account's last hold.
	Released    bool
	CreditLimit money.Money
	Exposure    money.Money
}

// ApplyReviewDecision records a periodic review's decision and applies it
// at once: an approval sets the limit and lifts the holds an earlier
// review placed, and puts the account on hold if its exposure is above
// the new limit (the same rule as for invoices); a hold holds it. Once:
// a decision already in the audit trail answers what it did.
func (s *Store) ApplyReviewDecision(ctx context.Context, id string, d credit.Decision) (ReviewApplied, error) {
	decision, err := json.Marshal(d)
	if err != nil {
		return ReviewApplied{}, err
	}
	var approved *int64
	if d.ApprovedLimit != nil {
		approved = &d.ApprovedLimit.Minor
	}
	key := id + "/decided"
	var out ReviewApplied
	err = pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		out = ReviewApplied{}
		tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, approved_limit, reason, decided_by, decided_at)
			VALUES ($1, 'decided', $2, $3, $4, $5, $6) ON CONFLICT (request_id, event) DO NOTHING`,
			id, d.Outcome, approved, d.Reason, d.DecidedBy, d.DecidedAt)
		if err != nil {
			return fmt.Errorf("audit decision on %s: %w", id, err)
		}
		var accountID string
		if tag.RowsAffected() == 0 {
			// Applied by an earlier attempt: answer as it did.
			err := tx.QueryRow(ctx, `SELECT r.account_id,
					EXISTS (SELECT 1 FROM holds h WHERE h.hold_key IN ($2, $3) AND h.put_on_hold),
					EXISTS (SELECT 1 FROM holds h WHERE h.account_id = r.account_id AND h.released_by = $4)
						AND NOT EXISTS (SELECT 1 FROM holds h WHERE h.account_id = r.account_id AND h.released_at IS NULL)
				FROM credit_requests r WHERE r.id = $1`, id, id+"/hold", id+"/exposure-hold", key).Scan(&accountID, &out.PutOnHold, &out.Released)
			if err != nil {
				return fmt.Errorf("decision on %s: %w", id, err)
			}
			return out.read(ctx, tx, accountID)
		}
		if err := tx.QueryRow(ctx, `UPDATE credit_requests SET status = $2, decision = $3, decided_at = $4, updated_at = now()
			WHERE id = $1 RETURNING account_id`, id, d.Status(), decision, d.DecidedAt).Scan(&accountID); err != nil {
			return fmt.Errorf("decide %s: %w", id, err)
		}
		before, err := accountByID(ctx, tx, accountID)
		if err != nil {
			return err
		}
		switch {
		case d.Outcome == credit.OutcomeHold:
			out.PutOnHold, err = placeHold(ctx, tx, id+"/hold", accountID, "", "review",
				"Credit hold after the periodic review: "+d.Reason, d.DecidedBy)
			if err != nil {
				return err
			}
		case approved != nil:
			if _, err := tx.Exec(ctx, `UPDATE accounts SET credit_limit = $2, updated_at = now() WHERE id = $1`, accountID, *approved); err != nil {
				return fmt.Errorf("apply limit to %s: %w", accountID, err)
			}
			// Credit continues: what an earlier review held is lifted.
			if _, err := tx.Exec(ctx, `UPDATE holds SET released_at = now(), released_by = $2
				WHERE account_id = $1 AND cause = 'review' AND released_at IS NULL`, accountID, key); err != nil {
				return fmt.Errorf("release review holds of %s: %w", accountID, err)
			}
			if before.Exposure.Minor > *approved {
				out.PutOnHold, err = placeHold(ctx, tx, id+"/exposure-hold", accountID, "", "exposure",
					fmt.Sprintf("Credit hold: the limit was lowered to %s, below the exposure of %s",
						d.ApprovedLimit.Display(), before.Exposure.Display()), d.DecidedBy)
			} else {
				out.Released, err = releaseCleared(ctx, tx, accountID, key)
			}
			if err != nil {
				return err
			}
		}
		if err := addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{
			Kind: "credit_request_decided", Ref: id, Actor: d.DecidedBy, Summary: describeReviewDecision(before.CreditLimit, d),
		}); err != nil {
			return err
		}
		return out.read(ctx, tx, accountID)
	})
	return out, err
}

func (out *ReviewApplied) read(ctx context.Context, q querier, accountID string) error {
	a, err := accountByID(ctx, q, accountID)
	out.CreditLimit, out.Exposure = a.CreditLimit, a.Exposure
	return err
}

func describeReviewDecision(before money.Money, d credit.Decision) string {
	switch {
	case d.Outcome == credit.OutcomeHold:
		return "Periodic review: account put on hold: " + d.Reason
	case d.ApprovedLimit == nil:
		return "Periodic review decided: " + d.Outcome
	case d.ApprovedLimit.Minor < before.Minor:
		return fmt.Sprintf("Periodic review: credit limit lowered from %s to %s%s", before.Display(), d.ApprovedLimit.Display(), reasonSuffix(d.Reason))
	case d.ApprovedLimit.Minor > before.Minor:
		return fmt.Sprintf("Periodic review: credit limit raised from %s to %s%s", before.Display(), d.ApprovedLimit.Display(), reasonSuffix(d.Reason))
	default:
		return fmt.Sprintf("Periodic review: credit limit of %s kept%s", d.ApprovedLimit.Display(), reasonSuffix(d.Reason))
	}
}
