// Package planilla writes the day-end control sheet: the day's radicados
// grouped by the department they go to, with a column where whoever takes
// them there signs, as CSV and as PDF.
package planilla

import (
	"bytes"
	"fmt"
	"image/png"
	"io"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
	"github.com/go-pdf/fpdf"

	"github.com/radicador/radicador/internal/csvsafe"
	"github.com/radicador/radicador/internal/pdftext"
)

// Row is one radicado on the sheet.
type Row struct {
	Dept       string
	Number     string
	ReceivedAt time.Time
	Type       string
	Sender     string
	Subject    string
	Pages      int
	Annulled   bool
}

// Anchor is the head of a station's audit chain at a moment, as printed:
// the event's number and time, its hash short for people, and the QR
// code's text with the whole hash (radicador verify --anchor reads either).
type Anchor struct {
	Station string // OFFICE-STATION
	ID      int64
	At      time.Time
	Short   string
	QR      string
}

// Sheet is a day's control sheet.
type Sheet struct {
	Organization string
	Day          string // YYYY-MM-DD
	Office       string
	Station      string
	Depts        map[string]string // code → name, for headings
	Rows         []Row
	// Anchors are heads of audit chains to print at the foot of the sheet
	// (the station's own at the day's end; on the server's sheet, every
	// station's it holds), so that paper vouches for the electronic record.
	Anchors []Anchor
}

// Group is the radicados of one department.
type Group struct {
	Dept, Name string
	Rows       []Row
}

// NoDept is the heading of radicados without a department.
const NoDept = "Sin dependencia asignada"

// Groups gives the rows by department, departments by name and rows by
// number.
func (s Sheet) Groups() []Group {
	by := map[string]*Group{}
	for _, r := range s.Rows {
		g := by[r.Dept]
		if g == nil {
			name := s.Depts[r.Dept]
			switch {
			case r.Dept == "":
				name = NoDept
			case name == "":
				name = r.Dept
			default:
				name = r.Dept + " — " + name
			}
			g = &Group{Dept: r.Dept, Name: name}
			by[r.Dept] = g
		}
		g.Rows = append(g.Rows, r)
	}
	out := make([]Group, 0, len(by))
	for _, g := range by {
		sort.Slice(g.Rows, func(i, j int) bool { return g.Rows[i].Number < g.Rows[j].Number })
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Dept == "") != (out[j].Dept == "") {
			return out[j].Dept == "" // unassigned last
		}
		return out[i].Name < out[j].Name
	})
	return out
}

func status(r Row) string {
	if r.Annulled {
		return "ANULADO"
	}
	return "vigente"
}

// WriteCSV writes the sheet as CSV (UTF-8 with a byte-order mark, which
// spreadsheets need to read accents right).
func (s Sheet) WriteCSV(w io.Writer) error {
	io.WriteString(w, "\ufeff")
	cw := csvsafe.NewWriter(w)
	cw.Write([]string{"dependencia", "radicado", "hora", "tipo", "remitente", "asunto", "folios", "estado", "recibido por (nombre y firma)", "fecha y hora de recibo"})
	for _, g := range s.Groups() {
		for _, r := range g.Rows {
			cw.Write([]string{g.Name, r.Number, r.ReceivedAt.Format("15:04"), r.Type, r.Sender, r.Subject, strconv.Itoa(r.Pages), status(r), "", ""})
		}
	}
	return cw.Flush()
}

// WritePDF writes the sheet as a landscape PDF: a table per department
// with a signature column, totals, and a page number on every page.
func (s Sheet) WritePDF(w io.Writer) (err error) {
	defer pdftext.Recover(&err)
	s = s.safe()
	title := "Planilla de entrega de correspondencia"
	pdf := pdftext.Doc("L", 12, title, s.Day)
	cols := []pdftext.Column{{Head: "Radicado", Width: 36}, {Head: "Hora", Width: 13}, {Head: "Tipo", Width: 24}, {Head: "Remitente", Width: 48}, {Head: "Asunto", Width: 68}, {Head: "Fol.", Width: 10}, {Head: "Recibe: nombre, firma, fecha y hora", Width: 56}}
	header := func() { pdftext.Header(pdf, cols) }
	pdf.AddPage()
	pdf.SetFont("go", "B", 14)
	pdf.CellFormat(0, 8, title, "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 10)
	who := strings.TrimSpace(s.Organization)
	if s.Office != "" {
		who = strings.TrimSpace(who + " · Oficina " + s.Office)
	}
	if s.Station != "" {
		who += " · Estación " + s.Station
	}
	total, annulled := 0, 0
	for _, r := range s.Rows {
		total++
		if r.Annulled {
			annulled++
		}
	}
	pdf.CellFormat(0, 6, fmt.Sprintf("%s · Día %s · %s (%s)", who, s.Day, plural(total, "radicado", "radicados"), plural(annulled, "anulado", "anulados")), "", 1, "L", false, 0, "")
	pdf.Ln(2)
	if total == 0 {
		pdf.CellFormat(0, 8, "No hay radicados en este día.", "", 1, "L", false, 0, "")
	}
	for _, g := range s.Groups() {
		if pdf.GetY() > 170 {
			pdf.AddPage()
		}
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(0, 8, fmt.Sprintf("%s (%d)", g.Name, len(g.Rows)), "", 1, "L", false, 0, "")
		header()
		pdf.SetFont("go", "", 8)
		for _, r := range g.Rows {
			if pdf.GetY() > 185 {
				pdf.AddPage()
				header()
				pdf.SetFont("go", "", 8)
			}
			subject := r.Subject
			if r.Annulled {
				subject = "[ANULADO] " + subject
			}
			cells := []string{r.Number, r.ReceivedAt.Format("15:04"), r.Type, pdftext.Clip(pdf, r.Sender, cols[3].Width), pdftext.Clip(pdf, subject, cols[4].Width), strconv.Itoa(r.Pages), ""}
			for i, c := range cols {
				align := "L"
				if i == 1 || i == 5 {
					align = "C"
				}
				pdf.CellFormat(c.Width, 9, cells[i], "1", 0, align, false, 0, "")
			}
			pdf.Ln(-1)
		}
		pdf.Ln(3)
	}
	// Whoever hands the mail over signs too, on the last page when it fits.
	if pdf.GetY() > 186 {
		pdf.AddPage()
	}
	pdf.Ln(6)
	pdf.SetFont("go", "", 9)
	pdf.CellFormat(120, 6, "Entrega (ventanilla): ____________________________________", "", 0, "L", false, 0, "")
	pdf.CellFormat(0, 6, "Fecha y hora: ______________________", "", 1, "L", false, 0, "")
	if err := s.anchors(pdf); err != nil {
		return err
	}
	return pdf.Output(w)
}

// anchors prints the heads of the audit chains: a line each, and its QR
// code.
func (s Sheet) anchors(pdf *fpdf.Fpdf) error {
	const side = 26.0 // mm of each QR code
	for i, a := range s.Anchors {
		if pdf.GetY()+side+12 > 200 {
			pdf.AddPage()
		}
		if i == 0 {
			pdf.Ln(4)
			pdf.SetFont("go", "B", 9)
			pdf.CellFormat(0, 6, "Cadena de auditoría al cierre (verificable con: radicador verify --anchor)", "", 1, "L", false, 0, "")
		}
		code, err := qr.Encode(a.QR, qr.M, qr.Auto)
		if err != nil {
			return fmt.Errorf("planilla: the anchor's QR code: %w", err)
		}
		scaled, err := barcode.Scale(code, code.Bounds().Dx()*8, code.Bounds().Dy()*8)
		if err != nil {
			return err
		}
		var buf bytes.Buffer
		if err := png.Encode(&buf, scaled); err != nil {
			return err
		}
		name := fmt.Sprintf("anchor-%d", i)
		pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, &buf)
		y := pdf.GetY()
		pdf.ImageOptions(name, pdf.GetX(), y, side, side, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		pdf.SetXY(pdf.GetX()+side+4, y+4)
		pdf.SetFont("go", "", 9)
		pdf.CellFormat(0, 5, fmt.Sprintf("Estación %s · evento %d · %s", a.Station, a.ID, a.At.Local().Format("2006-01-02 15:04:05")), "", 2, "L", false, 0, "")
		pdf.SetFont("go", "B", 11)
		pdf.CellFormat(0, 6, a.Short, "", 2, "L", false, 0, "")
		pdf.SetFont("go", "", 7)
		pdf.CellFormat(0, 4, a.QR, "", 1, "L", false, 0, "")
		pdf.SetY(y + side + 2)
	}
	return pdf.Error()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// safe gives the sheet with every text the PDF fonts can hold.
func (s Sheet) safe() Sheet {
	s.Organization = pdftext.Safe(s.Organization)
	depts := make(map[string]string, len(s.Depts))
	for k, v := range s.Depts {
		depts[pdftext.Safe(k)] = pdftext.Safe(v)
	}
	s.Depts = depts
	rows := make([]Row, len(s.Rows))
	for i, r := range s.Rows {
		r.Dept, r.Type, r.Sender, r.Subject = pdftext.Safe(r.Dept), pdftext.Safe(r.Type), pdftext.Safe(r.Sender), pdftext.Safe(r.Subject)
		rows[i] = r
	}
	s.Rows = rows
	return s
}
