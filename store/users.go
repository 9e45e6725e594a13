package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// ErrUserDisabled is returned when a disabled user is asked for something
// only an active user has, such as a new token.
var ErrUserDisabled = errors.New("user is disabled")

// CreateUser stores a new user who authenticates with token. ErrConflict
// when the email address is taken.
func (s *Store) CreateUser(ctx context.Context, u credit.User, token string) (credit.User, error) {
	row := s.Pool.QueryRow(ctx, `
		INSERT INTO users (id, email, name, role, manager_email, approval_limit, token_hash)
		VALUES ($1, lower($2), $3, $4, NULLIF(lower($5), ''), $6, $7)
		ON CONFLICT (email) DO NOTHING
		RETURNING `+userColumns,
		NewID("usr"), u.Email, u.Name, u.Role, u.ManagerEmail, u.ApprovalLimit, HashToken(token))
	created, err := scanUser(row)
	if errors.Is(err, ErrNotFound) {
		return u, fmt.Errorf("create user %s: %w", u.Email, ErrConflict)
	}
	if err != nil {
		return u, fmt.Errorf("create user %s: %w", u.Email, err)
	}
	return created, nil
}

// UserChanges are the changes to an existing user; a nil field is kept.
type UserChanges struct {
	Role *string
	Name *string
	// ManagerEmail "" removes the manager.
	ManagerEmail *string
	// ApprovalLimit is for a user whose role, after the change, is credit
	// (the table refuses it for any other). A user who leaves the credit
	// role loses their limit: only analysts have one, so the table never
	// holds a limit that does not apply.
	ApprovalLimit *int64
	// Token, when set, replaces the user's token and re-enables a
	// disabled user.
	Token *string
}

// UpdateUser applies changes to the user with email and returns the user
// as they are now; ErrNotFound when there is no such user.
func (s *Store) UpdateUser(ctx context.Context, email string, c UserChanges) (credit.User, error) {
	var tokenHash []byte
	if c.Token != nil {
		tokenHash = HashToken(*c.Token)
	}
	// In SET, a column names its value before the update: role is the old
	// role, coalesce($2, role) the new one.
	u, err := scanUser(s.Pool.QueryRow(ctx, `
		UPDATE users SET
			role = coalesce($2, role),
			name = coalesce($3, name),
			manager_email = CASE WHEN $4::text IS NULL THEN manager_email ELSE NULLIF(lower($4), '') END,
			approval_limit = CASE WHEN $5::bigint IS NOT NULL THEN $5
				WHEN coalesce($2, role) = 'credit' THEN approval_limit END,
			token_hash = coalesce($6, token_hash),
			disabled_at = CASE WHEN $6::bytea IS NULL THEN disabled_at END,
			updated_at = now()
		WHERE email = lower($1)
		RETURNING `+userColumns,
		email, c.Role, c.Name, c.ManagerEmail, c.ApprovalLimit, tokenHash))
	if err != nil {
		return u, fmt.Errorf("update user %s: %w", email, err)
	}
	return u, nil
}

// IssueToken gives an active user a new token; the old one stops working.
// ErrNotFound when there is no such user, ErrUserDisabled when they are
// disabled (re-enabling is a decision of its own, not a side effect).
func (s *Store) IssueToken(ctx context.Context, email, token string) error {
	tag, err := s.Pool.Exec(ctx, `UPDATE users SET token_hash = $2, updated_at = now()
		WHERE email = lower($1) AND disabled_at IS NULL`, email, HashToken(token))
	if err != nil {
		return fmt.Errorf("issue token for %s: %w", email, err)
	}
	if tag.RowsAffected() == 1 {
		return nil
	}
	if _, err := s.UserByEmail(ctx, email); err != nil {
		return fmt.Errorf("issue token for %s: %w", email, err)
	}
	return fmt.Errorf("issue token for %s: %w", email, ErrUserDisabled)
}

// DisableUser stops a user from authenticating and from being mailed as
// one of a role; their row stays, since history names them. Their token is
// replaced by one nobody knows, so that re-enabling them never revives a
// token that may be why they were disabled. Disabling twice keeps the
// first moment. ErrNotFound when there is no such user.
func (s *Store) DisableUser(ctx context.Context, email string) (credit.User, error) {
	u, err := scanUser(s.Pool.QueryRow(ctx, `
		UPDATE users SET
			disabled_at = coalesce(disabled_at, now()),
			token_hash = CASE WHEN disabled_at IS NULL THEN $2 ELSE token_hash END,
			updated_at = now()
		WHERE email = lower($1)
		RETURNING `+userColumns,
		email, HashToken(NewToken())))
	if err != nil {
		return u, fmt.Errorf("disable user %s: %w", email, err)
	}
	return u, nil
}

const userColumns = `id, email, name, role, coalesce(manager_email, ''), approval_limit, disabled_at`

func scanUser(row pgx.Row) (credit.User, error) {
	var u credit.User
	err := row.Scan(&u.ID, &u.Email, &u.Name, &u.Role, &u.ManagerEmail, &u.ApprovalLimit, &u.DisabledAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, ErrNotFound
	}
	return u, err
}

// UserByToken finds the active holder of a bearer token: a disabled user's
// tokens are unknown, so the API answers them 401.
func (s *Store) UserByToken(ctx context.Context, token string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE token_hash = $1 AND disabled_at IS NULL`, HashToken(token)))
}

// UserByEmail finds a user by email address, disabled or not (DisabledAt
// tells).
func (s *Store) UserByEmail(ctx context.Context, email string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = lower($1)`, email))
}

// Users lists every user, disabled ones included, by email.
func (s *Store) Users(ctx context.Context) ([]credit.User, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("users: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.User, error) { return scanUser(row) })
}

// UsersPage lists users by email, disabled ones included, a page at a
// time: the page after the address afterEmail ("" for the first), and the
// address to continue after ("" on the last page).
func (s *Store) UsersPage(ctx context.Context, afterEmail string, limit int) ([]credit.User, string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+userColumns+` FROM users WHERE email > lower($1) ORDER BY email LIMIT $2`,
		afterEmail, limit+1)
	if err != nil {
		return nil, "", fmt.Errorf("users: %w", err)
	}
	users, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.User, error) { return scanUser(row) })
	if err != nil || len(users) <= limit {
		return users, "", err
	}
	return users[:limit], users[limit-1].Email, nil
}

// UserByID finds a user by id, disabled or not.
func (s *Store) UserByID(ctx context.Context, id string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE id = $1`, id))
}

// CountUsers tells whether this is a fresh installation.
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM users`).Scan(&n)
	return n, err
}

// EmailsOfRole lists the addresses of everyone active with a role, in a
// stable order so that an email's recipients do not change between
// retries.
func (s *Store) EmailsOfRole(ctx context.Context, role string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT email FROM users WHERE role = $1 AND disabled_at IS NULL ORDER BY email`, role)
	if err != nil {
		return nil, fmt.Errorf("users with role %s: %w", role, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}
