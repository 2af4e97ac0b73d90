-- Several `ak up` workers on one database (issue 19). Each server process
-- registers a row and moves `heartbeat_at` (unix time) forward every
-- `workers.heartbeat_interval`; a row older than `workers.lease_timeout` is a
-- dead worker, whose RUNNING sessions another worker claims and resumes.
-- `sessions.owner` is the worker running the session's runner ('' : none).
-- A stop asked of a worker that does not run the session waits in
-- `stop_requests` until the owner takes it.
CREATE TABLE workers (
    worker_id    TEXT PRIMARY KEY,
    host         TEXT NOT NULL,
    pid          INTEGER NOT NULL,
    started_at   TEXT NOT NULL,
    heartbeat_at REAL NOT NULL
) STRICT;
ALTER TABLE sessions ADD COLUMN owner TEXT NOT NULL DEFAULT '';
CREATE INDEX sessions_owner ON sessions (state, owner);
CREATE TABLE stop_requests (
    session_id TEXT PRIMARY KEY,
    reason     TEXT NOT NULL,
    force      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;
