package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// InvoiceFilter narrows the invoice list.
type InvoiceFilter struct {
	AccountID string
	// SalesRep: the invoices of this rep's accounts ("" all).
	SalesRep string
	// Statuses: invoices in any of these (none: all).
	Statuses []string
}

// Invoices lists invoices in creation order, a page at a time, without
// their dunning steps.
func (s *Store) Invoices(ctx context.Context, f InvoiceFilter, after *Cursor, limit int) ([]credit.Invoice, *Cursor, error) {
	args := []any{f.AccountID, f.SalesRep, f.Statuses, limit + 1}
	where := `($1 = '' OR i.account_id = $1)
		AND ($2 = '' OR i.account_id IN (SELECT a.id FROM accounts a WHERE a.sales_rep = lower($2)))
		AND (coalesce(cardinality($3::text[]), 0) = 0 OR i.status = ANY ($3::text[]))`
	if after != nil {
		where += ` AND (i.created_at, i.id) > ($5, $6)`
		args = append(args, after.At, after.ID)
	}
	rows, err := s.Pool.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices i WHERE `+where+
		` ORDER BY i.created_at, i.id LIMIT $4`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list invoices: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Invoice, error) { return scanInvoice(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("list invoices: %w", err)
	}
	return page(out, limit, func(inv credit.Invoice) Cursor { return Cursor{inv.CreatedAt, inv.ID} })
}
