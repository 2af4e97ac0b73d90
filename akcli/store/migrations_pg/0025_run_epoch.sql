-- migrations/0025_run_epoch.sql in PostgreSQL types: a session's run epoch.
ALTER TABLE sessions ADD COLUMN run_epoch BIGINT NOT NULL DEFAULT 0;
