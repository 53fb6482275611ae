package document_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/radicador/radicador/document"
)

// TestCheckPassive: a plain PDF passes; one with JavaScript, an embedded
// file or a launch action is refused, saying which.
func TestCheckPassive(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, dress func(*fpdf.Fpdf)) string {
		pdf := fpdf.New("P", "mm", "A4", "")
		pdf.SetFont("Helvetica", "", 12)
		if dress != nil {
			dress(pdf)
		}
		pdf.AddPage()
		pdf.Cell(40, 10, "Derecho de peticion")
		path := filepath.Join(dir, name)
		if err := pdf.OutputFileAndClose(path); err != nil {
			t.Fatal(err)
		}
		return path
	}
	if err := document.CheckPassive(write("plain.pdf", nil)); err != nil {
		t.Errorf("a plain PDF: %v", err)
	}
	for _, tc := range []struct {
		name  string
		dress func(*fpdf.Fpdf)
		says  string
	}{
		{"script.pdf", func(p *fpdf.Fpdf) { p.SetJavascript("app.alert('x');") }, "JavaScript"},
		{"attached.pdf", func(p *fpdf.Fpdf) {
			p.SetAttachments([]fpdf.Attachment{{Content: []byte("MZ not a program"), Filename: "factura.exe"}})
		}, "embedded file"},
	} {
		err := document.CheckPassive(write(tc.name, tc.dress))
		if !errors.Is(err, document.ErrActive) || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// A launch action written by hand, in an otherwise plain PDF.
	plain, _ := os.ReadFile(write("base.pdf", nil))
	launch := strings.Replace(string(plain), "/Type /Catalog", "/Type /Catalog /OpenAction << /S /Launch /F (calc.exe) >>", 1)
	path := filepath.Join(dir, "launch.pdf")
	os.WriteFile(path, []byte(launch), 0o644)
	if err := document.CheckPassive(path); !errors.Is(err, document.ErrActive) || !strings.Contains(err.Error(), "launches") {
		t.Errorf("a launch action: %v", err)
	}
}
