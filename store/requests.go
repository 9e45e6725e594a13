package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
)

// CreateCreditRequest stores a new request, and for a pre-approval the
// prospect's account, in one transaction, once: written by the API after
// the request's workflow started, and again by the workflow's first
// activity in case the API died between the two.
func (s *Store) CreateCreditRequest(ctx context.Context, r credit.CreditRequest) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if p := r.Prospect; p != nil {
			tz := p.TimeZone
			if tz == "" {
				tz = "UTC"
			}
			_, err := tx.Exec(ctx, `INSERT INTO accounts (id, name, registration_number, country, billing_email,
				status, currency, sales_rep, time_zone, annual_revenue, years_in_business, trade_references)
				VALUES ($1, $2, $3, $4, $5, 'prospect', $6, lower($7), $8, $9, $10, $11) ON CONFLICT (id) DO NOTHING`,
				r.AccountID, p.Name, p.RegistrationNumber, p.Country, p.BillingEmail, r.RequestedLimit.Currency,
				r.CreatedBy, tz, p.AnnualRevenue.Minor, p.YearsInBusiness, p.TradeReferences)
			if err != nil {
				return fmt.Errorf("create prospect account: %w", err)
			}
		}
		_, err := tx.Exec(ctx, `INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, reason, status, created_at, updated_at, campaign)
			VALUES ($1, $2, $3, lower($4), $5, $6, $7, $8, $9, $9, nullif($10, '')) ON CONFLICT (id) DO NOTHING`,
			r.ID, r.Kind, r.AccountID, r.CreatedBy, r.RequestedLimit.Minor, r.RequestedLimit.Currency, r.Reason, credit.StatusScoring, r.CreatedAt, r.Campaign)
		if err != nil {
			return fmt.Errorf("create credit request: %w", err)
		}
		summary := fmt.Sprintf("%s asked for a credit pre-approval of %s", r.CreatedBy, r.RequestedLimit.Display())
		if r.Kind == credit.KindLimitIncrease {
			summary = fmt.Sprintf("%s asked to raise the credit limit to %s", r.CreatedBy, r.RequestedLimit.Display())
		}
		if r.Kind == credit.KindPeriodicReview {
			summary = fmt.Sprintf("Periodic credit review of the %s limit started", r.RequestedLimit.Display())
		}
		return addTimeline(ctx, tx, r.AccountID, r.ID+"/requested",
			credit.TimelineEntry{Kind: "credit_request_created", Summary: summary, Actor: r.CreatedBy, Ref: r.ID})
	})
}

const requestColumns = `r.id, r.kind, r.status, r.account_id, r.requested_limit, r.currency, r.reason,
	r.score, coalesce(r.band, ''), r.reasons, r.recommended_limit, r.decision, r.created_by,
	r.created_at, r.updated_at, r.decided_at, coalesce(r.campaign, '')`

func scanRequest(row pgx.Row) (credit.CreditRequest, error) {
	var r credit.CreditRequest
	var limit int64
	var recommended *int64
	var cur string
	var reasons, decision []byte
	err := row.Scan(&r.ID, &r.Kind, &r.Status, &r.AccountID, &limit, &cur, &r.Reason,
		&r.Score, &r.Band, &reasons, &recommended, &decision, &r.CreatedBy,
		&r.CreatedAt, &r.UpdatedAt, &r.DecidedAt, &r.Campaign)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, ErrNotFound
	}
	if err != nil {
		return r, err
	}
	r.RequestedLimit = money.New(limit, cur)
	if recommended != nil {
		m := money.New(*recommended, cur)
		r.RecommendedLimit = &m
	}
	if err := json.Unmarshal(reasons, &r.Reasons); err != nil {
		return r, fmt.Errorf("reasons of %s: %w", r.ID, err)
	}
	if decision != nil {
		r.Decision = new(credit.Decision)
		if err := json.Unmarshal(decision, r.Decision); err != nil {
			return r, fmt.Errorf("decision of %s: %w", r.ID, err)
		}
	}
	return r, nil
}

// CreditRequest reads one request.
func (s *Store) CreditRequest(ctx context.Context, id string) (credit.CreditRequest, error) {
	r, err := scanRequest(s.Pool.QueryRow(ctx, `SELECT `+requestColumns+` FROM credit_requests r WHERE r.id = $1`, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("read credit request %s: %w", id, err)
	}
	return r, err
}

// RequestFilter narrows the request list.
type RequestFilter struct {
	Status    string
	CreatedBy string
	AccountID string
	Campaign  string
}

// CreditRequests lists requests oldest first, a page at a time; with
// Status pending_review it is the credit team's inbox.
func (s *Store) CreditRequests(ctx context.Context, f RequestFilter, after *Cursor, limit int) ([]credit.CreditRequest, *Cursor, error) {
	args := []any{f.Status, f.CreatedBy, f.AccountID, limit + 1, f.Campaign}
	where := `($1 = '' OR r.status = $1) AND ($2 = '' OR r.created_by = lower($2)) AND ($3 = '' OR r.account_id = $3)
		AND ($5 = '' OR r.campaign = $5)`
	if after != nil {
		where += ` AND (r.created_at, r.id) > ($6, $7)`
		args = append(args, after.At, after.ID)
	}
	rows, err := s.Pool.Query(ctx, `SELECT `+requestColumns+` FROM credit_requests r WHERE `+where+
		` ORDER BY r.created_at, r.id LIMIT $4`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list credit requests: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.CreditRequest, error) { return scanRequest(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("list credit requests: %w", err)
	}
	return page(out, limit, func(r credit.CreditRequest) Cursor { return Cursor{r.CreatedAt, r.ID} })
}

// RecordScore stores the scorecard's verdict and moves the request to
// pending_review when a human must decide.
func (s *Store) RecordScore(ctx context.Context, id string, sc policy.Score) error {
	reasons, err := json.Marshal(sc.Reasons)
	if err != nil {
		return err
	}
	status := credit.StatusScoring
	if sc.Outcome == policy.OutcomeReview {
		status = credit.StatusPendingReview
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID string
		err := tx.QueryRow(ctx, `UPDATE credit_requests SET score = $2, band = $3, reasons = $4,
			recommended_limit = $5, status = CASE WHEN status = 'scoring' THEN $6 ELSE status END, updated_at = now()
			WHERE id = $1 RETURNING account_id`, id, sc.Points, sc.Band, reasons, sc.RecommendedLimit.Minor, status).Scan(&accountID)
		if err != nil {
			return fmt.Errorf("record score of %s: %w", id, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, reason, decided_by)
			VALUES ($1, 'scored', $2, $3, 'creditflow') ON CONFLICT (request_id, event) DO NOTHING`,
			id, sc.Outcome, fmt.Sprintf("score %d, band %s", sc.Points, sc.Band)); err != nil {
			return fmt.Errorf("audit score of %s: %w", id, err)
		}
		return addTimeline(ctx, tx, accountID, id+"/scored", credit.TimelineEntry{
			Kind: "credit_request_scored", Ref: id, Actor: "creditflow",
			Summary: fmt.Sprintf("Scored %d points, band %s; recommended limit %s", sc.Points, sc.Band, sc.RecommendedLimit.Display()),
		})
	})
}

// ApplyDecision records a decision in the audit trail, sets the request's
// status and applies an approval to the account, all at once. It is
// idempotent: a decision already in the trail is not applied again.
func (s *Store) ApplyDecision(ctx context.Context, id string, d credit.Decision) error {
	conditions, err := json.Marshal(d.Conditions)
	if err != nil {
		return err
	}
	decision, err := json.Marshal(d)
	if err != nil {
		return err
	}
	var approved *int64
	if d.ApprovedLimit != nil {
		approved = &d.ApprovedLimit.Minor
	}
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, outcome, approved_limit, conditions, reason, decided_by, decided_at)
			VALUES ($1, 'decided', $2, $3, $4, $5, $6, $7) ON CONFLICT (request_id, event) DO NOTHING`,
			id, d.Outcome, approved, conditions, d.Reason, d.DecidedBy, d.DecidedAt)
		if err != nil {
			return fmt.Errorf("audit decision on %s: %w", id, err)
		}
		if tag.RowsAffected() == 0 {
			return nil // applied by an earlier attempt
		}
		var accountID, kind string
		err = tx.QueryRow(ctx, `UPDATE credit_requests SET status = $2, decision = $3, decided_at = $4, updated_at = now()
			WHERE id = $1 RETURNING account_id, kind`, id, d.Status(), decision, d.DecidedAt).Scan(&accountID, &kind)
		if err != nil {
			return fmt.Errorf("decide %s: %w", id, err)
		}
		if approved != nil && d.Outcome != credit.OutcomeDecline {
			// The limit it had, for an approval that lapses; shorter
			// terms of a condition, for the account's next invoices.
			if _, err := tx.Exec(ctx, `UPDATE credit_requests SET limit_before = (SELECT credit_limit FROM accounts WHERE id = $2)
				WHERE id = $1`, id, accountID); err != nil {
				return err
			}
			for _, c := range d.Conditions {
				if c.Type == credit.ConditionShorterTerms && c.TermsDays > 0 {
					if _, err := tx.Exec(ctx, `UPDATE accounts SET payment_terms_days = $2 WHERE id = $1`, accountID, c.TermsDays); err != nil {
						return err
					}
				}
			}
			// A prospect becomes an active customer; an account on hold
			// stays on hold until its cause is gone.
			if _, err := tx.Exec(ctx, `UPDATE accounts SET credit_limit = $2,
				status = CASE WHEN status = 'prospect' THEN 'active' ELSE status END, updated_at = now()
				WHERE id = $1`, accountID, *approved); err != nil {
				return fmt.Errorf("apply limit to %s: %w", accountID, err)
			}
		}
		if err := addTimeline(ctx, tx, accountID, id+"/decided", credit.TimelineEntry{
			Kind: "credit_request_decided", Ref: id, Actor: d.DecidedBy, Summary: describeDecision(kind, d),
		}); err != nil || approved == nil || d.Outcome == credit.OutcomeDecline {
			return err
		}
		// A higher limit lifts an exposure hold at once, not at the next
		// payment.
		_, err = releaseCleared(ctx, tx, accountID, id+"/decided")
		return err
	})
}

func describeDecision(kind string, d credit.Decision) string {
	what := "pre-approval"
	if kind == credit.KindLimitIncrease {
		what = "limit increase"
	}
	switch d.Outcome {
	case credit.OutcomeApprove:
		return fmt.Sprintf("Credit %s approved at %s", what, d.ApprovedLimit.Display())
	case credit.OutcomeApproveWithConditions:
		var cs []string
		for _, c := range d.Conditions {
			cs = append(cs, c.What())
		}
		return fmt.Sprintf("Credit %s approved at %s with conditions: %s", what, d.ApprovedLimit.Display(), strings.Join(cs, "; "))
	default:
		return fmt.Sprintf("Credit %s declined: %s", what, d.Reason)
	}
}

// CloseCreditRequest ends a request nobody decided: expired or withdrawn.
func (s *Store) CloseCreditRequest(ctx context.Context, id, status, by, reason string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO decisions (request_id, event, reason, decided_by, decided_at)
			VALUES ($1, $2, $3, $4, $5) ON CONFLICT (request_id, event) DO NOTHING`, id, status, reason, by, at)
		if err != nil {
			return fmt.Errorf("audit %s of %s: %w", status, id, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		var accountID string
		err = tx.QueryRow(ctx, `UPDATE credit_requests SET status = $2, updated_at = now() WHERE id = $1 RETURNING account_id`,
			id, status).Scan(&accountID)
		if err != nil {
			return fmt.Errorf("close %s: %w", id, err)
		}
		return addTimeline(ctx, tx, accountID, id+"/"+status, credit.TimelineEntry{
			Kind: "credit_request_" + status, Ref: id, Actor: by, Summary: "Credit request " + status + reasonSuffix(reason),
		})
	})
}

func reasonSuffix(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
