package store

import (
	"context"
	"database/sql"
	"errors"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// TestGuardsRestored: guards taken off behind the program's back are
// reported by verify; opening the folder writable puts them back and says
// so in the audit log, which verify then tells as a note.
func TestGuardsRestored(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "guardado")); err != nil {
		t.Fatal(err)
	}
	db := raw(t, s) // drops the guards
	exec(t, db, `UPDATE radicados SET dept = 'JUR'`)
	rep, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "guards radicados_no_delete") {
		t.Fatalf("verify without the guards: %+v", rep.Problems)
	}
	dir := s.Dir()
	s.Close()
	again, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.db.Exec(`UPDATE radicados SET subject = 'otro'`); err == nil {
		t.Error("the guards were not restored at open")
	}
	// Put back, they still tell: the database was open to anyone for a while.
	rep, _ = again.Verify(ctx)
	if rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "were found missing or altered, and put back") {
		t.Errorf("verify after the guards were put back: %+v", rep.Problems)
	}
	events, _ := again.Events(ctx, 0, 0)
	if last := events[len(events)-1]; last.Action != ActionGuards {
		t.Errorf("the audit log's last event is %s", last.Action)
	}
	// Opened again, a sound folder writes nothing more.
	again.Close()
	third, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if later, _ := third.Events(ctx, 0, 0); len(later) != len(events) {
		t.Errorf("%d events after opening a sound folder again, were %d", len(later), len(events))
	}
}

// TestReplaceMeetsTheGuards: REPLACE deletes the row it replaces without
// the delete guards when recursive triggers are off (the sqlite3 shell's
// default); the insert guards refuse it all the same.
func TestReplaceMeetsTheGuards(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "original")); err != nil {
		t.Fatal(err)
	}
	plain, err := sql.Open("sqlite", filepath.Join(s.Dir(), DBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer plain.Close()
	for _, q := range []string{
		`REPLACE INTO radicados SELECT id, number, year, office, station, kind, seq, received_at, received_ns, doc_type, sender_name,
			sender_id, 'FORGED', dept, due, pages, sha256, created_by, status, annulled_at, annulled_by, annul_reason FROM radicados`,
		`INSERT OR REPLACE INTO audit SELECT id, at, 'intruso', action, number, data, prev, hash FROM audit`,
		`INSERT OR REPLACE INTO files SELECT * FROM files`,
		`INSERT OR REPLACE INTO outbox SELECT * FROM outbox`,
	} {
		if _, err := plain.Exec(q); err == nil {
			t.Errorf("%.40s… succeeded", q)
		}
	}
	if r, _ := s.Get(ctx, "2026001010000012"); r.Subject != "original" {
		t.Errorf("the subject is %q", r.Subject)
	}
}

// TestReadOnly: a data folder on a read-only file system (a bind mount in
// a namespace of the test's own) opens read-only: it lists, searches and
// verifies, and refuses to record with ErrReadOnly; the folder is left as
// it was. Opened read-only on a writable folder, nothing is written either.
func TestReadOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "solo lectura"))
	if err != nil {
		t.Fatal(err)
	}
	dir := s.Dir()
	s.Close()
	before := listing(t, dir)

	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := ro.Get(ctx, r.Number); err != nil || got.Subject != "solo lectura" {
		t.Errorf("Get read-only: %+v %v", got, err)
	}
	if rep, err := ro.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("Verify read-only: %+v %v", rep, err)
	}
	again := Draft{Pattern: radicado.MustPattern(radicado.DefaultPattern), Office: "001", Station: "01", Kind: radicado.Entrada,
		Type: "peticion", Sender: r.Sender, Subject: "otra", Files: r.Files, Actor: "v", Due: func(time.Time) (calendar.Date, error) { return calendar.Date{}, nil }}
	if _, err := ro.Radicar(ctx, again); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Radicar read-only: %v", err)
	}
	if _, err := ro.Anular(ctx, r.Number, "x", "y"); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Anular read-only: %v", err)
	}
	ro.Close()
	if after := listing(t, dir); after != before {
		t.Errorf("opening read-only changed the folder:\nbefore %s\nafter  %s", before, after)
	}

	// A copy of a folder taken while its station ran: the journal beside
	// the database holds the last radicado.
	live, _ := openTest(t)
	lr, err := live.Radicar(ctx, draft(t, live, radicado.Entrada, "solo lectura"))
	if err != nil {
		t.Fatal(err)
	}
	withWAL := t.TempDir()
	if out, err := osexec.Command("cp", "-a", filepath.Join(live.Dir(), "files"), filepath.Join(live.Dir(), DBName),
		filepath.Join(live.Dir(), DBName+"-wal"), withWAL).CombinedOutput(); err != nil {
		t.Fatalf("copying the live folder: %v %s", err, out)
	}
	if info, err := os.Stat(filepath.Join(withWAL, DBName+"-wal")); err != nil || info.Size() == 0 {
		t.Fatalf("the copy's journal is empty: %v", err)
	}

	// On a file system mounted read-only: the folder closed cleanly, and
	// the copy with its journal.
	if _, err := osexec.LookPath("unshare"); err != nil {
		t.Fatal("unshare (util-linux) is needed for the read-only mount")
	}
	exe, _ := os.Executable()
	cmd := osexec.Command("unshare", "-rm", "sh", "-c", `mount --bind -o ro "$1" "$1" && mount --bind -o ro "$2" "$2" && exec "$3" -test.run '^TestReadOnlyChild$' -test.v`,
		"sh", dir, withWAL, exe)
	cmd.Env = append(os.Environ(), "RADICADOR_RO_DIR="+dir+string(os.PathListSeparator)+withWAL, "RADICADOR_RO_NUMBER="+r.Number+" "+lr.Number)
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReadOnlyChild") {
		if strings.Contains(string(out), "Operation not permitted") && os.Getenv("RADICADOR_STRICT") == "" {
			t.Skipf("no user namespaces here: %s", out)
		}
		t.Errorf("reading a folder on a read-only mount: %v\n%s", err, out)
	}
}

// TestReadOnlyChild runs inside the read-only mount of TestReadOnly.
func TestReadOnlyChild(t *testing.T) {
	dirs := filepath.SplitList(os.Getenv("RADICADOR_RO_DIR"))
	if len(dirs) == 0 {
		t.Skip("run by TestReadOnly")
	}
	numbers := strings.Fields(os.Getenv("RADICADOR_RO_NUMBER"))
	ctx := context.Background()
	for i, dir := range dirs {
		if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
			f.Close()
			t.Fatal("the folder is writable: the mount is not read-only")
		}
		s, err := Open(ctx, dir, Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, numbers[i]); err != nil || got.Subject != "solo lectura" {
			t.Errorf("%s: Get: %+v %v", dir, got, err)
		}
		if found, err := s.Search(ctx, "lectura", 10); err != nil || len(found) != 1 {
			t.Errorf("%s: Search: %d %v", dir, len(found), err)
		}
		if rep, err := s.Verify(ctx); err != nil || !rep.OK {
			t.Errorf("%s: Verify: %+v %v", dir, rep, err)
		}
		s.Close()
	}
}

// TestReadOnlyOlderFolder: a folder of an older Radicador, read without
// being upgraded, verifies with its guards of that time, and says so.
func TestReadOnlyOlderFolder(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "de antes")); err != nil {
		t.Fatal(err)
	}
	db := raw(t, s) // as version 5 left it: its guards, and no version 6
	for _, q := range []string{`DROP TRIGGER print_jobs_no_delete`, `DROP TRIGGER radicados_no_replace`, `DROP TRIGGER files_no_replace`,
		`DROP TRIGGER IF EXISTS audit_no_replace`, `DROP TRIGGER IF EXISTS outbox_no_replace`, `DROP TRIGGER IF EXISTS mail_no_delete`, `DROP TRIGGER IF EXISTS mail_done`, `DROP TRIGGER IF EXISTS mail_ids_no_delete`, `DROP TRIGGER IF EXISTS mail_ids_no_update`, `DROP TRIGGER IF EXISTS mail_claims_no_delete`, `DROP TRIGGER IF EXISTS answered_no_delete`, `DROP TRIGGER IF EXISTS dispatches_no_delete`, `DROP TRIGGER IF EXISTS envelopes_no_delete`, `DROP TRIGGER IF EXISTS envelopes_ended`, `DROP TRIGGER IF EXISTS envelopes_no_replace`, `DROP TRIGGER IF EXISTS answered_no_replace`, `DROP TRIGGER IF EXISTS dispatches_kept`, `DROP TRIGGER IF EXISTS cited_no_delete`, `DROP TRIGGER IF EXISTS cited_no_update`, `DROP TRIGGER IF EXISTS cited_as_recorded`,
		`DELETE FROM schema_migrations WHERE version >= 6`} {
		exec(t, db, q)
	}
	for _, g := range guards {
		if !strings.HasSuffix(g.name, "_no_replace") && !strings.HasPrefix(g.name, "mail_") && g.since < 7 {
			exec(t, db, strings.Replace(g.sql, "BEGIN", "\nBEGIN", 1)) // not this version's text
		}
	}
	dir := s.Dir()
	s.Close()
	ro, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	rep, err := ro.Verify(ctx)
	if err != nil || !rep.OK || len(rep.Notes) == 0 {
		t.Errorf("verify of an older folder, read-only: %+v %v", rep, err)
	}
}

// listing describes a folder's files with their sizes and times, but for
// SQLite's journal and shared memory, which a reader may make (empty of
// changes).
func listing(t *testing.T, dir string) string {
	var b strings.Builder
	filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err == nil && !strings.HasSuffix(path, "-wal") && !strings.HasSuffix(path, "-shm") && path != dir {
			b.WriteString(path + " " + info.ModTime().Format(time.RFC3339Nano) + " " + info.Mode().String() + "\n")
		}
		return nil
	})
	return b.String()
}

// TestAnchorOutlivesARecomputedChain: whoever holds the file can change a
// subject and recompute the whole audit chain, and verify is fooled; the
// anchor printed before does not survive it.
func TestAnchorOutlivesARecomputedChain(t *testing.T) {
	ctx := context.Background()
	s, c := openTest(t)
	for _, subject := range []string{"primera", "segunda", "tercera"} {
		if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, subject)); err != nil {
			t.Fatal(err)
		}
	}
	anchor, err := s.AnchorAt(ctx, c.now().Add(time.Second))
	if err != nil || anchor.ID != 3 {
		t.Fatalf("anchor %+v, %v", anchor, err)
	}
	if rep, err := s.VerifyAnchor(ctx, anchor.Hash[:16], 0); err != nil || !rep.OK {
		t.Fatalf("the anchor before tampering: %+v %v", rep, err)
	}
	if hash, event, err := wire.ParseAnchor(anchor.QRText("001", "01")); err != nil || hash != anchor.Hash || event != 3 {
		t.Errorf("the QR code's text reads back as %s, event %d: %v", hash, event, err)
	}
	if rep, _ := s.VerifyAnchor(ctx, anchor.Hash, 2); rep.OK {
		t.Error("an anchor printed as event 2 passed, the chain holding it as event 3")
	}
	// The subject of the second radicado rewritten, and every event's hash
	// recomputed from it on, as someone holding the file could.
	db := raw(t, s)
	exec(t, db, `UPDATE radicados SET subject = 'otra cosa' WHERE id = 2`)
	events, err := s.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	exec(t, db, `DELETE FROM audit`)
	prev := genesis
	for _, e := range events {
		data := strings.Replace(string(e.Data), `"subject":"segunda"`, `"subject":"otra cosa"`, 1)
		e.Data, e.Prev = []byte(data), prev
		e.Hash = eventHash(e)
		exec(t, db, `INSERT INTO audit (id, at, actor, action, number, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Number, string(e.Data), e.Prev, e.Hash)
		prev = e.Hash
	}
	restoreAll(t, db)
	rep, err := s.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("the recomputed chain should fool verify (that is the weakness): %v", rep.Problems)
	}
	rep, err = s.VerifyAnchor(ctx, anchor.Hash[:16], 0)
	if err != nil {
		t.Fatal(err)
	}
	if rep.OK || !strings.Contains(strings.Join(rep.Problems, "\n"), "no event of the audit chain has it") {
		t.Errorf("verify against the printed anchor after the chain was recomputed: %+v", rep)
	}
}

// restoreAll puts the guards back as they were, as a careful forger would,
// so that only the chain can tell.
func restoreAll(t *testing.T, db *sql.DB) {
	t.Helper()
	for _, g := range guards {
		exec(t, db, `DROP TRIGGER IF EXISTS `+g.name)
		exec(t, db, g.sql)
	}
}
