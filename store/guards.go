package store

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// The guards are the triggers that keep the record as the law wants it:
// nothing deleted, and a radicado changed only by its annulment. They are
// defined here, once; opening a data folder writable restores any that is
// missing or altered (and says so in the audit log), and Verify reports
// them.
var guards = []struct {
	name, sql string
	since     int // the schema version that brought it
}{
	{"radicados_no_delete", `CREATE TRIGGER radicados_no_delete BEFORE DELETE ON radicados
BEGIN SELECT RAISE(ABORT, 'a radicado is never deleted; annul it'); END`, 1},
	{"radicados_only_annul", `CREATE TRIGGER radicados_only_annul BEFORE UPDATE ON radicados
WHEN NEW.id IS NOT OLD.id OR NEW.number IS NOT OLD.number OR NEW.year IS NOT OLD.year OR NEW.office IS NOT OLD.office
  OR NEW.station IS NOT OLD.station OR NEW.kind IS NOT OLD.kind OR NEW.seq IS NOT OLD.seq
  OR NEW.received_at IS NOT OLD.received_at OR NEW.received_ns IS NOT OLD.received_ns
  OR NEW.doc_type IS NOT OLD.doc_type OR NEW.sender_name IS NOT OLD.sender_name OR NEW.sender_id IS NOT OLD.sender_id
  OR NEW.subject IS NOT OLD.subject OR NEW.dept IS NOT OLD.dept OR NEW.due IS NOT OLD.due
  OR NEW.sha256 IS NOT OLD.sha256 OR NEW.pages IS NOT OLD.pages OR NEW.created_by IS NOT OLD.created_by
  OR NEW.channel IS NOT OLD.channel OR NEW.sender_email IS NOT OLD.sender_email
  OR NEW.answers IS NOT OLD.answers OR NEW.recipient IS NOT OLD.recipient OR NEW.cites IS NOT OLD.cites
  OR OLD.status = 'annulled'
  OR NOT (NEW.status = 'annulled' AND COALESCE(NEW.annulled_at, '') <> '' AND COALESCE(NEW.annulled_by, '') <> '' AND COALESCE(NEW.annul_reason, '') <> '')
BEGIN SELECT RAISE(ABORT, 'a radicado is never changed; only an active one can be annulled, with who, when and why'); END`, 1},
	{"files_no_delete", `CREATE TRIGGER files_no_delete BEFORE DELETE ON files
BEGIN SELECT RAISE(ABORT, 'a radicado''s files are never deleted'); END`, 1},
	{"files_no_update", `CREATE TRIGGER files_no_update BEFORE UPDATE ON files
BEGIN SELECT RAISE(ABORT, 'a radicado''s files are never changed'); END`, 1},
	{"audit_no_delete", `CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`, 1},
	{"audit_no_update", `CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`, 1},
	{"outbox_no_delete", `CREATE TRIGGER outbox_no_delete BEFORE DELETE ON outbox
BEGIN SELECT RAISE(ABORT, 'the outbox keeps every change'); END`, 1},
	{"mail_no_delete", `CREATE TRIGGER mail_no_delete BEFORE DELETE ON mail
BEGIN SELECT RAISE(ABORT, 'a message taken in is never deleted; discard it'); END`, 7},
	{"mail_done", `CREATE TRIGGER mail_done BEFORE UPDATE ON mail
WHEN NEW.id IS NOT OLD.id OR NEW.sha256 IS NOT OLD.sha256 OR NEW.message_id IS NOT OLD.message_id OR NEW.carried IS NOT OLD.carried
  OR (OLD.state <> 'waiting' AND (NEW.state IS NOT OLD.state OR NEW.number IS NOT OLD.number OR NEW.reason IS NOT OLD.reason))
BEGIN SELECT RAISE(ABORT, 'a message taken in keeps what it is; radicated or discarded, it stays so'); END`, 7},
	{"mail_ids_no_delete", `CREATE TRIGGER mail_ids_no_delete BEFORE DELETE ON mail_ids
BEGIN SELECT RAISE(ABORT, 'a radicated message is never forgotten'); END`, 7},
	{"mail_ids_no_update", `CREATE TRIGGER mail_ids_no_update BEFORE UPDATE ON mail_ids
BEGIN SELECT RAISE(ABORT, 'a radicated message is never forgotten'); END`, 7},
	{"mail_claims_no_delete", `CREATE TRIGGER mail_claims_no_delete BEFORE DELETE ON mail_claims
BEGIN SELECT RAISE(ABORT, 'where a message was claimed is kept'); END`, 7},
	{"answered_no_delete", `CREATE TRIGGER answered_no_delete BEFORE DELETE ON answered
BEGIN SELECT RAISE(ABORT, 'what a salida answers is never forgotten'); END`, 8},
	{"cited_no_delete", `CREATE TRIGGER cited_no_delete BEFORE DELETE ON cited
BEGIN SELECT RAISE(ABORT, 'what a letter cites is never forgotten'); END`, 10},
	{"cited_no_update", `CREATE TRIGGER cited_no_update BEFORE UPDATE ON cited
BEGIN SELECT RAISE(ABORT, 'what a letter cites is never replaced'); END`, 10},
	{"cited_as_recorded", `CREATE TRIGGER cited_as_recorded BEFORE INSERT ON cited
WHEN NOT EXISTS (SELECT 1 FROM radicados WHERE number = NEW.citing AND instr(char(10) || cites || char(10), char(10) || NEW.number || char(10)) > 0)
BEGIN SELECT RAISE(ABORT, 'a letter cites only what its radicado recorded'); END`, 10},
	{"dispatches_no_delete", `CREATE TRIGGER dispatches_no_delete BEFORE DELETE ON dispatches
BEGIN SELECT RAISE(ABORT, 'a dispatch is never deleted'); END`, 9},
	{"envelopes_no_delete", `CREATE TRIGGER envelopes_no_delete BEFORE DELETE ON envelopes
BEGIN SELECT RAISE(ABORT, 'an envelope is never deleted; a new attempt is another'); END`, 9},
	{"envelopes_ended", `CREATE TRIGGER envelopes_ended BEFORE UPDATE ON envelopes
WHEN NEW.number IS NOT OLD.number OR NEW.attempt IS NOT OLD.attempt OR NEW.dispatch_id IS NOT OLD.dispatch_id
  OR NEW.to_name IS NOT OLD.to_name OR NEW.to_address IS NOT OLD.to_address OR NEW.to_city IS NOT OLD.to_city OR NEW.to_email IS NOT OLD.to_email
  OR OLD.state IN ('entregado', 'devuelto')
BEGIN SELECT RAISE(ABORT, 'an envelope that ended stays as it ended'); END`, 9},
	{"envelopes_no_replace", `CREATE TRIGGER envelopes_no_replace BEFORE INSERT ON envelopes
WHEN EXISTS (SELECT 1 FROM envelopes WHERE id = NEW.id OR (number = NEW.number AND attempt = NEW.attempt))
BEGIN SELECT RAISE(ABORT, 'an envelope is never replaced'); END`, 9},
	{"answered_no_replace", `CREATE TRIGGER answered_no_replace BEFORE INSERT ON answered
WHEN EXISTS (SELECT 1 FROM answered WHERE number = NEW.number AND salida = NEW.salida)
BEGIN SELECT RAISE(ABORT, 'what a salida answers is never replaced'); END`, 8},
	{"dispatches_kept", `CREATE TRIGGER dispatches_kept BEFORE UPDATE ON dispatches
WHEN NEW.id IS NOT OLD.id OR NEW.courier IS NOT OLD.courier OR NEW.service IS NOT OLD.service OR NEW.created_at IS NOT OLD.created_at
  OR NEW.created_by IS NOT OLD.created_by OR OLD.closed_at <> ''
BEGIN SELECT RAISE(ABORT, 'a dispatch is closed once and never changed'); END`, 9},
	{"print_jobs_no_delete", `CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs
BEGIN SELECT RAISE(ABORT, 'print jobs are never deleted'); END`, 1},
	// A REPLACE deletes the row it replaces without the delete guards when
	// recursive triggers are off (the sqlite3 shell's default): a row is
	// never inserted where one is.
	{"radicados_no_replace", `CREATE TRIGGER radicados_no_replace BEFORE INSERT ON radicados
WHEN EXISTS (SELECT 1 FROM radicados WHERE id = NEW.id OR number = NEW.number)
BEGIN SELECT RAISE(ABORT, 'a radicado is never replaced'); END`, 6},
	{"files_no_replace", `CREATE TRIGGER files_no_replace BEFORE INSERT ON files
WHEN EXISTS (SELECT 1 FROM files WHERE radicado_id = NEW.radicado_id AND pos = NEW.pos)
BEGIN SELECT RAISE(ABORT, 'a radicado''s files are never replaced'); END`, 6},
	{"audit_no_replace", `CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
WHEN EXISTS (SELECT 1 FROM audit WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END`, 6},
	{"outbox_no_replace", `CREATE TRIGGER outbox_no_replace BEFORE INSERT ON outbox
WHEN EXISTS (SELECT 1 FROM outbox WHERE id = NEW.id)
BEGIN SELECT RAISE(ABORT, 'the outbox keeps every change'); END`, 6},
}

// ActionGuards is the audit action of guards found missing or altered and
// restored.
const ActionGuards = "guardas"

// brokenGuards lists the guards that are missing or whose definition is
// not this program's.
func brokenGuards(ctx context.Context, q querier) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]string{}
	for rows.Next() {
		var name string
		var def sql.NullString
		if err := rows.Scan(&name, &def); err != nil {
			return nil, err
		}
		have[name] = def.String
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var broken []string
	for _, g := range guards {
		if def, ok := have[g.name]; !ok || def != g.sql {
			broken = append(broken, g.name)
		}
	}
	return broken, nil
}

// restoreGuards puts back, inside tx, the guards that are missing or
// altered and, unless they were missing because this program is making or
// upgrading the database (audit false), records in the audit log that it
// did.
func (s *Store) restoreGuards(ctx context.Context, tx *sql.Tx, audit bool) error {
	broken, err := brokenGuards(ctx, tx)
	if err != nil || len(broken) == 0 {
		return err
	}
	for _, g := range guards {
		if !slices.Contains(broken, g.name) {
			continue
		}
		if _, err := tx.ExecContext(ctx, `DROP TRIGGER IF EXISTS `+g.name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, g.sql); err != nil {
			return fmt.Errorf("guard %s: %w", g.name, err)
		}
	}
	if !audit {
		return nil
	}
	_, err = appendEvent(ctx, tx, s.clock(), "radicador", ActionGuards, "", map[string]any{"restored": broken})
	return err
}

// verifyGuards reports guards missing or altered, and those restored
// before (from the audit log): someone had the file and took them off,
// and the records must be checked against the server and the printed
// anchors. A folder of an older Radicador, read without being upgraded,
// keeps the guards of its time: only their names are checked.
func (s *Store) verifyGuards(ctx context.Context, r *Report) error {
	broken, err := brokenGuards(ctx, s.db)
	if err != nil {
		return err
	}
	if s.readOnly && s.pending > 0 {
		missing, err := missingGuards(ctx, s.db, broken, schemaVersions()-s.pending)
		if err != nil {
			return err
		}
		broken = missing
		r.Notes = append(r.Notes, "this data folder was written by an older Radicador; its guards are of that version until it is opened writable")
	}
	if len(broken) > 0 {
		r.addf("the guards %s are missing or altered: someone changed the database behind the program's back", strings.Join(broken, ", "))
	}
	rows, err := s.db.QueryContext(ctx, `SELECT at, data FROM audit WHERE action = ? ORDER BY id`, ActionGuards)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var at, data string
		if err := rows.Scan(&at, &data); err != nil {
			return err
		}
		r.addf("on %s the guards %s were found missing or altered, and put back: someone changed the database behind the program's back; check its radicados against the server and the anchors printed on the planillas", at, data)
	}
	return rows.Err()
}

// missingGuards gives those of broken that are not there at all (older
// guards of the same name count as there), and those that appeared later
// than the folder's version.
func missingGuards(ctx context.Context, q querier, broken []string, version int) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'trigger'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	have := map[string]bool{}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return nil, err
		}
		have[name] = true
	}
	var missing []string
	for _, g := range guards {
		if slices.Contains(broken, g.name) && !have[g.name] && g.since <= version { // not those of versions after the folder's
			missing = append(missing, g.name)
		}
	}
	return missing, rows.Err()
}
