package ui

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/assets"
	"github.com/radicador/radicador/internal/fixture"
	_ "github.com/radicador/radicador/procenv" // quiet Fyne under LANG=C.UTF-8
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// noon is the fixed time of the tests' clock: a Tuesday.
var noon = time.Date(2026, 11, 24, 10, 30, 0, 0, time.FixedZone("COT", -5*3600))

// noDevices stands for a machine with no scanner plugged in: the profiles
// offered are then the built-in simulator and SANE's test device.
func noDevices(context.Context) ([]scan.Device, error) { return nil, nil }

func openWindow(t *testing.T, settings map[string]string) (*Window, *station.Station) {
	t.Helper()
	ctx := context.Background()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "ventanilla1", Clock: func() time.Time { return noon }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	changes := map[string]*string{}
	for k, v := range settings {
		changes[k] = &v
	}
	if err := st.Settings.Set(ctx, changes); err != nil {
		t.Fatal(err)
	}
	w, err := NewWindow(ctx, test.NewTempApp(t), st, Options{Lang: "es", Devices: noDevices, handOver: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close(); w.Window.Close() })
	w.Window.Resize(fyne.NewSize(1366, 740))
	w.wait()
	return w, st
}

// useProfile picks the profile whose device is uri.
func useProfile(t *testing.T, w *Window, uri string) {
	t.Helper()
	p := w.reception.pages
	for i, pr := range p.profiles {
		if pr.Device == uri {
			p.profile.SetSelectedIndex(i)
			return
		}
	}
	t.Fatalf("no profile for %s among %v", uri, p.profile.Options)
}

// TestWholeLoop drives the station as a clerk does: scan a letter from
// the simulator, let the form fill itself, radicate with Ctrl+Enter, see
// the number and the sticker, and find the letter in Bandeja and Buscar.
func TestWholeLoop(t *testing.T) {
	w, st := openWindow(t, nil)
	r := w.reception
	test.AssertRendersToMarkup(t, "reception_empty.xml", w.Window.Canvas())

	useProfile(t, w, deviceSimulator)
	test.Tap(r.pages.scanBtn)
	w.wait()
	if n := w.batch.Len(); n != 3 {
		t.Fatalf("%d pages after scanning the simulator's 3 sheets; status %q", n, r.pages.status.Text)
	}
	if r.pages.status.Text != "3 página(s) escaneada(s)." || r.pages.count.Text != "3 página(s) para radicar" {
		t.Errorf("status %q, count %q", r.pages.status.Text, r.pages.count.Text)
	}
	for _, pg := range w.batch.Pages() {
		if _, err := os.Stat(pg.Thumb); err != nil {
			t.Errorf("page %d has no thumbnail: %v", pg.ID, err)
		}
	}
	// The reading filled the form; the clerk types nothing.
	if r.sender.Text != "Ana María Pérez" || r.senderID.Text != "CC:52123456" || r.docType.Selected != "Derecho de petición" {
		t.Fatalf("form after reading: sender %q, id %q, type %q (%s)", r.sender.Text, r.senderID.Text, r.docType.Selected, r.reading.Text)
	}
	if !strings.HasPrefix(r.subject.Text, "Derecho de petición") {
		t.Errorf("subject %q", r.subject.Text)
	}
	if r.due.Text != "2026-12-16 (15 días hábiles)" {
		t.Errorf("due %q", r.due.Text)
	}

	w.Window.Canvas().Focus(r.subject)
	r.subject.TypedShortcut(shortcutRadicar)
	w.wait()
	rs, err := st.Records.List(context.Background(), store.Filter{})
	if err != nil || len(rs) != 1 {
		t.Fatalf("store holds %d radicados, %v; status %q", len(rs), err, r.status.Text)
	}
	rec := rs[0]
	if r.number.Text != rec.Number || rec.Pages != 3 || rec.Sender.Name != "Ana María Pérez" || rec.Type != "peticion" {
		t.Errorf("on screen %q, stored %+v", r.number.Text, rec)
	}
	if !strings.HasPrefix(r.status.Text, "Radicado "+rec.Number+" · 3 folio(s) · vence 2026-12-16") {
		t.Errorf("status %q", r.status.Text)
	}
	// No printer is configured: the sticker went to the preview folder, as
	// PNG, the same bytes the screen shows.
	want, _, err := st.Printing.Sticker(context.Background(), rec.Number, station.LabelOptions{Format: "png", DPI: 203})
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(st.Dir(), "etiquetas", rec.Number+"-sticker.png"))
	if err != nil || !bytes.Equal(got, want) {
		t.Errorf("preview printer file: %d bytes, %v", len(got), err)
	}
	if r.sticker.Hidden || r.sticker.Resource == nil || !bytes.Equal(r.sticker.Resource.Content(), want) {
		t.Error("the sticker is not previewed on screen")
	}
	if !strings.Contains(r.printed.Text, "etiquetas") {
		t.Errorf("print status %q", r.printed.Text)
	}
	if w.batch.Len() != 0 || r.sender.Text != "" {
		t.Error("the next letter does not start empty")
	}
	if !strings.Contains(w.footer.Text, "Por sincronizar: 1") || !strings.Contains(w.footer.Text, "Nunca sincronizada") {
		t.Errorf("footer %q", w.footer.Text)
	}

	// The receipt, as PDF in the preview folder.
	test.Tap(r.receipt)
	w.wait()
	pdf, err := os.ReadFile(filepath.Join(st.Dir(), "etiquetas", rec.Number+"-receipt.pdf"))
	if err != nil || !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Errorf("receipt: %v", err)
	}

	// Bandeja.
	w.tabs.SelectIndex(1)
	w.wait()
	tr := w.tray
	if len(tr.rows) != 1 {
		t.Fatalf("tray has %d rows", len(tr.rows))
	}
	for col, want := range map[int]string{0: rec.Number, 3: "Derecho de petición", 6: "2026-12-16", 7: "vigente", 8: "impreso", 9: "pendiente"} {
		if got := tr.cell(tr.rows[0], col); got != want {
			t.Errorf("tray column %d = %q, want %q", col, got, want)
		}
	}
	test.AssertRendersToMarkup(t, "tray.xml", w.Window.Canvas())

	// Buscar, by the sender's ID, with the pages previewed.
	w.tabs.SelectIndex(3)
	test.Type(w.search.query, "52123456")
	w.search.query.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	w.wait()
	if len(w.search.found) != 1 || w.search.found[0].Number != rec.Number {
		t.Fatalf("search found %d", len(w.search.found))
	}
	w.wait()
	if n := len(w.search.pages.Objects); n != 3 {
		t.Errorf("%d page previews, want 3", n)
	}

	// Once the background reader has read the radicado, a word found only
	// in the letter's body finds it.
	if n, err := st.Reading.ReadPending(context.Background()); err != nil || n != 1 {
		t.Fatalf("read %d radicados: %v", n, err)
	}
	w.search.query.SetText("reposan archivos")
	w.search.run()
	w.wait()
	if len(w.search.found) != 1 || w.search.found[0].Number != rec.Number {
		t.Errorf("searching the letter's body found %d", len(w.search.found))
	}

	// The classifier learnt the letter once: from its reading after
	// radicación, not again from the form.
	s, err := store.Open(context.Background(), st.Dir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if ex, err := s.TrainingSince(context.Background(), 0, 100); err != nil || len(ex) != 1 || ex[0].Type != rec.Type {
		t.Errorf("the classifier's examples after one radicado: %+v %v", ex, err)
	}

	// The previews' pages go with the window.
	w.Close()
	if left, _ := filepath.Glob(filepath.Join(st.Dir(), "tmp", "preview-*")); len(left) != 0 {
		t.Errorf("preview pages left after the window closed: %v", left)
	}
}

// TestSANETestDevice scans the feeder of SANE's test backend, a real
// scanner driver, from the reception screen.
func TestSANETestDevice(t *testing.T) {
	w, _ := openWindow(t, map[string]string{"scan.blank": "keep", "scan.deskew": "no"})
	useProfile(t, w, deviceSANETest)
	test.Tap(w.reception.pages.scanBtn)
	w.wait()
	if n := w.batch.Len(); n != 10 {
		t.Fatalf("%d pages from the test device's feeder, want 10; status %q", n, w.reception.pages.status.Text)
	}
	if len(w.reception.pages.shown) != 10 {
		t.Errorf("%d thumbnails on screen", len(w.reception.pages.shown))
	}
	// SANE says each page's size: the bar measured the last page to its end.
	if v := w.reception.pages.progress.Value; v < 0.95 {
		t.Errorf("progress bar at %.2f after the batch", v)
	}
}

// TestPageTools turns, moves and removes pages from the page toolbar.
func TestPageTools(t *testing.T) {
	w, _ := openWindow(t, nil)
	p := w.reception.pages
	dir := t.TempDir()
	a := fixture.PNG(t, dir, "a.png", "Primera pagina")
	b := fixture.PNG(t, dir, "b.png", "Segunda pagina")
	w.reception.dropped(fyne.Position{}, []fyne.URI{uriOf(a), uriOf(b)})
	w.wait()
	if len(p.shown) != 2 {
		t.Fatalf("%d pages after dropping 2 files", len(p.shown))
	}
	first, second := p.shown[0], p.shown[1]
	tool := func(key string) *widget.Button {
		for _, b := range p.pageTools {
			if b.Text == w.tr.T(key) {
				return b
			}
		}
		t.Fatalf("no tool %s", key)
		return nil
	}
	if !tool("page.up").Disabled() {
		t.Error("page tools are on with no page selected")
	}
	p.grid.Select(1)
	test.Tap(tool("page.up"))
	if p.shown[0].ID != second.ID {
		t.Fatalf("order after moving page 2 up: %d, %d", p.shown[0].ID, p.shown[1].ID)
	}
	test.Tap(tool("page.rotate_right"))
	w.wait()
	turned := p.shown[0]
	if turned.Turned != 1 || turned.Width != second.Height {
		t.Errorf("after turning: %+v", turned)
	}
	_, files := w.batch.Document()
	if len(files) != 2 || files[0] == b || files[1] != a {
		t.Errorf("files to radicate %v: a turned page goes as its new image, an untouched file as it is", files)
	}
	test.Tap(tool("page.delete"))
	if len(p.shown) != 1 || p.shown[0].ID != first.ID {
		t.Errorf("after removing: %v", p.shown)
	}
}

func uriOf(path string) fyne.URI {
	return &fileURI{path}
}

// fileURI is a file dropped on the window.
type fileURI struct{ path string }

func (u *fileURI) Extension() string { return filepath.Ext(u.path) }
func (u *fileURI) Name() string      { return filepath.Base(u.path) }
func (u *fileURI) MimeType() string  { return "" }
func (u *fileURI) Scheme() string    { return "file" }
func (u *fileURI) String() string    { return "file://" + u.path }
func (u *fileURI) Authority() string { return "" }
func (u *fileURI) Path() string      { return u.path }
func (u *fileURI) Query() string     { return "" }
func (u *fileURI) Fragment() string  { return "" }

// TestValidation: what is missing is said in the clerk's words, and
// nothing is recorded.
func TestValidation(t *testing.T) {
	tests := []struct {
		name   string
		fill   func(r *reception, page string)
		status string
	}{
		{"no pages", func(r *reception, _ string) {
			r.docType.SetSelectedIndex(0)
			test.Type(r.sender, "Ana")
			test.Type(r.subject, "Solicitud")
		}, "Falta el documento: escanee o importe la carta."},
		{"no type", func(r *reception, page string) {
			r.dropped(fyne.Position{}, []fyne.URI{uriOf(page)})
			r.w.wait()
			r.clearForm()
			test.Type(r.sender, "Ana")
			test.Type(r.subject, "Solicitud")
		}, "Elija el tipo documental."},
		{"no sender", func(r *reception, page string) {
			r.dropped(fyne.Position{}, []fyne.URI{uriOf(page)})
			r.w.wait()
			r.clearForm()
			r.docType.SetSelectedIndex(0)
			test.Type(r.subject, "Solicitud")
		}, "Escriba el remitente."},
		{"bad NIT", func(r *reception, page string) {
			r.dropped(fyne.Position{}, []fyne.URI{uriOf(page)})
			r.w.wait()
			r.clearForm()
			r.docType.SetSelectedIndex(0)
			test.Type(r.sender, "Banco")
			test.Type(r.senderID, "NIT:900123456-1")
			test.Type(r.subject, "Factura")
		}, "La identificación no es válida: "},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w, st := openWindow(t, nil)
			r := w.reception
			tc.fill(r, fixture.PNG(t, t.TempDir(), "carta.png", "Carta"))
			r.submit()
			w.wait()
			if !strings.HasPrefix(r.status.Text, tc.status) || r.status.Importance != widget.DangerImportance {
				t.Errorf("status %q", r.status.Text)
			}
			if rs, _ := st.Records.List(context.Background(), store.Filter{}); len(rs) != 0 || r.number.Text != "" {
				t.Errorf("%d radicados after a refused form", len(rs))
			}
		})
	}
}

// radicate puts a one-page letter on the form and radicates it.
func radicate(t *testing.T, w *Window, sender, id, subject string) radicado.Record {
	t.Helper()
	w.reception.dropped(fyne.Position{}, []fyne.URI{uriOf(fixture.PNG(t, t.TempDir(), "carta.png", subject))})
	w.wait()
	return radicateForm(t, w, sender, subject, id)
}

// radicateForm fills the form (type, sender, subject, ID) over the pages
// already there and radicates.
func radicateForm(t *testing.T, w *Window, sender, subject string, id ...string) radicado.Record {
	t.Helper()
	r := w.reception
	r.clearForm()
	r.docType.SetSelectedIndex(0)
	test.Type(r.sender, sender)
	for _, v := range id {
		test.Type(r.senderID, v)
	}
	test.Type(r.subject, subject)
	r.submit()
	w.wait()
	rec, err := w.st.Records.Get(context.Background(), r.last)
	if err != nil {
		t.Fatalf("radicating: %v (status %q)", err, r.status.Text)
	}
	return rec
}

// TestPrinterOff: a label printer that is off leaves the radicado standing
// and the sticker queued, with a warning on screen and in the footer.
func TestPrinterOff(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	w, st := openWindow(t, map[string]string{"printer": "tcp://" + addr})
	rec := radicate(t, w, "Ana", "", "Solicitud")
	r := w.reception
	if !strings.HasPrefix(r.printed.Text, "⚠ El sticker no se imprimió") || !strings.Contains(r.printed.Text, "Reintentar impresiones") {
		t.Errorf("print status %q", r.printed.Text)
	}
	if !strings.HasPrefix(r.status.Text, "Radicado "+rec.Number) {
		t.Errorf("status %q", r.status.Text)
	}
	if q, _ := st.Printing.PrintQueue(context.Background()); len(q) != 1 || q[0].Number != rec.Number {
		t.Errorf("print queue %+v", q)
	}
	if !strings.Contains(w.footer.Text, "1 impresión(es) en cola") {
		t.Errorf("footer %q", w.footer.Text)
	}
	w.tabs.SelectIndex(1)
	w.wait()
	if got := w.tray.cell(w.tray.rows[0], 8); got != "⚠ en cola" {
		t.Errorf("sticker column %q", got)
	}
	if w.tray.retry.Disabled() || w.tray.retry.Text != "Reintentar impresiones (1)" {
		t.Errorf("retry button %q disabled=%v", w.tray.retry.Text, w.tray.retry.Disabled())
	}

	// The queue says why the job waits; cancelling keeps it on record.
	w.tray.showPrintQueue()
	w.wait()
	top := w.Window.Canvas().Overlays().Top()
	line := find[*widget.Label](top, func(l *widget.Label) bool { return strings.HasPrefix(l.Text, rec.Number+" · sticker · tcp://") })
	if line == nil || !strings.Contains(line.Text, "1 intento(s): ") {
		t.Fatalf("the queue does not show the job and its error")
	}
	cancel := find[*widget.Button](top, func(b *widget.Button) bool { return b.Text == "Cancelar" })
	test.Tap(cancel)
	w.wait()
	if q, _ := st.Printing.PrintQueue(context.Background()); len(q) != 0 {
		t.Errorf("%d jobs wait after cancelling", len(q))
	}
	if jobs, _ := st.Printing.PrintJobs(context.Background(), rec.Number); len(jobs) != 1 || jobs[0].State != "cancelled" {
		t.Errorf("the job after cancelling: %+v", jobs)
	}
	if !w.tray.retry.Disabled() || strings.Contains(w.footer.Text, "en cola") {
		t.Errorf("after cancelling: retry %q, footer %q", w.tray.retry.Text, w.footer.Text)
	}
}

// TestSenderSuggestions: a sender seen before is offered as the clerk
// types, and the Down key takes it with its ID.
func TestSenderSuggestions(t *testing.T) {
	w, _ := openWindow(t, nil)
	radicate(t, w, "Ana María Pérez", "CC:52123456", "Primera")
	r := w.reception
	test.Type(r.sender, "An")
	w.wait()
	if len(r.senders) != 1 || len(r.suggest.Objects) != 1 {
		t.Fatalf("%d suggestions", len(r.senders))
	}
	r.sender.TypedKey(&fyne.KeyEvent{Name: fyne.KeyDown})
	if r.sender.Text != "Ana María Pérez" || r.senderID.Text != "CC:52123456" || len(r.suggest.Objects) != 0 {
		t.Errorf("after Down: %q %q", r.sender.Text, r.senderID.Text)
	}
}

// TestAnnulFromTray annuls through the dialog: no reason, no annulment.
func TestAnnulFromTray(t *testing.T) {
	w, st := openWindow(t, nil)
	rec := radicate(t, w, "Ana", "", "Solicitud")
	w.tabs.SelectIndex(1)
	w.wait()
	w.tray.table.Select(widget.TableCellID{Row: 0, Col: 0})
	var annul *widget.Button
	for _, b := range w.tray.actions {
		if b.Text == "Anular…" {
			annul = b
		}
	}
	test.Tap(annul)
	top := w.Window.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	reason := find[*widget.Entry](top, func(e *widget.Entry) bool { return e.MultiLine })
	confirm := find[*widget.Button](top, func(b *widget.Button) bool { return b.Text == "Anular…" })
	if reason == nil || confirm == nil {
		t.Fatal("the dialog has no reason or no button")
	}
	if !confirm.Disabled() {
		t.Error("annulment is offered without a reason")
	}
	test.Type(reason, "Radicado por error: la carta era para otra entidad")
	if confirm.Disabled() {
		t.Fatal("annulment refused with a reason")
	}
	test.Tap(confirm)
	w.wait()
	got, err := st.Records.Get(context.Background(), rec.Number)
	if err != nil || got.Status != radicado.Annulled || got.Annulment.Reason != "Radicado por error: la carta era para otra entidad" {
		t.Fatalf("after annulling: %+v, %v", got, err)
	}
	if w.tray.cell(w.tray.rows[0], 7) != "anulado" {
		t.Errorf("tray status %q", w.tray.cell(w.tray.rows[0], 7))
	}
	// Ver shows it in Buscar, with the reason it was annulled.
	w.tray.table.Select(widget.TableCellID{Row: 0, Col: 0})
	for _, b := range w.tray.actions {
		if b.Text == "Ver" {
			test.Tap(b)
		}
	}
	w.wait()
	if w.tabs.SelectedIndex() != 3 || len(w.search.found) != 1 ||
		!strings.Contains(w.search.detail.Text, "Anulado por ventanilla1") {
		t.Errorf("Ver: tab %d, %d found, detail %q", w.tabs.SelectedIndex(), len(w.search.found), w.search.detail.Text)
	}
	w.tabs.SelectIndex(1)
	w.wait()

	// The filter on annulled radicados shows it; on active ones, not.
	w.tray.state.SetSelectedIndex(1)
	w.wait()
	if len(w.tray.rows) != 0 {
		t.Errorf("%d active rows", len(w.tray.rows))
	}
	w.tray.state.SetSelectedIndex(2)
	w.wait()
	if len(w.tray.rows) != 1 {
		t.Errorf("%d annulled rows", len(w.tray.rows))
	}
}

// find gives the first object of type T under o for which ok holds.
func find[T fyne.CanvasObject](o fyne.CanvasObject, ok func(T) bool) T {
	var zero T
	if v, is := o.(T); is && ok(v) {
		return v
	}
	var children []fyne.CanvasObject
	switch c := o.(type) {
	case *fyne.Container:
		children = c.Objects
	case fyne.Widget:
		children = test.WidgetRenderer(c).Objects()
	}
	for _, ch := range children {
		if v := find(ch, ok); any(v) != any(zero) {
			return v
		}
	}
	return zero
}

// TestSettings: a section is stored only when the station accepts it
// whole; a new scanner profile reaches Recepción.
func TestSettings(t *testing.T) {
	w, st := openWindow(t, nil)
	w.tabs.SelectIndex(4)
	w.wait()
	s := w.settings
	if s.office.Text != "001" || s.printLang.Selected != "zpl" || s.labelSize.Text != "50x25mm" {
		t.Fatalf("settings shown: office %q, language %q, size %q", s.office.Text, s.printLang.Selected, s.labelSize.Text)
	}
	test.AssertRendersToMarkup(t, "settings.xml", w.Window.Canvas())

	s.printerURI.SetText("ftp://nowhere")
	s.savePrinter()
	w.wait()
	if !strings.HasPrefix(s.message.Text, "No se guardó:") {
		t.Errorf("a bad printer: %q", s.message.Text)
	}
	if cfg, _ := st.Settings.Config(context.Background()); cfg.Printing.Printer != "" {
		t.Error("a bad printer was stored")
	}

	s.pName.SetText("Ventanilla dúplex")
	s.pDevice.SetText("sane:test")
	s.pSource.SetSelectedIndex(1)
	s.pDPI.SetSelected("200")
	s.saveProfile()
	w.wait()
	if s.message.Text != "Ajustes guardados." {
		t.Fatalf("saving a profile: %q", s.message.Text)
	}
	p := w.reception.pages
	if len(p.profiles) == 0 || p.profiles[0].Name != "Ventanilla dúplex" || p.profiles[0].Settings.Source != scan.Duplex {
		t.Errorf("profiles on the reception screen: %+v", p.profiles)
	}

	s.office.SetText("7")
	s.saveStation()
	w.wait()
	if !strings.Contains(w.Window.Title(), "Oficina 007") {
		t.Errorf("title %q after changing the office", w.Window.Title())
	}
}

func TestTranslationsHaveTheSameKeys(t *testing.T) {
	var keys [][]string
	for _, lang := range Languages {
		b, err := assets.Translations.ReadFile("translations/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		var m map[string]string
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s: %v", lang, err)
		}
		keys = append(keys, slices.Sorted(maps.Keys(m)))
	}
	for i := 1; i < len(keys); i++ {
		if !slices.Equal(keys[0], keys[i]) {
			t.Errorf("%s and %s have different keys", Languages[0], Languages[i])
		}
	}
	if _, err := newCatalog("fr"); err == nil {
		t.Error("an unknown language was accepted")
	}
}
