package station

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

var bogota = time.FixedZone("COT", -5*3600)

func openTest(t testing.TB, now func() time.Time) *Station {
	t.Helper()
	st, err := Open(context.Background(), t.TempDir(), Options{Actor: "ventanilla1", Clock: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func fixedClock(t time.Time) func() time.Time {
	return func() time.Time { t = t.Add(time.Millisecond); return t }
}

// footprint is what a failed radicación must leave unchanged.
type footprint struct {
	radicados, events, blobs int
}

func footprintOf(t *testing.T, st *Station) footprint {
	t.Helper()
	ctx := context.Background()
	rs, err := st.Records.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	evs, err := st.core.store.Events(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	blobs := 0
	filepath.WalkDir(filepath.Join(st.core.store.Dir(), "files"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.Contains(p, string(filepath.Separator)+"tmp"+string(filepath.Separator)) {
			blobs++
		}
		return nil
	})
	return footprint{len(rs), len(evs), blobs}
}

func TestRadicar(t *testing.T) {
	ctx := context.Background()
	// Tuesday 3 November 2026, 10:00 in Bogotá.
	st := openTest(t, fixedClock(time.Date(2026, 11, 3, 10, 0, 0, 0, bogota)))
	dir := t.TempDir()
	page1 := fixture.PNG(t, dir, "p1.png", "Bogota, 2 de noviembre de 2026")
	page2 := fixture.JPEG(t, dir, "p2.jpg", "Atentamente,")
	annex := fixture.PDF(t, dir, "anexo.pdf", 3)
	rec, err := st.Records.Radicar(ctx, Request{
		Kind: radicado.Entrada, Type: "peticion", SenderName: "  Héctor   Fabio Cárdenas ", SenderID: "cc 79.845.112",
		Subject: "Derecho de petición", Dept: "CONT", Files: []string{page1, page2, annex},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Number != "2026001010000012" || rec.Pages != 5 || rec.Due.String() != "2026-11-25" ||
		rec.Sender.Name != "Héctor Fabio Cárdenas" || rec.Sender.ID.String() != "CC:79845112" || rec.Dept != "CONT" {
		t.Errorf("Radicar = %+v", rec)
	}
	if want := radicado.DocumentHash(rec.Files); rec.SHA256 != want || len(rec.Files) != 3 {
		t.Errorf("document hash %s over %d files", rec.SHA256, len(rec.Files))
	}
	for i, mt := range []string{"image/png", "image/jpeg", "application/pdf"} {
		if rec.Files[i].MediaType != mt {
			t.Errorf("file %d is %s, want %s", i, rec.Files[i].MediaType, mt)
		}
	}
	// A type without a term gets no due date.
	rec2, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "oficio", SenderName: "Alcaldía", Subject: "Oficio 123", Files: []string{page1}})
	if err != nil {
		t.Fatal(err)
	}
	if !rec2.Due.IsZero() || rec2.Number != "2026001010000022" {
		t.Errorf("oficio = %s due %q", rec2.Number, rec2.Due)
	}
}

func TestRadicarRejects(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, nil)
	dir := t.TempDir()
	good := fixture.PNG(t, dir, "ok.png", "carta")
	empty := fixture.Write(t, dir, "empty.png", nil)
	corrupt := fixture.Write(t, dir, "corrupt.jpg", []byte("\xff\xd8\xff\xe0 not really a jpeg"))
	text := fixture.Write(t, dir, "carta.txt", []byte("Señores, ..."))
	base := Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana Pérez", SenderID: "CC:52123456", Subject: "Solicitud", Files: []string{good}}
	if _, err := st.Records.Radicar(ctx, base); err != nil { // one good radicado first
		t.Fatal(err)
	}
	before := footprintOf(t, st)
	for _, tc := range []struct {
		name string
		mod  func(*Request)
		want string
	}{
		{"missing file", func(r *Request) { r.Files = []string{good, filepath.Join(dir, "nope.pdf")} }, "does not exist"},
		{"zero-byte file", func(r *Request) { r.Files = []string{empty} }, "empty"},
		{"corrupt image", func(r *Request) { r.Files = []string{good, corrupt} }, "damaged image/jpeg"},
		{"not a document", func(r *Request) { r.Files = []string{text} }, "not a JPEG, PNG, TIFF or PDF"},
		{"a folder", func(r *Request) { r.Files = []string{dir} }, "not a regular file"},
		{"no files", func(r *Request) { r.Files = nil }, "no document"},
		{"unknown type", func(r *Request) { r.Type = "carta" }, `document type "carta" is not known`},
		{"NIT check digit", func(r *Request) { r.SenderID = "NIT:800197268-5" }, "check digit"},
		{"invalid UTF-8 sender", func(r *Request) { r.SenderName = "Ana \xff Pérez" }, "not valid UTF-8"},
		{"invalid UTF-8 subject", func(r *Request) { r.Subject = "Solicitud \xc3" }, "not valid UTF-8"},
		{"control character", func(r *Request) { r.Subject = "Solicitud\x00" }, "control character"},
		{"no sender", func(r *Request) { r.SenderName = "   " }, "sender's name is missing"},
		{"no subject", func(r *Request) { r.Subject = "" }, "subject is missing"},
		{"no kind", func(r *Request) { r.Kind = 0 }, "choose the kind"},
		{"bad department", func(r *Request) { r.Dept = "Contabilidad y finanzas" }, "department code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := base
			tc.mod(&req)
			_, err := st.Records.Radicar(ctx, req)
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not say %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is more than one line", err)
			}
			if after := footprintOf(t, st); after != before {
				t.Errorf("the store changed: %+v → %+v", before, after)
			}
		})
	}
}

func TestAnularNeedsReason(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, nil)
	p := fixture.PNG(t, t.TempDir(), "p.png", "x")
	rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Salida, Type: "otro", SenderName: "Entidad", Subject: "Respuesta", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	before := footprintOf(t, st)
	for _, reason := range []string{"", "   \t", "bad \xff"} {
		if _, err := st.Records.Anular(ctx, rec.Number, reason); err == nil {
			t.Errorf("annulled with reason %q", reason)
		}
	}
	if after := footprintOf(t, st); after != before {
		t.Errorf("the store changed: %+v → %+v", before, after)
	}
	got, err := st.Records.Anular(ctx, " "+rec.Number+" ", "Se radicó como salida; era entrada")
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != radicado.Annulled || got.Annulment.By != "ventanilla1" {
		t.Errorf("after Anular: %+v", got)
	}
}

func TestConfig(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, fixedClock(time.Date(2026, 11, 3, 10, 0, 0, 0, bogota)))
	s := func(v string) *string { return &v }
	for _, tc := range []struct {
		name    string
		changes map[string]*string
		wantErr string
	}{
		{"short office code is padded", map[string]*string{"office": s("7")}, ""},
		{"pattern with codes that do not fit", map[string]*string{"pattern": s("{year}{office:4}{station:2}{seq:6}{kind}")}, "must be 4 digits"},
		{"pattern and code together", map[string]*string{"pattern": s("{year}-{office:4}-{station:2}-{seq:5}-{kind}"), "office": s("0120")}, ""},
		{"bad pattern", map[string]*string{"pattern": s("{seq:6}")}, "is missing"},
		{"letters in office", map[string]*string{"office": s("0A10")}, "must be 4 digits"},
		{"unknown key", map[string]*string{"colour": s("red")}, "unknown setting"},
		{"new term", map[string]*string{"term.peticion": s("10"), "term.derecho_autor": s("20"), "type.derecho_autor": s("Derechos de autor")}, ""},
		{"bad term", map[string]*string{"term.peticion": s("quince")}, "not a number"},
		{"negative term", map[string]*string{"term.peticion": s("-1")}, "not a number"},
		{"bad hours", map[string]*string{"hours": s("17:00-08:00")}, "closing must come after"},
		{"closure", map[string]*string{"closure.2026-11-04": s("Traslado de sede")}, ""},
		{"bad closure date", map[string]*string{"closure.2026-13-01": s("x")}, "YYYY-MM-DD"},
		{"bad type code", map[string]*string{"type.Carta Nueva": s("Carta")}, "type code"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Settings.Set(ctx, tc.changes)
			if tc.wantErr == "" && err != nil {
				t.Fatal(err)
			}
			if tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("error %v, want %q", err, tc.wantErr)
			}
		})
	}
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Office != "0120" || cfg.Pattern != "{year}-{office:4}-{station:2}-{seq:5}-{kind}" || len(cfg.Closures) != 1 {
		t.Errorf("config = %+v", cfg)
	}
	dt, err := radicado.FindType(cfg.Types, "derecho_autor")
	if err != nil || dt.Days != 20 || dt.Name != "Derechos de autor" {
		t.Errorf("new type = %+v, %v", dt, err)
	}
	p := fixture.PNG(t, t.TempDir(), "p.png", "x")
	rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Pregunta", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	// 10 business days from Tuesday 3 November 2026, with 4 November closed
	// and 16 November a holiday.
	if rec.Number != "2026-0120-01-00001-2" || rec.Due.String() != "2026-11-19" {
		t.Errorf("radicado %s due %s", rec.Number, rec.Due)
	}
	if err := st.Settings.Set(ctx, map[string]*string{"closure.2026-11-04": nil}); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := st.Settings.Config(ctx); len(cfg.Closures) != 0 {
		t.Errorf("closure not removed: %+v", cfg.Closures)
	}
	due, err := st.Records.DueFor(ctx, calendar.Date{Year: 2026, Month: 11, Day: 3}, "peticion")
	if err != nil || due.String() != "2026-11-18" {
		t.Errorf("DueFor = %s, %v", due, err)
	}
}

func TestDefaultDataDir(t *testing.T) {
	t.Setenv("RADICADOR_DATA", "")
	t.Setenv("XDG_DATA_HOME", "/srv/datos")
	if d, err := DefaultDataDir(); err != nil || (d != "/srv/datos/radicador" && os.PathSeparator == '/') {
		t.Errorf("DefaultDataDir = %s, %v", d, err)
	}
	t.Setenv("RADICADOR_DATA", "/var/lib/radicador")
	if d, _ := DefaultDataDir(); d != "/var/lib/radicador" {
		t.Errorf("DefaultDataDir with RADICADOR_DATA = %s", d)
	}
}

// TestDueNow: the due date the form shows is the one radicación gives,
// office hours included.
func TestDueNow(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2026, 11, 23, 10, 0, 0, 0, bogota), "2026-12-15"}, // Monday, open
		{time.Date(2026, 11, 23, 20, 0, 0, 0, bogota), "2026-12-16"}, // after closing: from Tuesday
	} {
		st := openTest(t, fixedClock(tc.at))
		due, err := st.Records.DueNow(ctx, "peticion")
		if err != nil || due.String() != tc.want {
			t.Errorf("at %v: %v, %v; want %s", tc.at, due, err, tc.want)
		}
		rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Copia",
			Files: []string{fixture.PNG(t, t.TempDir(), "carta.png", "carta")}})
		if err != nil || rec.Due != due {
			t.Errorf("at %v the radicado is due %v (%v), the form said %v", tc.at, rec.Due, err, due)
		}
	}
}
