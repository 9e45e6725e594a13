package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// RecordPayment applies a payment to an invoice once (by payment id):
// the balance falls, a balance of zero makes it paid, and holds whose
// cause is gone are released.
func (s *Store) RecordPayment(ctx context.Context, invoiceID string, p credit.Payment) (Settlement, error) {
	var out Settlement
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO payments (id, invoice_id, amount, received_at, reference, recorded_by)
			VALUES ($1, $2, $3, $4, $5, lower($6)) ON CONFLICT (id) DO NOTHING`,
			p.ID, invoiceID, p.Amount.Minor, p.ReceivedAt, p.Reference, p.By)
		if err != nil {
			return fmt.Errorf("payment on %s: %w", invoiceID, err)
		}
		if tag.RowsAffected() == 1 {
			inv, err := scanInvoice(tx.QueryRow(ctx, `UPDATE invoices i SET balance = balance - $2,
				status = CASE WHEN balance - $2 = 0 THEN 'paid' ELSE status END,
				paid_at = CASE WHEN balance - $2 = 0 THEN $3 ELSE paid_at END, updated_at = now()
				WHERE id = $1 RETURNING `+invoiceColumns, invoiceID, p.Amount.Minor, p.ReceivedAt))
			if err != nil {
				return fmt.Errorf("payment on %s: %w", invoiceID, err)
			}
			summary := fmt.Sprintf("Payment of %s received on invoice %s; balance %s", p.Amount.Display(), inv.Number, inv.Balance.Display())
			if err := addTimeline(ctx, tx, inv.AccountID, "payment/"+p.ID, credit.TimelineEntry{
				Kind: "payment_received", Ref: invoiceID, Actor: p.By, Summary: summary}); err != nil {
				return err
			}
		}
		out, err = settle(ctx, tx, invoiceID, "payment/"+p.ID)
		return err
	})
	return out, err
}

// PaymentRecorded reports whether the payment of this id was recorded.
func (s *Store) PaymentRecorded(ctx context.Context, id string) (bool, error) {
	var recorded bool
	if err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM payments WHERE id = $1)`, id).Scan(&recorded); err != nil {
		return false, fmt.Errorf("payment %s: %w", id, err)
	}
	return recorded, nil
}
