-- A transaction's postings move into its txns row, SQLite flavour; see the
-- PostgreSQL file beside this one in ../postgres for why.

-- +goose Up
ALTER TABLE txns ADD COLUMN postings TEXT NOT NULL DEFAULT '[]';
UPDATE txns SET postings = (
    SELECT json_group_array(json(o)) FROM (
        SELECT CASE WHEN lot_id = ''
                    THEN json_object('book', book, 'asset', asset, 'amount', amount)
                    ELSE json_object('book', book, 'lot', lot_id, 'asset', asset, 'amount', amount) END AS o
        FROM postings WHERE postings.txn_id = txns.id ORDER BY idx))
WHERE EXISTS (SELECT 1 FROM postings WHERE postings.txn_id = txns.id);
DROP TABLE postings;
CREATE INDEX txns_account_time ON txns (account_id, created_at);

CREATE VIEW postings AS
SELECT t.id AS txn_id,
       CAST(j.key AS INTEGER) AS idx,
       json_extract(j.value, '$.book') AS book,
       CASE WHEN json_extract(j.value, '$.book') IN ('customer', 'receivables') THEN t.account_id ELSE '' END AS account_id,
       COALESCE(json_extract(j.value, '$.lot'), '') AS lot_id,
       json_extract(j.value, '$.asset') AS asset,
       CAST(json_extract(j.value, '$.amount') AS INTEGER) AS amount,
       t.created_at AS created_at
FROM txns t, json_each(t.postings) AS j;

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
) WITHOUT ROWID;
INSERT INTO postings (txn_id, idx, book, account_id, lot_id, asset, amount, created_at)
SELECT t.id, CAST(j.key AS INTEGER), json_extract(j.value, '$.book'),
       CASE WHEN json_extract(j.value, '$.book') IN ('customer', 'receivables') THEN t.account_id ELSE '' END,
       COALESCE(json_extract(j.value, '$.lot'), ''), json_extract(j.value, '$.asset'),
       CAST(json_extract(j.value, '$.amount') AS INTEGER), t.created_at
FROM txns t, json_each(t.postings) AS j;
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id <> '';
CREATE INDEX postings_account ON postings (account_id, created_at) WHERE account_id <> '';
ALTER TABLE txns DROP COLUMN postings;
