package ui

import (
	"context"
	"errors"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"time"

	"fyne.io/fyne/v2"
)

// tour drives the window through every screen as a clerk would and saves
// a picture of each in dir: an empty Recepción, a letter scanned from the
// built-in simulator and read, the number it was given, Bandeja, Buscar and
// Ajustes. make test runs it under Xvfb.
func (w *Window) tour(ctx context.Context, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ui := func(f func()) { fyne.DoAndWait(f) }
	until := func(what string, cond func() bool) error {
		deadline := time.Now().Add(90 * time.Second)
		for {
			var ok bool
			ui(func() { ok = cond() })
			if ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waited too long for %s", what)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	}
	shot := func(name string) error {
		w.wait()
		time.Sleep(700 * time.Millisecond) // let the window draw
		img, err := screenshot()
		if err != nil {
			return err
		}
		if img == nil {
			ui(func() { img = w.Window.Canvas().Capture() })
		}
		if img == nil || img.Bounds().Empty() {
			return fmt.Errorf("%s: the window gave no picture", name)
		}
		f, err := os.Create(filepath.Join(dir, name+".png"))
		if err != nil {
			return err
		}
		if err := png.Encode(f, img); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	r := w.reception
	p := r.pages
	if err := until("the scanner list", func() bool { return len(p.profiles) > 0 }); err != nil {
		return err
	}
	if err := shot("1-recepcion"); err != nil {
		return err
	}
	ui(func() {
		for i, pr := range p.profiles {
			if pr.Device == deviceSimulator {
				p.profile.SetSelectedIndex(i)
			}
		}
		p.scan(0)
	})
	if err := until("the scan and its reading", func() bool {
		return p.scanning == nil && w.batch.Len() > 0 && r.readText != ""
	}); err != nil {
		var status string
		ui(func() { status = p.status.Text + " / " + r.reading.Text })
		return errors.Join(err, errors.New(status))
	}
	if err := shot("2-datos"); err != nil {
		return err
	}
	ui(r.submit)
	if err := until("the radicado", func() bool { return r.last != "" && !r.busy }); err != nil {
		var status string
		ui(func() { status = r.status.Text })
		return errors.Join(err, errors.New(status))
	}
	if err := shot("3-radicado"); err != nil {
		return err
	}
	// An e-mail dropped on the window, opened onto the form, radicated.
	eml := filepath.Join(dir, "tour-correo.eml")
	if err := os.WriteFile(eml, []byte(tourMessage), 0o600); err != nil {
		return err
	}
	ui(func() { r.mail.importEML([]string{eml}) })
	if err := until("the message on the form", func() bool { return r.mail.letter != nil && len(p.shown) > 0 && r.sender.Text != "" }); err != nil {
		return err
	}
	if err := shot("3b-correo"); err != nil {
		return err
	}
	last := r.last
	ui(r.submit)
	if err := until("the message's radicado", func() bool { return r.last != last && !r.busy }); err != nil {
		var status string
		ui(func() { status = r.status.Text })
		return errors.Join(err, errors.New(status))
	}
	os.Remove(eml)
	for i, name := range []string{"4-bandeja", "4b-despacho", "5-buscar", "6-ajustes"} {
		ui(func() { w.tabs.SelectIndex(i + 1) })
		if name == "5-buscar" {
			ui(func() {
				w.search.query.SetText(r.last)
				w.search.run()
			})
		}
		if err := shot(name); err != nil {
			return err
		}
	}
	for i, name := range []string{"7-ajustes-escaneres", "8-ajustes-impresora", "9-ajustes-servidor", "10-ajustes-correo", "11-ajustes-terminos"} {
		ui(func() { w.settings.tabs.SelectIndex(i + 1) })
		if err := shot(name); err != nil {
			return err
		}
	}
	return nil
}

// tourMessage is the e-mail the tour takes in: a citizen's petition, as a
// mail program writes it.
const tourMessage = "Message-ID: <tour-1@correo.example>\r\n" +
	"From: =?UTF-8?Q?Jorge_Andr=C3=A9s_Su=C3=A1rez?= <jorge.suarez@correo.example>\r\n" +
	"To: ventanilla@entidad.gov.co\r\n" +
	"Date: Mon, 30 Nov 2026 08:12:00 -0500\r\n" +
	"Subject: =?UTF-8?Q?Derecho_de_petici=C3=B3n_-_copia_de_la_resoluci=C3=B3n_118?=\r\n" +
	"MIME-Version: 1.0\r\n" +
	"Content-Type: text/plain; charset=utf-8\r\n" +
	"Content-Transfer-Encoding: 8bit\r\n\r\n" +
	"Señores\r\nSecretaría General\r\n\r\n" +
	"En ejercicio del derecho de petición solicito copia de la Resolución 118 de 2026.\r\n\r\n" +
	"Atentamente,\r\nJorge Andrés Suárez\r\nC.C. 80.123.456\r\n"
