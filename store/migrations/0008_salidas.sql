-- Outgoing letters. A salida (or interna) records the radicados it
-- answers (their numbers as given, one per line) and who it goes to (JSON:
-- name, address, city, e-mail, how it is sent); answered indexes the
-- answers by the number answered, so that a radicado finds what answered
-- it.
ALTER TABLE radicados ADD COLUMN answers TEXT NOT NULL DEFAULT '';
ALTER TABLE radicados ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
CREATE TABLE answered (
	number TEXT NOT NULL,
	salida TEXT NOT NULL,
	PRIMARY KEY (number, salida)
);
