-- The console: departments, people, their sessions and tokens, the work on
-- each radicado in the departments, copies (informar), and the server's own
-- hash-chained journal of everything done there.
CREATE TABLE depts (
	code TEXT PRIMARY KEY, name TEXT NOT NULL, head TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, disabled_at TEXT);
CREATE TABLE users (
	id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, full_name TEXT NOT NULL DEFAULT '', dept TEXT NOT NULL DEFAULT '',
	role TEXT NOT NULL, lang TEXT NOT NULL DEFAULT 'es', email TEXT NOT NULL DEFAULT '', password_hash TEXT NOT NULL DEFAULT '',
	failed INTEGER NOT NULL DEFAULT 0, locked_until TEXT NOT NULL DEFAULT '', created_at TEXT NOT NULL, disabled_at TEXT);
CREATE INDEX users_dept ON users (dept);
-- A session's id is given to the browser; only its hash is kept.
CREATE TABLE sessions (
	id_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, csrf TEXT NOT NULL, created_at TEXT NOT NULL, seen_at TEXT NOT NULL,
	expires_at TEXT NOT NULL, ended_at TEXT);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE TABLE user_tokens (
	token_hash TEXT PRIMARY KEY, user_id BIGINT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT);
-- One row per radicado: where it is, in what state, and its term. The
-- light's days (yellow_on, red_on) are worked out with the calendar when
-- the term is set, so that the inbox filters and sorts by them.
CREATE TABLE work (
	number TEXT PRIMARY KEY, dept TEXT NOT NULL, state TEXT NOT NULL, assignee BIGINT,
	received_at TEXT NOT NULL, due TEXT NOT NULL, first_due TEXT NOT NULL, term_days INTEGER NOT NULL,
	yellow_on TEXT NOT NULL, red_on TEXT NOT NULL, extended INTEGER NOT NULL DEFAULT 0,
	answered_at TEXT NOT NULL DEFAULT '', answer_by TEXT NOT NULL DEFAULT '', answer_channel TEXT NOT NULL DEFAULT '',
	return_reason TEXT NOT NULL DEFAULT '', updated_at TEXT NOT NULL,
	-- still to be answered, and the order of the inbox (no term: last)
	open INTEGER GENERATED ALWAYS AS (CASE WHEN state IN ('nuevo', 'asignado', 'en_tramite', 'devuelto') THEN 1 ELSE 0 END) STORED,
	sort_due TEXT GENERATED ALWAYS AS (CASE WHEN due = '' THEN '9999-12-31' ELSE due END) STORED,
	-- what the radicado says of itself, for full-text search in Spanish:
	-- here, beside the department and the time, so that a search walks one
	-- table newest first, or meets the department's rows in one index
	search tsvector);
CREATE INDEX work_search ON work USING GIN (search);
CREATE INDEX work_open ON work (open, sort_due, received_at DESC);
CREATE INDEX work_dept ON work (dept, open, sort_due, received_at DESC);
CREATE INDEX work_dept_state ON work (dept, state, received_at);
CREATE INDEX work_assignee ON work (assignee, open, sort_due);
-- A search comes newest first: walked in that order, within a department
-- or across all.
CREATE INDEX work_dept_recent ON work (dept, received_at DESC);
CREATE INDEX work_recent ON work (received_at DESC);
CREATE TABLE work_reads (number TEXT NOT NULL, user_id BIGINT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (number, user_id));
CREATE TABLE copies (
	id BIGSERIAL PRIMARY KEY, number TEXT NOT NULL, user_id BIGINT, dept TEXT NOT NULL DEFAULT '', by_user BIGINT NOT NULL,
	note TEXT NOT NULL DEFAULT '', at TEXT NOT NULL);
CREATE INDEX copies_number ON copies (number);
CREATE INDEX copies_user ON copies (user_id);
CREATE INDEX copies_dept ON copies (dept);
CREATE TABLE copy_reads (copy_id BIGINT NOT NULL, user_id BIGINT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (copy_id, user_id));
CREATE TABLE journal (
	id BIGINT PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, action TEXT NOT NULL, number TEXT NOT NULL,
	data TEXT NOT NULL, prev TEXT NOT NULL, hash TEXT NOT NULL UNIQUE);
CREATE INDEX journal_number ON journal (number);
