-- +goose Up
-- Complaints: logged on an account with the department that owns them and
-- an owner; one about an invoice is that invoice's dispute.
CREATE TABLE complaints (
    id          text PRIMARY KEY,
    account_id  text NOT NULL REFERENCES accounts (id),
    subject     text NOT NULL,
    department  text NOT NULL,
    owner_email text NOT NULL,
    invoice_id  text REFERENCES invoices (id),
    dispute_id  text REFERENCES disputes (id),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution  text NOT NULL DEFAULT '',
    opened_by   text NOT NULL,
    resolved_by text NOT NULL DEFAULT '',
    created_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at timestamptz
);
CREATE INDEX complaints_open_by_account ON complaints (account_id, created_at) WHERE status = 'open';
CREATE INDEX complaints_by_dispute ON complaints (dispute_id) WHERE dispute_id IS NOT NULL;

-- Campaigns: a limit increase filed as part of a sales campaign names it,
-- and the credit inbox filters by it.
ALTER TABLE credit_requests ADD COLUMN campaign text;
CREATE INDEX credit_requests_by_campaign ON credit_requests (campaign, created_at, id) WHERE campaign IS NOT NULL;

-- +goose Down
DROP INDEX credit_requests_by_campaign;
ALTER TABLE credit_requests DROP COLUMN campaign;
DROP TABLE complaints;
