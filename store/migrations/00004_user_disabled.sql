-- +goose Up
-- A disabled user can no longer authenticate and is no longer mailed as
-- one of the credit team or the credit managers; the row stays, because
-- requests, decisions and timelines name them.
ALTER TABLE users ADD COLUMN disabled_at timestamptz;

-- Only an analyst (role credit) has an approval limit, and it is never
-- negative: what the table holds is what applies. `user add` refused
-- anything else already; the UPDATE clears what a hand-made row may hold.
UPDATE users SET approval_limit = NULL WHERE role <> 'credit' OR approval_limit < 0;
ALTER TABLE users ADD CONSTRAINT users_approval_limit_credit
    CHECK (approval_limit IS NULL OR (role = 'credit' AND approval_limit >= 0));

-- +goose Down
ALTER TABLE users DROP CONSTRAINT users_approval_limit_credit;
ALTER TABLE users DROP COLUMN disabled_at;
