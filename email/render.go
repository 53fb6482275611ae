package email

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

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
	if cut, more := cutText(text); more > 0 {
		text = cut + fmt.Sprintf("\n\n(… el texto sigue: %d líneas más no caben en esta copia; el correo original se conserva completo como primer archivo del radicado)", more)
	}
	pdf.MultiCell(0, 5, pdftext.Safe(text), "", "L", false)
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The text drawn into the message's PDF: about thirty pages. A longer
// text (a megabyte of it was seven thousand pages, each then read again
// by OCR) is cut, and the PDF says so; the original keeps it whole.
const (
	maxDrawnBytes = 100 << 10
	maxDrawnLines = 1500
)

// cutText gives the part of text that is drawn, and how many lines of it
// are left out.
func cutText(text string) (string, int) {
	cut := len(text)
	if cut > maxDrawnBytes {
		cut = maxDrawnBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
	}
	lines := 0
	for i := 0; i < cut; i++ {
		if text[i] == '\n' {
			if lines++; lines == maxDrawnLines {
				cut = i
				break
			}
		}
	}
	if cut == len(text) {
		return text, 0
	}
	rest := strings.TrimPrefix(text[cut:], "\n")
	more := strings.Count(rest, "\n")
	if !strings.HasSuffix(rest, "\n") {
		more++
	}
	return text[:cut], more
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
