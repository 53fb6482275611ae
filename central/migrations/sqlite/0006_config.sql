-- The organisation's configuration, set once on the server and given to
-- every station at its sync: document types with their terms, which
-- department each type goes to, and the extra non-working days. (The
-- departments, the number pattern and the office hours are kept already.)
-- Every change moves settings' config.version on.
CREATE TABLE doc_types (code TEXT PRIMARY KEY, name TEXT NOT NULL, days INTEGER NOT NULL);
CREATE TABLE routes (doc_type TEXT PRIMARY KEY, dept TEXT NOT NULL);
CREATE TABLE closures (day TEXT PRIMARY KEY, reason TEXT NOT NULL);
