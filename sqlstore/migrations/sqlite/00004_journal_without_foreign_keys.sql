-- The journal's hot tables without foreign keys, SQLite flavour; see the
-- PostgreSQL file beside this one in ../postgres for why. SQLite cannot drop
-- a constraint, so both tables are rebuilt, postings first (it names txns).
-- Two more savings of a B-tree insert per row: postings is stored in its
-- primary key's order (WITHOUT ROWID) instead of beside a separate index,
-- and txns.seq is a plain rowid alias. AUTOINCREMENT only kept rowids of
-- deleted rows from coming back, and no txns row is ever deleted, so the
-- largest seq plus one, which SQLite assigns without it, is the same.

-- +goose Up
CREATE TABLE postings_new (
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
INSERT INTO postings_new (txn_id, idx, book, account_id, lot_id, asset, amount, created_at)
    SELECT txn_id, idx, book, account_id, lot_id, asset, amount, created_at FROM postings;
DROP TABLE postings;
ALTER TABLE postings_new RENAME TO postings;
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id <> '';
CREATE INDEX postings_account ON postings (account_id, created_at) WHERE account_id <> '';

CREATE TABLE txns_new (
    seq           INTEGER PRIMARY KEY, -- the rowid; txns rows are never deleted
    id            TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL,
    type          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    lot_id        TEXT NOT NULL DEFAULT '',
    hold_id       TEXT NOT NULL DEFAULT '',
    event_id      TEXT NOT NULL DEFAULT '',
    subaccount_id TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    quantity      BIGINT NOT NULL DEFAULT 0,
    unit_price    BIGINT NOT NULL DEFAULT 0,
    description   TEXT NOT NULL DEFAULT '',
    metadata      TEXT NOT NULL DEFAULT '{}',
    actor         TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
INSERT INTO txns_new SELECT seq, id, account_id, type, amount, balance_after, lot_id, hold_id, event_id,
    subaccount_id, unit, quantity, unit_price, description, metadata, actor, reason, created_at FROM txns;
DROP TABLE txns;
ALTER TABLE txns_new RENAME TO txns;
-- A usage event is debited at most once per account.
CREATE UNIQUE INDEX txns_debit_event ON txns (account_id, event_id) WHERE type = 'debit' AND event_id <> '';
CREATE INDEX txns_account ON txns (account_id, seq);

-- +goose Down
CREATE TABLE txns_old (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    id            TEXT NOT NULL UNIQUE,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    type          TEXT NOT NULL,
    amount        BIGINT NOT NULL,
    balance_after BIGINT NOT NULL,
    lot_id        TEXT NOT NULL DEFAULT '',
    hold_id       TEXT NOT NULL DEFAULT '',
    event_id      TEXT NOT NULL DEFAULT '',
    subaccount_id TEXT NOT NULL DEFAULT '',
    unit          TEXT NOT NULL DEFAULT '',
    quantity      BIGINT NOT NULL DEFAULT 0,
    unit_price    BIGINT NOT NULL DEFAULT 0,
    description   TEXT NOT NULL DEFAULT '',
    metadata      TEXT NOT NULL DEFAULT '{}',
    actor         TEXT NOT NULL DEFAULT '',
    reason        TEXT NOT NULL DEFAULT '',
    created_at    BIGINT NOT NULL
);
INSERT INTO txns_old SELECT seq, id, account_id, type, amount, balance_after, lot_id, hold_id, event_id,
    subaccount_id, unit, quantity, unit_price, description, metadata, actor, reason, created_at FROM txns;
DROP TABLE txns;
ALTER TABLE txns_old RENAME TO txns;
CREATE UNIQUE INDEX txns_debit_event ON txns (account_id, event_id) WHERE type = 'debit' AND event_id <> '';
CREATE INDEX txns_account ON txns (account_id, seq);

CREATE TABLE postings_old (
    txn_id     TEXT NOT NULL REFERENCES txns (id),
    idx        INTEGER NOT NULL,
    book       TEXT NOT NULL,
    account_id TEXT NOT NULL DEFAULT '',
    lot_id     TEXT NOT NULL DEFAULT '',
    asset      TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (txn_id, idx)
);
INSERT INTO postings_old SELECT txn_id, idx, book, account_id, lot_id, asset, amount, created_at FROM postings;
DROP TABLE postings;
ALTER TABLE postings_old RENAME TO postings;
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id <> '';
CREATE INDEX postings_account ON postings (account_id, created_at) WHERE account_id <> '';
