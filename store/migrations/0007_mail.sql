-- E-mail at the ventanilla. A radicado records the channel it came in by
-- ('' for the ventanilla, 'email') and the sender's e-mail address when
-- the letter gave one.
ALTER TABLE radicados ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE radicados ADD COLUMN sender_email TEXT NOT NULL DEFAULT '';

-- Messages the station holds, waiting to be radicated or discarded: the
-- original (.eml, byte for byte) lives in the file folder by its SHA-256.
-- A message fetched from the mailbox remembers where it was claimed
-- (folder, uidvalidity, uid) so that it can be moved on when it is done;
-- done_moved says it has been. elsewhere names a Message-ID of it that is
-- in the Radicados folder: a station radicated it (or one it carries).
CREATE TABLE mail (
	id          INTEGER PRIMARY KEY,
	message_id  TEXT NOT NULL,
	sha256      TEXT NOT NULL UNIQUE,
	size        INTEGER NOT NULL,
	source      TEXT NOT NULL CHECK (source IN ('imap', 'import')),
	folder      TEXT NOT NULL DEFAULT '',
	uidvalidity INTEGER NOT NULL DEFAULT 0,
	uid         INTEGER NOT NULL DEFAULT 0,
	from_name   TEXT NOT NULL,
	from_addr   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	sent_at     TEXT NOT NULL,
	attachments INTEGER NOT NULL,
	carried     TEXT NOT NULL DEFAULT '', -- Message-IDs of messages it carries, one per line
	state       TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'radicated', 'discarded')),
	number      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	done_moved  INTEGER NOT NULL DEFAULT 0,
	elsewhere   TEXT NOT NULL DEFAULT '', -- a Message-ID of it found in the Radicados folder: another station's

	fetched_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX mail_state ON mail (state, id);
CREATE INDEX mail_claim ON mail (folder, uidvalidity, uid) WHERE source = 'imap';

-- Every Message-ID a radicado was made from, its own and those of the
-- messages it carried: the same message, or one forwarded back, is not
-- radicated twice.
CREATE TABLE mail_ids (
	message_id TEXT PRIMARY KEY,
	number     TEXT NOT NULL
);
