-- +goose Up
-- The segment the invoice's dunning follows, taken when its workflow starts,
-- and day zero of its policy clock (its issue date on the workflow's clock),
-- to count its days overdue as the workflow does.
ALTER TABLE invoices ADD COLUMN segment text NOT NULL DEFAULT '', ADD COLUMN day_zero timestamptz;
CREATE INDEX invoices_paid ON invoices (account_id, paid_at) WHERE status = 'paid';

-- Money received; id is the API's, so a retried activity inserts once.
CREATE TABLE payments (
    id           text PRIMARY KEY,
    invoice_id   text NOT NULL REFERENCES invoices (id),
    amount       bigint NOT NULL CHECK (amount > 0),
    received_at  timestamptz NOT NULL,
    reference    text NOT NULL DEFAULT '',
    recorded_by  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX payments_invoice ON payments (invoice_id);

CREATE TABLE disputes (
    id           text PRIMARY KEY,
    invoice_id   text NOT NULL REFERENCES invoices (id),
    reason       text NOT NULL,
    department   text NOT NULL,
    owner_email  text NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution   text NOT NULL DEFAULT '',
    credit_note  bigint,
    opened_by    text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    resolved_at  timestamptz
);
CREATE INDEX disputes_invoice ON disputes (invoice_id);

-- A promise to pay; its key is the workflow's (invoice + n-th promise).
CREATE TABLE promises (
    promise_key    text PRIMARY KEY,
    invoice_id     text NOT NULL REFERENCES invoices (id),
    promised_date  date NOT NULL,
    amount         bigint NOT NULL,
    made_by        text NOT NULL,
    status         text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'kept', 'broken')),
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE escalations (
    id               text PRIMARY KEY,
    account_id       text NOT NULL REFERENCES accounts (id),
    invoice_id       text REFERENCES invoices (id),
    sales_rep        text NOT NULL,
    status           text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'acknowledged', 'overdue', 'closed')),
    reason           text NOT NULL DEFAULT '',
    note             text NOT NULL DEFAULT '',
    pause_until      date,
    created_at       timestamptz NOT NULL DEFAULT now(),
    acknowledged_at  timestamptz
);
CREATE INDEX escalations_account ON escalations (account_id);

-- A credit hold has a cause: an invoice past its hold step, or the
-- account's exposure over its limit. The account is on hold while any of
-- its holds is unreleased.
CREATE TABLE holds (
    hold_key     text PRIMARY KEY,
    account_id   text NOT NULL REFERENCES accounts (id),
    invoice_id   text REFERENCES invoices (id),
    cause        text NOT NULL CHECK (cause IN ('invoice', 'exposure')),
    -- put_on_hold: this hold moved the account to on_hold (the rep is told);
    -- released_by: the key of the payment, resolution or write-off that
    -- lifted it, so a retried activity gives the same answer.
    put_on_hold  boolean NOT NULL DEFAULT false,
    placed_at    timestamptz NOT NULL DEFAULT now(),
    released_at  timestamptz,
    released_by  text
);
CREATE INDEX holds_active ON holds (account_id) WHERE released_at IS NULL;

CREATE TABLE notes (
    id          text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    body        text NOT NULL,
    department  text NOT NULL,
    author      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notes_account ON notes (account_id, created_at);

-- The dunning steps an invoice's workflow took, keyed by workflow step.
CREATE TABLE dunning_steps (
    step_key    text PRIMARY KEY,
    invoice_id  text NOT NULL REFERENCES invoices (id),
    day         int NOT NULL,
    action      text NOT NULL,
    reason      text NOT NULL DEFAULT '',
    outcome     text NOT NULL DEFAULT '',
    taken_at    timestamptz NOT NULL
);
CREATE INDEX dunning_steps_invoice ON dunning_steps (invoice_id, taken_at);

-- +goose Down
DROP TABLE dunning_steps;
DROP TABLE notes;
DROP TABLE holds;
DROP TABLE escalations;
DROP TABLE promises;
DROP TABLE disputes;
DROP TABLE payments;
DROP INDEX invoices_paid;
ALTER TABLE invoices DROP COLUMN segment, DROP COLUMN day_zero;
