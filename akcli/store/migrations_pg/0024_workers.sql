-- migrations/0024_workers.sql in PostgreSQL types: the workers of one
-- database, the owner of each session, stops waiting for a session's owner.
CREATE TABLE workers (
    worker_id    TEXT COLLATE "C" PRIMARY KEY,
    host         TEXT COLLATE "C" NOT NULL,
    pid          BIGINT NOT NULL,
    started_at   TEXT COLLATE "C" NOT NULL,
    heartbeat_at DOUBLE PRECISION NOT NULL
);
ALTER TABLE sessions ADD COLUMN owner TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX sessions_owner ON sessions (state, owner);
CREATE TABLE stop_requests (
    session_id TEXT COLLATE "C" PRIMARY KEY,
    reason     TEXT COLLATE "C" NOT NULL,
    force      BIGINT NOT NULL DEFAULT 0,
    created_at TEXT COLLATE "C" NOT NULL
);
