package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/mailfixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// TestMailAtReception: an .eml dropped on the window waits in Correo,
// opens onto the form with its sender and subject, shows its pages, and
// is radicated with Ctrl+Enter as the e-mail it is (its original first);
// then nothing waits. A message discarded needs its reason.
func TestMailAtReception(t *testing.T) {
	w, st := openWindow(t, nil)
	r := w.reception
	dir := t.TempDir()
	eml := fixture.Write(t, dir, "queja.eml", mailfixture.Message{ID: "ui-1@correo.example", From: `"Ana Gómez" <ana.gomez@correo.example>`,
		Subject: "Queja por demora en el trámite", Text: "Señores:\nPresento queja por la demora.\nAna Gómez\nC.C. 52.123.456"}.Bytes())
	r.dropped(fyne.Position{}, []fyne.URI{uriOf(eml)})
	pump(t, w, "the message on the form", func() bool { return r.mail.letter != nil && len(r.pages.shown) > 0 })
	w.wait()
	if r.sender.Text != "Ana Gómez" || r.subject.Text != "Queja por demora en el trámite" || r.senderID.Text != "CC:52123456" ||
		r.senderEmail.Text != "ana.gomez@correo.example" {
		t.Errorf("the form: sender %q, id %q, subject %q", r.sender.Text, r.senderID.Text, r.subject.Text)
	}
	if !strings.Contains(r.reading.Text, "ana.gomez@correo.example") {
		t.Errorf("reading: %q", r.reading.Text)
	}
	if r.docType.SelectedIndex() < 0 {
		r.docType.SetSelectedIndex(0)
	}
	w.Window.Canvas().Focus(r.subject)
	r.subject.TypedShortcut(shortcutRadicar)
	pump(t, w, "the number", func() bool { return r.number.Text != "" })
	w.wait()
	rec, err := st.Records.Get(context.Background(), r.number.Text)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Channel != radicado.ChannelEmail || rec.Files[0].MediaType != radicado.MediaMessage || rec.Sender.Email != "ana.gomez@correo.example" {
		t.Errorf("the radicado: channel %q, first file %+v, e-mail %q", rec.Channel, rec.Files[0], rec.Sender.Email)
	}
	if r.mail.letter != nil || len(r.mail.waiting) != 0 || w.batch.Len() != 0 {
		t.Errorf("after radicación: letter %v, %d waiting, %d pages", r.mail.letter != nil, len(r.mail.waiting), w.batch.Len())
	}

	// A second message, discarded from the strip.
	spam := fixture.Write(t, dir, "spam.eml", mailfixture.Message{ID: "ui-2@x.example", From: "ofertas@x.example", Subject: "Gane", Text: "Clic"}.Bytes())
	r.dropped(fyne.Position{}, []fyne.URI{uriOf(spam)})
	pump(t, w, "the second message", func() bool { return r.mail.letter != nil && len(r.mail.waiting) == 1 })
	r.mail.list.SetSelectedIndex(0)
	if _, err := st.Mail.Discard(context.Background(), r.mail.waiting[0].ID, "publicidad"); err != nil {
		t.Fatal(err)
	}
	r.clear()
	r.mail.refresh()
	pump(t, w, "nothing waiting", func() bool { return len(r.mail.waiting) == 0 })
	if held, _ := st.Mail.List(context.Background(), store.MailDiscarded); len(held) != 1 {
		t.Errorf("%d discarded", len(held))
	}
}
