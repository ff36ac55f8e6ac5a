-- One index of an account's journal instead of two, SQLite flavour.
--
-- Every transaction wrote an entry in txns_account (account_id, seq) and
-- another in txns_account_time (account_id, created_at), each at a place
-- of its own in the middle of its index. In SQLite an index entry ends
-- with its row's rowid, which is seq, so txns_account_time is already
-- (account_id, created_at, seq): it serves the reads by time as before,
-- and the listing of an account's transactions, which orders by
-- (created_at, seq) newest first. A spread debit writes one index page
-- fewer (docs/performance.md, "One index of the journal").

-- +goose Up
DROP INDEX txns_account;

-- +goose Down
CREATE INDEX txns_account ON txns (account_id, seq);
