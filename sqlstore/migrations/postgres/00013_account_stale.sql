-- An update of an account row by a batch that read nothing (a kept state,
-- sqlstore/warm.go) sets the row's version through coffer_stale() unless
-- the row is still at the version kept: the function fails the
-- transaction (SQLSTATE CF001), and the batch runs again, reading the
-- accounts afresh. coffer_lock_fresh (00012) still checks the kept
-- accounts the batch does not write.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION coffer_stale() RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'an account changed since this process kept its state' USING ERRCODE = 'CF001';
END
$$;
-- +goose StatementEnd

-- +goose Down
DROP FUNCTION coffer_stale();
