-- +goose Up
-- The periodic credit review is a credit request of its own kind, started
-- by Creditflow's schedule; its "hold" outcome puts the account on a hold
-- whose cause is the review, lifted by a later review that continues the
-- credit (or by hand).
ALTER TABLE credit_requests DROP CONSTRAINT credit_requests_kind_check,
    ADD CONSTRAINT credit_requests_kind_check CHECK (kind IN ('pre_approval', 'limit_increase', 'periodic_review'));
ALTER TABLE holds DROP CONSTRAINT holds_cause_check,
    ADD CONSTRAINT holds_cause_check CHECK (cause IN ('invoice', 'exposure', 'review'));
-- An account's review cycle: its last scored and its last decided request.
CREATE INDEX credit_requests_account_created ON credit_requests (account_id, created_at DESC);

-- +goose Down
DROP INDEX credit_requests_account_created;
ALTER TABLE holds DROP CONSTRAINT holds_cause_check,
    ADD CONSTRAINT holds_cause_check CHECK (cause IN ('invoice', 'exposure'));
ALTER TABLE credit_requests DROP CONSTRAINT credit_requests_kind_check,
    ADD CONSTRAINT credit_requests_kind_check CHECK (kind IN ('pre_approval', 'limit_increase'));
