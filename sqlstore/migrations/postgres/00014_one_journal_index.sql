-- One index of an account's journal instead of two, PostgreSQL flavour.
--
-- Every transaction wrote an entry in txns_account (account_id, seq) and
-- another in txns_account_time (account_id, created_at), each at a place
-- of its own in the middle of its index. Now the one index is
-- (account_id, created_at, seq): it serves the reads by time as before,
-- and the listing of an account's transactions, which orders by
-- (created_at, seq) newest first. A spread debit writes one index page
-- fewer (docs/performance.md, "One index of the journal").

-- +goose Up
DROP INDEX txns_account;
DROP INDEX txns_account_time;
CREATE INDEX txns_account_time ON txns (account_id, created_at, seq);

-- +goose Down
DROP INDEX txns_account_time;
CREATE INDEX txns_account_time ON txns (account_id, created_at);
CREATE INDEX txns_account ON txns (account_id, seq);
