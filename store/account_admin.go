package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// ErrNoHold: there is no hold to release.
var ErrNoHold = errors.New("the account has no hold to release")

// HoldChange is a hold placed or released by a person in credit. Key
// makes it idempotent: a retried activity changes nothing twice.
type HoldChange struct {
	Key       string
	AccountID string
	Release   bool
	By        string
	Reason    string
}

// ChangeHold places a manual hold on an account, or releases every hold
// it has (a person's decision overrides the automatic causes; an invoice
// still unpaid holds the account again at its next hold step). It reports
// whether the account's status changed: on hold from active, or active
// from on hold, which its rep hears of.
func (s *Store) ChangeHold(ctx context.Context, c HoldChange) (bool, error) {
	var changed bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var err error
		if c.Release {
			changed, err = releaseHolds(ctx, tx, c)
			return err
		}
		if changed, err = placeHold(ctx, tx, c.Key, c.AccountID, "", "manual", "Credit hold by "+c.By+": "+c.Reason, c.By); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE holds SET reason = $2 WHERE hold_key = $1`, c.Key, c.Reason)
		return err
	})
	return changed, err
}

func releaseHolds(ctx context.Context, tx pgx.Tx, c HoldChange) (bool, error) {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM accounts WHERE id = $1 FOR UPDATE`, c.AccountID).Scan(&status); err != nil {
		return false, fmt.Errorf("release holds of %s: %w", c.AccountID, err)
	}
	var done bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM holds WHERE account_id = $1 AND released_by = $2)`,
		c.AccountID, c.Key).Scan(&done); err != nil {
		return false, err
	}
	if done {
		// Released by an earlier attempt: the same answer.
		var changed bool
		err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM timeline WHERE event_key = $1)`, c.Key+"/active").Scan(&changed)
		return changed, err
	}
	tag, err := tx.Exec(ctx, `UPDATE holds SET released_at = now(), released_by = $2, release_reason = $3
		WHERE account_id = $1 AND released_at IS NULL`, c.AccountID, c.Key, c.Reason)
	if err != nil {
		return false, fmt.Errorf("release holds of %s: %w", c.AccountID, err)
	}
	if tag.RowsAffected() == 0 {
		return false, ErrNoHold
	}
	if err := addTimeline(ctx, tx, c.AccountID, c.Key, credit.TimelineEntry{
		Kind: "hold_released", Actor: c.By, Summary: "Credit hold released by " + c.By + ": " + c.Reason, Ref: c.AccountID}); err != nil {
		return false, err
	}
	if status != credit.AccountOnHold {
		return false, nil
	}
	if _, err := tx.Exec(ctx, `UPDATE accounts SET status = 'active', updated_at = now() WHERE id = $1`, c.AccountID); err != nil {
		return false, err
	}
	// Marks that this release made the account active, for a retry's answer.
	return true, addTimeline(ctx, tx, c.AccountID, c.Key+"/active", credit.TimelineEntry{
		Kind: "account_active", Actor: c.By, Summary: "The account is active again", Ref: c.AccountID})
}

// ActiveHolds lists an account's unreleased holds, oldest first, with
// why: a person's reason, else what the timeline said when it was placed.
func (s *Store) ActiveHolds(ctx context.Context, accountID string) ([]credit.Hold, error) {
	rows, err := s.Pool.Query(ctx, `SELECT h.cause, coalesce(h.invoice_id, ''), h.placed_by, h.placed_at,
			coalesce(nullif(h.reason, ''), (SELECT t.summary FROM timeline t WHERE t.event_key = h.hold_key), '')
		FROM holds h WHERE h.account_id = $1 AND h.released_at IS NULL ORDER BY h.placed_at`, accountID)
	if err != nil {
		return nil, fmt.Errorf("holds of %s: %w", accountID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Hold, error) {
		var h credit.Hold
		err := row.Scan(&h.Cause, &h.InvoiceID, &h.PlacedBy, &h.PlacedAt, &h.Reason)
		return h, err
	})
}

// AccountChange is what PATCH /accounts/{id} changes; a nil field stays.
type AccountChange struct {
	SalesRep     *string
	Close        bool
	BillingEmail *string
	TimeZone     *string
	// PaymentTermsDays: the due date of invoices given none.
	PaymentTermsDays *int
}

// ChangeAccount applies a change and writes it on the timeline, by whom,
// in one transaction.
func (s *Store) ChangeAccount(ctx context.Context, id, by string, c AccountChange) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, id); err != nil {
			return err
		}
		before, err := accountByID(ctx, tx, id)
		if err != nil {
			return err
		}
		var what []string
		set := func(column, value, label, old string) error {
			if value == old {
				return nil
			}
			what = append(what, fmt.Sprintf("%s from %s to %s", label, old, value))
			_, err := tx.Exec(ctx, `UPDATE accounts SET `+column+` = $2, updated_at = now() WHERE id = $1`, id, value)
			return err
		}
		if c.SalesRep != nil && *c.SalesRep != before.SalesRep {
			if err := set("sales_rep", *c.SalesRep, "sales rep", before.SalesRep); err != nil {
				return err
			}
			// The old rep no longer sees the account: what is still asked
			// of them is asked of the new one.
			moved, err := tx.Exec(ctx, `UPDATE escalations SET sales_rep = $2 WHERE account_id = $1 AND status IN ('open', 'overdue')`,
				id, *c.SalesRep)
			if err != nil {
				return err
			}
			if n := moved.RowsAffected(); n > 0 {
				what = append(what, fmt.Sprintf("%d open escalation(s) moved to %s", n, *c.SalesRep))
			}
		}
		if c.BillingEmail != nil {
			if err := set("billing_email", *c.BillingEmail, "billing email", before.BillingEmail); err != nil {
				return err
			}
		}
		if c.TimeZone != nil {
			if err := set("time_zone", *c.TimeZone, "time zone", before.TimeZone); err != nil {
				return err
			}
		}
		if c.PaymentTermsDays != nil && (before.PaymentTermsDays == nil || *before.PaymentTermsDays != *c.PaymentTermsDays) {
			old := "the default"
			if before.PaymentTermsDays != nil {
				old = fmt.Sprintf("%d days", *before.PaymentTermsDays)
			}
			what = append(what, fmt.Sprintf("payment terms from %s to %d days", old, *c.PaymentTermsDays))
			if _, err := tx.Exec(ctx, `UPDATE accounts SET payment_terms_days = $2, updated_at = now() WHERE id = $1`, id, *c.PaymentTermsDays); err != nil {
				return err
			}
		}
		if c.Close && before.Status != credit.AccountClosed {
			if err := set("status", credit.AccountClosed, "status", before.Status); err != nil {
				return err
			}
		}
		if len(what) == 0 {
			return nil
		}
		return addTimeline(ctx, tx, id, NewID("chg"), credit.TimelineEntry{
			Kind: "account_changed", Actor: by, Summary: "Changed by " + by + ": " + strings.Join(what, "; "), Ref: id})
	})
}

// FailedCustomerEmail is a customer email that did not reach its customer.
type FailedCustomerEmail struct {
	Key        string
	Kind       string
	Subject    string
	Text       string
	HTML       string
	CustomArgs map[string]string
	InvoiceIDs []string // a customer's email of the day: the invoices it listed
}

// FailedCustomerEmails lists, for each invoice of the account still
// owed, its last customer email (of kinds) that did not arrive, sent to
// another address than to: refused by SendGrid, or bounced or dropped
// after it. They are what a new billing contact should receive.
func (s *Store) FailedCustomerEmails(ctx context.Context, accountID, to string, kinds []string) ([]FailedCustomerEmail, error) {
	// The last undelivered email of each invoice still owed, once each:
	// a customer's email of the day lists several invoices.
	rows, err := s.Pool.Query(ctx, `SELECT DISTINCT ON (last.email_key)
			last.email_key, last.kind, last.subject, last.body_text, last.body_html, last.custom_args, last.invoice_ids
		FROM (SELECT DISTINCT ON (i.id) e.id, e.email_key, e.kind, e.subject, e.body_text, e.body_html, e.custom_args, e.invoice_ids
			FROM emails e
			CROSS JOIN LATERAL unnest(coalesce(e.invoice_ids, ARRAY[e.custom_args->>'invoice_id'])) AS listed (invoice_id)
			JOIN invoices i ON i.id = listed.invoice_id
			WHERE e.account_id = $1 AND e.kind = ANY($3)
				AND (e.status = 'rejected' OR e.delivery IN ('bounce', 'dropped'))
				AND NOT ($2 = ANY (e.recipients))
				AND i.status IN ('open', 'disputed') AND i.balance > 0
			ORDER BY i.id, e.id DESC) last
		ORDER BY last.email_key`, accountID, to, kinds)
	if err != nil {
		return nil, fmt.Errorf("undelivered emails of %s: %w", accountID, err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (FailedCustomerEmail, error) {
		var u FailedCustomerEmail
		err := row.Scan(&u.Key, &u.Kind, &u.Subject, &u.Text, &u.HTML, &u.CustomArgs, &u.InvoiceIDs)
		return u, err
	})
}
