-- Tracking: what the dashboard counts, kept beside the work so that a
-- period is one walk of one index; the alerts sent to each user, once per
-- change of a radicado's light; the e-mails waiting to go out; and the
-- escalation rules.
--
-- received_on is the organisation's day of receipt; office, doc_type and
-- channel are copied from the radicado; response_days are the business
-- days from filing to the answer (-1: not answered), on_time whether it
-- came by the due date. dept_since and assigned_at start the clocks of
-- escalation; escalated names the stint already escalated. A petition
-- sent to another authority (traslado, Ley 1755 art. 21) names it in
-- transferred_to; denied marks an answer that refused access to
-- information (both for the petitions report).
ALTER TABLE work ADD COLUMN received_on TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN office TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN doc_type TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN channel TEXT NOT NULL DEFAULT 'ventanilla';
ALTER TABLE work ADD COLUMN response_days INTEGER NOT NULL DEFAULT -1;
ALTER TABLE work ADD COLUMN on_time INTEGER NOT NULL DEFAULT 0;
ALTER TABLE work ADD COLUMN dept_since TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN assigned_at TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN escalated TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN transferred_to TEXT NOT NULL DEFAULT '';
ALTER TABLE work ADD COLUMN denied INTEGER NOT NULL DEFAULT 0;
-- A period's figures are read from this index alone.
CREATE INDEX work_received_on ON work (received_on, dept, channel, office, doc_type, state, answered_at, on_time, transferred_to, response_days);
CREATE INDEX work_answered_at ON work (answered_at) WHERE answered_at <> '';
-- The backlog by department and light, read from this index alone.
CREATE INDEX work_open_lights ON work (open, dept, due, red_on, yellow_on, received_on);
-- rows of earlier radicados still to be filled in (by the server, at start)
CREATE INDEX work_unfilled ON work (number) WHERE received_on = '';
CREATE INDEX journal_action ON journal (action, at);

-- digest: the daily e-mail of alerts; none: only in the console
ALTER TABLE users ADD COLUMN alerts TEXT NOT NULL DEFAULT 'digest';

-- An alert: a radicado reached a level (yellow, red, overdue, unassigned,
-- escalated) for a user, once per level and due date. digest_id is the
-- e-mail that told it (0: not told by e-mail); seen_at when the user saw it.
CREATE TABLE alerts (
	id INTEGER PRIMARY KEY, user_id BIGINT NOT NULL, number TEXT NOT NULL, level TEXT NOT NULL, due TEXT NOT NULL,
	day TEXT NOT NULL, digest_id BIGINT NOT NULL DEFAULT 0, seen_at TEXT NOT NULL DEFAULT '',
	UNIQUE (user_id, number, level, due));
CREATE INDEX alerts_user ON alerts (user_id, seen_at);
-- what waits for the next digest
CREATE INDEX alerts_pending ON alerts (user_id) WHERE digest_id = 0;

-- E-mails to send: a digest per user and day, or the acuse of a
-- radicado (number) to its sender, with the receipt attached. Retried
-- until sent; a lease keeps two instances from sending one at once.
CREATE TABLE outbox (
	id INTEGER PRIMARY KEY, kind TEXT NOT NULL DEFAULT 'digest', user_id BIGINT NOT NULL DEFAULT 0, number TEXT NOT NULL DEFAULT '',
	day TEXT NOT NULL, to_addr TEXT NOT NULL, subject TEXT NOT NULL,
	body TEXT NOT NULL, attachment_name TEXT NOT NULL DEFAULT '', attachment BLOB, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
	next_try TEXT NOT NULL, lease_until TEXT NOT NULL DEFAULT '', sent_at TEXT NOT NULL DEFAULT '', last_error TEXT NOT NULL DEFAULT '');
CREATE UNIQUE INDEX outbox_digest ON outbox (user_id, day) WHERE kind = 'digest';
CREATE UNIQUE INDEX outbox_acuse ON outbox (number) WHERE kind = 'acuse';
CREATE INDEX outbox_pending ON outbox (sent_at, next_try);

-- When a radicado goes to its department's head: unassigned so many
-- business hours after it reached the department, or untouched so many
-- after it was assigned. '' matches any type or department; the most
-- specific rule wins. 0 hours: no such escalation.
CREATE TABLE escalation_rules (
	doc_type TEXT NOT NULL, dept TEXT NOT NULL, unassigned_hours INTEGER NOT NULL, untouched_hours INTEGER NOT NULL,
	PRIMARY KEY (doc_type, dept));
