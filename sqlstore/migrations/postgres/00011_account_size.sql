-- A debit costs the same however big its account is (docs/storage.md,
-- "Accounts of any size").
--
-- accounts keeps totals over its active lots and holds, written by the
-- committer with every batch, so a batch loads only the first lots in
-- consumption order and none of a large account's holds: realtime
-- monetary value by category (lots_paid, lots_promotional), true_up value
-- (lots_gifted), unit value by unit (lots_units, a JSON object of
-- micro-units), the number of active lots (lots_active), and the amount
-- and number of active holds (holds_held, holds_active).
--
-- lots.consume_key sorts a lot in consumption order (sqlstore/order.go):
-- priority, expiry (never last), promotional before paid, creation, id,
-- each as fixed-width hex so that text order is that order. lots_consume
-- reads an account's active lots of one kind in that order; lots_expiry
-- and lots_scheduled find the lots a batch must load whatever their
-- place (expired but not yet swept, not yet in effect).
--
-- ledger_hours keeps, per account, hour (UTC, µs) and lot, the sum of the
-- hour's postings into the lot (lot_id '' for the account's receivables)
-- and the money its debits and captures used: a balance as of an instant
-- or a usage window adds whole hours from here and reads only the part
-- of an hour at its ends from txns.

-- +goose Up
ALTER TABLE accounts ADD COLUMN lots_paid BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN lots_promotional BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN lots_gifted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN lots_units TEXT NOT NULL DEFAULT '{}';
ALTER TABLE accounts ADD COLUMN lots_active INTEGER NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN holds_held BIGINT NOT NULL DEFAULT 0;
ALTER TABLE accounts ADD COLUMN holds_active INTEGER NOT NULL DEFAULT 0;
UPDATE accounts SET
    lots_paid = (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE account_id = accounts.id AND status = 'active'
        AND kind = 'monetary' AND application = 'realtime' AND category = 'paid'),
    lots_promotional = (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE account_id = accounts.id AND status = 'active'
        AND kind = 'monetary' AND application = 'realtime' AND category = 'promotional'),
    lots_gifted = (SELECT COALESCE(SUM(remaining), 0) FROM lots WHERE account_id = accounts.id AND status = 'active'
        AND application = 'true_up'),
    lots_units = COALESCE((SELECT json_object_agg(unit, s)::text FROM (SELECT unit, SUM(remaining) AS s FROM lots WHERE account_id = accounts.id AND status = 'active' AND kind = 'units' GROUP BY unit HAVING SUM(remaining) <> 0) AS u), '{}'),
    lots_active = (SELECT COUNT(*) FROM lots WHERE account_id = accounts.id AND status = 'active'),
    holds_held = (SELECT COALESCE(SUM(amount), 0) FROM holds WHERE account_id = accounts.id AND status = 'active'),
    holds_active = (SELECT COUNT(*) FROM holds WHERE account_id = accounts.id AND status = 'active');

ALTER TABLE lots ADD COLUMN consume_key TEXT COLLATE "C" NOT NULL DEFAULT '';
UPDATE lots SET consume_key = '8' || lpad(to_hex(priority), 15, '0') ||
    CASE WHEN expires_at IS NULL THEN 'ffffffffffffffff' ELSE '8' || lpad(to_hex(expires_at), 15, '0') END ||
    CASE WHEN category = 'promotional' THEN '0' ELSE '1' END ||
    '8' || lpad(to_hex(created_at), 15, '0') || id;
DROP INDEX lots_active;
CREATE INDEX lots_consume ON lots (account_id, kind, application, unit, consume_key) WHERE status = 'active';
CREATE INDEX lots_expiry ON lots (account_id, expires_at) WHERE status = 'active' AND expires_at IS NOT NULL;
CREATE INDEX lots_scheduled ON lots (account_id, effective_at) WHERE status = 'active' AND effective_at > created_at;
DROP INDEX holds_active;
CREATE INDEX holds_expiry ON holds (account_id, expires_at) WHERE status = 'active';

CREATE TABLE ledger_hours (
    account_id TEXT NOT NULL,
    hour       BIGINT NOT NULL,
    lot_id     TEXT NOT NULL,
    amount     BIGINT NOT NULL,
    usage      BIGINT NOT NULL,
    PRIMARY KEY (account_id, hour, lot_id)
);
INSERT INTO ledger_hours (account_id, hour, lot_id, amount, usage)
SELECT p.account_id, p.created_at - p.created_at % 3600000000, p.lot_id, SUM(p.amount),
       SUM(CASE WHEN t.type IN ('debit', 'capture') AND p.asset NOT LIKE 'unit:%' THEN -p.amount ELSE 0 END)
FROM postings p JOIN txns t ON t.id = p.txn_id
WHERE p.book IN ('customer', 'receivables')
GROUP BY p.account_id, p.created_at - p.created_at % 3600000000, p.lot_id;

-- +goose Down
DROP TABLE ledger_hours;
DROP INDEX holds_expiry;
CREATE INDEX holds_active ON holds (account_id) WHERE status = 'active';
DROP INDEX lots_scheduled;
DROP INDEX lots_expiry;
DROP INDEX lots_consume;
CREATE INDEX lots_active ON lots (account_id) WHERE status = 'active';
ALTER TABLE lots DROP COLUMN consume_key;
ALTER TABLE accounts DROP COLUMN holds_active;
ALTER TABLE accounts DROP COLUMN holds_held;
ALTER TABLE accounts DROP COLUMN lots_active;
ALTER TABLE accounts DROP COLUMN lots_units;
ALTER TABLE accounts DROP COLUMN lots_gifted;
ALTER TABLE accounts DROP COLUMN lots_promotional;
ALTER TABLE accounts DROP COLUMN lots_paid;
