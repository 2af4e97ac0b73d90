-- Journal entries: the workflow's call site and args hash (the non-determinism
-- table, runner/divergence.py) and the activity's timings (ak session log
-- --timings): queue and execution seconds measured by the runner, journal
-- commit seconds by the server (written with its next write or at the end).
-- site: JSON [file, line, qualname, source] or ''.
ALTER TABLE journal ADD COLUMN site TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN args_hash TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE journal ADD COLUMN queue_s DOUBLE PRECISION;
ALTER TABLE journal ADD COLUMN exec_s DOUBLE PRECISION;
ALTER TABLE journal ADD COLUMN commit_s DOUBLE PRECISION;

-- Plain webhook deliveries seen within a trigger's dedup window: a retried one
-- answers like the first (its event ID; a sync webhook's stored outcome).
CREATE TABLE webhook_deliveries (
    trigger_id  TEXT COLLATE "C" NOT NULL,
    delivery    TEXT COLLATE "C" NOT NULL,         -- "header:<value>" or "body:<sha256>"
    event_id    TEXT COLLATE "C" NOT NULL,
    created_at  DOUBLE PRECISION NOT NULL,         -- unix time
    PRIMARY KEY (trigger_id, delivery)
);
CREATE INDEX webhook_deliveries_age ON webhook_deliveries (created_at);
