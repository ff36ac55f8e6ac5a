-- API keys can expire and be revoked, and record when they were last
-- used. api_key_revision counts changes that can end a key early
-- (revocation, a shortened expiry): every process polls it once a second
-- and drops its cache of keys when it moves, so a revoked key stops
-- working everywhere within about a second without a read per request.

-- +goose Up
ALTER TABLE api_keys ADD COLUMN expires_at BIGINT;   -- NULL: never
ALTER TABLE api_keys ADD COLUMN revoked_at BIGINT;   -- NULL: not revoked
ALTER TABLE api_keys ADD COLUMN last_used_at BIGINT; -- NULL: never used; kept to about a minute
ALTER TABLE api_keys ADD COLUMN replaced_by TEXT NOT NULL DEFAULT ''; -- the successor a rotation made
CREATE TABLE api_key_revision (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
);
INSERT INTO api_key_revision (id, revision) VALUES (1, 0);

-- +goose Down
DROP TABLE api_key_revision;
ALTER TABLE api_keys DROP COLUMN replaced_by;
ALTER TABLE api_keys DROP COLUMN last_used_at;
ALTER TABLE api_keys DROP COLUMN revoked_at;
ALTER TABLE api_keys DROP COLUMN expires_at;
