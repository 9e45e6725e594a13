-- +goose Up
-- Conditions that hold. An approval's conditions live in its decision
-- (credit_requests.decision->'conditions', objects with a status since
-- this change; approvals from before hold bare names and are not
-- enforced). limit_before is the account's limit before the approval,
-- which a lapsed approval gives back. payment_terms_days, set by a
-- shorter_terms condition, is the default terms of the account's new
-- invoices (30 days when null).
ALTER TABLE credit_requests ADD COLUMN limit_before bigint;
ALTER TABLE accounts ADD COLUMN payment_terms_days int CHECK (payment_terms_days BETWEEN 0 AND 365);
CREATE INDEX credit_requests_with_conditions ON credit_requests (account_id) WHERE status = 'approved_with_conditions';

-- +goose Down
DROP INDEX credit_requests_with_conditions;
ALTER TABLE accounts DROP COLUMN payment_terms_days;
ALTER TABLE credit_requests DROP COLUMN limit_before;
