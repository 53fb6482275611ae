package ui

import (
	"context"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/station"
)

// TestCitesAtReception: a letter that answers our salida is read as citing
// it; the form says it is the reply to that salida (its subject and
// recipient), and radicates it with what it cites; Bandeja shows the link
// on both rows.
func TestCitesAtReception(t *testing.T) {
	ctx := context.Background()
	w, st := openWindow(t, nil)
	r := w.reception
	salida, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Banco Ejemplo S.A.",
		Subject: "Solicitud de extractos", Files: []string{pagePNG(t, "Solicitud de extractos")},
		Recipient: &radicado.Recipient{Name: "Marta Ríos", Address: "Calle 5 # 10-20", City: "Cali"}})
	if err != nil {
		t.Fatal(err)
	}
	letter := pagePNG(t, "Cali, 3 de marzo de 2026", "", "Señores", "Banco Ejemplo S.A.", "",
		"Asunto: Respuesta a su solicitud", "", "En respuesta a su oficio No. "+salida.Number+", adjunto los extractos.", "",
		"Atentamente,", "", "Marta Lucía Ríos", "C.C. 31.456.789")
	r.dropped(fyne.Position{}, []fyne.URI{uriOf(letter)})
	pump(t, w, "the reading", func() bool { return r.cites.Text != "" })
	w.wait()
	if r.cites.Text != salida.Number {
		t.Errorf("cites %q, want %s", r.cites.Text, salida.Number)
	}
	if hint := r.items["cites"].HintText; !strings.Contains(hint, "Respuesta a nuestra salida "+salida.Number) ||
		!strings.Contains(hint, "Solicitud de extractos") || !strings.Contains(hint, "Marta Ríos") {
		t.Errorf("the reply is not offered: %q", hint)
	}
	if r.subject.Text == "" {
		test.Type(r.subject, "Respuesta")
	}
	r.submit()
	pump(t, w, "radicación", func() bool { return r.last != "" })
	rec, err := st.Records.Get(ctx, r.last)
	if err != nil || !slices.Equal(rec.Cites, []string{salida.Number}) {
		t.Fatalf("radicated with cites %q, %v", rec.Cites, err)
	}
	w.tabs.SelectIndex(1)
	pump(t, w, "Bandeja", func() bool { return len(w.tray.rows) == 2 && w.tray.outcomes != nil })
	want := map[string]string{rec.Number: "cita " + salida.Number, salida.Number: "respondida por " + rec.Number}
	for _, row := range w.tray.rows {
		if got := w.tray.cell(row, 11); got != want[row.Number] {
			t.Errorf("Bandeja, %s: %q, want %q", row.Number, got, want[row.Number])
		}
	}
}

// pagePNG draws a page of lines at 300 dpi into a PNG of its own.
func pagePNG(t *testing.T, lines ...string) string {
	t.Helper()
	p, err := scan.WritePage(t.TempDir(), 1, pagegen.Gray(pagegen.Spec{DPI: 300, Lines: lines}), scan.Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	return p.Path
}
