package station_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/printer/printertest"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

func ptr(s string) *string { return &s }

// TestPrintQueue: a printer that is off never holds up or undoes a
// radicado; the job waits, prints when the printer is back, and a reprint
// says COPIA and goes in the audit log.
func TestPrintQueue(t *testing.T) {
	ctx := context.Background()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	// A printer address where nothing listens yet.
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	addr := ln.Addr().String()
	ln.Close()
	if err := st.Settings.Set(ctx, map[string]*string{"organization": ptr("Alcaldía de Ñuñoa"), "printer": ptr("tcp://" + addr)}); err != nil {
		t.Fatal(err)
	}
	p := fixture.PNG(t, t.TempDir(), "carta.png", "carta")
	rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	job, err := st.Printing.Print(ctx, "sticker", rec.Number, "", station.LabelOptions{})
	if err == nil || !strings.Contains(err.Error(), "refused") {
		t.Fatalf("printing to a printer that is off: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("a printer that is off held the desk %v", time.Since(start))
	}
	if job.State != "pending" || job.Attempts != 1 || job.LastError == "" || job.Reprint {
		t.Errorf("the job after a failure: %+v", job)
	}
	if _, err := st.Records.Get(ctx, rec.Number); err != nil {
		t.Fatal("the radicado is gone:", err)
	}

	z := printertest.NewZebra(t, addr)
	n, err := st.Printing.RetryPrints(ctx)
	if err != nil || n != 1 {
		t.Fatalf("retry: %d printed, %v", n, err)
	}
	want, _, err := st.Printing.Sticker(ctx, rec.Number, station.LabelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := <-z.Jobs; !bytes.Equal(got, want) {
		t.Errorf("the printer received:\n%s\nwant:\n%s", got, want)
	}
	if q, _ := st.Printing.PrintQueue(ctx); len(q) != 0 {
		t.Errorf("%d jobs still wait", len(q))
	}

	// A reprint.
	job, err = st.Printing.Print(ctx, "sticker", rec.Number, "", station.LabelOptions{Copies: 2})
	if err != nil || !job.Reprint || job.State != "printed" {
		t.Fatalf("reprint: %+v, %v", job, err)
	}
	got := <-z.Jobs
	if !bytes.Contains(got, []byte("COPIA")) || !bytes.Contains(got, []byte("^PQ2")) || bytes.Contains(want, []byte("COPIA")) {
		t.Errorf("the reprint:\n%s", got)
	}
	events, err := st.Records.Audit(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	reprints := 0
	for _, e := range events {
		if e.Action == "reimprimir" && e.Number == rec.Number {
			reprints++
		}
	}
	if reprints != 1 {
		t.Errorf("%d reprints in the audit log, want 1", reprints)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify after printing: %+v %v", rep, err)
	}

	// Out of labels: a clear reason, the job waits.
	z.PaperOut.Store(true)
	job, err = st.Printing.Print(ctx, "sticker", rec.Number, "", station.LabelOptions{})
	if err == nil || !strings.Contains(err.Error(), "out of labels") || job.State != "pending" {
		t.Errorf("out of labels: %+v, %v", job, err)
	}
	if err := st.Printing.CancelPrint(ctx, job.ID); err != nil {
		t.Fatal(err)
	}
	if all, _ := st.Printing.PrintJobs(ctx, rec.Number); len(all) != 3 || all[2].State != "cancelled" {
		t.Errorf("the radicado's jobs: %+v", all)
	}

	// A test print: the sample reaches the printer, nothing is queued, and
	// a printer out of labels says so.
	if _, err := st.Printing.TestPrint(ctx, ""); err == nil || !strings.Contains(err.Error(), "out of labels") {
		t.Errorf("test print out of labels: %v", err)
	}
	z.PaperOut.Store(false)
	sample, err := st.Printing.TestPrint(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if got := <-z.Jobs; !bytes.Equal(got, sample) || !bytes.Contains(got, []byte("PRUEBA")) || !bytes.Contains(got, []byte("^CI28")) {
		t.Errorf("the test print:\n%s", got)
	}
	if q, _ := st.Printing.PrintQueue(ctx); len(q) != 0 {
		t.Errorf("a test print was queued: %+v", q)
	}
}

// TestReceiptPDF prints the acuse de recibo as PDF to a file and reads it
// back with pdftotext.
func TestReceiptPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatal("pdftotext is missing (poppler-utils)")
		}
		t.Skip("pdftotext is missing")
	}
	ctx := context.Background()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	dir := t.TempDir()
	p := fixture.PNG(t, dir, "carta.png", "carta")
	annex := fixture.ScannedPDF(t, dir, "anexo.pdf", fixture.PNG(t, dir, "plano.png", "plano del predio"))
	rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Héctor Cárdenas",
		Subject: "Derecho de petición sobre el predio", Files: []string{p, annex}})
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "acuse.pdf")
	job, err := st.Printing.Print(ctx, "receipt", rec.Number, "file://"+out, station.LabelOptions{Format: "pdf"})
	if err != nil || job.State != "printed" {
		t.Fatalf("%+v %v", job, err)
	}
	text, err := exec.Command("pdftotext", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"ACUSE DE RECIBO", rec.Number, "Héctor Cárdenas", "2 folios y 1 anexo", "Respuesta a más tardar"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("no %q in the receipt:\n%s", want, text)
		}
	}
}
