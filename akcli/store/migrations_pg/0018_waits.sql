-- A durable session's wait that outlives its runner (issue 18: eviction).
-- One row per session while it waits on journal entry `seq`: `op` is sleep,
-- next_signal or next_event; `names` the signal names / subscription ids
-- (JSON list); `wake_at` the unix time the wait ends (a sleep's wake-up,
-- a timeout's deadline; NULL: none). `evicted` = 1 while no runner holds it;
-- 0 once a fresh runner replays towards it (the row keeps the deadline until
-- the call is answered).
CREATE TABLE session_waits (
    session_id TEXT COLLATE "C" PRIMARY KEY,
    seq        BIGINT NOT NULL,
    op         TEXT COLLATE "C" NOT NULL,
    names      TEXT COLLATE "C" NOT NULL DEFAULT '[]',
    wake_at    DOUBLE PRECISION,
    evicted    BIGINT NOT NULL DEFAULT 1,
    created_at TEXT COLLATE "C" NOT NULL
);
CREATE INDEX session_waits_evicted ON session_waits (evicted, wake_at);
