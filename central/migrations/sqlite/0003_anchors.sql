-- The heads of stations' audit chains sent with their day-end manifests:
-- the server is a second witness, beside the printed planillas.
CREATE TABLE anchors (
	office TEXT NOT NULL, station TEXT NOT NULL, event_id BIGINT NOT NULL, hash TEXT NOT NULL, at TEXT NOT NULL,
	day TEXT NOT NULL, received_at TEXT NOT NULL,
	PRIMARY KEY (office, station, event_id));
CREATE INDEX events_station_id ON events (office, station, id);
