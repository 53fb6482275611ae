-- What the station read on each radicado's pages, the files derived from
-- its document (the searchable PDF), the work still to do, and the
-- examples the classifier learns from.

CREATE TABLE ocr (
    radicado_id INTEGER PRIMARY KEY REFERENCES radicados (id),
    text        TEXT    NOT NULL,
    pages       TEXT    NOT NULL, -- JSON: per page orientation, confidence
    confidence  REAL    NOT NULL,
    fields      TEXT    NOT NULL, -- JSON: the fields read, with confidences
    created_at  TEXT    NOT NULL
) STRICT;

-- Files made from a radicado's document; the document itself never changes.
CREATE TABLE renditions (
    radicado_id INTEGER NOT NULL REFERENCES radicados (id),
    kind        TEXT    NOT NULL, -- searchable_pdf
    sha256      TEXT    NOT NULL,
    size        INTEGER NOT NULL,
    created_at  TEXT    NOT NULL,
    PRIMARY KEY (radicado_id, kind)
) STRICT;

-- Radicados whose pages are still to be read.
CREATE TABLE ocr_queue (
    radicado_id INTEGER PRIMARY KEY REFERENCES radicados (id),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT    NOT NULL DEFAULT '',
    updated_at  TEXT    NOT NULL
) STRICT;

-- Letters whose type a clerk confirmed, for the classifier.
CREATE TABLE training (
    id          INTEGER PRIMARY KEY,
    radicado_id INTEGER REFERENCES radicados (id),
    doc_type    TEXT    NOT NULL,
    text        TEXT    NOT NULL,
    created_at  TEXT    NOT NULL
) STRICT;

CREATE INDEX training_radicado ON training (radicado_id);

-- The full-text index gains a column for the text read on the pages, so
-- that reading a radicado again replaces its text instead of adding to it.
CREATE VIRTUAL TABLE search_v2 USING fts5 (
    number, sender, subject, body, content,
    tokenize = 'unicode61 remove_diacritics 2'
);
INSERT INTO search_v2 (rowid, number, sender, subject, body, content)
    SELECT rowid, number, sender, subject, body, '' FROM search;
DROP TABLE search;
ALTER TABLE search_v2 RENAME TO search;
