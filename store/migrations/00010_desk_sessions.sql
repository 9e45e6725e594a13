-- +goose Up
-- The credit desk's sign-in: sessions, the one-time links emailed to sign
-- in, and the key that signs those links when CREDITFLOW_LINK_SECRET is
-- unset (generated once, here, so that every API replica and worker signs
-- and checks with the same key).

-- A session is found by the SHA-256 of its cookie: a leaked table holds
-- no cookie anybody could present.
CREATE TABLE desk_sessions (
    id_hash    bytea PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX desk_sessions_expires ON desk_sessions (expires_at);

-- A sign-in link works once (used_at) and until expires_at, both read on
-- Postgres's clock so that the API replicas' clocks do not matter. The
-- link's token is its id signed with the link secret; the id alone signs
-- nobody in.
CREATE TABLE sign_in_links (
    id         text PRIMARY KEY,
    user_id    text NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz
);
CREATE INDEX sign_in_links_user ON sign_in_links (user_id, expires_at);

CREATE TABLE link_secrets (
    name       text PRIMARY KEY,
    secret     bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- +goose Down
DROP TABLE link_secrets;
DROP TABLE sign_in_links;
DROP TABLE desk_sessions;
