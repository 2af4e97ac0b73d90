-- State behind the SDK's syscalls: signals between sessions, event
-- subscriptions of running sessions, and sync-webhook outcomes.

CREATE TABLE signals (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,          -- the receiving session
    name       TEXT NOT NULL,
    payload    TEXT NOT NULL,          -- JSON
    consumed   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX signals_pending ON signals (session_id, consumed);

-- A running session's subscription to a trigger's events; `cursor` is the
-- events.seq of the last event delivered (starts at the newest at subscribe).
CREATE TABLE subscriptions (
    subscription_id TEXT PRIMARY KEY,
    session_id      TEXT NOT NULL,
    destination_id  TEXT NOT NULL,
    filter          TEXT NOT NULL DEFAULT '',
    cursor          INTEGER NOT NULL,
    active          INTEGER NOT NULL DEFAULT 1
) STRICT;
CREATE INDEX subscriptions_session ON subscriptions (session_id);

-- Outcomes a session sent for a sync webhook's event (first one answers).
CREATE TABLE outcomes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id   TEXT NOT NULL,
    session_id TEXT NOT NULL,
    value      TEXT NOT NULL,          -- JSON
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX outcomes_event ON outcomes (event_id, id);
