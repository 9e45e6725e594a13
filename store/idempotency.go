package store

import (
	"bytes"
	"context"
	"errors"
	"fmt"

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

// ClaimIdempotencyKey reserves key for this request. It returns the stored
// answer when the same request was already answered, ErrKeyInFlight while
// the first is running, and ErrKeyReused when the key came with another body.
func (s *Store) ClaimIdempotencyKey(ctx context.Context, userID, key, method, path string, hash []byte) (*StoredResponse, error) {
	tag, err := s.Pool.Exec(ctx, `INSERT INTO idempotency_keys (user_id, key, method, path, request_hash)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id, key) DO NOTHING`, userID, key, method, path, hash)
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

// ReleaseIdempotencyKey forgets a key whose request failed on our side, so
// the client's retry is processed afresh.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, userID, key string) error {
	_, err := s.Pool.Exec(ctx, `DELETE FROM idempotency_keys WHERE user_id = $1 AND key = $2 AND status_code IS NULL`, userID, key)
	return err
}
