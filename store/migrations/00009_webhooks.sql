-- +goose Up
-- What SendGrid's Event Webhook says happened to an email after SendGrid
-- accepted it: the furthest it got (delivery), why (delivery_detail) and
-- when. reply_ref names a customer email in its reply-to address.
ALTER TABLE emails
    ADD COLUMN delivery        text NOT NULL DEFAULT '',
    ADD COLUMN delivery_detail text NOT NULL DEFAULT '',
    ADD COLUMN delivery_at     timestamptz,
    ADD COLUMN reply_ref       text;
CREATE INDEX emails_reply_ref ON emails (reply_ref) WHERE reply_ref IS NOT NULL;

-- Every event SendGrid posted, once: SendGrid delivers at least once, and
-- sg_event_id tells a retried batch from a new one. An event whose
-- email_key the outbox does not know is kept here and changes nothing.
CREATE TABLE email_events (
    sg_event_id  text PRIMARY KEY,
    email_key    text NOT NULL DEFAULT '',
    event        text NOT NULL,
    recipient    text NOT NULL DEFAULT '',
    reason       text NOT NULL DEFAULT '',
    occurred_at  timestamptz NOT NULL,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX email_events_key ON email_events (email_key);

-- Customers' answers (SendGrid Inbound Parse), stored before anything acts
-- on them; ReplyWorkflow matches each to an account (by the signed token of
-- its reply-to address, else by its sender's billing address), pauses
-- that customer's reminders and tells the rep. One it cannot match stays
-- 'unmatched', for an admin.
CREATE TABLE replies (
    id           text PRIMARY KEY,
    seq          bigserial NOT NULL UNIQUE,
    message_id   text NOT NULL DEFAULT '',
    sender       text NOT NULL DEFAULT '',
    recipients   text[] NOT NULL DEFAULT '{}',
    subject      text NOT NULL DEFAULT '',
    body_text    text NOT NULL DEFAULT '',
    attachments  jsonb NOT NULL DEFAULT '[]',
    status       text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'unmatched', 'unread', 'read')),
    account_id   text REFERENCES accounts (id),
    email_key    text,
    matched_by   text NOT NULL DEFAULT '',
    pause_until  timestamptz,
    read_by      text,
    read_at      timestamptz,
    received_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX replies_status ON replies (status, seq);
CREATE INDEX replies_account ON replies (account_id, seq);

-- +goose Down
DROP TABLE replies;
DROP TABLE email_events;
DROP INDEX emails_reply_ref;
ALTER TABLE emails DROP COLUMN reply_ref, DROP COLUMN delivery_at, DROP COLUMN delivery_detail, DROP COLUMN delivery;
