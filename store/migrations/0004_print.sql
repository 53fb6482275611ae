-- The print queue: every sticker and receipt sent to a printer, kept after
-- it printed. A job that could not print waits here to be retried; none is
-- ever deleted.
CREATE TABLE print_jobs (
    id         INTEGER PRIMARY KEY,
    number     TEXT NOT NULL REFERENCES radicados (number),
    what       TEXT NOT NULL CHECK (what IN ('sticker', 'receipt')),
    printer    TEXT NOT NULL,
    format     TEXT NOT NULL,
    size       TEXT NOT NULL,
    dpi        INTEGER NOT NULL,
    copies     INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 99),
    reprint    INTEGER NOT NULL CHECK (reprint IN (0, 1)),
    state      TEXT NOT NULL CHECK (state IN ('pending', 'printed', 'cancelled')),
    attempts   INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    actor      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE INDEX print_jobs_pending ON print_jobs (state, id);
CREATE INDEX print_jobs_number ON print_jobs (number);

CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs
BEGIN
    SELECT RAISE(ABORT, 'print jobs are never deleted');
END;
