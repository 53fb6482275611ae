-- Who holds each document: a station that uploaded it whole and whose
-- bytes hashed right (proof that it has the file). A station sees only the
-- documents it holds. Radicados already received vouch for their files.
CREATE TABLE file_holders (
	sha256 TEXT NOT NULL, office TEXT NOT NULL, station TEXT NOT NULL, at TEXT NOT NULL,
	PRIMARY KEY (sha256, office, station));
INSERT INTO file_holders (sha256, office, station, at)
	SELECT DISTINCT f->>'sha256', r.office, r.station, r.arrived_at FROM radicados r, jsonb_array_elements(r.files::jsonb) f
	ON CONFLICT DO NOTHING;
-- The server's own settings (the organisation's number pattern…).
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
