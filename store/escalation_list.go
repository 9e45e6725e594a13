package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// EscalationFilter narrows the escalation list.
type EscalationFilter struct {
	// SalesRep: the escalations addressed to this rep ("" all).
	SalesRep string
	// Statuses: escalations in any of these (none: all).
	Statuses []string
}

// Escalations lists escalations oldest first, a page at a time.
func (s *Store) Escalations(ctx context.Context, f EscalationFilter, after *Cursor, limit int) ([]credit.Escalation, *Cursor, error) {
	args := []any{f.SalesRep, f.Statuses, limit + 1}
	where := `($1 = '' OR e.sales_rep = lower($1)) AND (coalesce(cardinality($2::text[]), 0) = 0 OR e.status = ANY ($2::text[]))`
	if after != nil {
		where += ` AND (e.created_at, e.id) > ($4, $5)`
		args = append(args, after.At, after.ID)
	}
	rows, err := s.Pool.Query(ctx, `SELECT `+escalationColumns+` FROM escalations e WHERE `+where+
		` ORDER BY e.created_at, e.id LIMIT $3`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list escalations: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Escalation, error) { return scanEscalation(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("list escalations: %w", err)
	}
	return page(out, limit, func(e credit.Escalation) Cursor { return Cursor{e.CreatedAt, e.ID} })
}
