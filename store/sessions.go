package store

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// ErrTooManyLinks is a user who already holds as many live sign-in links
// as one may: nobody can fill a colleague's inbox by asking again and again.
var ErrTooManyLinks = errors.New("too many live sign-in links")

// CreateSession starts a credit-desk session for a user, found later by
// the hash of its cookie, until it expires (on Postgres's clock). Expired
// sessions are deleted on the way: the table holds only live ones.
func (s *Store) CreateSession(ctx context.Context, idHash []byte, userID string, lasts time.Duration) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM desk_sessions WHERE expires_at < now()`); err != nil {
			return fmt.Errorf("forget expired sessions: %w", err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO desk_sessions (id_hash, user_id, expires_at)
			VALUES ($1, $2, now() + $3 * interval '1 millisecond')`, idHash, userID, lasts.Milliseconds()); err != nil {
			return fmt.Errorf("create session: %w", err)
		}
		return nil
	})
}

// SessionUser is the active user of a live session: a disabled user's
// sessions end with their tokens.
func (s *Store) SessionUser(ctx context.Context, idHash []byte) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users
		WHERE disabled_at IS NULL AND id = (SELECT user_id FROM desk_sessions WHERE id_hash = $1 AND expires_at > now())`, idHash))
}

// EndSession signs a session out.
func (s *Store) EndSession(ctx context.Context, idHash []byte) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM desk_sessions WHERE id_hash = $1`, idHash)
	return err
}

// CreateSignInLink records a one-time sign-in link for a user, valid for
// lasts, unless they hold maxLive live links already (ErrTooManyLinks).
func (s *Store) CreateSignInLink(ctx context.Context, id, userID string, lasts time.Duration, maxLive int) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		// One user's requests for links queue here, so that the count
		// below cannot be raced past.
		if _, err := tx.Exec(ctx, `SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, userID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sign_in_links WHERE expires_at < now() - interval '1 day'`); err != nil {
			return fmt.Errorf("forget expired sign-in links: %w", err)
		}
		var live int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM sign_in_links WHERE user_id = $1 AND used_at IS NULL AND expires_at > now()`,
			userID).Scan(&live); err != nil {
			return err
		}
		if live >= maxLive {
			return ErrTooManyLinks
		}
		_, err := tx.Exec(ctx, `INSERT INTO sign_in_links (id, user_id, expires_at) VALUES ($1, $2, now() + $3 * interval '1 millisecond')`,
			id, userID, lasts.Milliseconds())
		return err
	})
}

// SignInLinkUser is whom a sign-in link would sign in, if it is unused
// and unexpired; it uses nothing (the confirmation page reads it).
func (s *Store) SignInLinkUser(ctx context.Context, id string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `SELECT `+userColumns+` FROM users WHERE disabled_at IS NULL AND id =
		(SELECT user_id FROM sign_in_links WHERE id = $1 AND used_at IS NULL AND expires_at > now())`, id))
}

// UseSignInLink spends a sign-in link and answers whom it signs in: one
// statement marks it used, so two tabs racing with the same link sign in
// once. ErrNotFound: unknown, used or expired.
func (s *Store) UseSignInLink(ctx context.Context, id string) (credit.User, error) {
	return scanUser(s.Pool.QueryRow(ctx, `WITH used AS (
			UPDATE sign_in_links SET used_at = now() WHERE id = $1 AND used_at IS NULL AND expires_at > now() RETURNING user_id)
		SELECT `+userColumns+` FROM users WHERE disabled_at IS NULL AND id = (SELECT user_id FROM used)`, id))
}

// LinkSecret is the key that signs the desk's links when
// CREDITFLOW_LINK_SECRET is unset: made by the first process that asks,
// then the same for every API replica and worker.
func (s *Store) LinkSecret(ctx context.Context) ([]byte, error) {
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	if _, err := s.Pool.Exec(ctx, `INSERT INTO link_secrets (name, secret) VALUES ('desk', $1) ON CONFLICT (name) DO NOTHING`, secret); err != nil {
		return nil, fmt.Errorf("link secret: %w", err)
	}
	err := s.Pool.QueryRow(ctx, `SELECT secret FROM link_secrets WHERE name = 'desk'`).Scan(&secret)
	return secret, err
}
