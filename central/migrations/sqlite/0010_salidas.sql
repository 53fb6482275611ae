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

-- Where each attempt at delivering a salida stands, from the events its
-- station sends (despacho, guia, despachado, entregado, devuelto).
CREATE TABLE deliveries (
	number TEXT NOT NULL, attempt INTEGER NOT NULL, courier TEXT NOT NULL DEFAULT '', service TEXT NOT NULL DEFAULT '',
	guide TEXT NOT NULL DEFAULT '', state TEXT NOT NULL, reason TEXT NOT NULL DEFAULT '', handed_on TEXT NOT NULL DEFAULT '',
	expected_by TEXT NOT NULL DEFAULT '', result_on TEXT NOT NULL DEFAULT '', to_address TEXT NOT NULL DEFAULT '',
	to_city TEXT NOT NULL DEFAULT '', to_email TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
	PRIMARY KEY (number, attempt));

-- An e-mail the server sends for a salida's attempt by e-mail (kind
-- 'salida'): which attempt it is.
ALTER TABLE outbox ADD COLUMN attempt INTEGER NOT NULL DEFAULT 0;
