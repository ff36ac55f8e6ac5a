-- Coffer's first schema, PostgreSQL flavour. The SQLite file beside this one
-- in ../sqlite is the same schema; keep the two in step.
--
-- Amounts are BIGINT micro-units (money.Amount); timestamps are BIGINT unix
-- microseconds UTC, NULL where the Go field is an optional zero time;
-- metadata, e-mail lists and event data are JSON text.

-- +goose Up
CREATE TABLE accounts (
    id                  TEXT PRIMARY KEY,
    name                TEXT NOT NULL DEFAULT '',
    email               TEXT NOT NULL DEFAULT '',
    notification_emails TEXT NOT NULL DEFAULT '[]',
    currency            TEXT NOT NULL,
    status              TEXT NOT NULL,
    billing_mode        TEXT NOT NULL DEFAULT 'prepaid',
    min_balance         BIGINT NOT NULL DEFAULT 0,
    trust_tier          INTEGER NOT NULL DEFAULT 0,
    metadata            TEXT NOT NULL DEFAULT '{}',
    -- Ledger fields, written by the committer: debt owed below zero, and
    -- the cached ledger balance (active realtime monetary lots minus debt).
    debt                BIGINT NOT NULL DEFAULT 0 CHECK (debt >= 0),
    balance             BIGINT NOT NULL DEFAULT 0,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);

CREATE TABLE subaccounts (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    name       TEXT NOT NULL DEFAULT '',
    enabled    BOOLEAN NOT NULL,
    deleted    BOOLEAN NOT NULL DEFAULT FALSE,
    auth_id    TEXT NOT NULL,
    token_hash BYTEA NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX subaccounts_auth_id ON subaccounts (auth_id);
CREATE INDEX subaccounts_account ON subaccounts (account_id, id);

CREATE TABLE api_keys (
    id         TEXT PRIMARY KEY,
    role       TEXT NOT NULL,
    account_id TEXT NOT NULL DEFAULT '', -- set for account-scoped keys only
    name       TEXT NOT NULL DEFAULT '',
    hash       BYTEA NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX api_keys_hash ON api_keys (hash);

CREATE TABLE lots (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    kind         TEXT NOT NULL,
    unit         TEXT NOT NULL DEFAULT '',
    amount       BIGINT NOT NULL,
    remaining    BIGINT NOT NULL,
    category     TEXT NOT NULL,
    priority     INTEGER NOT NULL,
    effective_at BIGINT NOT NULL,
    expires_at   BIGINT, -- NULL: never expires
    application  TEXT NOT NULL,
    status       TEXT NOT NULL,
    origin       TEXT NOT NULL,
    reason       TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL,
    CHECK (remaining >= 0 AND remaining <= amount)
);
CREATE INDEX lots_account ON lots (account_id, id);
CREATE INDEX lots_active ON lots (account_id) WHERE status = 'active';
CREATE INDEX lots_due ON lots (expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;

CREATE TABLE holds (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    subaccount_id TEXT NOT NULL DEFAULT '',
    event_id      TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    amount        BIGINT NOT NULL,
    captured      BIGINT NOT NULL DEFAULT 0,
    status        TEXT NOT NULL,
    txn_id        TEXT NOT NULL DEFAULT '',
    expires_at    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    finished_at   BIGINT -- NULL while active
);
CREATE UNIQUE INDEX holds_event ON holds (account_id, event_id) WHERE event_id <> '';
CREATE INDEX holds_active ON holds (account_id) WHERE status = 'active';
CREATE INDEX holds_due ON holds (expires_at) WHERE status = 'active';

-- seq orders an account's history stably: it is assigned at insert, and the
-- committer holds the account's row lock while inserting, so within one
-- account seq order is commit order.
CREATE TABLE txns (
    id            TEXT PRIMARY KEY,
    seq           BIGINT GENERATED ALWAYS AS IDENTITY UNIQUE,
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
-- A usage event is debited at most once per account.
CREATE UNIQUE INDEX txns_debit_event ON txns (account_id, event_id) WHERE type = 'debit' AND event_id <> '';
CREATE INDEX txns_account ON txns (account_id, seq);

-- created_at repeats the transaction's time so BalanceAt reads one index.
CREATE TABLE postings (
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
CREATE INDEX postings_lot ON postings (lot_id) WHERE lot_id <> '';
CREATE INDEX postings_account ON postings (account_id, created_at) WHERE account_id <> '';

-- The outbox: written in the same transaction as the change that raised the
-- event; a deliverer marks delivered_at.
CREATE TABLE events (
    id           TEXT PRIMARY KEY,
    type         TEXT NOT NULL,
    account_id   TEXT NOT NULL DEFAULT '',
    data         TEXT NOT NULL DEFAULT '{}',
    created_at   BIGINT NOT NULL,
    delivered_at BIGINT
);
CREATE INDEX events_undelivered ON events (id) WHERE delivered_at IS NULL;
CREATE INDEX events_account ON events (account_id, id);

CREATE TABLE idempotency (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (scope, key)
);

-- +goose Down
DROP TABLE idempotency;
DROP TABLE events;
DROP TABLE postings;
DROP TABLE txns;
DROP TABLE holds;
DROP TABLE lots;
DROP TABLE api_keys;
DROP TABLE subaccounts;
DROP TABLE accounts;
