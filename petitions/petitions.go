// Package petitions writes the petitions report that Colombian entities
// publish (Decreto 1081 de 2015, art. 2.1.1.6.2) as PDF and as CSV: how
// many petitions were received, how many transferred to another
// authority, the time each took, and in how many access was denied.
package petitions

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/csvsafe"
	"github.com/radicador/radicador/internal/pdftext"
)

// CSVHead is the CSV's first row.
var CSVHead = []string{"number", "type", "received_on", "dept", "due", "state", "answered_on", "business_days", "on_time", "transferred_to", "access_denied"}

// WriteCSV writes a row per petition.
func WriteCSV(w io.Writer, r central.PetitionReport) error {
	cw := csvsafe.NewWriter(w)
	cw.Write(CSVHead)
	for _, p := range r.Rows {
		days := ""
		if p.Days != nil {
			days = strconv.Itoa(*p.Days)
		}
		onTime := ""
		if p.AnsweredOn != "" {
			onTime = yesNo(p.OnTime)
		}
		cw.Write([]string{p.Number, p.Type, p.ReceivedOn, p.Dept, p.Due, p.State, p.AnsweredOn, days, onTime, p.TransferredTo, yesNo(p.Denied)})
	}
	return cw.Flush()
}

func yesNo(b bool) string {
	if b {
		return "si"
	}
	return "no"
}

// WritePDF writes the report: the four figures the decree asks for, then
// each petition with the time it took.
func WritePDF(w io.Writer, r central.PetitionReport) (err error) {
	defer pdftext.Recover(&err)
	title := "Informe de solicitudes de acceso a la información"
	pdf := pdftext.Doc("P", 15, title, r.From+" a "+r.To)
	pdf.AddPage()
	pdf.SetFont("go", "B", 14)
	pdf.MultiCell(0, 7, title, "", "L", false)
	pdf.SetFont("go", "", 10)
	if org := strings.TrimSpace(r.Organization); org != "" {
		pdf.CellFormat(0, 6, pdftext.Safe(org), "", 1, "L", false, 0, "")
	}
	pdf.CellFormat(0, 6, fmt.Sprintf("Periodo: %s a %s · con corte al %s · tipos: %s", r.From, r.To, r.AsOf, strings.Join(r.Types, ", ")), "", 1, "L", false, 0, "")
	pdf.CellFormat(0, 6, "Decreto 1081 de 2015, artículo 2.1.1.6.2", "", 1, "L", false, 0, "")
	pdf.Ln(3)
	avg := "—"
	if r.AvgDays != nil {
		avg = strconv.FormatFloat(*r.AvgDays, 'f', 1, 64) + " días hábiles"
	}
	figures := [][2]string{
		{"Solicitudes recibidas", strconv.Itoa(r.Received)},
		{"Trasladadas a otra institución", strconv.Itoa(r.Transferred)},
		{"Respondidas por la entidad", strconv.Itoa(r.Answered)},
		{"Con acceso a la información negado", strconv.Itoa(r.Denied)},
		{"Pendientes al corte", strconv.Itoa(r.Pending)},
		{"Respondidas o trasladadas fuera de término", strconv.Itoa(r.Late)},
		{"Tiempo promedio de respuesta", avg},
	}
	for _, f := range figures {
		pdf.SetFont("go", "", 10)
		pdf.CellFormat(110, 7, f[0], "1", 0, "L", false, 0, "")
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(50, 7, f[1], "1", 1, "R", false, 0, "")
	}
	pdf.Ln(4)
	pdf.SetFont("go", "B", 11)
	pdf.CellFormat(0, 7, "Tiempo de respuesta de cada solicitud", "", 1, "L", false, 0, "")
	cols := []pdftext.Column{{Head: "Radicado", Width: 36}, {Head: "Tipo", Width: 22}, {Head: "Recibida", Width: 21}, {Head: "Respondida", Width: 21}, {Head: "Días háb.", Width: 16}, {Head: "En término", Width: 17}, {Head: "Traslado / acceso", Width: 53}}
	header := func() { pdftext.Header(pdf, cols) }
	header()
	if len(r.Rows) == 0 {
		pdf.CellFormat(0, 7, "No se recibieron solicitudes en el periodo.", "1", 1, "L", false, 0, "")
	}
	for _, p := range r.Rows {
		if pdf.GetY() > 250 {
			pdf.AddPage()
			header()
		}
		answered, days, onTime, note := "pendiente", "", "", ""
		if p.AnsweredOn != "" {
			answered, onTime = p.AnsweredOn, map[bool]string{true: "sí", false: "no"}[p.OnTime]
		}
		if p.Days != nil {
			days = strconv.Itoa(*p.Days)
		}
		switch {
		case p.TransferredTo != "":
			note = "Trasladada a " + pdftext.Safe(p.TransferredTo)
		case p.Denied:
			note = "Acceso negado"
		}
		cells := []string{p.Number, p.Type, p.ReceivedOn, answered, days, onTime, pdftext.Clip(pdf, note, cols[6].Width)}
		for i, c := range cols {
			align := "L"
			if i == 4 || i == 5 {
				align = "C"
			}
			pdf.CellFormat(c.Width, 6, cells[i], "1", 0, align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	return pdf.Output(w)
}
