-- The station's records: radicados, their files, the audit chain, the
-- outbox towards the central server, settings and the full-text index.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;

-- The last consecutive given in each sequence; a sequence restarts every
-- year and runs per office, station and kind.
CREATE TABLE sequences (
    year    INTEGER NOT NULL,
    office  TEXT    NOT NULL,
    station TEXT    NOT NULL,
    kind    INTEGER NOT NULL,
    last    INTEGER NOT NULL,
    last_ns INTEGER NOT NULL, -- receipt time of the last number, Unix ns
    PRIMARY KEY (year, office, station, kind)
) STRICT;

CREATE TABLE radicados (
    id           INTEGER PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    year         INTEGER NOT NULL,
    office       TEXT    NOT NULL,
    station      TEXT    NOT NULL,
    kind         INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),
    seq          INTEGER NOT NULL CHECK (seq > 0),
    received_at  TEXT    NOT NULL, -- RFC 3339 with the station's offset
    received_ns  INTEGER NOT NULL, -- the same instant, Unix ns, for ordering
    doc_type     TEXT    NOT NULL,
    sender_name  TEXT    NOT NULL,
    sender_id    TEXT    NOT NULL, -- TYPE:NUMBER or empty
    subject      TEXT    NOT NULL,
    dept         TEXT    NOT NULL,
    due          TEXT    NOT NULL, -- YYYY-MM-DD or empty
    pages        INTEGER NOT NULL,
    sha256       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'annulled')),
    annulled_at  TEXT,
    annulled_by  TEXT,
    annul_reason TEXT,
    UNIQUE (year, office, station, kind, seq)
) STRICT;

CREATE INDEX radicados_received ON radicados (received_ns);

CREATE TABLE files (
    radicado_id INTEGER NOT NULL REFERENCES radicados (id),
    pos         INTEGER NOT NULL,
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    media_type  TEXT    NOT NULL,
    pages       INTEGER NOT NULL,
    PRIMARY KEY (radicado_id, pos)
) STRICT;

-- Every change, each event carrying the hash of the one before.
CREATE TABLE audit (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    number TEXT NOT NULL,
    data   TEXT NOT NULL,
    prev   TEXT NOT NULL,
    hash   TEXT NOT NULL UNIQUE
) STRICT;

CREATE INDEX audit_number ON audit (number, action);

-- Changes still to reach the central server, in order.
CREATE TABLE outbox (
    id          INTEGER PRIMARY KEY,
    radicado_id INTEGER NOT NULL REFERENCES radicados (id),
    audit_id    INTEGER NOT NULL REFERENCES audit (id),
    state       TEXT    NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'sent', 'conflict')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    updated_at  TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE INDEX outbox_state ON outbox (state, id);
CREATE INDEX outbox_radicado ON outbox (radicado_id);

-- rowid is radicados.id; body gathers the type, department, IDs and, later,
-- the text read from the pages.
CREATE VIRTUAL TABLE search USING fts5 (
    number, sender, subject, body,
    tokenize = 'unicode61 remove_diacritics 2'
);

-- Legal records are never deleted, and only annulment changes a radicado.
CREATE TRIGGER radicados_no_delete BEFORE DELETE ON radicados
BEGIN SELECT RAISE(ABORT, 'a radicado is never deleted; annul it'); END;

CREATE TRIGGER radicados_only_annul BEFORE UPDATE ON radicados
WHEN NEW.number IS NOT OLD.number OR NEW.year IS NOT OLD.year OR NEW.office IS NOT OLD.office
  OR NEW.station IS NOT OLD.station OR NEW.kind IS NOT OLD.kind OR NEW.seq IS NOT OLD.seq
  OR NEW.received_at IS NOT OLD.received_at OR NEW.received_ns IS NOT OLD.received_ns
  OR NEW.sha256 IS NOT OLD.sha256 OR NEW.pages IS NOT OLD.pages OR NEW.created_by IS NOT OLD.created_by
  OR OLD.status = 'annulled'
BEGIN SELECT RAISE(ABORT, 'a radicado is never changed; only an active one can be annulled'); END;

CREATE TRIGGER files_no_delete BEFORE DELETE ON files
BEGIN SELECT RAISE(ABORT, 'a radicado''s files are never deleted'); END;

CREATE TRIGGER files_no_update BEFORE UPDATE ON files
BEGIN SELECT RAISE(ABORT, 'a radicado''s files are never changed'); END;

CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;

CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox keeps every change'); END;
