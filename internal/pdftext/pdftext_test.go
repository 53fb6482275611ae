package pdftext

import (
	"bytes"
	"testing"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"
)

// draw writes s in a PDF with the Go font, as the project's PDFs do.
func draw(s string) (err error) {
	defer Recover(&err)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.SetFont("go", "", 10)
	pdf.AddPage()
	pdf.CellFormat(0, 5, s, "", 1, "L", false, 0, "")
	var b bytes.Buffer
	return pdf.Output(&b)
}

func TestSafe(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"Solicitud 😀 urgente", "Solicitud \ufffd urgente"},
		{"𝔘niversidad", "\ufffdniversidad"},
		{"Petición — señor Núñez", "Petición — señor Núñez"},
		{"bad \xff byte", "bad \ufffd byte"},
	} {
		got := Safe(tc.in)
		if got != tc.want {
			t.Errorf("Safe(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if err := draw(got); err != nil {
			t.Errorf("drawing %q: %v", got, err)
		}
	}
	// Without it, the library panics; Recover makes that an error.
	if err := draw("😀"); err == nil {
		t.Error("the library drew a character beyond the BMP: Safe may no longer be needed")
	}
}
