-- The web console's users, their sessions and the audit trail of what
-- they change beside the ledger. Passwords are argon2id hashes in PHC
-- form; a session is kept as the SHA-256 of its secret, never the secret.

-- +goose Up
CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    email                TEXT NOT NULL, -- lower case
    name                 TEXT NOT NULL DEFAULT '',
    role                 TEXT NOT NULL,            -- staff or owner
    account_id           TEXT NOT NULL DEFAULT '', -- set for owners only
    password_hash        TEXT NOT NULL,
    must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
    disabled             BOOLEAN NOT NULL DEFAULT FALSE,
    failed_attempts      INTEGER NOT NULL DEFAULT 0,
    locked_until         BIGINT, -- NULL: not locked
    last_sign_in_at      BIGINT, -- NULL: never
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (email);

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id),
    hash         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    idle_until   BIGINT NOT NULL,
    ends_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX sessions_hash ON sessions (hash);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE audit_events (
    id     TEXT PRIMARY KEY,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL DEFAULT '',
    detail TEXT NOT NULL DEFAULT '',
    at     BIGINT NOT NULL
);
CREATE INDEX audit_events_target ON audit_events (target, id);

-- +goose Down
DROP TABLE audit_events;
DROP TABLE sessions;
DROP TABLE users;
