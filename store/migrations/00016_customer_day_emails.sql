-- +goose Up
-- One email per customer per day: an invoice's customer step may go out in
-- the account's email of the day, whose key is not the step's own; that
-- email lists several invoices (kept here, not in SendGrid's custom_args,
-- which are bounded to 10,000 bytes).
ALTER TABLE dunning_steps ADD COLUMN email_key text;
ALTER TABLE emails ADD COLUMN invoice_ids text[];

-- +goose Down
ALTER TABLE emails DROP COLUMN invoice_ids;
ALTER TABLE dunning_steps DROP COLUMN email_key;
