package station

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/disintegration/imaging"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
)

// TestServicesStopWithTheStation: Reading and Sync run their background
// work from Start; Close cancels it and waits for it, so nothing outlives
// the station, and the OCR engines are not started after Close.
func TestServicesStopWithTheStation(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	st, err := Open(ctx, t.TempDir(), Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	rounds := make(chan SyncEvent, 10)
	st.Sync.Start(ctx, SyncOptions{Every: 10 * time.Millisecond}, func(e SyncEvent) {
		select {
		case rounds <- e:
		default:
		}
	})
	st.Reading.Start(ctx, nil)
	st.Sync.Start(ctx, SyncOptions{}, nil) // a second start does nothing
	if e := <-rounds; e.Enrolled {
		t.Errorf("a round of a station not enrolled: %+v", e)
	}
	done := make(chan error)
	go func() { done <- st.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not return: background work outlives it")
	}
	deadline := time.Now().Add(5 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines after Close, %d before:\n%s", n, before, buf[:runtime.Stack(buf, true)])
	}
	if _, err := st.Reading.Analyze(ctx, []string{"x.png"}); !errors.Is(err, ErrClosed) {
		t.Errorf("reading after Close: %v", err)
	}
	st.Reading.Start(ctx, nil) // after Close, nothing starts
}

// TestWorkFoldersDoNotGrow: reading a sideways page leaves nothing in
// tmp/ (its upright copy goes with the reading's folder), a preview of a
// PDF removes its pages when closed, and what a process that died left in
// tmp/ is swept when a station opens, the reception's pages kept.
func TestWorkFoldersDoNotGrow(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := Open(ctx, dir, Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { st.Close() }()
	src := t.TempDir()
	sideways, err := scan.WritePage(src, 1, imaging.Rotate90(pagegen.Gray(pagegen.Spec{DPI: 300, Lines: []string{
		"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "Banco Ejemplo S.A.", "",
		"Asunto: Derecho de petición - copia de extractos", "", "Solicito copia de los extractos de mi cuenta.", "",
		"Atentamente,", "", "Ana María Pérez"}})), scan.Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	a, err := st.Reading.Analyze(ctx, []string{sideways.Path})
	if err != nil {
		t.Fatal(err)
	}
	if a.Pages[0].Orientation == 0 {
		t.Fatal("the sideways page was not found sideways")
	}
	a.Close()
	if _, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Extractos",
		Files: []string{sideways.Path}}); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Reading.ReadPending(ctx); n != 1 || err != nil {
		t.Fatalf("read %d: %v", n, err)
	}
	if left := tmpEntries(t, dir); len(left) != 0 {
		t.Errorf("tmp/ after reading a sideways page: %v", left)
	}

	pdf := fixture.PDF(t, src, "anexo.pdf", 3)
	rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Anexo", Files: []string{pdf}})
	if err != nil {
		t.Fatal(err)
	}
	p, err := st.Records.Preview(ctx, rec.Number, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Paths) != 2 || p.Total != 3 {
		t.Errorf("preview: %d pages of %d", len(p.Paths), p.Total)
	}
	for _, path := range p.Paths {
		if _, err := os.Stat(path); err != nil {
			t.Errorf("a preview page is not there: %v", err)
		}
	}
	p.Close()
	if left := tmpEntries(t, dir); len(left) != 0 {
		t.Errorf("tmp/ after the preview closed: %v", left)
	}

	// A process that died left work behind; the reception's pages stay.
	st.Close()
	for _, d := range []string{"analysis-123", "preview-456", "reception"} {
		os.MkdirAll(filepath.Join(dir, "tmp", d), 0o750)
		os.WriteFile(filepath.Join(dir, "tmp", d, "page.png"), []byte("x"), 0o640)
	}
	old := time.Now().Add(-2 * time.Hour)
	for _, d := range []string{"analysis-123", "preview-456", "reception"} {
		os.Chtimes(filepath.Join(dir, "tmp", d), old, old)
	}
	if st, err = Open(ctx, dir, Options{Actor: "v1"}); err != nil {
		t.Fatal(err)
	}
	if left := tmpEntries(t, dir); strings.Join(left, " ") != "reception" {
		t.Errorf("tmp/ after a restart: %v, want only the reception's pages", left)
	}
}

func tmpEntries(t *testing.T, dir string) []string {
	entries, _ := os.ReadDir(filepath.Join(dir, "tmp"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

// TestFailedRadicacionForgetsItsFiles: a radicación that fails once its
// files are stored (the clock set back, here; a full disk at commit in the
// field) leaves no file behind, and a file another radicado holds stays.
func TestFailedRadicacionForgetsItsFiles(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, bogota)
	clock := func() time.Time { return now }
	st := openTest(t, clock)
	src := t.TempDir()
	shared := fixture.PNG(t, src, "compartida.png", "página compartida")
	if _, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Primera",
		Files: []string{shared}}); err != nil {
		t.Fatal(err)
	}
	before := footprintOf(t, st)
	now = now.Add(-time.Hour) // the clock goes back: radicación refuses
	fresh := fixture.PNG(t, src, "nueva.png", "página nueva")
	_, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Segunda",
		Files: []string{fresh, shared}})
	if !errors.Is(err, ErrClockBehind) {
		t.Fatalf("radicar with the clock set back: %v", err)
	}
	if after := footprintOf(t, st); after != before {
		t.Errorf("a failed radicación left %+v, before %+v", after, before)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// TestCloseDay: closing a day writes its planilla (PDF with the audit
// anchor printed, and CSV) in planillas/, and the anchor verifies.
func TestCloseDay(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, fixedClock(time.Date(2026, 11, 23, 10, 0, 0, 0, bogota)))
	p := fixture.PNG(t, t.TempDir(), "carta.png", "carta")
	rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Cierre", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	c, err := st.CloseDay(ctx, calendar.Date{Year: 2026, Month: 11, Day: 23})
	if err != nil {
		t.Fatal(err)
	}
	if c.Rows != 1 || c.Enrolled || c.Anchor.ID != 1 || len(c.Anchor.Hash) != 64 {
		t.Errorf("day close: %+v", c)
	}
	csv, err := os.ReadFile(c.CSV)
	if err != nil || !strings.Contains(string(csv), rec.Number) {
		t.Errorf("the planilla's CSV: %v %s", err, csv)
	}
	out, err := exec.Command("pdftotext", "-layout", c.PDF, "-").Output()
	if err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatal("pdftotext:", err)
		}
		t.Skip("pdftotext is not installed")
	}
	text := string(out)
	if !strings.Contains(text, rec.Number) || !strings.Contains(text, c.Anchor.Short()) || !strings.Contains(text, "evento 1") {
		t.Errorf("the planilla's PDF does not show the radicado and the anchor %s:\n%s", c.Anchor.Short(), text)
	}
	if rep, err := st.Records.VerifyAnchor(ctx, c.Anchor.Short()); err != nil || !rep.OK {
		t.Errorf("verify against the printed anchor: %+v %v", rep, err)
	}
	if _, err := st.Records.VerifyAnchor(ctx, "abc"); err == nil {
		t.Error("an anchor of three digits was taken")
	}
}
