// Package pdftext makes text safe to write with the PDF library the project
// uses (go-pdf/fpdf), whose Unicode fonts reach only the Basic Multilingual
// Plane: a character beyond it (an emoji, 𝔘) would make it panic. Every
// text a user or a letter gave goes through Safe before it is drawn.
package pdftext

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
)

// Safe gives s with each character the PDF fonts cannot hold (beyond
// U+FFFF, or not valid UTF-8) replaced by U+FFFD.
func Safe(s string) string {
	if !needsFix(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF || r == utf8.RuneError {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func needsFix(s string) bool {
	for _, r := range s {
		if r > 0xFFFF || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// Recover turns a panic of the PDF library into an error in *err: a
// document that cannot be drawn is an error, never a crash. Call it
// deferred.
func Recover(err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("the PDF could not be drawn: %v", v)
	}
}

// Clip cuts s with an ellipsis to fit width (less a margin of 2) in the
// current font of pdf.
func Clip(pdf interface{ GetStringWidth(string) float64 }, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

// Doc starts a Letter-size document in millimetres (orientation "P" or
// "L") with the Go fonts as "go" (regular and "B"), margin on every side,
// and a footer on each page: the title, a note, and "página N de M".
func Doc(orientation string, margin float64, title, note string) *fpdf.Fpdf {
	pdf := fpdf.New(orientation, "mm", "Letter", "")
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.SetMargins(margin, margin, margin)
	pdf.SetAutoPageBreak(true, 15)
	pdf.SetTitle(strings.TrimSpace(title+" "+note), true)
	pdf.SetCreator("Radicador", true)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-10)
		pdf.SetFont("go", "", 8)
		pdf.CellFormat(0, 5, fmt.Sprintf("%s · %s · página %d de {nb}", title, note, pdf.PageNo()), "", 0, "C", false, 0, "")
	})
	return pdf
}

// Column is a column of a table: its heading and width.
type Column struct {
	Head  string
	Width float64
}

// Header draws a table's heading row in bold on grey, and leaves the
// regular font of its rows set.
func Header(pdf *fpdf.Fpdf, cols []Column) {
	pdf.SetFont("go", "B", 8)
	pdf.SetFillColor(230, 236, 240)
	for _, c := range cols {
		pdf.CellFormat(c.Width, 7, c.Head, "1", 0, "C", true, 0, "")
	}
	pdf.Ln(-1)
	pdf.SetFont("go", "", 8)
}
