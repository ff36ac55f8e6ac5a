-- Balance alerts, webhook endpoints and the delivery of outbox events,
-- PostgreSQL flavour. The SQLite file beside this one in ../sqlite is the
-- same schema; keep the two in step.

-- +goose Up

-- One row per account whose alerts differ from the deployment defaults:
-- either the owner set them (owner_set) or the daily recommendation job
-- did. thresholds is a JSON list of micro-unit integers, highest first.
CREATE TABLE balance_alerts (
    account_id     TEXT PRIMARY KEY REFERENCES accounts (id),
    owner_set      BOOLEAN NOT NULL,
    thresholds     TEXT NOT NULL DEFAULT '[]',
    emails         TEXT NOT NULL DEFAULT '[]',
    recommended    BIGINT NOT NULL DEFAULT 0,
    recommended_at BIGINT, -- NULL until the job first ran for the account
    updated_at     BIGINT NOT NULL
);

-- The secret is kept as is: signing needs it. It is shown through the API
-- only when the endpoint is created or its secret rotated.
CREATE TABLE webhook_endpoints (
    id            TEXT PRIMARY KEY,
    url           TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    event_types   TEXT NOT NULL DEFAULT '[]', -- JSON list; empty means every type
    enabled       BOOLEAN NOT NULL,
    secret        TEXT NOT NULL,
    failing_since BIGINT, -- set when a delivery ran out of retries
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- One delivery per event and target (a webhook endpoint, or the account's
-- e-mail recipients). Its id is the webhook-id header: stable across
-- retries and replays so receivers can de-duplicate. events.delivered_at is
-- set once an event's deliveries are created (the event is dispatched).
CREATE TABLE deliveries (
    id              TEXT PRIMARY KEY,
    event_id        TEXT NOT NULL REFERENCES events (id),
    channel         TEXT NOT NULL, -- 'webhook' or 'email'
    endpoint_id     TEXT NOT NULL DEFAULT '',
    status          TEXT NOT NULL, -- 'pending', 'succeeded', 'failed', 'canceled'
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT, -- NULL once finished
    last_error      TEXT NOT NULL DEFAULT '',
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX deliveries_target ON deliveries (event_id, channel, endpoint_id);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX deliveries_endpoint ON deliveries (endpoint_id, id);

CREATE TABLE delivery_attempts (
    delivery_id  TEXT NOT NULL REFERENCES deliveries (id),
    n            INTEGER NOT NULL,
    status_code  INTEGER NOT NULL, -- 0 when no HTTP answer came
    latency_us   BIGINT NOT NULL,
    response     TEXT NOT NULL DEFAULT '', -- the start of the answer, or the error
    succeeded    BOOLEAN NOT NULL,
    attempted_at BIGINT NOT NULL,
    PRIMARY KEY (delivery_id, n)
);

CREATE INDEX events_created ON events (created_at, id);

-- +goose Down
DROP INDEX events_created;
DROP TABLE delivery_attempts;
DROP TABLE deliveries;
DROP TABLE webhook_endpoints;
DROP TABLE balance_alerts;
