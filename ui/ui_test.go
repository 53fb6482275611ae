package ui

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/assets"
	"github.com/radicador/radicador/internal/fixture"
	_ "github.com/radicador/radicador/procenv" // quiet Fyne under LANG=C.UTF-8
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

func openWindow(t *testing.T) (*Window, *station.Station) {
	t.Helper()
	ctx := context.Background()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "ventanilla1"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	w, err := NewWindow(ctx, test.NewTempApp(t), st, "es")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Window.Close)
	return w, st
}

func TestRadicarFromTheForm(t *testing.T) {
	w, st := openWindow(t)
	r := w.reception
	page := fixture.PNG(t, t.TempDir(), "carta.png", "Derecho de peticion")
	r.setFiles([]string{page})
	r.docType.SetSelectedIndex(0) // petición
	test.Type(r.sender, "Ana María Pérez")
	test.Type(r.senderID, "CC:52123456")
	test.Type(r.subject, "Solicitud de copia")
	// Ctrl+Enter from the subject field radicates.
	w.Window.Canvas().Focus(r.subject)
	r.subject.TypedShortcut(shortcutRadicar)
	w.wait()
	if !strings.HasPrefix(r.status.Text, "Radicado "+r.number.Text) {
		t.Errorf("status %q", r.status.Text)
	}
	if r.sender.Text != "" || len(r.files) != 0 {
		t.Error("the form was not cleared for the next letter")
	}
	rs, err := st.List(context.Background(), store.Filter{})
	if err != nil || len(rs) != 1 || rs[0].Number != r.number.Text || rs[0].Sender.Name != "Ana María Pérez" {
		t.Fatalf("store holds %+v, %v", rs, err)
	}
	// The tray shows it.
	w.tabs.SelectIndex(1)
	w.wait()
	if len(w.tray.rows) != 1 {
		t.Fatalf("tray has %d rows", len(w.tray.rows))
	}
	if got := w.tray.cell(w.tray.rows[0], 0); got != r.number.Text {
		t.Errorf("tray row = %s", got)
	}
	if got := w.tray.cell(w.tray.rows[0], 7); got != "pendiente" {
		t.Errorf("sync column = %q", got)
	}
}

func TestFormErrorsKeepTheForm(t *testing.T) {
	w, st := openWindow(t)
	r := w.reception
	r.docType.SetSelectedIndex(0)
	test.Type(r.sender, "Ana")
	test.Type(r.subject, "Sin documento")
	test.Tap(r.radicar)
	w.wait()
	if !strings.HasPrefix(r.status.Text, "No se radicó: no document") {
		t.Errorf("status %q", r.status.Text)
	}
	if r.sender.Text != "Ana" || r.number.Text != "" {
		t.Error("a failed radicación cleared the form or showed a number")
	}
	if rs, _ := st.List(context.Background(), store.Filter{}); len(rs) != 0 {
		t.Errorf("%d radicados after a failure", len(rs))
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
