package planilla

import (
	"bytes"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var bogota = time.FixedZone("COT", -5*3600)

func sheet(rows int) Sheet {
	s := Sheet{Organization: "Alcaldía de Prueba", Day: "2026-11-23", Office: "001", Station: "01",
		Depts: map[string]string{"100": "Despacho", "200": "Hacienda", "300": "Planeación"}}
	depts := []string{"200", "100", "", "300", "999"}
	for i := range rows {
		s.Rows = append(s.Rows, Row{
			Dept:       depts[i%len(depts)],
			Number:     fmt.Sprintf("2026001012%06d", rows-i), // not in order
			ReceivedAt: time.Date(2026, 11, 23, 8, i%60, 0, 0, bogota),
			Type:       "peticion",
			Sender:     fmt.Sprintf("Héctor Cárdenas Núñez %d", i),
			Subject:    "Solicitud de información sobre el impuesto predial del año gravable anterior y sus intereses",
			Pages:      1 + i%3,
			Annulled:   i == 3,
		})
	}
	return s
}

func TestGroups(t *testing.T) {
	gs := sheet(10).Groups()
	var names []string
	for _, g := range gs {
		names = append(names, fmt.Sprintf("%s:%d", g.Name, len(g.Rows)))
		for i := 1; i < len(g.Rows); i++ {
			if g.Rows[i-1].Number >= g.Rows[i].Number {
				t.Errorf("%s: rows out of order", g.Name)
			}
		}
	}
	want := "100 — Despacho:2 200 — Hacienda:2 300 — Planeación:2 999:2 Sin dependencia asignada:2"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("groups:\n got %s\nwant %s", got, want)
	}
}

func TestCSVGolden(t *testing.T) {
	var buf bytes.Buffer
	if err := sheet(7).WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "planilla.csv")
	if *update {
		os.WriteFile(golden, buf.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("CSV differs from %s:\n%s", golden, buf.String())
	}
}

// TestCSVFormulas: a sender or subject that a spreadsheet would run as a
// formula is written as text.
func TestCSVFormulas(t *testing.T) {
	s := sheet(1)
	s.Rows[0].Sender = `=HYPERLINK("http://evil.example/x","Juan")`
	s.Rows[0].Subject = "@SUM(1+1)*cmd|' /C calc'!A0"
	var buf bytes.Buffer
	if err := s.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1][4]; got != `'=HYPERLINK("http://evil.example/x","Juan")` {
		t.Errorf("sender cell %q", got)
	}
	if got := rows[1][5]; got != "'@SUM(1+1)*cmd|' /C calc'!A0" {
		t.Errorf("subject cell %q", got)
	}
}

// TestPDFBeyondTheBMP: a subject or sender with a character the PDF fonts
// cannot hold (an emoji) is drawn as U+FFFD, never a crash.
func TestPDFBeyondTheBMP(t *testing.T) {
	s := sheet(2)
	s.Rows[0].Subject = "Felicitaciones 😀 por el servicio"
	s.Rows[1].Sender = "𝔘niversidad"
	s.Organization = "Alcaldía 🏛"
	var buf bytes.Buffer
	if err := s.WritePDF(&buf); err != nil || !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("WritePDF: %v", err)
	}
	if s.Rows[0].Subject != "Felicitaciones 😀 por el servicio" {
		t.Error("WritePDF changed the sheet it was given")
	}
}

// TestPDF renders the sheet with poppler and reads its text back: every
// number once, each department's heading, the totals, the page count.
func TestPDF(t *testing.T) {
	for _, tool := range []string{"pdftotext", "pdftoppm"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("RADICADOR_STRICT") != "" {
				t.Fatalf("%s is missing (poppler-utils; make test installs it)", tool)
			}
			t.Skipf("%s is missing (poppler-utils)", tool)
		}
	}
	cases := []struct {
		rows, pages int
	}{{0, 1}, {7, 1}, {60, 4}}
	for _, tc := range cases {
		t.Run(fmt.Sprint(tc.rows), func(t *testing.T) {
			s := sheet(tc.rows)
			dir := t.TempDir()
			path := filepath.Join(dir, "planilla.pdf")
			var buf bytes.Buffer
			if err := s.WritePDF(&buf); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
			if err != nil {
				t.Fatalf("pdftotext: %v: %s", err, out)
			}
			text := string(out)
			for _, r := range s.Rows {
				if n := strings.Count(text, r.Number); n != 1 {
					t.Errorf("%s appears %d times", r.Number, n)
				}
			}
			for _, g := range s.Groups() {
				if !strings.Contains(text, fmt.Sprintf("%s (%d)", g.Name, len(g.Rows))) {
					t.Errorf("no heading %q", g.Name)
				}
			}
			annulled := 0
			if tc.rows > 3 {
				annulled = 1
			}
			want := fmt.Sprintf("%d radicados (%d anulados)", tc.rows, annulled)
			if annulled == 1 {
				want = fmt.Sprintf("%d radicados (1 anulado)", tc.rows)
			}
			if !strings.Contains(text, want) {
				t.Errorf("no totals %q", want)
			}
			if annulled == 1 && !strings.Contains(text, "[ANULADO]") {
				t.Error("the annulled radicado is not marked")
			}
			if !strings.Contains(text, "Entrega (ventanilla)") {
				t.Error("no line for whoever hands the mail over")
			}
			if tc.rows == 0 && !strings.Contains(text, "No hay radicados") {
				t.Error("an empty day does not say so")
			}
			if want := fmt.Sprintf("página %d de %d", tc.pages, tc.pages); !strings.Contains(text, want) {
				t.Errorf("no %q in:\n%s", want, text)
			}
			if strings.Contains(text, fmt.Sprintf("página %d de", tc.pages+1)) {
				t.Errorf("more than %d pages", tc.pages)
			}
			// It renders: one image per page.
			if out, err := exec.Command("pdftoppm", "-r", "40", "-png", path, filepath.Join(dir, "p")).CombinedOutput(); err != nil {
				t.Fatalf("pdftoppm: %v: %s", err, out)
			}
			pngs, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
			if len(pngs) != tc.pages {
				t.Errorf("%d pages rendered, want %d", len(pngs), tc.pages)
			}
		})
	}
}
