package label

import (
	"io"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/radicador/radicador/internal/pdftext"
)

// WritePDF writes the layout as a one-page PDF of the label's size, in
// vectors: bars and modules as rectangles, text in the Go fonts, placed as
// in the PNG.
func (l *Layout) WritePDF(w io.Writer) (err error) {
	defer pdftext.Recover(&err)
	k := 25.4 / float64(l.DPI) // mm per dot
	pdf := fpdf.NewCustom(&fpdf.InitType{UnitStr: "mm", Size: fpdf.SizeType{Wd: float64(l.W) * k, Ht: float64(l.H) * k}})
	pdf.SetMargins(0, 0, 0)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetCreator("Radicador", true)
	pdf.AddUTF8FontFromBytes("go", "", goregular.TTF)
	pdf.AddUTF8FontFromBytes("go", "B", gobold.TTF)
	pdf.AddPage()
	pdf.SetFillColor(0, 0, 0)
	rect := func(x, y, w, h int) { pdf.Rect(float64(x)*k, float64(y)*k, float64(w)*k, float64(h)*k, "F") }
	for _, it := range l.Items {
		switch it.Kind {
		case Text:
			style := ""
			if it.Bold {
				style = "B"
			}
			// The same em as the preview: 0.86 of the line height.
			pdf.SetFont("go", style, float64(it.H)*0.86*k*72/25.4)
			pdf.Text(float64(it.X)*k, float64(it.Y+ascent(it.Bold, it.H))*k, pdftext.Safe(it.Text))
		default:
			if err := it.rects(rect); err != nil {
				return err
			}
		}
	}
	return pdf.Output(w)
}
