-- The whole state of one ak server. Never edit an applied migration: add 0002_....sql.

CREATE TABLE projects (
    project_id   TEXT PRIMARY KEY,
    name         TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- The project's uploaded files ("resources"), replaced as a whole on each upload.
CREATE TABLE resources (
    project_id TEXT NOT NULL REFERENCES projects ON DELETE CASCADE,
    path       TEXT NOT NULL,
    data       BLOB NOT NULL,
    PRIMARY KEY (project_id, path)
) STRICT;

CREATE TABLE builds (
    build_id   TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects ON DELETE CASCADE,
    status     TEXT NOT NULL,
    error      TEXT NOT NULL DEFAULT '',
    archive    BLOB NOT NULL,          -- tar of the project's files
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE deployments (
    deployment_id TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects ON DELETE CASCADE,
    build_id      TEXT NOT NULL REFERENCES builds ON DELETE CASCADE,
    state         TEXT NOT NULL,       -- DEPLOYMENT_STATE_*
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX deployments_project ON deployments (project_id, state);

CREATE TABLE triggers (
    trigger_id   TEXT PRIMARY KEY,
    project_id   TEXT NOT NULL REFERENCES projects ON DELETE CASCADE,
    name         TEXT NOT NULL,
    source_type  TEXT NOT NULL,        -- SOURCE_TYPE_*
    event_type   TEXT NOT NULL DEFAULT '',
    filter       TEXT NOT NULL DEFAULT '',
    code_path    TEXT NOT NULL DEFAULT '',
    code_name    TEXT NOT NULL DEFAULT '',
    is_durable   INTEGER NOT NULL DEFAULT 0,
    is_sync      INTEGER NOT NULL DEFAULT 0,
    schedule     TEXT NOT NULL DEFAULT '',
    timezone     TEXT NOT NULL DEFAULT '',
    webhook_slug TEXT UNIQUE,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    UNIQUE (project_id, name)
) STRICT;

-- Vars of a project (scope_id = prj_...). Secret values are encrypted (Fernet).
CREATE TABLE vars (
    scope_id    TEXT NOT NULL,
    name        TEXT NOT NULL,
    value       TEXT NOT NULL,
    is_secret   INTEGER NOT NULL DEFAULT 0,
    description TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (scope_id, name)
) STRICT;

-- Accepted events. A row is committed before the webhook's 202; `dispatched`
-- flips in the same transaction that creates the event's sessions (exactly once).
CREATE TABLE events (
    seq            INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id       TEXT NOT NULL UNIQUE,
    destination_id TEXT NOT NULL,
    project_id     TEXT NOT NULL DEFAULT '',
    event_type     TEXT NOT NULL DEFAULT '',
    data           TEXT NOT NULL,      -- JSON
    memo           TEXT NOT NULL,      -- JSON
    created_at     TEXT NOT NULL,
    dispatched     INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX events_pending ON events (dispatched) WHERE dispatched = 0;
CREATE INDEX events_destination ON events (destination_id);

CREATE TABLE sessions (
    session_id        TEXT PRIMARY KEY,
    project_id        TEXT NOT NULL,
    deployment_id     TEXT NOT NULL DEFAULT '',
    build_id          TEXT NOT NULL DEFAULT '',
    event_id          TEXT NOT NULL DEFAULT '',
    trigger_id        TEXT NOT NULL DEFAULT '',
    parent_session_id TEXT NOT NULL DEFAULT '',
    entry_path        TEXT NOT NULL,
    entry_name        TEXT NOT NULL,
    inputs            TEXT NOT NULL,   -- JSON: the event data
    memo              TEXT NOT NULL,   -- JSON
    event_type        TEXT NOT NULL DEFAULT '',
    is_durable        INTEGER NOT NULL DEFAULT 0,
    is_sync           INTEGER NOT NULL DEFAULT 0,
    state             TEXT NOT NULL,   -- created/running/completed/error/stopped
    error             TEXT NOT NULL DEFAULT '',
    return_value      TEXT,            -- JSON display value
    stop_reason       TEXT NOT NULL DEFAULT '',
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_project ON sessions (project_id, created_at);
CREATE INDEX sessions_state ON sessions (state);

CREATE TABLE session_logs (
    session_id TEXT NOT NULL REFERENCES sessions ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    t          TEXT NOT NULL,
    record     TEXT NOT NULL,          -- JSON, e.g. {"state": {"running": {...}}}
    PRIMARY KEY (session_id, seq)
) STRICT;

-- Prints keyed so that a replay never stores one twice (see runner/protocol.py).
CREATE TABLE session_prints (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL REFERENCES sessions ON DELETE CASCADE,
    key        TEXT NOT NULL,
    t          TEXT NOT NULL,
    text       TEXT NOT NULL,
    UNIQUE (session_id, key)
) STRICT;

-- The durable journal: one row per activity / journaled syscall.
CREATE TABLE journal (
    session_id TEXT NOT NULL REFERENCES sessions ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    name       TEXT NOT NULL,
    kind       TEXT NOT NULL,          -- pickle | json
    value      TEXT NOT NULL,
    is_error   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) STRICT;

CREATE TABLE store_values (
    project_id TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,          -- JSON
    published  INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (project_id, key)
) STRICT;

-- Last fire time of each schedule trigger (for the missed-ticks policy).
CREATE TABLE schedule_state (
    trigger_id TEXT PRIMARY KEY REFERENCES triggers ON DELETE CASCADE,
    last_fire  TEXT NOT NULL
) STRICT;
