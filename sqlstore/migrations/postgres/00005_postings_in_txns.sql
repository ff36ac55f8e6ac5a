-- A transaction's postings move into its txns row, PostgreSQL flavour. The
-- SQLite file beside this one in ../sqlite makes the same change.
--
-- Every debit wrote a txns row and two postings rows; the postings, with
-- their primary key and two indexes, cost more to append than the
-- transaction itself. Now each transaction is one row whose postings
-- column holds its postings as a JSON array (sqlstore/postings.go has the
-- format), and a view of the same name and columns unnests them, so
-- `coffer check` and ad-hoc SQL read postings as before. Queries that
-- need an account's postings over time read its transactions through
-- txns_account_time.

-- +goose Up
ALTER TABLE txns ADD COLUMN postings TEXT NOT NULL DEFAULT '[]';
UPDATE txns SET postings = p.list FROM (
    SELECT txn_id, json_agg(json_strip_nulls(json_build_object(
        'book', book, 'lot', NULLIF(lot_id, ''), 'asset', asset, 'amount', amount)) ORDER BY idx)::text AS list
    FROM postings GROUP BY txn_id) AS p
WHERE txns.id = p.txn_id;
ALTER TABLE txns ALTER COLUMN postings DROP DEFAULT;
DROP TABLE postings;
CREATE INDEX txns_account_time ON txns (account_id, created_at);

CREATE VIEW postings AS
SELECT t.id AS txn_id,
       CAST(p.ord - 1 AS INTEGER) AS idx,
       p.e ->> 'book' AS book,
       CASE WHEN p.e ->> 'book' IN ('customer', 'receivables') THEN t.account_id ELSE '' END AS account_id,
       COALESCE(p.e ->> 'lot', '') AS lot_id,
       p.e ->> 'asset' AS asset,
       CAST(p.e ->> 'amount' AS BIGINT) AS amount,
       t.created_at
FROM txns t CROSS JOIN LATERAL jsonb_array_elements(CAST(t.postings AS jsonb)) WITH ORDINALITY AS p (e, ord);

-- +goose Down
DROP VIEW postings;
DROP INDEX txns_account_time;
CREATE TABLE postings (
    txn_id     TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    book       TEXT NOT NULL,
    account_id TEXT NOT NULL DEFAULT '',
    lot_id     TEXT NOT NULL DEFAULT '',
    asset      TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (txn_id, idx)
);
INSERT INTO postings (txn_id, idx, book, account_id, lot_id, asset, amount, created_at)
SELECT t.id, CAST(p.ord - 1 AS INTEGER), p.e ->> 'book',
       CASE WHEN p.e ->> 'book' IN ('customer', 'receivables') THEN t.account_id ELSE '' END,
       COALESCE(p.e ->> 'lot', ''), p.e ->> 'asset', CAST(p.e ->> 'amount' AS BIGINT), t.created_at
FROM txns t CROSS JOIN LATERAL jsonb_array_elements(CAST(t.postings AS jsonb)) WITH ORDINALITY AS p (e, ord);
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id <> '';
CREATE INDEX postings_account ON postings (account_id, created_at) WHERE account_id <> '';
ALTER TABLE txns DROP COLUMN postings;
