-- +goose Up
CREATE TABLE users (
    id             text PRIMARY KEY,
    email          text NOT NULL UNIQUE,
    name           text NOT NULL DEFAULT '',
    role           text NOT NULL CHECK (role IN ('sales', 'credit', 'credit_manager', 'admin')),
    manager_email  text,
    -- In whole units of the currency of the request decided; NULL: no limit.
    approval_limit bigint,
    -- SHA-256 of the bearer token: a leaked table does not leak tokens.
    token_hash     bytea NOT NULL UNIQUE,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE accounts (
    id                  text PRIMARY KEY,
    name                text NOT NULL,
    registration_number text NOT NULL DEFAULT '',
    country             text NOT NULL DEFAULT '',
    billing_email       text NOT NULL,
    status              text NOT NULL CHECK (status IN ('prospect', 'active', 'on_hold', 'closed')),
    currency            text NOT NULL,
    credit_limit        bigint NOT NULL DEFAULT 0,
    segment             text NOT NULL DEFAULT 'standard',
    sales_rep           text NOT NULL,
    time_zone           text NOT NULL DEFAULT 'UTC',
    annual_revenue      bigint NOT NULL DEFAULT 0,
    years_in_business   int NOT NULL DEFAULT 0,
    trade_references    int NOT NULL DEFAULT 0,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX accounts_sales_rep ON accounts (sales_rep, id);
CREATE INDEX accounts_status ON accounts (status, id);

CREATE TABLE credit_requests (
    id                text PRIMARY KEY,
    kind              text NOT NULL CHECK (kind IN ('pre_approval', 'limit_increase')),
    account_id        text NOT NULL REFERENCES accounts (id),
    created_by        text NOT NULL,
    requested_limit   bigint NOT NULL,
    currency          text NOT NULL,
    reason            text NOT NULL DEFAULT '',
    status            text NOT NULL,
    score             int,
    band              text,
    reasons           jsonb NOT NULL DEFAULT '[]',
    recommended_limit bigint,
    decision          jsonb,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    decided_at        timestamptz
);
CREATE INDEX credit_requests_status ON credit_requests (status, created_at, id);
CREATE INDEX credit_requests_account ON credit_requests (account_id);

-- Append-only audit trail of everything decided about a credit request:
-- scoring, the human or automatic decision, expiry, withdrawal.
CREATE TABLE decisions (
    id              bigserial PRIMARY KEY,
    request_id      text NOT NULL REFERENCES credit_requests (id),
    event           text NOT NULL,
    outcome         text NOT NULL DEFAULT '',
    approved_limit  bigint,
    conditions      jsonb NOT NULL DEFAULT '[]',
    reason          text NOT NULL DEFAULT '',
    decided_by      text NOT NULL,
    decided_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (request_id, event)
);

-- +goose StatementBegin
CREATE FUNCTION decisions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'decisions is an append-only audit trail';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER decisions_append_only BEFORE UPDATE OR DELETE ON decisions
    FOR EACH ROW EXECUTE FUNCTION decisions_append_only();

-- Invoices are followed by InvoiceWorkflow; the account's exposure is the
-- sum of the balances of its open and disputed invoices.
CREATE TABLE invoices (
    id          text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    number      text NOT NULL,
    currency    text NOT NULL,
    amount      bigint NOT NULL CHECK (amount > 0),
    balance     bigint NOT NULL CHECK (balance >= 0),
    issue_date  date NOT NULL,
    due_date    date NOT NULL,
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'paid', 'disputed', 'written_off')),
    paid_at     timestamptz,
    created_by  text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, number)
);
CREATE INDEX invoices_account_status ON invoices (account_id, status);

-- The email outbox: one row per email, keyed by workflow id + step, so a
-- retried or replayed activity finds its row and never sends twice.
CREATE TABLE emails (
    id           bigserial PRIMARY KEY,
    email_key    text NOT NULL UNIQUE,
    kind         text NOT NULL,
    recipients   text[] NOT NULL,
    subject      text NOT NULL,
    body_text    text NOT NULL,
    body_html    text NOT NULL,
    custom_args  jsonb NOT NULL DEFAULT '{}',
    account_id   text,
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'logged', 'rejected')),
    attempts     int NOT NULL DEFAULT 0,
    last_error   text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    sent_at      timestamptz
);
CREATE INDEX emails_kind ON emails (kind, id);
CREATE INDEX emails_account ON emails (account_id, id);

CREATE TABLE idempotency_keys (
    user_id       text NOT NULL,
    key           text NOT NULL,
    method        text NOT NULL,
    path          text NOT NULL,
    request_hash  bytea NOT NULL,
    status_code   int,
    content_type  text,
    response      bytea,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, key)
);

-- One timeline per account: everything that happened, oldest first.
-- event_key makes each entry idempotent when an activity is retried.
CREATE TABLE timeline (
    id          bigserial PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    event_key   text NOT NULL UNIQUE,
    at          timestamptz NOT NULL DEFAULT now(),
    kind        text NOT NULL,
    summary     text NOT NULL,
    actor       text NOT NULL DEFAULT 'creditflow',
    ref         text NOT NULL DEFAULT ''
);
CREATE INDEX timeline_account ON timeline (account_id, id);

-- +goose Down
DROP TABLE timeline;
DROP TABLE idempotency_keys;
DROP TABLE emails;
DROP TABLE invoices;
DROP TABLE decisions;
DROP FUNCTION decisions_append_only CASCADE;
DROP TABLE credit_requests;
DROP TABLE accounts;
DROP TABLE users;
