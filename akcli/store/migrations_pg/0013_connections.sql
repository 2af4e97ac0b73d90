-- Connections: per-project credentials for one integration and an event source.
-- Their vars live in `vars` with scope_id = the connection ID (secrets encrypted).

CREATE TABLE connections (
    connection_id TEXT PRIMARY KEY,
    project_id    TEXT NOT NULL REFERENCES projects ON DELETE CASCADE,
    name          TEXT NOT NULL,
    integration   TEXT NOT NULL,       -- the integration's unique name
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    UNIQUE (project_id, name)
);

-- Connection triggers name their connection.
ALTER TABLE triggers ADD COLUMN connection_id TEXT NOT NULL DEFAULT '';
CREATE INDEX triggers_connection ON triggers (connection_id);

-- A provider's delivery ID, once per connection: a retried delivery finds its
-- row (committed with its events) and gets the same answer, no second event.
CREATE TABLE deliveries (
    connection_id TEXT NOT NULL,
    delivery_id   TEXT NOT NULL,
    event_ids     TEXT NOT NULL,       -- JSON list
    created_at    TEXT NOT NULL,
    PRIMARY KEY (connection_id, delivery_id)
);
