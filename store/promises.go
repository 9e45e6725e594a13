package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// RecordPromise keeps a promise to pay (once per key) on the timeline.
func (s *Store) RecordPromise(ctx context.Context, key, invoiceID string, p credit.PromiseToPay) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO promises (promise_key, invoice_id, promised_date, amount, made_by)
			VALUES ($1, $2, $3, $4, lower($5)) ON CONFLICT (promise_key) DO NOTHING`, key, invoiceID, p.PromisedDate, p.Amount.Minor, p.By)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var accountID, number string
		if err := tx.QueryRow(ctx, `SELECT account_id, number FROM invoices WHERE id = $1`, invoiceID).Scan(&accountID, &number); err != nil {
			return err
		}
		return addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{Kind: "promise_to_pay", Ref: invoiceID, Actor: p.By,
			Summary: fmt.Sprintf("Promise to pay %s on invoice %s by %s", p.Amount.Display(), number, p.PromisedDate)})
	})
}

// SettlePromise marks a promise kept or broken.
func (s *Store) SettlePromise(ctx context.Context, key, status string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, invoiceID, number string
		err := tx.QueryRow(ctx, `UPDATE promises p SET status = $2 FROM invoices i
			WHERE p.promise_key = $1 AND i.id = p.invoice_id RETURNING i.account_id, i.id, i.number`, key, status).Scan(&accountID, &invoiceID, &number)
		if err != nil {
			return fmt.Errorf("settle promise %s: %w", key, err)
		}
		return addTimeline(ctx, tx, accountID, key+"/"+status, credit.TimelineEntry{Kind: "promise_" + status, Ref: invoiceID,
			Actor: "creditflow", Summary: fmt.Sprintf("Promise to pay on invoice %s %s", number, status)})
	})
}
