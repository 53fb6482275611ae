package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/console"
)

// TestBuzonInTheBrowser: a citizen hands in a petition with a file in
// Chromium, with JavaScript and without it (the pages have none to need),
// gets the number and code, and follows its state; the radicado is in the
// department's inbox. Screenshots in artefacts/console/.
func TestBuzonInTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the Buzón in a browser: not in -short")
	}
	s := newSiteWith(t, console.Options{BuzonPerAddress: 100})
	ctx := context.Background()
	if err := s.db.EnableBuzon(ctx, "test", "001", "90"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SetRoute(ctx, "test", "peticion", "GC"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SetOrgSetting(ctx, "test", "organization", "Alcaldía de Ejemplo"); err != nil {
		t.Fatal(err)
	}
	dir := shots(t)
	attachment := filepath.Join(t.TempDir(), "carta.pdf")
	os.WriteFile(attachment, aPDF(t, "Carta del ciudadano", false), 0o644)
	shot := func(name string) chromedp.Action[chromedp.Void] { return screenshot(dir, name) }
	for _, tc := range []struct {
		name   string
		script bool
	}{{"with JavaScript", true}, {"without JavaScript", false}} {
		t.Run(tc.name, func(t *testing.T) {
			bctx := newBrowser(t)
			steps := []chromedp.Action[chromedp.Void]{}
			if !tc.script {
				steps = append(steps, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
					_, err := cdp.Call(ctx, tg, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
					return err
				}))
			}
			steps = append(steps,
				chromedp.Navigate(s.srv.URL+"/buzon"), chromedp.WaitVisible(chromedp.ID("b-name")),
				chromedp.SendKeys(chromedp.ID("b-name"), "Juan Ciudadano"),
				chromedp.SetValue(chromedp.ID("b-idtype"), "CC"),
				chromedp.SendKeys(chromedp.ID("b-id"), "79845112"),
				chromedp.SendKeys(chromedp.ID("b-email"), "juan@correo.co"),
				chromedp.SetValue(chromedp.ID("b-type"), "peticion"),
				chromedp.SendKeys(chromedp.ID("b-subject"), "Solicitud de paz y salvo ("+tc.name+")"),
				chromedp.SendKeys(chromedp.ID("b-message"), "Solicito el paz y salvo del predio."),
				chromedp.SetUploadFiles(chromedp.ID("b-files"), []string{attachment}))
			if tc.script {
				steps = append(steps, shot("15-buzon"))
			}
			steps = append(steps, chromedp.Submit(chromedp.ID("b-subject")), chromedp.WaitVisible(chromedp.CSS(".big-number")))
			if tc.script {
				steps = append(steps, shot("16-buzon-radicado"))
			}
			if err := chromedp.Do(bctx, steps...); err != nil {
				t.Fatal(err)
			}
			number, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".big-number")))
			if err != nil {
				t.Fatal(err)
			}
			code, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(".code")))
			if err != nil || len(code) != 10 {
				t.Fatalf("the code: %q %v", code, err)
			}
			held, err := s.db.Get(ctx, strings.TrimSpace(number))
			if err != nil || held.Dept != "GC" || len(held.Files) != 2 || !strings.Contains(held.Subject, tc.name) {
				t.Fatalf("the radicado %q: %+v %v", number, held, err)
			}
			if err := chromedp.Do(bctx, chromedp.Navigate(s.srv.URL+"/buzon/estado"), chromedp.WaitVisible(chromedp.ID("e-number")),
				chromedp.SendKeys(chromedp.ID("e-number"), number), chromedp.SendKeys(chromedp.ID("e-code"), code),
				chromedp.Submit(chromedp.ID("e-code")), chromedp.WaitVisible(chromedp.ID("s-h"))); err != nil {
				t.Fatal(err)
			}
			state, _ := chromedp.Run(bctx, chromedp.Text(chromedp.CSS("dl.data")))
			// (in the browser's language: headless Chromium asks for English)
			if !strings.Contains(state, "Received") && !strings.Contains(state, "Recibida") || !strings.Contains(state, "Gestión de Clientes") {
				t.Errorf("the state page: %q", state)
			}
			if tc.script {
				chromedp.Do(bctx, shot("17-buzon-estado"))
			}
			items, _, err := s.db.Inbox(ctx, central.User{Role: central.Supervisor}, central.InboxFilter{Query: strings.TrimSpace(number)})
			if err != nil || len(items) != 1 || items[0].Dept != "GC" {
				t.Errorf("the inbox: %+v %v", items, err)
			}
		})
	}
}
