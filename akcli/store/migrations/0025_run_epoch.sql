-- A fencing token for a session's runs (engine temporal): each run_runner
-- attempt that starts a runner takes the next epoch before it loads the
-- journal; journal rows and the session's end are written only by the runner
-- of the current epoch, so a superseded runner (its worker was too slow to
-- heartbeat) cannot commit after its successor has read the journal.
ALTER TABLE sessions ADD COLUMN run_epoch INTEGER NOT NULL DEFAULT 0;
