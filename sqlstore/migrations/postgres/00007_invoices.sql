-- Invoices: one per account and calendar month, written by the committer in
-- the transaction that applies its credits. The same in both engines.
--
-- The columns are what queries filter, lock or keep unique on; the rest of
-- the invoice (lines, totals, the credit shares a void returns, payment
-- attempts) is JSON text in data, read and written whole by sqlstore.
--
-- An account's periods are calendar months, except that a switch from
-- postpaid to prepaid ends one at once: the next runs from there to the
-- month's end. (account_id, period_end) is unique: one invoice per period.
--
-- seq is the invoice's number, taken from invoice_numbers' one row in the
-- same transaction: the row's lock serializes finalizations across
-- processes, and a transaction that rolls back gives its number back, so
-- numbers have no gaps.
--
-- postpaid_since is when an account's usage began to be billed afterwards
-- (NULL: prepaid). Accounts already labelled postpaid are postpaid from
-- their creation.

-- +goose Up
CREATE TABLE invoice_numbers (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    last BIGINT NOT NULL
);
INSERT INTO invoice_numbers (id, last) VALUES (1, 0);

CREATE TABLE invoices (
    id              TEXT PRIMARY KEY,
    seq             BIGINT NOT NULL UNIQUE,
    account_id      TEXT NOT NULL REFERENCES accounts (id),
    period_start    BIGINT NOT NULL,
    period_end      BIGINT NOT NULL,
    status          TEXT NOT NULL,
    next_attempt_at BIGINT,
    data            TEXT NOT NULL,
    UNIQUE (account_id, period_end)
);
CREATE INDEX invoices_account ON invoices (account_id, id);
CREATE INDEX invoices_due ON invoices (next_attempt_at) WHERE status IN ('finalized', 'payment_failed');

ALTER TABLE accounts ADD COLUMN postpaid_since BIGINT;
UPDATE accounts SET postpaid_since = created_at WHERE billing_mode = 'postpaid';

-- +goose Down
ALTER TABLE accounts DROP COLUMN postpaid_since;
DROP TABLE invoices;
DROP TABLE invoice_numbers;
