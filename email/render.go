package email

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/radicador/radicador/internal/pdftext"
)

// Render writes the message as a PDF, the way the desk reads a letter: a
// heading block (from, to, cc, date, subject, attachments) and the text.
// received is when the organisation got it, as the page's note.
func Render(m *Message, received string) (_ []byte, err error) {
	defer pdftext.Recover(&err)
	title := "Correo electrónico recibido"
	pdf := pdftext.Doc("P", 20, title, received)
	pdf.AddPage()
	pdf.SetFont("go", "B", 13)
	pdf.MultiCell(0, 7, pdftext.Safe(orDash(m.Subject)), "", "L", false)
	pdf.Ln(2)
	field := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont("go", "B", 9)
		pdf.CellFormat(28, 5, label, "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 9)
		pdf.MultiCell(0, 5, pdftext.Safe(value), "", "L", false)
	}
	field("De:", m.From.String())
	field("Para:", joinAddresses(m.To))
	field("CC:", joinAddresses(m.Cc))
	field("Fecha:", dateText(m.Date))
	field("Message-ID:", m.ID)
	var names []string
	for _, a := range m.Attachments {
		if !a.Inline {
			names = append(names, fmt.Sprintf("%s (%s)", a.Name, size(len(a.Data))))
		}
	}
	field("Adjuntos:", strings.Join(names, ", "))
	if len(m.Problems) > 0 {
		field("Advertencia:", strings.Join(m.Problems, "; ")+". El mensaje original se conserva completo.")
	}
	pdf.Ln(2)
	pdf.SetDrawColor(120, 120, 120)
	x, y := pdf.GetXY()
	w, _ := pdf.GetPageSize()
	pdf.Line(x, y, w-20, y)
	pdf.Ln(4)
	pdf.SetFont("go", "", 10)
	text := m.Text
	if strings.TrimSpace(text) == "" {
		text = "(el mensaje no tiene texto: la comunicación son sus adjuntos)"
	}
	pdf.MultiCell(0, 5, pdftext.Safe(text), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "(sin asunto)"
	}
	return s
}

// size writes a byte count as people read it.
func size(n int) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%d kB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
