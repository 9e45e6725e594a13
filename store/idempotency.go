package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Errors of the Idempotency-Key protocol.
var (
	ErrKeyReused   = errors.New("idempotency key already used for a different request")
	ErrKeyInFlight = errors.New("a request with this idempotency key is still being processed")
)

// StoredResponse is the first answer to an idempotent request.
type StoredResponse struct {
	Status      int
	ContentType string
	Body        []byte
}

// ClaimIdempotencyKey reserves key for this request for lease. It returns
// the stored answer when the same request was already answered,
// ErrKeyInFlight while the first is running, and ErrKeyReused when the key
// came with another body. A key whose first request never answered (the
// API died, a panic) is taken over once its lease has ended; rows from
// before leases have none and are taken over at once.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, userID, key, method, path string, hash []byte, lease time.Duration) (*StoredResponse, error) {
	tag, err := s.Pool.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash, lease_until)
		VALUES ($1, $2, $3, $4, $5, now() + $6::float8 * interval '1 second') ON CONFLICT (user_id, key) DO UPDATE SET lease_until = EXCLUDED.lease_until
		WHERE idempotency_keys.status_code IS NULL AND (idempotency_keys.lease_until IS NULL OR idempotency_keys.lease_until < now())
			AND idempotency_keys.method = EXCLUDED.method AND idempotency_keys.path = EXCLUDED.path
			AND idempotency_keys.request_hash = EXCLUDED.request_hash`,
		userID, key, method, path, hash, lease.Seconds())
	if err != nil {
		return nil, fmt.Errorf("claim idempotency key: %w", err)
	}
	if tag.RowsAffected() == 1 {
		return nil, nil
	}
	var (
		storedMethod, storedPath string
		storedHash               []byte
		status                   *int
		contentType              *string
		body                     []byte
	)
	err = s.Pool.QueryRow(ctx, `SELECT method, path, request_hash, status_code, content_type, response
		FROM idempotency_keys WHERE user_id = $1 AND key = $2`, userID, key).
		Scan(&storedMethod, &storedPath, &storedHash, &status, &contentType, &body)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, ErrKeyInFlight // released by a failed first attempt just now
	}
	if err != nil {
		return nil, fmt.Errorf("read idempotency key: %w", err)
	}
	if storedMethod != method || storedPath != path || !bytes.Equal(storedHash, hash) {
		return nil, ErrKeyReused
	}
	if status == nil {
		return nil, ErrKeyInFlight
	}
	return &StoredResponse{Status: *status, ContentType: *contentType, Body: body}, nil
}

// StoreIdempotentResponse keeps the answer to replay it.
func (s *Store) StoreIdempotentResponse(ctx context.Context, userID, key string, r StoredResponse) error {
	_, err := s.Pool.Exec(ctx, `UPDATE idempotency_keys SET status_code = $3, content_type = $4, response = $5
		WHERE user_id = $1 AND key = $2`, userID, key, r.Status, r.ContentType, r.Body)
	if err != nil {
		return fmt.Errorf("store idempotent response: %w", err)
	}
	return nil
}

// ForgetIdempotencyKeys deletes the keys (and their stored answers) first
// used before before: the retention period has passed.
func (s *Store) ForgetIdempotencyKeys(ctx context.Context, before time.Time) (int64, error) {
	tag, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE created_at < $1`, before)
	if err != nil {
		return 0, fmt.Errorf("forget idempotency keys: %w", err)
	}
	return tag.RowsAffected(), nil
}

// ReleaseIdempotencyKey forgets a key whose request failed on our side, so
// the client's retry is processed afresh.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID, key string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status_code IS NULL`, userID, key)
	return err
}
