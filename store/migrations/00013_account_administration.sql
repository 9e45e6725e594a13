-- +goose Up
-- Account administration: credit puts an account on hold by hand and
-- releases it, with a reason.
ALTER TABLE holds DROP CONSTRAINT holds_cause_check,
    ADD CONSTRAINT holds_cause_check CHECK (cause IN ('invoice', 'exposure', 'review', 'manual'));
ALTER TABLE holds ADD COLUMN placed_by text NOT NULL DEFAULT 'creditflow',
    ADD COLUMN reason text NOT NULL DEFAULT '',
    ADD COLUMN release_reason text NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE holds DROP COLUMN placed_by, DROP COLUMN reason, DROP COLUMN release_reason;
ALTER TABLE holds DROP CONSTRAINT holds_cause_check,
    ADD CONSTRAINT holds_cause_check CHECK (cause IN ('invoice', 'exposure', 'review'));
