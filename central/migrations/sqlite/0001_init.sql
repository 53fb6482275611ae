-- The central store as the first servers made it (IF NOT EXISTS: those
-- databases take this as their version 1).
CREATE TABLE IF NOT EXISTS stations (
	id INTEGER PRIMARY KEY, office TEXT NOT NULL, station TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, admin INTEGER NOT NULL,
	created_at TEXT NOT NULL, revoked_at TEXT, clock_offset_ms BIGINT, last_seen TEXT);
-- One live token per station; revoked ones stay, for the record.
CREATE UNIQUE INDEX IF NOT EXISTS stations_live ON stations (office, station) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS radicados (
	number TEXT PRIMARY KEY, office TEXT NOT NULL, station TEXT NOT NULL, year INTEGER NOT NULL, kind INTEGER NOT NULL,
	seq INTEGER NOT NULL, received_at TEXT NOT NULL, doc_type TEXT NOT NULL, sender_name TEXT NOT NULL, sender_id TEXT NOT NULL,
	subject TEXT NOT NULL, dept TEXT NOT NULL, due TEXT NOT NULL, pages INTEGER NOT NULL, sha256 TEXT NOT NULL,
	files TEXT NOT NULL, content_sha256 TEXT NOT NULL, annulled INTEGER NOT NULL DEFAULT 0, annul_reason TEXT NOT NULL DEFAULT '',
	arrived_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS radicados_station_day ON radicados (office, station, received_at);
CREATE TABLE IF NOT EXISTS events (
	office TEXT NOT NULL, station TEXT NOT NULL, hash TEXT NOT NULL, id BIGINT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
	action TEXT NOT NULL, number TEXT NOT NULL, data TEXT NOT NULL, prev TEXT NOT NULL,
	PRIMARY KEY (office, station, hash));
CREATE INDEX IF NOT EXISTS events_number ON events (number);
CREATE TABLE IF NOT EXISTS conflicts (
	id INTEGER PRIMARY KEY, number TEXT NOT NULL, office TEXT NOT NULL, station TEXT NOT NULL,
	held_content TEXT NOT NULL, sent_content TEXT NOT NULL, payload TEXT NOT NULL, at TEXT NOT NULL);
