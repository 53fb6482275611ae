-- Outgoing letters from the stations: the radicados a salida answers (one
-- number per line) and who it goes to (JSON). pending_answers keeps an
-- answer to a radicado the server does not hold yet: it is linked when
-- that radicado arrives.
ALTER TABLE radicados ADD COLUMN answers TEXT NOT NULL DEFAULT '';
ALTER TABLE radicados ADD COLUMN recipient TEXT NOT NULL DEFAULT '';
CREATE TABLE pending_answers (
	number TEXT NOT NULL,
	salida TEXT NOT NULL,
	PRIMARY KEY (number, salida)
);
