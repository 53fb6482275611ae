-- What the station knows of its syncing: the last time it reached the
-- server, the last day-end check.
CREATE TABLE sync_state (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
