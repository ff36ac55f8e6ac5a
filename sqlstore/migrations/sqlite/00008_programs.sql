-- Gifted-credit programs and their enrollments. The same in both engines.
--
-- The columns are what queries filter, lock or keep unique on; the rest of
-- each record is JSON text in data, read and written whole by sqlstore.
-- An account is in at most one program at a time: the partial unique
-- index on its active enrollment.

-- +goose Up
CREATE TABLE programs (
    id         TEXT PRIMARY KEY,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE enrollments (
    id                  TEXT PRIMARY KEY,
    program_id          TEXT NOT NULL REFERENCES programs (id),
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    status              TEXT NOT NULL,
    credit_last_applied BIGINT,
    data                TEXT NOT NULL,
    created_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX enrollments_active_account ON enrollments (account_id) WHERE status = 'active';
CREATE INDEX enrollments_program ON enrollments (program_id, id);
CREATE INDEX enrollments_due ON enrollments (id) WHERE status = 'active';

-- +goose Down
DROP TABLE enrollments;
DROP TABLE programs;
