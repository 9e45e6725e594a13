package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// AddNote writes a note on the account's timeline.
func (s *Store) AddNote(ctx context.Context, n credit.Note) (credit.Note, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO notes (id, account_id, body, department, author)
			VALUES ($1, $2, $3, $4, lower($5)) RETURNING created_at`, n.ID, n.AccountID, n.Body, n.Department, n.Author).Scan(&n.CreatedAt); err != nil {
			return fmt.Errorf("note on %s: %w", n.AccountID, err)
		}
		return addTimeline(ctx, tx, n.AccountID, "note/"+n.ID, credit.TimelineEntry{Kind: "note", Ref: n.ID, Actor: n.Author,
			Summary: "Note (" + n.Department + "): " + n.Body})
	})
	return n, err
}
