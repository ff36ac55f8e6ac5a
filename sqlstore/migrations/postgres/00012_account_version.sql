-- A batch need not read an account it committed last (docs/storage.md,
-- "No reads on the hot path").
--
-- accounts.version counts the writes to an account row: the committer
-- sets it to the version it loaded or kept, plus one, and every other
-- writer of what a batch loads for an account (its row, its balance
-- alert thresholds) adds one. A process keeps the state of the accounts
-- it committed last, with their versions; a batch over only such accounts
-- reads nothing, and instead locks the rows, in id order, through
-- coffer_lock_fresh, which fails the transaction (SQLSTATE CF001) unless
-- every version is still the one kept: then the batch runs again, reading
-- the accounts afresh.

-- +goose Up
ALTER TABLE accounts ADD COLUMN version BIGINT NOT NULL DEFAULT 0;

-- +goose StatementBegin
CREATE FUNCTION coffer_lock_fresh(ids text[], versions bigint[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    fresh integer;
BEGIN
    SELECT count(*) INTO fresh FROM (
        SELECT 1 FROM accounts a JOIN unnest(ids, versions) AS v (id, version) ON a.id = v.id
        WHERE a.version = v.version ORDER BY a.id FOR UPDATE OF a) AS locked;
    IF fresh <> cardinality(ids) THEN
        RAISE EXCEPTION 'an account changed since this process kept its state' USING ERRCODE = 'CF001';
    END IF;
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION coffer_lock_fresh(text[], bigint[]);
ALTER TABLE accounts DROP COLUMN version;
