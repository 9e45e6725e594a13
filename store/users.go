package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// UpsertUser creates the user or updates their name, role, manager and
// limit, and gives them a new token (the old one stops working).
func (s *Store) UpsertUser(ctx context.Context, u credit.User, token string) (credit.User, error) {
	err := s.Pool.QueryRow(ctx, `
		INSERT INTO users (id, email, name, role, manager_email, approval_limit, token_hash)
		VALUES ($1, lower($2), $3, $4, NULLIF(lower($5), ''), $6, $7)
		ON CONFLICT (email) DO UPDATE SET
			name = EXCLUDED.name, role = EXCLUDED.role, manager_email = EXCLUDED.manager_email,
			approval_limit = EXCLUDED.approval_limit, token_hash = EXCLUDED.token_hash, updated_at = now()
		RETURNING id, email`,
		NewID("usr"), u.Email, u.Name, u.Role, u.ManagerEmail, u.ApprovalLimit, HashToken(token),
	).Scan(&u.ID, &u.Email)
	if err != nil {
		return u, fmt.Errorf("save user %s: %w", u.Email, err)
	}
	return u, nil
}

const userColumns = `id, email, name, role, coalesce(manager_email, ''), approval_limit`

func scanUser(row pgx.Row) (credit.User, error) {
	var u credit.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.ManagerEmail, &u.ApprovalLimit)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UserByToken finds the holder of a bearer token.
func (s *Store) UserByToken(ctx context.Context, token string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE token_hash = $1`, HashToken(token)))
}

// UserByEmail finds a user by email address.
func (s *Store) UserByEmail(ctx context.Context, email string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = lower($1)`, email))
}

// CountUsers tells whether this is a fresh installation.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// EmailsOfRole lists the addresses of everyone with a role, in a stable
// order so that an email's recipients do not change between retries.
func (s *Store) EmailsOfRole(ctx context.Context, role string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT email FROM users WHERE role = $1 ORDER BY email`, role)
	if err != nil {
		return nil, fmt.Errorf("users with role %s: %w", role, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
