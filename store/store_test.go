package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"os"
	osexec "os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

var bogota = time.FixedZone("COT", -5*3600)

// clock is a settable clock for tests.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

func (c *clock) set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := &clock{t: time.Date(2026, 11, 23, 9, 0, 0, 0, bogota)}
	s, err := Open(context.Background(), t.TempDir(), Options{Clock: c.now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

// putFile stores content and gives it as a one-page file.
func putFile(t testing.TB, s *Store, content string) radicado.File {
	t.Helper()
	sum, size, err := s.Blobs().Put(context.Background(), strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	return radicado.File{SHA256: sum, Size: size, Name: "carta.png", MediaType: "image/png", Pages: 1}
}

func draft(t testing.TB, s *Store, kind radicado.Kind, subject string) Draft {
	id, _ := ident.Parse("CC:79845112")
	return Draft{
		Pattern: radicado.MustPattern(radicado.DefaultPattern), Office: "001", Station: "01", Kind: kind,
		Type: "peticion", Sender: radicado.Sender{Name: "Héctor Cárdenas", ID: id}, Subject: subject,
		Files: []radicado.File{putFile(t, s, "page of "+subject)}, Actor: "ventanilla1",
		Due: func(time.Time) (calendar.Date, error) { return calendar.Date{Year: 2026, Month: 12, Day: 15}, nil },
	}
}

func TestNumbering(t *testing.T) {
	ctx := context.Background()
	s, c := openTest(t)
	radicar := func(kind radicado.Kind) string {
		t.Helper()
		r, err := s.Radicar(ctx, draft(t, s, kind, "asunto"))
		if err != nil {
			t.Fatal(err)
		}
		return r.Number
	}
	steps := []struct {
		at   time.Time
		kind radicado.Kind
		want string
	}{
		{time.Date(2026, 12, 31, 23, 58, 0, 0, bogota), radicado.Entrada, "2026001010000012"},
		{time.Time{}, radicado.Entrada, "2026001010000022"},
		{time.Time{}, radicado.Salida, "2026001010000011"}, // each kind has its own sequence
		{time.Time{}, radicado.Interna, "2026001010000013"},
		{time.Time{}, radicado.Entrada, "2026001010000032"},
		// 1 January: every sequence starts again.
		{time.Date(2027, 1, 1, 0, 0, 1, 0, bogota), radicado.Entrada, "2027001010000012"},
		{time.Time{}, radicado.Salida, "2027001010000011"},
		{time.Time{}, radicado.Entrada, "2027001010000022"},
	}
	for _, st := range steps {
		if !st.at.IsZero() {
			c.set(st.at)
		}
		if got := radicar(st.kind); got != st.want {
			t.Errorf("radicar %s at %s = %s, want %s", st.kind, c.t, got, st.want)
		}
	}
	r, err := s.Get(ctx, "2027001010000022")
	if err != nil {
		t.Fatal(err)
	}
	if r.Parts.Seq != 2 || r.Parts.Year != 2027 || r.Status != radicado.Active || r.Sync != radicado.SyncPending ||
		len(r.Files) != 1 || r.Pages != 1 || r.Due.String() != "2026-12-15" || r.CreatedBy != "ventanilla1" {
		t.Errorf("Get = %+v", r)
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestClockBehind(t *testing.T) {
	ctx := context.Background()
	s, c := openTest(t)
	c.set(time.Date(2026, 11, 23, 10, 0, 0, 0, bogota))
	if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "first")); err != nil {
		t.Fatal(err)
	}
	for _, back := range []time.Time{
		time.Date(2026, 11, 23, 9, 0, 0, 0, bogota),  // an hour back
		time.Date(2025, 12, 31, 12, 0, 0, 0, bogota), // back into last year: a new sequence, still refused
	} {
		c.set(back)
		_, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "second"))
		if !errors.Is(err, ErrClockBehind) {
			t.Fatalf("radicar with the clock at %s: %v, want ErrClockBehind", back, err)
		}
	}
	// Another kind has its own last time.
	c.set(time.Date(2026, 11, 23, 9, 0, 0, 0, bogota))
	if _, err := s.Radicar(ctx, draft(t, s, radicado.Salida, "salida")); err != nil {
		t.Errorf("salida after an entrada given later: %v", err)
	}
	rs, _ := s.List(ctx, Filter{})
	if len(rs) != 2 {
		t.Errorf("%d radicados, want 2: a refused one left a trace", len(rs))
	}
}

func TestAnular(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "a letter"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Anular(ctx, r.Number, "jefe", "  "); err == nil {
		t.Error("annulled without a reason")
	}
	if _, err := s.Anular(ctx, "2026001010009992", "jefe", "no existe"); !errors.Is(err, ErrNotFound) {
		t.Errorf("annul an unknown number: %v", err)
	}
	a, err := s.Anular(ctx, r.Number, "jefe", "Radicado dos veces por error")
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != radicado.Annulled || a.Annulment == nil || a.Annulment.By != "jefe" ||
		a.Annulment.Reason != "Radicado dos veces por error" || a.Annulment.At.IsZero() || a.Number != r.Number {
		t.Errorf("after Anular: %+v %+v", a, a.Annulment)
	}
	if _, err := s.Anular(ctx, r.Number, "jefe", "otra vez"); !errors.Is(err, ErrAnnulled) {
		t.Errorf("second annulment: %v", err)
	}
	// The annulment is queued for the server as a change of its own.
	var n int
	s.db.QueryRow(`SELECT COUNT(*) FROM outbox WHERE radicado_id = (SELECT id FROM radicados WHERE number = ?)`, r.Number).Scan(&n)
	if n != 2 {
		t.Errorf("%d outbox entries, want 2 (radicar, anular)", n)
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestNothingIsDeleted(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	d := draft(t, s, radicado.Entrada, "kept")
	d.Cites = []string{"2026100020000451"}
	r, err := s.Radicar(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`DELETE FROM radicados`,
		`UPDATE radicados SET number = '1'`,
		`UPDATE radicados SET received_at = '2020-01-01T00:00:00Z'`,
		`UPDATE radicados SET sha256 = 'x'`,
		`UPDATE radicados SET doc_type = 'otro'`,
		`UPDATE radicados SET sender_name = 'Otra Persona'`,
		`UPDATE radicados SET sender_id = 'CC:1234567'`,
		`UPDATE radicados SET subject = 'otro asunto'`,
		`UPDATE radicados SET dept = 'JUR'`,
		`UPDATE radicados SET due = '2030-01-01'`,
		`UPDATE radicados SET cites = '2026001010000011'`,
		`INSERT INTO cited (number, citing) VALUES ('2026001010000011', '2026001010000012')`,
		`UPDATE cited SET citing = 'x'`,
		`DELETE FROM cited`,
		`UPDATE radicados SET annul_reason = 'sin anular'`,
		`UPDATE radicados SET status = 'annulled'`,
		`DELETE FROM audit`,
		`UPDATE audit SET actor = 'otro'`,
		`DELETE FROM files`,
		`UPDATE files SET sha256 = 'x'`,
		`DELETE FROM outbox`,
	} {
		if _, err := s.db.Exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	if _, err := s.Anular(ctx, r.Number, "jefe", "error"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`UPDATE radicados SET status = 'active'`); err == nil {
		t.Error("an annulled radicado was made active again")
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

// raw opens the database behind the store's back, as someone editing the
// file would, with the protective triggers removed.
func raw(t *testing.T, s *Store) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite", filepath.Join(s.Dir(), DBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	for _, tr := range []string{"radicados_no_delete", "radicados_only_annul", "files_no_delete", "files_no_update", "audit_no_delete", "audit_no_update", "outbox_no_delete", "cited_as_recorded"} {
		if _, err := db.Exec(`DROP TRIGGER ` + tr); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestVerifyFindsTampering(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tamper func(t *testing.T, s *Store, db *sql.DB, numbers []string)
		want   string
	}{
		{"subject edited", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE radicados SET subject = 'otro asunto' WHERE number = ?`, n[1])
		}, n1 + ": the record differs"},
		{"time of receipt edited", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE radicados SET received_at = '2026-11-23T08:00:00-05:00' WHERE number = ?`, n[0])
		}, n0 + ": the record differs"},
		{"audit event edited", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE audit SET data = replace(data, 'asunto 1', 'asunto X') WHERE number = ?`, n[1])
		}, "event 2 (radicar " + n1 + ") was changed"},
		{"audit event removed", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `DELETE FROM audit WHERE id = 2`)
		}, "event 3 follows event 1"},
		{"radicado removed", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `DELETE FROM search WHERE rowid = 2`)
			exec(t, db, `DELETE FROM outbox WHERE radicado_id = 2`)
			exec(t, db, `DELETE FROM files WHERE radicado_id = 2`)
			exec(t, db, `DELETE FROM radicados WHERE id = 2`)
		}, "last given 3, but 2 numbers are recorded"},
		{"a citation added", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE radicados SET cites = ? WHERE number = ?`, n[0], n[1])
		}, n1 + ": the record differs"},
		{"a citation indexed that no record says", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `INSERT INTO cited (number, citing) VALUES (?, ?)`, n[0], n[2])
		}, n2 + ": cited " + n0 + ", which its record does not say"},
		{"an answer indexed that no record says", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `INSERT INTO answered (number, salida) VALUES (?, ?)`, n[0], n[2])
		}, n2 + ": answered " + n0 + ", which its record does not say"},
		{"annulment without event", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE radicados SET status = 'annulled', annulled_by = 'x', annul_reason = 'y', annulled_at = '2026-11-23T10:00:00Z' WHERE number = ?`, n[2])
		}, n2 + ": annulled without an audit event"},
		{"annulment reason edited", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			exec(t, db, `UPDATE radicados SET annul_reason = 'otra razón' WHERE number = ?`, n[0])
		}, n0 + ": the annulment differs"},
		{"file swapped", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			other := putFile(t, s, "a different page")
			exec(t, db, `UPDATE files SET sha256 = ?, size = ? WHERE radicado_id = 1`, other.SHA256, other.Size)
		}, n0 + ": its files do not make the document hash"},
		{"file content changed", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			r, _ := s.Get(context.Background(), n[2])
			p := s.Blobs().Path(r.Files[0].SHA256)
			os.Chmod(p, 0o600)
			os.WriteFile(p, []byte("page of asunto X"), 0o600)
		}, "content changed"},
		{"file missing", func(t *testing.T, s *Store, db *sql.DB, n []string) {
			r, _ := s.Get(context.Background(), n[1])
			os.Remove(s.Blobs().Path(r.Files[0].SHA256))
		}, "file not in the store"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTest(t)
			var numbers []string
			for i := range 3 {
				r, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, fmt.Sprintf("asunto %d", i)))
				if err != nil {
					t.Fatal(err)
				}
				numbers = append(numbers, r.Number)
			}
			if _, err := s.Anular(ctx, numbers[0], "jefe", "error de digitación"); err != nil {
				t.Fatal(err)
			}
			if rep, err := s.Verify(ctx); err != nil || !rep.OK {
				t.Fatalf("before tampering: %+v, %v", rep, err)
			}
			tc.tamper(t, s, raw(t, s), numbers)
			rep, err := s.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK {
				t.Fatalf("Verify is ok after %s", tc.name)
			}
			if !strings.Contains(strings.Join(rep.Problems, "\n"), tc.want) {
				t.Errorf("problems %q do not mention %q", rep.Problems, tc.want)
			}
		})
	}
}

const (
	n0 = "2026001010000012"
	n1 = "2026001010000022"
	n2 = "2026001010000032"
)

func exec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

func TestSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	for i, subj := range []string{
		"Derecho de petición - copia de extractos",
		"Queja por cobro no autorizado",
		"Factura electrónica FV-19666",
	} {
		d := draft(t, s, radicado.Entrada, subj)
		d.Keywords = []string{"Derecho de petición", "Queja o reclamo", "Factura electrónica"}[i]
		d.Type = []string{"peticion", "queja_reclamo", "factura"}[i]
		if _, err := s.Radicar(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		q    string
		want []string
	}{
		{"peticion", []string{n0}},           // accents do not matter
		{"PETICIÓN extractos", []string{n0}}, // case neither; every word must match
		{"extrac", []string{n0}},             // the last word may be a prefix
		{"fv 19666", []string{n2}},
		{"Cárdenas", []string{n2, n1, n0}}, // newest first
		{"79845112", []string{n2, n1, n0}}, // the sender's ID
		{n1, []string{n1}},                 // the number
		{"queja factura", nil},
		{"reclamo", []string{n1}},     // the type's name
		{`"unbalanced OR NEAR(`, nil}, // FTS syntax typed by a clerk is only words
		{"   ", nil},
	} {
		rs, err := s.Search(ctx, tc.q, 10)
		if err != nil {
			t.Errorf("Search(%q): %v", tc.q, err)
			continue
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.Number)
		}
		if strings.Join(got, ",") != strings.Join(tc.want, ",") {
			t.Errorf("Search(%q) = %v, want %v", tc.q, got, tc.want)
		}
	}
}

func TestSettingsAreAudited(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	set := func(f func(map[string]string) error) {
		if err := s.UpdateSettings(ctx, "admin", f); err != nil {
			t.Fatal(err)
		}
	}
	set(func(m map[string]string) error { m["office"] = "002"; m["hours"] = "07:00-16:00"; return nil })
	set(func(m map[string]string) error { m["office"] = "002"; return nil }) // no change
	set(func(m map[string]string) error { delete(m, "hours"); return nil })
	if err := s.UpdateSettings(ctx, "admin", func(m map[string]string) error {
		m["office"] = "999"
		return errors.New("refused")
	}); err == nil {
		t.Fatal("a failing change was stored")
	}
	got, _ := s.Settings(ctx)
	if len(got) != 1 || got["office"] != "002" {
		t.Errorf("settings = %v", got)
	}
	evs, err := s.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var log []string
	for _, e := range evs {
		log = append(log, e.Action+" "+e.Actor+" "+string(e.Data))
	}
	want := []string{
		`config admin {"key":"hours","old":null,"new":"07:00-16:00"}`,
		`config admin {"key":"office","old":null,"new":"002"}`,
		`config admin {"key":"hours","old":"07:00-16:00","new":null}`,
	}
	if strings.Join(log, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(log, "\n"), strings.Join(want, "\n"))
	}
}

func TestConcurrentStores(t *testing.T) {
	// Two stores on one folder, as two processes would have: every number is
	// given once and the sequence has no hole.
	ctx := context.Background()
	dir := t.TempDir()
	var stores [2]*Store
	for i := range stores {
		s, err := Open(ctx, dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		stores[i] = s
	}
	const each = 40
	var wg sync.WaitGroup
	errs := make(chan error, 2*each)
	for _, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "concurrente")); err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	rs, err := stores[0].List(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seen := make(map[int]bool)
	for _, r := range rs {
		if seen[r.Parts.Seq] {
			t.Errorf("consecutive %d given twice", r.Parts.Seq)
		}
		seen[r.Parts.Seq] = true
	}
	for i := 1; i <= 2*each; i++ {
		if !seen[i] {
			t.Errorf("consecutive %d missing", i)
		}
	}
	if rep, err := stores[1].Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'future', '')`, SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, dir, Options{}); err == nil || !strings.Contains(err.Error(), "newer Radicador") {
		t.Fatalf("Open of a newer schema: %v", err)
	}
}

func TestBusyIsReported(t *testing.T) {
	// A write lock held by another connection longer than the busy timeout
	// gives ErrBusy, not a hang and not a half-written radicado.
	if testing.Short() {
		t.Skip("waits for the busy timeout")
	}
	ctx := context.Background()
	s, _ := openTest(t)
	d := draft(t, s, radicado.Entrada, "bloqueado")
	other, err := sql.Open("sqlite", filepath.Join(s.Dir(), DBName))
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `BEGIN IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	_, err = s.Radicar(ctx, d)
	conn.ExecContext(ctx, `ROLLBACK`)
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Radicar under a held lock: %v, want ErrBusy", err)
	}
	if rs, _ := s.List(ctx, Filter{}); len(rs) != 0 {
		t.Errorf("%d radicados after a busy failure", len(rs))
	}
}

func TestOCRQueueAndSearch(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	r, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, "Carta"))
	if err != nil {
		t.Fatal(err)
	}
	pending, err := s.PendingOCR(ctx, 10)
	if err != nil || len(pending) != 1 || pending[0] != r.Number {
		t.Fatalf("queue = %v, %v", pending, err)
	}
	if rs, _ := s.Search(ctx, "extractos", 10); len(rs) != 0 {
		t.Fatal("found by a word not read yet")
	}
	for range MaxOCRAttempts - 1 {
		s.FailOCR(ctx, r.Number, errors.New("tesseract crashed"))
	}
	if p, _ := s.PendingOCR(ctx, 10); len(p) != 1 {
		t.Fatal("a radicado left the queue before its last attempt")
	}
	rec := OCRRecord{Text: "solicito copia de los extractos de mi tarjeta", Pages: "[]", Fields: "{}", Confidence: 91}
	if err := s.SaveOCR(ctx, r.Number, rec, []Rendition{{Kind: "searchable_pdf", SHA256: strings.Repeat("a", 64), Size: 10}}); err != nil {
		t.Fatal(err)
	}
	// Read twice: the text is replaced, not added, and one example is kept.
	rec.Text = "solicito copia de los extractos bancarios"
	if err := s.SaveOCR(ctx, r.Number, rec, nil); err != nil {
		t.Fatal(err)
	}
	if rs, _ := s.Search(ctx, "extractos bancarios", 10); len(rs) != 1 {
		t.Error("not found by the words read on its pages")
	}
	if rs, _ := s.Search(ctx, "tarjeta", 10); len(rs) != 0 {
		t.Error("found by a word of a text replaced since")
	}
	if p, _ := s.PendingOCR(ctx, 10); len(p) != 0 {
		t.Errorf("still queued: %v", p)
	}
	ex, _ := s.TrainingSince(ctx, 0, 1000)
	if len(ex) != 1 || ex[0].Type != "peticion" {
		t.Errorf("training examples %+v", ex)
	}
	if rd, _ := s.Renditions(ctx, r.Number); len(rd) != 1 {
		t.Errorf("renditions %+v", rd)
	}
	if rep, err := s.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("Verify = %+v, %v", rep, err)
	}
}

func TestSenders(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	for _, sd := range []struct{ name, id string }{
		{"Ana María Pérez", "CC:52123456"},
		{"ANA MARÍA PÉREZ", "CC:52123457"}, // the same sender later, ID corrected
		{"Anabel Ruiz", ""},
		{"Banco 100% Ejemplo", "NIT:8600029644"},
		{"Bernardo_Díaz", ""},
	} {
		d := draft(t, s, radicado.Entrada, "asunto")
		id, err := ident.Parse(sd.id)
		if err != nil {
			t.Fatal(err)
		}
		d.Sender = radicado.Sender{Name: sd.name, ID: id}
		if _, err := s.Radicar(ctx, d); err != nil {
			t.Fatal(err)
		}
		clk.set(clk.now().Add(time.Minute))
	}
	tests := []struct {
		prefix string
		limit  int
		want   []string
	}{
		{"ana", 10, []string{"Anabel Ruiz", "ANA MARÍA PÉREZ CC:52123457"}},
		{"ana m", 10, []string{"ANA MARÍA PÉREZ CC:52123457"}},
		{"ANA", 1, []string{"Anabel Ruiz"}},
		{"banco 100%", 10, []string{"Banco 100% Ejemplo NIT:8600029644"}},
		{"b%", 10, nil}, // % and _ are letters, not wildcards
		{"bernardo_", 10, []string{"Bernardo_Díaz"}},
		{"bernardox", 10, nil},
		{"  ", 10, nil},
	}
	for _, tc := range tests {
		got, err := s.Senders(ctx, tc.prefix, tc.limit)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, g := range got {
			names = append(names, strings.TrimSpace(g.Name+" "+g.ID.String()))
		}
		if strings.Join(names, "|") != strings.Join(tc.want, "|") {
			t.Errorf("Senders(%q) = %q, want %q", tc.prefix, names, tc.want)
		}
	}
}

func TestTrayStates(t *testing.T) {
	ctx := context.Background()
	s, clk := openTest(t)
	var n []string
	for i := range 4 {
		r, err := s.Radicar(ctx, draft(t, s, radicado.Entrada, fmt.Sprint("carta ", i)))
		if err != nil {
			t.Fatal(err)
		}
		n = append(n, r.Number)
		clk.set(clk.now().Add(time.Minute))
	}
	// 0 synced, 1 in conflict, 2 and 3 pending.
	o, err := s.Outgoing(ctx, n[0])
	if err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSynced(ctx, Synced{Number: n[0], Upto: o.Upto}); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkConflict(ctx, n[1], "other content"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		sync radicado.SyncState
		want []string
	}{
		{"", []string{n[3], n[2], n[1], n[0]}},
		{radicado.SyncDone, []string{n[0]}},
		{radicado.SyncConflict, []string{n[1]}},
		{radicado.SyncPending, []string{n[3], n[2]}},
	} {
		rs, err := s.List(ctx, Filter{Sync: tc.sync})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, r := range rs {
			got = append(got, r.Number)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("sync %q: %v, want %v", tc.sync, got, tc.want)
		}
	}
	if _, err := s.List(ctx, Filter{Sync: "maybe"}); err == nil {
		t.Error("an unknown sync state was taken")
	}

	// Stickers: 0 printed after a failure, 1 waiting, 2 cancelled, 3 never.
	job := func(num string) PrintJob {
		j, err := s.QueuePrint(ctx, PrintJob{Number: num, What: "sticker", Printer: "file:///dev/null", Format: "zpl",
			Size: "50x25mm", DPI: 203, Copies: 1, Actor: "ventanilla1"})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}
	j0 := job(n[0])
	must(t, s.PrintDone(ctx, j0.ID, errors.New("out of labels")))
	must(t, s.PrintDone(ctx, j0.ID, nil))
	job(n[1])
	must(t, s.CancelPrint(ctx, job(n[2]).ID))
	got, err := s.StickerStates(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{n[0]: "printed", n[1]: "pending", n[2]: "cancelled"}
	if !maps.Equal(got, want) {
		t.Errorf("sticker states %v, want %v", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// openChildEnv makes the test binary a process that opens the data folder
// it names and exits: 0 opened, 3 not.
const openChildEnv = "RADICADOR_TEST_OPEN_CHILD"

func openChild(dir string) {
	s, err := Open(context.Background(), dir, Options{})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	s.Close()
	os.Exit(0)
}

// TestOpenNewFolderTogether: processes that open a new data folder at the
// same moment (the app and a command, two stations on a share) all get in,
// whoever creates the schema.
func TestOpenNewFolderTogether(t *testing.T) {
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for round := range 15 {
		dir := t.TempDir()
		var cmds []*osexec.Cmd
		var outs []*bytes.Buffer
		for range 6 {
			cmd := osexec.Command(self, "-test.run", "^$")
			cmd.Env = append(os.Environ(), openChildEnv+"="+dir)
			var out bytes.Buffer
			cmd.Stderr = &out
			cmds, outs = append(cmds, cmd), append(outs, &out)
		}
		for _, c := range cmds {
			if err := c.Start(); err != nil {
				t.Fatal(err)
			}
		}
		for i, c := range cmds {
			if err := c.Wait(); err != nil {
				t.Errorf("round %d: a process could not open the new folder: %v: %s", round, err, outs[i])
			}
		}
	}
}
