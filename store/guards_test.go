package store

import (
	"context"
	"database/sql"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

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
	rep, _ = again.Verify(ctx)
	if len(rep.Notes) != 1 || !strings.Contains(rep.Notes[0], "restored") {
		t.Errorf("verify after the guards were restored: notes %q", rep.Notes)
	}
	events, _ := again.Events(ctx, 0, 0)
	if last := events[len(events)-1]; last.Action != ActionGuards {
		t.Errorf("the audit log's last event is %s", last.Action)
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
	if _, err := ro.Radicar(ctx, Draft{}); err == nil {
		t.Error("a read-only store radicated")
	}
	if _, err := ro.Anular(ctx, r.Number, "x", "y"); err != ErrReadOnly && !strings.Contains(err.Error(), ErrReadOnly.Error()) {
		t.Errorf("Anular read-only: %v", err)
	}
	ro.Close()
	if after := listing(t, dir); after != before {
		t.Errorf("opening read-only changed the folder:\nbefore %s\nafter  %s", before, after)
	}

	// On a file system mounted read-only.
	if _, err := osexec.LookPath("unshare"); err != nil {
		t.Fatal("unshare (util-linux) is needed for the read-only mount")
	}
	exe, _ := os.Executable()
	cmd := osexec.Command("unshare", "-rm", "sh", "-c", `mount --bind -o ro "$1" "$1" && exec "$2" -test.run '^TestReadOnlyChild$' -test.v`, "sh", dir, exe)
	cmd.Env = append(os.Environ(), "RADICADOR_RO_DIR="+dir, "RADICADOR_RO_NUMBER="+r.Number)
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
	dir := os.Getenv("RADICADOR_RO_DIR")
	if dir == "" {
		t.Skip("run by TestReadOnly")
	}
	ctx := context.Background()
	if f, err := os.Create(filepath.Join(dir, "probe")); err == nil {
		f.Close()
		t.Fatal("the folder is writable: the mount is not read-only")
	}
	if _, err := Open(ctx, dir, Options{}); err == nil {
		t.Log("opening writable worked on a read-only mount") // SQLite may open, but not write
	}
	s, err := Open(ctx, dir, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got, err := s.Get(ctx, os.Getenv("RADICADOR_RO_NUMBER")); err != nil || got.Subject != "solo lectura" {
		t.Errorf("Get: %+v %v", got, err)
	}
	if found, err := s.Search(ctx, "lectura", 10); err != nil || len(found) != 1 {
		t.Errorf("Search: %d %v", len(found), err)
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("Verify: %+v %v", rep, err)
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
	if rep, err := s.VerifyAnchor(ctx, anchor.Hash[:16]); err != nil || !rep.OK {
		t.Fatalf("the anchor before tampering: %+v %v", rep, err)
	}
	if _, err := wire.ParseAnchor(anchor.QRText("001", "01")); err != nil {
		t.Errorf("the QR code's text does not read back: %v", err)
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
	rep, err = s.VerifyAnchor(ctx, anchor.Hash[:16])
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
