package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
)

// WriteOffInvoice ends an invoice as uncollectable, once.
func (s *Store) WriteOffInvoice(ctx context.Context, invoiceID string, w credit.WriteOff) (Settlement, error) {
	var out Settlement
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, number string
		var balance int64
		var cur string
		err := tx.QueryRow(ctx, `UPDATE invoices SET status = 'written_off', written_off_at = now(), updated_at = now()
			WHERE id = $1 AND status IN ('open', 'disputed') RETURNING account_id, number, balance, currency`, invoiceID).
			Scan(&accountID, &number, &balance, &cur)
		if err == nil {
			summary := fmt.Sprintf("Invoice %s written off (%s)%s", number, money.New(balance, cur).Display(), reasonSuffix(w.Reason))
			if err := addTimeline(ctx, tx, accountID, "invoice/"+invoiceID+"/written-off", credit.TimelineEntry{
				Kind: "invoice_written_off", Ref: invoiceID, Actor: w.By.Email, Summary: summary}); err != nil {
				return err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("write off %s: %w", invoiceID, err)
		}
		out, err = settle(ctx, tx, invoiceID, "invoice/"+invoiceID+"/written-off")
		return err
	})
	return out, err
}
