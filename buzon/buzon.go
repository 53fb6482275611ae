// Package buzon writes the documents of the public Buzón: the communication
// a person hands in on the web, as the PDF that becomes its radicado's
// first document (what they wrote, as they wrote it, with the files they
// attached named), and its acuse de recibo, the receipt the stations print,
// with the consultation code.
package buzon

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/pdftext"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/sync/wire"
)

// Communication writes s, handed in at at, as a PDF; attached names the
// files that came with it.
func Communication(s central.Submission, typeName string, attached []string, at time.Time, org string) (_ []byte, err error) {
	defer pdftext.Recover(&err)
	title := "Comunicación recibida por el Buzón web"
	pdf := pdftext.Doc("P", 20, title, at.Format("2006-01-02 15:04"))
	pdf.AddPage()
	pdf.SetFont("go", "B", 14)
	pdf.MultiCell(0, 7, title, "", "L", false)
	pdf.SetFont("go", "", 10)
	if org = strings.TrimSpace(org); org != "" {
		pdf.MultiCell(0, 6, pdftext.Safe(org), "", "L", false)
	}
	pdf.Ln(3)
	field := func(label, value string) {
		if value == "" {
			return
		}
		pdf.SetFont("go", "B", 10)
		pdf.CellFormat(45, 6, label, "", 0, "L", false, 0, "")
		pdf.SetFont("go", "", 10)
		pdf.MultiCell(0, 6, pdftext.Safe(value), "", "L", false)
	}
	field("Recibida:", at.Format("2006-01-02 15:04:05 -07:00"))
	field("Remitente:", s.Name)
	field("Identificación:", s.SenderID)
	field("Correo electrónico:", s.Email)
	field("Teléfono:", s.Phone)
	field("Tipo:", typeName)
	field("Asunto:", s.Subject)
	if len(attached) > 0 {
		field("Anexos:", strings.Join(attached, ", "))
	}
	pdf.Ln(4)
	pdf.SetFont("go", "B", 10)
	pdf.CellFormat(0, 6, "Mensaje", "B", 1, "L", false, 0, "")
	pdf.Ln(2)
	pdf.SetFont("go", "", 10)
	msg := s.Message
	if msg == "" {
		msg = "(sin mensaje: la comunicación son sus anexos)"
	}
	pdf.MultiCell(0, 5.5, pdftext.Safe(msg), "", "L", false)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// AcuseMail writes the e-mail that carries the acuse of r to its sender,
// in r's language from r's template, with the acuse attached; estado is
// the address of the state page ("": not said).
func AcuseMail(r central.Receipt, held wire.Radicado, estado string) (central.AcuseMail, error) {
	pdf, err := Acuse(r, held)
	if err != nil {
		return central.AcuseMail{}, err
	}
	org := strings.TrimSpace(r.Org)
	if org == "" {
		org = map[string]string{"en": "the organisation"}[r.Lang]
		if org == "" {
			org = "la entidad"
		}
	}
	t := r.Template
	if t == (central.AcuseTemplate{}) {
		if t = central.DefaultAcuse[r.Lang]; t == (central.AcuseTemplate{}) {
			t = central.DefaultAcuse[central.AcuseLanguages[0]]
		}
	}
	subject, body, err := t.Write(central.AcuseFields{Number: r.Number, Code: r.Code, Subject: r.Subject, Due: r.Due, Org: org,
		Estado: estado, ReceivedAt: r.ReceivedAt})
	if err != nil {
		return central.AcuseMail{}, err
	}
	return central.AcuseMail{Subject: subject, Body: body, Name: "acuse-" + r.Number + ".pdf", PDF: pdf}, nil
}

// channelName says on the acuse how the communication came in.
func channelName(channel string) string {
	switch channel {
	case central.ChannelEmail:
		return "Correo electrónico"
	case central.ChannelWeb:
		return "Buzón web"
	}
	return "Ventanilla"
}

// receiptWidth is the acuse's width in millimetres: a page's column.
const receiptWidth = 139.7

// Acuse writes the acuse de recibo of a communication, held as the
// radicado r, as PDF.
func Acuse(r central.Receipt, held wire.Radicado) ([]byte, error) {
	pages := 0
	for _, f := range held.Files {
		pages += f.Pages
	}
	dept := r.Dept
	if r.DeptName != "" {
		dept = r.Dept + " · " + r.DeptName
	}
	c := label.Content{Number: r.Number, ReceivedAt: r.ReceivedAt, Organization: r.Org, Office: held.Office, Dept: dept, Kind: "entrada",
		Type: r.TypeName, Pages: pages, Annexes: len(held.Files) - 1, DocSHA256: held.SHA256, Due: r.Due, Sender: r.Name, Subject: r.Subject,
		Code: r.Code, Channel: channelName(r.Channel), Logo: r.Logo}
	l, err := label.Receipt(c, receiptWidth, 203)
	if err != nil {
		return nil, fmt.Errorf("the acuse: %w", err)
	}
	var b bytes.Buffer
	if err := l.WritePDF(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
