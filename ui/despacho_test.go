package ui

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

// TestDespachoScreen: the loop as a clerk works it at Despacho: the
// answer of an entrada radicated as a salida, three salidas chosen into a
// dispatch for 4-72, their guides arriving as a burst of scanner
// keystrokes (each code and Enter, no click between them), the dispatch
// closed with its planilla, the courier's results file, a returned
// envelope recorded from the scan of its sticker, and its second attempt.
func TestDespachoScreen(t *testing.T) {
	w, st := openWindow(t, nil)
	ctx := context.Background()
	src := t.TempDir()
	e, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud",
		Files: []string{fixture.PNG(t, src, "e.png", "Solicitud")}})
	if err != nil {
		t.Fatal(err)
	}
	var salidas []string
	for i, city := range []string{"Bogotá", "Medellín", "Barranquilla"} {
		req := station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Secretaría", Subject: "Respuesta",
			Files:     []string{fixture.PNG(t, src, "s.png", "Respuesta")},
			Recipient: &radicado.Recipient{Name: "Destinatario " + city, Address: "Calle 1", City: city, SendBy: radicado.SendPhysical}}
		if i == 0 {
			req.Answers = []string{e.Number}
		}
		s, err := st.Records.Radicar(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		salidas = append(salidas, s.Number)
	}
	d := w.despacho
	w.tabs.SelectIndex(2)
	pump(t, w, "the salidas waiting", func() bool { return len(d.waiting) == 3 && len(d.couriers) > 0 })
	for _, n := range salidas {
		d.chosen[n] = true
	}
	d.courier.SetSelected("4-72")
	d.create()
	pump(t, w, "the open dispatch", func() bool { return d.open.ID != 0 && len(d.open.Envelopes) == 3 })
	// The handheld scanner: three guides typed in a burst, each with Enter.
	w.Window.Canvas().Focus(d.guide)
	for _, g := range []string{"RA100000001CO", "RA100000002CO", "RA100000003CO"} {
		test.Type(d.guide, g)
		d.guide.TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
	w.wait()
	for i, n := range salidas {
		env, ok, err := st.Despacho.Delivery(ctx, n)
		if err != nil || !ok || env.Guide != []string{"RA100000001CO", "RA100000002CO", "RA100000003CO"}[i] {
			t.Errorf("%s: %+v %v", n, env, err)
		}
	}
	// The first envelope's shipping label: no label printer here, so a PNG.
	d.envList.Select(0)
	d.shippingLabel()
	pump(t, w, "the shipping label", func() bool { return strings.Contains(d.message.Text, "envio-"+salidas[0]) })
	if _, err := os.Stat(filepath.Join(st.Dir(), "etiquetas", "envio-"+salidas[0]+".png")); err != nil {
		t.Errorf("the shipping label: %v (%s)", err, d.message.Text)
	}
	d.closeOpen()
	pump(t, w, "the planilla", func() bool { return strings.Contains(d.message.Text, "planilla") })
	if text, err := exec.Command("pdftotext", "-layout", filepath.Join(st.Dir(), "planillas", "despacho-1.pdf"), "-").Output(); err != nil ||
		!strings.Contains(string(text), "RA100000002CO") || !strings.Contains(string(text), "Destinatario Medellín") {
		t.Errorf("the planilla, read back: %v\n%s", err, text)
	}
	if _, err := os.Stat(filepath.Join(st.Dir(), "planillas", "despacho-1.pdf")); err != nil {
		t.Errorf("the planilla: %v (%s)", err, d.message.Text)
	}
	// The closed dispatch's planilla again, as CSV.
	pump(t, w, "the closed dispatch listed", func() bool { return len(d.closedIDs) == 1 })
	d.closed.SetSelectedIndex(0)
	d.planilla("csv")
	pump(t, w, "the CSV planilla", func() bool { return strings.Contains(d.message.Text, "despacho-1.csv") })
	if b, err := os.ReadFile(filepath.Join(st.Dir(), "planillas", "despacho-1.csv")); err != nil || !strings.Contains(string(b), "RA100000003CO") {
		t.Errorf("the CSV planilla: %v %s", err, b)
	}
	// The courier's results: the first delivered, the second returned.
	f, err := os.Open(fixture.Write(t, src, "r.csv", []byte("guia;estado;causal;fecha\nRA100000001CO;ENTREGADO;;2026-11-27\nRA100000002CO;DEVUELTO;DD;2026-11-27\n")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Despacho.Results(ctx, f, despacho.DefaultColumns); err != nil {
		t.Fatal(err)
	}
	f.Close()
	// The third comes back: scanned, its sticker read, the reason chosen.
	scanPNG, _, err := st.Printing.Sticker(ctx, salidas[2], station.LabelOptions{Format: "png", DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	scanFile := fixture.Write(t, src, "sobre.png", scanPNG)
	d.refresh()
	w.wait()
	d.reason.SetSelectedIndex(slicesIndex(d.reasons, "RE"))
	d.recordReturn([]string{scanFile})
	pump(t, w, "the return", func() bool { return strings.Contains(d.message.Text, salidas[2]) })
	if env, _, _ := st.Despacho.Delivery(ctx, salidas[2]); env.State != "devuelto" || env.Reason != "rehusado" || len(env.Proof) != 1 {
		t.Errorf("the returned one: %+v (%s)", env, d.message.Text)
	}
	// Both returned ones wait again; the second goes as attempt 2.
	d.refresh()
	pump(t, w, "the returned salidas waiting", func() bool { return len(d.waiting) == 2 })
	d.chosen[salidas[1]] = true
	d.courier.SetSelected("Servientrega")
	d.create()
	pump(t, w, "the second attempt", func() bool { return d.open.ID == 2 })
	if env, _, _ := st.Despacho.Delivery(ctx, salidas[1]); env.Attempt != 2 || env.State != "pendiente" {
		t.Errorf("attempt 2: %+v", env)
	}
	// Bandeja says what became of each.
	w.tabs.SelectIndex(1)
	pump(t, w, "Bandeja", func() bool { return len(w.tray.rows) == 4 && w.tray.outcomes != nil })
	want := map[string]string{e.Number: "respondido con " + salidas[0], salidas[0]: "entregado", salidas[1]: "en despacho (intento 2)",
		salidas[2]: "devuelto (intento 1)"}
	for _, r := range w.tray.rows {
		if got := w.tray.cell(r, 11); got != want[r.Number] {
			t.Errorf("Bandeja, %s: %q, want %q", r.Number, got, want[r.Number])
		}
	}
}

func slicesIndex(rs []despacho.Reason, code string) int {
	for i, r := range rs {
		if r.Code == code {
			return i
		}
	}
	return -1
}

// TestSalidaForm: Recepción radicates the answer to an entrada as a
// salida, with the radicado it answers and its recipient, typed on the
// form that appears for a salida.
func TestSalidaForm(t *testing.T) {
	w, st := openWindow(t, nil)
	r := w.reception
	e := radicate(t, w, "Ana", "", "Solicitud")
	if r.outgoing.Visible() {
		t.Error("an entrada's form shows the salida's fields")
	}
	w.reception.dropped(fyne.Position{}, []fyne.URI{uriOf(fixture.PNG(t, t.TempDir(), "r.png", "Respuesta"))})
	w.wait()
	r.clearForm()
	r.kind.SetSelectedIndex(1) // salida
	if !r.outgoing.Visible() {
		t.Fatal("the salida's fields are not shown")
	}
	r.docType.SetSelectedIndex(0)
	test.Type(r.sender, "Secretaría General")
	test.Type(r.subject, "Respuesta a la solicitud")
	test.Type(r.answers, e.Number)
	test.Type(r.toName, "Ana Gómez")
	test.Type(r.toAddress, "Calle 10 # 5-20")
	test.Type(r.toCity, "Bogotá")
	r.submit()
	w.wait()
	rec, err := st.Records.Get(context.Background(), r.last)
	if err != nil || rec.Parts.Kind != radicado.Salida || len(rec.Answers) != 1 || rec.Answers[0] != e.Number || rec.Recipient == nil ||
		rec.Recipient.City != "Bogotá" || rec.Recipient.SendBy != radicado.SendPhysical {
		t.Errorf("the salida: %+v %v (status %q)", rec, err, r.status.Text)
	}
}
