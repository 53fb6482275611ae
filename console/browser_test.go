package console_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/console"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server"
	"github.com/radicador/radicador/sync/wire"
)

// The console in a real browser: Debian's Chromium, headless, driven by
// chromedp. A station radicates a letter and syncs it; a funcionario of
// the department it went to finds it in the inbox with its light, opens
// its PDF and sends it to another department; that department's
// funcionario records the answer, a salida the station radicated and
// synced; a supervisor reads the history. Each page is kept as a
// screenshot in artefacts/console/ (or $RADICADOR_CONSOLE_SHOTS).

// chromium finds the browser, or skips (fails under RADICADOR_STRICT).
func chromium(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("RADICADOR_STRICT") != "" {
		t.Fatal("no Chromium: make test installs Debian's chromium")
	}
	t.Skip("no Chromium (Debian's chromium package)")
	return ""
}

// shots is where the screenshots go.
func shots(t *testing.T) string {
	dir := os.Getenv("RADICADOR_CONSOLE_SHOTS")
	if dir == "" {
		dir = filepath.Join("..", "artefacts", "console")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// screenshot keeps the whole page as dir/name.png.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		// Every image is drawn first: the lazy ones (a document's pages)
		// are loaded now, each given up to ten seconds.
		loaded, err := chromedp.Evaluate[bool](`Promise.race([
			Promise.all(Array.from(document.images).map(i => { i.loading = "eager";
				return i.complete ? i.naturalWidth > 0 : new Promise(r => { i.addEventListener("load", () => r(true)); i.addEventListener("error", () => r(false)); }); }))
				.then(all => all.every(Boolean)),
			new Promise(r => setTimeout(() => r(false), 10000))])`, chromedp.EvalAwaitPromise)(ctx, tg)
		if err != nil {
			return err
		}
		if !loaded {
			return fmt.Errorf("%s: an image of the page did not load", name)
		}
		buf, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644)
	})
}

// newBrowser starts a headless Chromium of its own (profile in a temporary
// folder), stopped when the test ends.
func newBrowser(t *testing.T) context.Context {
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.WindowSize(1366, 768),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() { cancel(); cancelAlloc() })
	ctx, cancelTime := context.WithTimeout(ctx, time.Minute)
	t.Cleanup(cancelTime)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	return ctx
}

func TestInTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("a browser's walk through the console: not in -short")
	}
	ctx := newBrowser(t)
	dir := shots(t)
	bg := context.Background()

	// The central server, with its people.
	db := centraltest.SQLite(t)
	for _, d := range []central.Dept{{Code: "GC", Name: "Gestión de Clientes"}, {Code: "JUR", Name: "Jurídica"}} {
		if err := db.AddDept(bg, "test", d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []central.User{
		{Name: "beto", FullName: "Beto Ruiz", Dept: "GC", Role: central.Funcionario},
		{Name: "caro", FullName: "Carolina Gil", Dept: "JUR", Role: central.Funcionario},
		{Name: "sara", FullName: "Sara Gómez", Role: central.Supervisor},
		{Name: "admin", FullName: "Administración", Role: central.Admin},
	} {
		if _, _, err := db.AddUser(bg, "test", u, pw); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddStation(bg, central.Principal{Office: "001", Station: "01"}, central.HashToken("tok-station")); err != nil {
		t.Fatal(err)
	}
	con, err := console.New(db, console.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(wire.APIPrefix+"/", server.New(db, nil, server.DefaultLimits).Handler())
	con.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()

	// The station radicates a letter for GC, with its scanned PDF, and
	// syncs.
	st, err := station.Open(bg, t.TempDir(), station.Options{Actor: "ventanilla"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(bg, srv.URL, "tok-station"); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	// A letter as the scanner gives it (a page at 100 dpi), in a font
	// with the accents.
	var scanned bytes.Buffer
	if err := png.Encode(&scanned, pagegen.Gray(pagegen.Spec{DPI: 100, Lines: []string{
		"Bogotá D.C., 27 de noviembre de 2026", "", "Señores", "Alcaldía de Ejemplo", "",
		"Asunto: solicitud de certificado de paz y salvo", "",
		"Respetados señores: solicito que se me expida el certificado de paz y",
		"salvo del predio de la calle 45 n.º 12-30, a nombre de quien firma.", "",
		"Atentamente,", "", "Juan Pérez", "C.C. 79.845.112", "Teléfono 310 555 0199",
	}})); err != nil {
		t.Fatal(err)
	}
	page := fixture.Write(t, src, "p1.png", scanned.Bytes())
	letter, err := st.Records.Radicar(bg, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Juan Pérez",
		SenderID: "CC:79845112", Subject: "Solicitud de certificado de paz y salvo", Dept: "GC",
		Files: []string{fixture.ScannedPDF(t, src, "carta.pdf", page)}})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Sync.Once(bg, srv.URL); err != nil || rep.Sent != 1 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	number := letter.Number

	shot := func(name string) chromedp.Action[chromedp.Void] { return screenshot(dir, name) }
	login := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(
			chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.ID("name")),
			chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.SendKeys(chromedp.ID("password"), pw),
			chromedp.Submit(chromedp.ID("password")),
			chromedp.WaitVisible(chromedp.CSS(".who")), // logged in
		)
	}
	logout := chromedp.Steps(
		chromedp.Click(chromedp.CSS(".who button")),
		chromedp.WaitVisible(chromedp.ID("name")),
	)
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}

	// Beto (GC) finds it in the inbox with its light.
	do(chromedp.Navigate(srv.URL+"/login"), chromedp.WaitVisible(chromedp.ID("name")), shot("01-login"),
		login("beto"), chromedp.WaitVisible(chromedp.CSS("table.inbox")), shot("02-bandeja"))
	if inbox := text("table.inbox tbody"); !strings.Contains(inbox, number) || !strings.Contains(inbox, "Verde") ||
		!strings.Contains(inbox, "Juan Pérez") || !strings.Contains(inbox, "Sin leer") {
		t.Fatalf("beto's inbox: %q", inbox)
	}
	weight, took := pageWeight(t, ctx)
	t.Logf("the inbox: %d bytes with its style sheet, loaded in %v", weight, took)
	if weight > 40<<10 {
		t.Errorf("the inbox weighs %d bytes", weight)
	}

	// He opens it, and its PDF.
	do(chromedp.Click(chromedp.CSS("table.inbox a")), chromedp.WaitVisible(chromedp.ID("data-h")), shot("03-radicado"))
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(".docs a"), "href"))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(srv.URL+href.Value))
	if err != nil || resp == nil || resp.Status != 200 || resp.MimeType != "application/pdf" {
		t.Errorf("the PDF opened from the page: %+v %v", resp, err)
	}

	// He sends it to Jurídica, with the reason.
	do(chromedp.Navigate(srv.URL+"/radicados/"+number), chromedp.WaitVisible(chromedp.ID("data-h")),
		chromedp.Click(`//summary[contains(., "Trasladar a otra dependencia")]`),
		chromedp.SetValue(chromedp.ID("r-dept"), "JUR"),
		chromedp.SendKeys(chromedp.ID("r-reason"), "Es un asunto de la oficina jurídica"),
		chromedp.Submit(chromedp.ID("r-reason")),
		chromedp.WaitVisible(chromedp.CSS(".flash, .error")))
	if flash := text(".flash, .error"); flash != "Trasladado." {
		t.Errorf("after the reassignment: %q", flash)
	}
	do(shot("04-trasladado"), logout)

	// The station answers it with a salida, and syncs.
	answer, err := st.Records.Radicar(bg, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Oficina Jurídica",
		Subject: "Respuesta a la solicitud de certificado", Dept: "JUR", Files: []string{fixture.PNG(t, src, "r.png", "Respuesta")}})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := st.Sync.Once(bg, srv.URL); err != nil || rep.Sent != 1 {
		t.Fatalf("sync of the answer: %+v %v", rep, err)
	}

	// Caro (JUR) sees it and records the answer.
	do(login("caro"), chromedp.WaitVisible(chromedp.CSS("table.inbox")))
	if inbox := text("table.inbox tbody"); !strings.Contains(inbox, number) {
		t.Fatalf("caro's inbox: %q", inbox)
	}
	do(chromedp.Navigate(srv.URL+"/radicados/"+number), chromedp.WaitVisible(chromedp.ID("data-h")),
		chromedp.Click(`//summary[contains(., "Registrar respuesta")]`),
		chromedp.SendKeys(chromedp.ID("an-by"), answer.Number),
		chromedp.Submit(chromedp.ID("an-by")),
		chromedp.WaitVisible(chromedp.CSS(".flash, .error")))
	if flash := text(".flash, .error"); flash != "Respuesta registrada." {
		t.Fatalf("recording the answer: %q", flash)
	}
	if data := text("dl.data"); !strings.Contains(data, "Respondido") || !strings.Contains(data, answer.Number) {
		t.Errorf("after the answer: %q", data)
	}
	do(shot("05-respondido"), logout)

	// Sara, supervisor, reads the whole history.
	do(login("sara"), chromedp.Navigate(srv.URL+"/radicados/"+number), chromedp.WaitVisible(chromedp.ID("hist-h")))
	history := text(".history")
	do(shot("06-historia"),
		chromedp.Navigate(srv.URL+"/bandeja?state=all"), chromedp.WaitVisible(chromedp.CSS("table.inbox")), shot("07-supervisor"),
		chromedp.EmulateViewport(390, 844),
		chromedp.Navigate(srv.URL+"/bandeja?state=all&page=1"), chromedp.WaitVisible(chromedp.CSS("table.inbox")), shot("08-telefono"),
		chromedp.EmulateViewport(1366, 768),
		logout, login("admin"),
		chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("u-h")), shot("09-admin"))
	for _, want := range []string{"radicó", "ventanilla", "beto trasladó a otra dependencia — JUR: Es un asunto de la oficina jurídica", "caro registró la respuesta — 2026001010000011"} {
		if !strings.Contains(history, want) {
			t.Errorf("the history lacks %q: %s", want, history)
		}
	}
	if n, problems, err := db.VerifyJournal(bg); err != nil || len(problems) > 0 || n < 5 {
		t.Errorf("the journal: %d %v %v", n, problems, err)
	}
}

// pageWeight gives the bytes the page in ctx took to load (the page and
// what it loaded) and how long it took, from the browser's own timing.
func pageWeight(t *testing.T, ctx context.Context) (int, time.Duration) {
	res, err := chromedp.Run(ctx, chromedp.Evaluate[[]float64](`(() => {
		const nav = performance.getEntriesByType('navigation')[0];
		let bytes = nav.transferSize;
		for (const r of performance.getEntriesByType('resource')) bytes += r.transferSize || r.encodedBodySize;
		return [bytes, nav.loadEventEnd - nav.startTime];
	})()`))
	if err != nil || len(res) != 2 {
		t.Fatal(err)
	}
	return int(res[0]), time.Duration(res[1] * float64(time.Millisecond))
}
