-- A batch need not read an account it committed last (docs/storage.md,
-- "No reads on the hot path"). accounts.version counts the writes to an
-- account row: the committer sets it to the version it loaded or kept,
-- plus one, and every other writer of what a batch loads for an account
-- (its row, its balance alert thresholds) adds one. A batch over only
-- accounts whose state the process kept reads their versions alone, and
-- runs again reading them afresh unless every one is the version kept.

-- +goose Up
ALTER TABLE accounts ADD COLUMN version INTEGER NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE accounts DROP COLUMN version;
