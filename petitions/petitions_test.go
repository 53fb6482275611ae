package petitions_test

import (
	"bytes"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/petitions"
)

var update = flag.Bool("update", false, "write the golden files")

func report() central.PetitionReport {
	days := []int{12, 17}
	avg := 14.5
	return central.PetitionReport{Organization: "Alcaldía de Ejemplo 🏛", From: "2026-11-01", To: "2026-11-30", AsOf: "2026-12-17",
		Types: []string{"peticion", "informacion"}, Received: 3, Transferred: 1, Answered: 1, Denied: 1, Pending: 1, Late: 1, AvgDays: &avg,
		Rows: []central.PetitionRow{
			{Number: "2026001010000012", Type: "peticion", ReceivedOn: "2026-11-23", Dept: "GC", Due: "2026-12-15", State: "respondido",
				AnsweredOn: "2026-12-10", Days: &days[0], OnTime: true, Denied: true},
			{Number: "2026001010000022", Type: "peticion", ReceivedOn: "2026-11-23", Dept: "JUR", Due: "2026-12-15", State: "trasladado",
				AnsweredOn: "2026-12-17", Days: &days[1], TransferredTo: "=HYPERLINK(\"http://evil.example\")"},
			{Number: "2026001010000032", Type: "informacion", ReceivedOn: "2026-11-24", Dept: "GC", Due: "2026-12-09", State: "pendiente"},
		}}
}

// TestCSV: the rows against a golden file; a cell that would start a
// spreadsheet formula is neutralised.
func TestCSV(t *testing.T) {
	var b bytes.Buffer
	if err := petitions.WriteCSV(&b, report()); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "peticiones.csv")
	if *update {
		os.WriteFile(golden, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the CSV differs from %s:\n%s", golden, b.String())
	}
	if strings.Contains(b.String(), ",=HYPERLINK") || strings.Contains(b.String(), `,"=HYPERLINK`) {
		t.Error("a formula reaches the spreadsheet")
	}
}

// TestPDF: the decree's four figures and each petition, as pdftotext
// reads them; a character the fonts lack does not break it.
func TestPDF(t *testing.T) {
	var b bytes.Buffer
	if err := petitions.WritePDF(&b, report()); err != nil {
		t.Fatal(err)
	}
	if _, err := exec.LookPath("pdftotext"); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatal("pdftotext (poppler-utils) is needed")
		}
		t.Skip("pdftotext (poppler-utils) is needed")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = &b
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Join(strings.Fields(string(out)), " ")
	for _, want := range []string{"Informe de solicitudes de acceso a la información", "Periodo: 2026-11-01 a 2026-11-30 · con corte al 2026-12-17",
		"Solicitudes recibidas 3", "Trasladadas a otra institución 1", "Con acceso a la información negado 1", "Pendientes al corte 1",
		"Tiempo promedio de respuesta 14.5 días hábiles", "2026001010000012 peticion 2026-11-23 2026-12-10 12 sí Acceso negado",
		"2026001010000032 informacion 2026-11-24 pendiente", "página 1 de 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF lacks %q:\n%s", want, text)
		}
	}
}
