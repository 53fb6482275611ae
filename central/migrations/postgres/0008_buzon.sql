-- The Buzón: communications handed in on the web, numbered by the server
-- itself as a station of its own. sequences holds the last consecutive it
-- gave per year, office, station and kind (moved in the transaction that
-- records the radicado: no hole, no repeat). buzon keeps what the form
-- brought beyond the radicado — how to reach the sender, and the hash of
-- the consultation code given to them.
CREATE TABLE sequences (
	year INTEGER NOT NULL, office TEXT NOT NULL, station TEXT NOT NULL, kind INTEGER NOT NULL, last BIGINT NOT NULL,
	PRIMARY KEY (year, office, station, kind));
CREATE TABLE buzon (
	number TEXT PRIMARY KEY, code_hash TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', phone TEXT NOT NULL DEFAULT '',
	from_addr TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, form_hash TEXT NOT NULL DEFAULT '');
-- The form a communication came from, once: sent again (a double click, a
-- retry after a lost answer), it gets the same radicado.
CREATE UNIQUE INDEX buzon_form ON buzon (form_hash) WHERE form_hash <> '';
-- Whether the public may choose a document type at the Buzón.
ALTER TABLE doc_types ADD COLUMN public INTEGER NOT NULL DEFAULT 1;
