-- Every account gets a credit limit: the lowest balance any usage may
-- reach, served usage and over-captures included. Existing accounts start
-- at the deployment default of -1,000.00 or their floor if that is lower,
-- as new accounts do. at_credit_limit records that the limit refused
-- usage since value last arrived, so its event is raised once.

-- +goose Up
ALTER TABLE accounts ADD COLUMN credit_limit BIGINT NOT NULL DEFAULT -1000000000;
ALTER TABLE accounts ADD COLUMN at_credit_limit BOOLEAN NOT NULL DEFAULT 0;
UPDATE accounts SET credit_limit = min(credit_limit, min_balance);

-- +goose Down
ALTER TABLE accounts DROP COLUMN at_credit_limit;
ALTER TABLE accounts DROP COLUMN credit_limit;
