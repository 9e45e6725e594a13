package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
)

// OpenDispute records a dispute (once per id) and marks the invoice disputed.
func (s *Store) OpenDispute(ctx context.Context, d credit.Dispute, openedBy string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO disputes (id, invoice_id, reason, department, owner_email, opened_by, created_at)
			VALUES ($1, $2, $3, $4, lower($5), lower($6), $7) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.InvoiceID, d.Reason, d.Department, d.OwnerEmail, openedBy, d.CreatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var accountID, number string
		if err := tx.QueryRow(ctx, `UPDATE invoices SET status = 'disputed', updated_at = now() WHERE id = $1 RETURNING account_id, number`,
			d.InvoiceID).Scan(&accountID, &number); err != nil {
			return fmt.Errorf("dispute %s: %w", d.InvoiceID, err)
		}
		return addTimeline(ctx, tx, accountID, "dispute/"+d.ID+"/opened", credit.TimelineEntry{
			Kind: "dispute_opened", Ref: d.InvoiceID, Actor: openedBy,
			Summary: fmt.Sprintf("Invoice %s disputed (%s, owner %s): %s", number, d.Department, d.OwnerEmail, d.Reason)})
	})
}

// ResolveDispute closes a dispute once; a credit note lowers the balance.
func (s *Store) ResolveDispute(ctx context.Context, r credit.DisputeResolution, at time.Time) (Settlement, error) {
	var out Settlement
	var note *int64
	if r.CreditNote != nil {
		note = &r.CreditNote.Minor
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var invoiceID string
		err := tx.QueryRow(ctx, `UPDATE disputes SET status = 'resolved', resolution = $2, credit_note = $3, resolved_at = $4
			WHERE id = $1 AND status = 'open' RETURNING invoice_id`, r.DisputeID, r.Resolution, note, at).Scan(&invoiceID)
		if errors.Is(err, pgx.ErrNoRows) {
			// Resolved by an earlier attempt.
			if err := tx.QueryRow(ctx, `SELECT invoice_id FROM disputes WHERE id = $1`, r.DisputeID).Scan(&invoiceID); err != nil {
				return fmt.Errorf("dispute %s: %w", r.DisputeID, err)
			}
			out, err = settle(ctx, tx, invoiceID, "dispute/"+r.DisputeID)
			return err
		}
		if err != nil {
			return fmt.Errorf("resolve dispute %s: %w", r.DisputeID, err)
		}
		var credited int64
		if note != nil {
			credited = *note
		}
		inv, err := scanInvoice(tx.QueryRow(ctx, `UPDATE invoices i SET balance = balance - $2,
			status = CASE WHEN balance - $2 = 0 THEN 'paid' ELSE 'open' END,
			paid_at = CASE WHEN balance - $2 = 0 THEN $3 ELSE paid_at END, updated_at = now()
			WHERE id = $1 RETURNING `+invoiceColumns, invoiceID, credited, at))
		if err != nil {
			return fmt.Errorf("resolve dispute %s: %w", r.DisputeID, err)
		}
		summary := fmt.Sprintf("Dispute on invoice %s resolved: %s", inv.Number, r.Resolution)
		if r.CreditNote != nil {
			summary += fmt.Sprintf("; credit note of %s, balance %s", r.CreditNote.Display(), inv.Balance.Display())
		}
		if err := addTimeline(ctx, tx, inv.AccountID, "dispute/"+r.DisputeID+"/resolved", credit.TimelineEntry{
			Kind: "dispute_resolved", Ref: invoiceID, Actor: r.By, Summary: summary}); err != nil {
			return err
		}
		// A complaint about the invoice is this dispute: it is resolved
		// with it, however the dispute was resolved.
		if err := resolveComplaints(ctx, tx, `dispute_id = $1`, r.DisputeID, r.Resolution, r.By, at); err != nil {
			return err
		}
		out, err = settle(ctx, tx, invoiceID, "dispute/"+r.DisputeID)
		return err
	})
	return out, err
}

// Dispute reads one dispute.
func (s *Store) Dispute(ctx context.Context, id string) (credit.Dispute, error) {
	d, err := scanDispute(s.Pool.QueryRow(ctx, `SELECT `+disputeColumns+`
		FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE d.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("read dispute %s: %w", id, err)
	}
	return d, nil
}

const disputeColumns = `d.id, d.invoice_id, d.reason, d.department, d.owner_email, d.status, d.resolution,
	d.credit_note, i.currency, d.created_at, d.resolved_at`

func scanDispute(row pgx.Row) (credit.Dispute, error) {
	var d credit.Dispute
	var note *int64
	var cur string
	err := row.Scan(&d.ID, &d.InvoiceID, &d.Reason, &d.Department, &d.OwnerEmail, &d.Status, &d.Resolution, &note, &cur, &d.CreatedAt, &d.ResolvedAt)
	if note != nil {
		m := money.New(*note, cur)
		d.CreditNote = &m
	}
	return d, err
}

// InvoiceHistory adds an invoice's payments, disputes and promises to
// pay, oldest first, for GET /invoices/{id}.
func (s *Store) InvoiceHistory(ctx context.Context, inv *credit.Invoice) error {
	cur := inv.Amount.Currency
	rows, err := s.Pool.Query(ctx, `SELECT id, amount, received_at, reference, recorded_by FROM payments
		WHERE invoice_id = $1 ORDER BY received_at, created_at`, inv.ID)
	if err != nil {
		return fmt.Errorf("payments of %s: %w", inv.ID, err)
	}
	if inv.Payments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Payment, error) {
		var p credit.Payment
		var amount int64
		err := row.Scan(&p.ID, &amount, &p.ReceivedAt, &p.Reference, &p.By)
		p.Amount = money.New(amount, cur)
		return p, err
	}); err != nil {
		return fmt.Errorf("payments of %s: %w", inv.ID, err)
	}
	rows, err = s.Pool.Query(ctx, `SELECT `+disputeColumns+`
		FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE d.invoice_id = $1 ORDER BY d.created_at`, inv.ID)
	if err != nil {
		return fmt.Errorf("disputes of %s: %w", inv.ID, err)
	}
	if inv.Disputes, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Dispute, error) { return scanDispute(row) }); err != nil {
		return fmt.Errorf("disputes of %s: %w", inv.ID, err)
	}
	rows, err = s.Pool.Query(ctx, `SELECT promised_date::text, amount, made_by, status, created_at FROM promises
		WHERE invoice_id = $1 ORDER BY created_at`, inv.ID)
	if err != nil {
		return fmt.Errorf("promises of %s: %w", inv.ID, err)
	}
	inv.Promises, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.RecordedPromise, error) {
		var p credit.RecordedPromise
		var amount int64
		err := row.Scan(&p.PromisedDate, &amount, &p.By, &p.Status, &p.CreatedAt)
		p.Amount = money.New(amount, cur)
		return p, err
	})
	if err != nil {
		return fmt.Errorf("promises of %s: %w", inv.ID, err)
	}
	return nil
}
