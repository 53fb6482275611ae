-- E-mail at the ventanilla. A radicado records the channel it came in by
-- ('' for the ventanilla, 'email') and the sender's e-mail address when
-- the letter gave one.
ALTER TABLE radicados ADD COLUMN channel TEXT NOT NULL DEFAULT '';
ALTER TABLE radicados ADD COLUMN sender_email TEXT NOT NULL DEFAULT '';

-- Messages the station holds, waiting to be radicated or discarded: the
-- original (.eml, byte for byte) lives in the file folder by its SHA-256.
-- elsewhere names a Message-ID of it found in the mailbox's Radicados
-- folder: another station radicated it (or a message it carries).
CREATE TABLE mail (
	id          INTEGER PRIMARY KEY,
	message_id  TEXT NOT NULL,
	sha256      TEXT NOT NULL UNIQUE,
	size        INTEGER NOT NULL,
	source      TEXT NOT NULL CHECK (source IN ('imap', 'import')),
	from_name   TEXT NOT NULL,
	from_addr   TEXT NOT NULL,
	subject     TEXT NOT NULL,
	sent_at     TEXT NOT NULL,
	attachments INTEGER NOT NULL,
	carried     TEXT NOT NULL DEFAULT '', -- Message-IDs of messages it carries, one per line
	state       TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'radicated', 'discarded')),
	number      TEXT NOT NULL DEFAULT '',
	reason      TEXT NOT NULL DEFAULT '',
	elsewhere   TEXT NOT NULL DEFAULT '',
	checked     INTEGER NOT NULL DEFAULT 0, -- looked up in the Radicados folder
	fetched_at  TEXT NOT NULL,
	updated_at  TEXT NOT NULL
);
CREATE INDEX mail_state ON mail (state, id);

-- Where each copy of a held message was claimed on the mail server (a
-- message may arrive twice with the same bytes): moved says the copy went
-- on to its end folder once the message was radicated or discarded.
CREATE TABLE mail_claims (
	folder      TEXT NOT NULL,
	uidvalidity INTEGER NOT NULL,
	uid         INTEGER NOT NULL,
	mail_id     INTEGER NOT NULL REFERENCES mail (id),
	moved       INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (folder, uidvalidity, uid)
);
CREATE INDEX mail_claims_mail ON mail_claims (mail_id);

-- Every Message-ID a radicado was made from, its own and those of the
-- messages it carried: the same message, or one forwarded back, is not
-- radicated twice.
CREATE TABLE mail_ids (
	message_id TEXT PRIMARY KEY,
	number     TEXT NOT NULL
);
