-- Connections: per-project credentials for one integration and an event source.
-- Their vars live in `vars` with scope_id = the connection ID (secrets encrypted).

CREATE TABLE connections (
    connection_id TEXT COLLATE "C" PRIMARY KEY,
    project_id    TEXT COLLATE "C" NOT NULL REFERENCES projects ON DELETE CASCADE,
    name          TEXT COLLATE "C" NOT NULL,
    integration   TEXT COLLATE "C" NOT NULL,       -- the integration's unique name
    created_at    TEXT COLLATE "C" NOT NULL,
    updated_at    TEXT COLLATE "C" NOT NULL,
    UNIQUE (project_id, name)
);

-- Connection triggers name their connection.
ALTER TABLE triggers ADD COLUMN connection_id TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX triggers_connection ON triggers (connection_id);

-- A provider's delivery ID, once per connection: a retried delivery finds its
-- row (committed with its events) and gets the same answer, no second event.
CREATE TABLE deliveries (
    connection_id TEXT COLLATE "C" NOT NULL,
    delivery_id   TEXT COLLATE "C" NOT NULL,
    event_ids     TEXT COLLATE "C" NOT NULL,       -- JSON list
    created_at    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (connection_id, delivery_id)
);
