-- +goose Up
-- An Idempotency-Key is held by its first request for a lease, not for
-- ever: a request whose API died (or whose client vanished) before it
-- answered leaves a key that a retry may take over once the lease ends.
-- Keys and their answers are kept for a retention period, then forgotten.
ALTER TABLE idempotency_keys ADD COLUMN lease_until timestamptz;
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created;
ALTER TABLE idempotency_keys DROP COLUMN lease_until;
