package ui

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/classify"
	"github.com/radicador/radicador/extract"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/scan/escl/sim"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server/servertest"
)

// pump shows background results, as the UI goroutine would, until cond
// holds.
func pump(t *testing.T, w *Window, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited too long for %s", what)
		}
		select {
		case f := <-w.queue:
			f()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// simulator serves an eSCL scanner with the given faults and gives its
// device URI.
func simulator(t *testing.T, o sim.Options) string {
	srv := httptest.NewServer(sim.New(o))
	t.Cleanup(srv.Close)
	return "escl:" + srv.URL + "/eSCL"
}

// TestScanFaults: a jam, an empty feeder and a cancel each say what
// happened, keep the pages already scanned, and leave the scanner ready.
func TestScanFaults(t *testing.T) {
	tests := []struct {
		name   string
		sim    sim.Options
		cancel bool // stop after the first page
		pages  func(int) bool
		status string
	}{
		{"jam", sim.Options{Sheets: 5, JamAfter: 2}, false, func(n int) bool { return n == 2 },
			"Atasco de papel: se conservan 2 página(s)."},
		{"empty feeder", sim.Options{Empty: true}, false, func(n int) bool { return n == 0 },
			"El alimentador está vacío"},
		{"cancel", sim.Options{Sheets: 10, Delay: 300 * time.Millisecond}, true, func(n int) bool { return n >= 1 && n < 10 },
			"Escaneo detenido; se conservan "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, _ := openWindow(t, map[string]string{"profile.Ventanilla": simulator(t, tc.sim) + " adf 150 gray carta"})
			p := w.reception.pages
			if p.profiles[0].Name != "Ventanilla" || p.profile.SelectedIndex() != 0 {
				t.Fatalf("the configured profile is not the first choice: %v", p.profile.Options)
			}
			// Ctrl+E from a field of the form scans.
			w.Window.Canvas().Focus(w.reception.sender)
			w.reception.sender.TypedShortcut(shortcutScan)
			if p.scanning == nil || !p.scanBtn.Disabled() || p.cancel.Disabled() {
				t.Fatal("the scan did not start, or its buttons did not change")
			}
			if tc.cancel {
				pump(t, w, "the first page", func() bool { return w.batch.Len() >= 1 })
				// eSCL does not say a page's size: the bar moves without a
				// measure, and the status says which page is coming.
				if p.working.Hidden || !strings.HasPrefix(p.status.Text, "Escaneando con Ventanilla… página ") {
					t.Errorf("while scanning: working bar hidden=%v, status %q", p.working.Hidden, p.status.Text)
				}
				test.Tap(p.cancel)
			}
			w.wait()
			if n := w.batch.Len(); !tc.pages(n) || len(p.shown) != n {
				t.Errorf("%d pages kept, %d shown", n, len(p.shown))
			}
			if !strings.HasPrefix(p.status.Text, tc.status) {
				t.Errorf("status %q, want %q…", p.status.Text, tc.status)
			}
			if p.scanning != nil || p.scanBtn.Disabled() || !p.cancel.Disabled() || !p.progress.Hidden {
				t.Error("the scanner is not ready again")
			}
		})
	}
}

// TestRescan replaces a page with what the scanner gives.
func TestRescan(t *testing.T) {
	w, _ := openWindow(t, map[string]string{"profile.Vidrio": simulator(t, sim.Options{Sheets: 1}) + " flatbed 150 gray carta"})
	p := w.reception.pages
	dir := t.TempDir()
	w.reception.dropped(fyne.Position{}, []fyne.URI{
		uriOf(fixture.PNG(t, dir, "a.png", "torcida")), uriOf(fixture.PNG(t, dir, "b.png", "segunda"))})
	w.wait()
	second := p.shown[1].ID
	p.grid.Select(0)
	for _, b := range p.pageTools {
		if b.Text == "Reescanear" {
			test.Tap(b)
		}
	}
	w.wait()
	if len(p.shown) != 2 || p.shown[1].ID != second || p.shown[0].Width <= 200 {
		t.Fatalf("after rescanning page 1: %+v (status %q)", p.shown, p.status.Text)
	}
}

// TestRoutingAndLanguage: the station's language applies, and a type
// routed to a department fills it.
func TestRoutingAndLanguage(t *testing.T) {
	ctx := context.Background()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Clock: func() time.Time { return noon }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	en, sg, route := "en", "Secretaría General", "SG"
	if err := st.Settings.Set(ctx, map[string]*string{"language": &en, "dept.SG": &sg, "route.peticion": &route}); err != nil {
		t.Fatal(err)
	}
	w, err := NewWindow(ctx, test.NewTempApp(t), st, Options{Devices: noDevices, handOver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.wait()
	if got := w.tabs.Items[0].Text; got != "Reception" {
		t.Errorf("first tab %q in English", got)
	}
	r := w.reception
	r.docType.SetSelectedIndex(0)
	w.wait()
	if r.dept.Text != "SG" || r.due.Text != "2026-12-16 (15 business days)" {
		t.Errorf("department %q, due %q", r.dept.Text, r.due.Text)
	}
	if !strings.Contains(r.dept.PlaceHolder, "SG Secretaría General") {
		t.Errorf("placeholder %q", r.dept.PlaceHolder)
	}
}

// TestEnrolAndSync enrols from Ajustes against a real central server;
// background sync then empties the queue and the footer says when.
func TestEnrolAndSync(t *testing.T) {
	ctx := context.Background()
	central := servertest.New(t)
	srv := httptest.NewServer(central.API)
	defer srv.Close()
	central.Enrol(t, "001", "01", "secreto")

	w, _ := openWindow(t, nil)
	rec := radicate(t, w, "Ana", "", "Solicitud")
	w.tabs.SelectIndex(4)
	w.wait()
	s := w.settings
	s.server.SetText(srv.URL)
	s.token.SetText("equivocado")
	s.enroll()
	w.wait()
	if !strings.HasPrefix(s.message.Text, "No se enroló:") {
		t.Errorf("a wrong token: %q", s.message.Text)
	}
	s.token.SetText("secreto")
	s.enroll()
	w.wait()
	if !strings.HasPrefix(s.message.Text, "Enrolada con "+srv.URL) || s.token.Text != "" {
		t.Fatalf("enrolling: %q", s.message.Text)
	}

	bg, stop := context.WithCancel(ctx)
	defer stop()
	w.startBackground(bg, station.SyncOptions{Every: 50 * time.Millisecond})
	pump(t, w, "the sync", func() bool {
		return strings.Contains(w.footer.Text, "Por sincronizar: 0") && strings.Contains(w.footer.Text, "Última sincronización: ")
	})
	stop()
	w.tabs.SelectIndex(1)
	pump(t, w, "the tray", func() bool { return len(w.tray.rows) == 1 && w.tray.cell(w.tray.rows[0], 9) == "sincronizado" })
	if w.tray.rows[0].Number != rec.Number {
		t.Errorf("tray row %s", w.tray.rows[0].Number)
	}

	// Day end: the planilla is written and the server's count matches.
	test.Tap(w.tray.dayEnd)
	w.wait()
	if !strings.Contains(w.tray.message.Text, "El servidor tiene los 1 radicado(s) del día, con el mismo contenido.") {
		t.Errorf("day end: %q", w.tray.message.Text)
	}
	checkPlanilla(t, w, rec.Number)
}

// checkPlanilla checks today's planilla files hold the number.
func checkPlanilla(t *testing.T, w *Window, number string) {
	t.Helper()
	base := filepath.Join(w.st.Dir(), "planillas", "planilla-2026-11-24")
	pdf, err := os.ReadFile(base + ".pdf")
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("planilla PDF: %v", err)
	}
	csv, err := os.ReadFile(base + ".csv")
	if err != nil || !bytes.Contains(csv, []byte(number)) {
		t.Errorf("planilla CSV without %s: %v\n%s", number, err, csv)
	}
}

// TestDayEndOffline: without a server the planilla is still written, and
// the check is said to wait.
func TestDayEndOffline(t *testing.T) {
	w, _ := openWindow(t, nil)
	rec := radicate(t, w, "Ana", "", "Solicitud")
	w.tabs.SelectIndex(1)
	w.wait()
	test.Tap(w.tray.dayEnd)
	w.wait()
	if !strings.HasPrefix(w.tray.message.Text, "Planilla del 2026-11-24 (1 radicado(s)): ") ||
		!strings.HasSuffix(w.tray.message.Text, "Sin servidor: la verificación queda para cuando la estación esté enrolada.") {
		t.Errorf("day end: %q", w.tray.message.Text)
	}
	checkPlanilla(t, w, rec.Number)
}

// TestRestoreAfterRestart: pages not yet radicated are there when the
// station opens again, and are read again.
func TestRestoreAfterRestart(t *testing.T) {
	w, st := openWindow(t, nil)
	dir := t.TempDir()
	w.reception.dropped(fyne.Position{}, []fyne.URI{uriOf(fixture.PNG(t, dir, "a.png", "Asunto: Derecho de peticion")),
		uriOf(fixture.PNG(t, dir, "b.png", "Atentamente"))})
	w.wait()
	w.Close()

	again, err := NewWindow(context.Background(), test.NewTempApp(t), st, Options{Lang: "es", Devices: noDevices, handOver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	again.wait()
	p := again.reception.pages
	if len(p.shown) != 2 || p.status.Text != "Se recuperaron 2 página(s) de la carta que estaba sin radicar." {
		t.Errorf("%d pages, status %q", len(p.shown), p.status.Text)
	}
	if again.reception.reading.Text == "" {
		t.Error("the restored pages were not read")
	}
}

// TestTraySearch: words typed in Bandeja search every radicado, not only
// those on screen, and the filters still apply.
func TestTraySearch(t *testing.T) {
	w, _ := openWindow(t, nil)
	radicate(t, w, "Ana Pérez", "", "Solicitud de copia")
	bank := radicate(t, w, "Banco Ejemplo", "NIT:8600029644", "Factura de servicios")
	w.tabs.SelectIndex(1)
	w.wait()
	tr := w.tray
	tests := []struct {
		text  string
		state int // index of the status filter
		want  []string
	}{
		{"", 0, []string{bank.Number, ""}},
		{"factura", 0, []string{bank.Number}},
		{"860002964", 0, []string{bank.Number}},
		{"factura", 2, nil}, // annulled only
		{"nada parecido", 0, nil},
	}
	for _, tc := range tests {
		tr.state.SetSelectedIndex(tc.state)
		tr.text.SetText(tc.text)
		w.wait()
		var got []string
		for _, r := range tr.rows {
			got = append(got, r.Number)
		}
		if len(got) != len(tc.want) || len(got) > 0 && got[0] != tc.want[0] {
			t.Errorf("%q (status %d): %v, want %v", tc.text, tc.state, got, tc.want)
		}
	}
}

// TestBlankAndSeparator: a blank page is marked and left out, a separator
// sheet ends the letter, and the next letter stays for after radicación.
func TestBlankAndSeparator(t *testing.T) {
	w, _ := openWindow(t, map[string]string{"scan.blank": "drop", "scan.separator": "SEPARADOR"})
	dir := t.TempDir()
	letter := fixture.PNG(t, dir, "carta.png", "Asunto: primera carta")
	blank := fixture.Blank(t, dir, "blanca.png")
	sep := fixture.Barcode(t, dir, "separador.png", "SEPARADOR")
	next := fixture.PNG(t, dir, "otra.png", "Asunto: segunda carta")
	w.reception.dropped(fyne.Position{}, []fyne.URI{uriOf(letter), uriOf(blank), uriOf(sep), uriOf(next)})
	w.wait()
	p := w.reception.pages
	labels := make([]string, len(p.shown))
	for i, pg := range p.shown {
		labels[i] = p.pageLabel(i, pg)
	}
	if strings.Join(labels, "|") != "Pág. 1|Pág. 2 · en blanco, se omite|Pág. 3 · separador|Pág. 4" {
		t.Errorf("page labels %q", labels)
	}
	if p.count.Text != "1 página(s) para esta carta; 4 en el lote" {
		t.Errorf("count %q", p.count.Text)
	}
	rec := radicateForm(t, w, "Ana", "Primera carta")
	if rec.Pages != 1 {
		t.Errorf("the first letter has %d pages", rec.Pages)
	}
	if len(p.shown) != 1 || p.count.Text != "1 página(s) para radicar" {
		t.Errorf("after the first letter: %d pages, %q", len(p.shown), p.count.Text)
	}
}

// TestUnsureFields: what was read with little confidence is flagged, and
// what the clerk typed is never overwritten by a reading.
func TestUnsureFields(t *testing.T) {
	w, _ := openWindow(t, nil)
	r := w.reception
	test.Type(r.subject, "Lo que escribió la auxiliar")
	a := &station.Analysis{Pages: make([]ocr.Page, 2)}
	a.Fields.SenderName = extract.Field{Value: "Ana María Pérez", Confidence: 0.95}
	a.Fields.SenderIDType = extract.Field{Value: "CC", Confidence: 0.9}
	a.Fields.SenderID = extract.Field{Value: "52123456", Confidence: 0.55}
	a.Fields.Subject = extract.Field{Value: "Lo que leyó el OCR", Confidence: 0.99}
	a.Type = classify.Result{Type: "queja_reclamo", Confidence: 0.4}
	r.fill(a)
	if r.sender.Text != "Ana María Pérez" || r.senderID.Text != "CC:52123456" || r.docType.Selected != "Queja o reclamo" {
		t.Errorf("filled: %q %q %q", r.sender.Text, r.senderID.Text, r.docType.Selected)
	}
	if r.subject.Text != "Lo que escribió la auxiliar" {
		t.Errorf("the typed subject was overwritten: %q", r.subject.Text)
	}
	for key, want := range map[string]string{"sender": "", "sender_id": "Verifique: leído con 55 % de confianza",
		"type": "Verifique: leído con 40 % de confianza"} {
		if got := r.items[key].HintText; got != want {
			t.Errorf("%s hint %q, want %q", key, got, want)
		}
	}
	if r.reading.Text != "Datos leídos de 2 página(s). Verifique: Identificación, Tipo documental." {
		t.Errorf("reading %q", r.reading.Text)
	}
}

// TestClockBehind: a clock set back stops radicación with the reason in
// the clerk's words, and the letter stays on the form.
func TestClockBehind(t *testing.T) {
	ctx := context.Background()
	now := noon
	st, err := station.Open(ctx, t.TempDir(), station.Options{Clock: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	w, err := NewWindow(ctx, test.NewTempApp(t), st, Options{Lang: "es", Devices: noDevices, handOver: true})
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	radicate(t, w, "Ana", "", "Primera")
	now = noon.Add(-time.Hour)
	r := w.reception
	r.dropped(fyne.Position{}, []fyne.URI{uriOf(fixture.PNG(t, t.TempDir(), "carta.png", "segunda"))})
	w.wait()
	r.clearForm()
	r.docType.SetSelectedIndex(0)
	test.Type(r.sender, "Beto")
	test.Type(r.subject, "Segunda")
	r.submit()
	w.wait()
	if !strings.HasPrefix(r.status.Text, "No se radicó: el reloj del computador está atrasado respecto al último radicado") {
		t.Errorf("status %q", r.status.Text)
	}
	if r.sender.Text != "Beto" || w.batch.Len() != 1 {
		t.Error("the letter was taken off the form")
	}
}
