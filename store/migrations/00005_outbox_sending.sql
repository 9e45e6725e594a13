-- +goose Up
-- The outbox no longer holds a row lock across the call to SendGrid. An
-- attempt claims the row (status 'sending', its own attempt_token, a lease
-- until sending_until), commits, calls SendGrid with no transaction open,
-- then records the outcome in a second short transaction. A concurrent
-- attempt that finds a live lease sends nothing and is retried; one that
-- finds an expired lease knows the previous attempt died during its call
-- and sends again (store/emails.go explains the crash windows).
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'logged', 'rejected'));
ALTER TABLE emails ADD COLUMN attempt_token text;
ALTER TABLE emails ADD COLUMN sending_until timestamptz;
-- A row is 'sending' exactly when an attempt holds its lease.
ALTER TABLE emails ADD CONSTRAINT emails_sending_lease
    CHECK ((status = 'sending') = (attempt_token IS NOT NULL AND sending_until IS NOT NULL));

-- +goose Down
UPDATE emails SET status = 'pending' WHERE status = 'sending';
ALTER TABLE emails DROP CONSTRAINT emails_sending_lease;
ALTER TABLE emails DROP COLUMN sending_until;
ALTER TABLE emails DROP COLUMN attempt_token;
ALTER TABLE emails DROP CONSTRAINT emails_status_check;
ALTER TABLE emails ADD CONSTRAINT emails_status_check
    CHECK (status IN ('pending', 'sent', 'logged', 'rejected'));
