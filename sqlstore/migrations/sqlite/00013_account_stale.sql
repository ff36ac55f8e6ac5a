-- PostgreSQL's 00013 adds coffer_stale(), which fails a batch whose kept
-- account changed. SQLite needs nothing: its update of a kept account
-- finds no row at another version, and the store fails the batch itself.
-- The schemas keep one version number between them.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
