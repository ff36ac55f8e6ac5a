-- Payments: payment methods, payments (purchases, auto-recharges, scheduled
-- debits), auto-recharge settings with their per-account lease, and monthly
-- schedules. The same in both engines.
--
-- The columns are what queries filter, lock or keep unique on; the rest of
-- each record is JSON text in data, read and written whole by sqlstore.

-- +goose Up
CREATE TABLE payment_methods (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    status     TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX payment_methods_account ON payment_methods (account_id, id);

-- A payment is recorded before the gateway is called; (account_id,
-- idem_key) is what makes a retried purchase find the first attempt.
CREATE TABLE payments (
    id         TEXT PRIMARY KEY,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    source     TEXT NOT NULL,
    idem_key   TEXT NOT NULL,
    status     TEXT NOT NULL,
    data       TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, idem_key)
);
CREATE INDEX payments_account ON payments (account_id, source, id);
CREATE INDEX payments_open ON payments (id) WHERE status IN ('processing', 'pending');

-- lease_token/lease_until: the one recharge running for the account, in
-- any process; lease_until is wall-clock unix microseconds.
CREATE TABLE auto_recharge (
    account_id  TEXT PRIMARY KEY REFERENCES accounts (id),
    enabled     INTEGER NOT NULL,
    threshold   BIGINT NOT NULL,
    data        TEXT NOT NULL,
    lease_token TEXT NOT NULL DEFAULT '',
    lease_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE payment_schedules (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    status      TEXT NOT NULL,
    next_run_at BIGINT NOT NULL,
    data        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX payment_schedules_account ON payment_schedules (account_id, id);
CREATE INDEX payment_schedules_due ON payment_schedules (next_run_at) WHERE status = 'active';

-- +goose Down
DROP TABLE payment_schedules;
DROP TABLE auto_recharge;
DROP TABLE payments;
DROP TABLE payment_methods;
