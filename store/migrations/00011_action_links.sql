-- +goose Up
-- Emailed action links (decide this request, acknowledge this escalation)
-- work once: the id of each one used is kept here. The token itself, its
-- user, action, object and expiry, is signed and needs no row; a link
-- expires after 7 days, so older rows only tell that it was used.
CREATE TABLE action_links_used (
    id        text PRIMARY KEY,
    user_id   text NOT NULL REFERENCES users (id),
    action    text NOT NULL,
    object_id text NOT NULL,
    used_at   timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE action_links_used;
