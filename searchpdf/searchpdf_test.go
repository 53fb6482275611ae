package searchpdf

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/ocr"
	_ "github.com/radicador/radicador/procenv" // OCR single-threaded
	"github.com/radicador/radicador/scan"
)

func need(t *testing.T, tool string) {
	t.Helper()
	if _, err := exec.LookPath(tool); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatalf("%s is not installed (make test installs poppler-utils)", tool)
		}
		t.Skipf("%s is not installed", tool)
	}
}

var lines = []string{
	"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "BANCO EJEMPLO S.A.", "",
	"Asunto: Derecho de petición - copia de extractos", "",
	"Solicito copia de los extractos de mi tarjeta de crédito.", "", "Atentamente,", "", "Ana María Pérez",
}

func TestSearchablePDF(t *testing.T) {
	need(t, "pdftotext")
	dir := t.TempDir()
	gray := pagegen.Gray(pagegen.Spec{DPI: 300, Lines: lines})
	bwPage, err := scan.WritePage(dir, 1, scan.Threshold(gray), scan.BW, 300)
	if err != nil {
		t.Fatal(err)
	}
	colorPage, err := scan.WritePage(dir, 2, pagegen.RGB(pagegen.Spec{DPI: 200, Lines: []string{"Página dos", "Anexo: certificado de tradición"}}), scan.Color, 200)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ocr.New(ocr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	read := e.ReadAll(context.Background(), "", []string{bwPage.Path, colorPage.Path})
	var pages []Page
	for i, r := range read {
		if r.Err != nil {
			t.Fatal(r.Err)
		}
		pages = append(pages, Page{Image: r.Image, DPI: []int{300, 200}[i], Words: wordsOf(r.Words)})
	}
	var buf bytes.Buffer
	if err := Write(&buf, pages, Info{Title: "2026001010000012"}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "doc.pdf")
	os.WriteFile(out, buf.Bytes(), 0o644)

	text, err := exec.Command("pdftotext", "-layout", out, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range []string{"Bogotá", "noviembre", "petición", "extractos", "Ana", "Pérez", "certificado", "tradición"} {
		if !strings.Contains(string(text), w) {
			t.Errorf("pdftotext does not give back %q:\n%s", w, text)
		}
	}
	info, _ := exec.Command("pdfinfo", out).Output()
	if f := strings.Join(strings.Fields(string(info)), " "); !strings.Contains(f, "Pages: 2") || !strings.Contains(f, "612 x 792 pts") {
		t.Errorf("pdfinfo:\n%s", info)
	}
	// A black-and-white page stays about as small as its PNG.
	bwOnly := new(bytes.Buffer)
	if err := Write(bwOnly, pages[:1], Info{}); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(bwPage.Path)
	t.Logf("black-and-white page: PNG %d bytes, PDF %d bytes", st.Size(), bwOnly.Len())
	if int64(bwOnly.Len()) > st.Size()+40_000 {
		t.Errorf("the PDF of a %d-byte black-and-white page is %d bytes", st.Size(), bwOnly.Len())
	}
}

func TestWriteRejects(t *testing.T) {
	if err := Write(new(bytes.Buffer), nil, Info{}); err == nil {
		t.Error("a PDF without pages was written")
	}
	bad := filepath.Join(t.TempDir(), "x.png")
	os.WriteFile(bad, []byte("not an image"), 0o644)
	if err := Write(new(bytes.Buffer), []Page{{Image: bad}}, Info{}); err == nil {
		t.Error("a broken page was written")
	}
}

// wordsOf gives the words OCR read as the PDF takes them.
func wordsOf(ws []ocr.Word) []Word {
	out := make([]Word, len(ws))
	for i, w := range ws {
		out[i] = Word{Text: w.Text, Box: w.Box}
	}
	return out
}
