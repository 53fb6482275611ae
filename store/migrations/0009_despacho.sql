-- Dispatches: salidas handed to a courier together. An envelope is one
-- attempt at delivering a salida (a returned one is sent again as the next
-- attempt; nothing is overwritten): its guide number, its state, why it
-- came back, when, and the proof (SHA-256 of files in the file folder,
-- one per line). expected_by is the day its result is due, by the
-- courier's days to its destination.
CREATE TABLE dispatches (
	id         INTEGER PRIMARY KEY,
	courier    TEXT NOT NULL,
	service    TEXT NOT NULL DEFAULT '',
	created_at TEXT NOT NULL,
	created_by TEXT NOT NULL,
	closed_at  TEXT NOT NULL DEFAULT '',
	handed_on  TEXT NOT NULL DEFAULT '',
	closed_by  TEXT NOT NULL DEFAULT ''
);
CREATE TABLE envelopes (
	id          INTEGER PRIMARY KEY,
	dispatch_id INTEGER NOT NULL REFERENCES dispatches (id),
	number      TEXT NOT NULL,
	attempt     INTEGER NOT NULL,
	guide       TEXT NOT NULL DEFAULT '',
	state       TEXT NOT NULL DEFAULT 'pendiente' CHECK (state IN ('pendiente', 'despachado', 'entregado', 'devuelto')),
	reason      TEXT NOT NULL DEFAULT '',
	result_on   TEXT NOT NULL DEFAULT '',
	proof       TEXT NOT NULL DEFAULT '',
	expected_by TEXT NOT NULL DEFAULT '',
	to_name     TEXT NOT NULL DEFAULT '', -- a corrected recipient for this attempt ('': the salida's)
	to_address  TEXT NOT NULL DEFAULT '',
	to_city     TEXT NOT NULL DEFAULT '',
	to_email    TEXT NOT NULL DEFAULT '', -- an attempt by e-mail: where it goes
	updated_at  TEXT NOT NULL,
	UNIQUE (number, attempt)
);
CREATE UNIQUE INDEX envelopes_guide ON envelopes (guide) WHERE guide <> '';
CREATE INDEX envelopes_dispatch ON envelopes (dispatch_id);
