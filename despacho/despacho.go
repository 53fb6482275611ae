// Package despacho holds the facts of sending letters out by courier: the
// states of an envelope, the destination zones and the business days a
// courier takes to each, the usual reasons a letter comes back, the
// courier's results file read through a column map, and the dispatch's
// control sheet (planilla) as PDF and CSV.
package despacho

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/csvsafe"
	"github.com/radicador/radicador/internal/pdftext"
	"github.com/radicador/radicador/internal/textfold"
)

// The states of an envelope.
const (
	Pending   = "pendiente"  // in a dispatch not yet handed over
	Sent      = "despachado" // handed to the courier
	Delivered = "entregado"
	Returned  = "devuelto"
)

// EmailCourier is the built-in "courier" of an attempt by e-mail: the
// central server sends the salida to the recipient's address.
const EmailCourier = "Correo electrónico"

// Zones of destination, by how far the courier goes.
const (
	ZoneBogota = "bogota"
	ZoneMain   = "principal" // the main cities
	ZoneCoast  = "costa"     // the coastal cities
	ZoneOther  = "otras"
)

// DefaultDays are the business days a courier takes to each zone (the
// brief's figures; the rest of the country, a day more than the coast).
var DefaultDays = map[string]int{ZoneBogota: 2, ZoneMain: 3, ZoneCoast: 5, ZoneOther: 6}

var mainCities = []string{"medellin", "cali", "bucaramanga", "pereira", "manizales", "cucuta", "ibague", "villavicencio",
	"pasto", "neiva", "armenia", "tunja", "popayan", "soacha", "bello", "itagui", "envigado", "palmira", "floridablanca"}

var coastCities = []string{"barranquilla", "cartagena", "santa marta", "riohacha", "valledupar", "monteria", "sincelejo",
	"san andres", "tumaco", "buenaventura", "turbo", "soledad", "quibdo"}

// Zone gives the zone of a city as people write it ("Bogotá D.C.",
// "CARTAGENA DE INDIAS").
func Zone(city string) string {
	c := strings.Join(strings.Fields(strings.NewReplacer(".", " ", ",", " ", "-", " ").Replace(textfold.Lower(city))), " ")
	has := func(names []string) bool {
		return slices.ContainsFunc(names, func(n string) bool { return c == n || strings.HasPrefix(c, n+" ") })
	}
	switch {
	case c == "bogota" || strings.HasPrefix(c, "bogota ") || c == "santafe de bogota":
		return ZoneBogota
	case has(coastCities):
		return ZoneCoast
	case has(mainCities):
		return ZoneMain
	}
	return ZoneOther
}

// ParseDays reads the days per zone as set ("bogota=2,principal=3,…"),
// over the defaults.
func ParseDays(s string) (map[string]int, error) {
	out := map[string]int{}
	for k, v := range DefaultDays {
		out[k] = v
	}
	for _, kv := range strings.Split(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if _, known := DefaultDays[k]; !ok || !known || err != nil || n < 1 || n > 60 {
			return nil, fmt.Errorf("delivery days %q: ZONE=DAYS, zones %s, %s, %s, %s, 1 to 60 days", kv, ZoneBogota, ZoneMain, ZoneCoast, ZoneOther)
		}
		out[k] = n
	}
	return out, nil
}

// Reason is why a letter came back, with the code couriers' files use.
type Reason struct {
	Code, Text string
}

// DefaultReasons are the couriers' usual causes of a return.
var DefaultReasons = []Reason{
	{"DE", "dirección errada"}, {"DI", "dirección incompleta"}, {"DD", "destinatario desconocido"}, {"RE", "rehusado"},
	{"CD", "cambio de domicilio"}, {"CE", "cerrado"}, {"FA", "fallecido"}, {"NR", "no reside"},
	{"ZR", "zona de alto riesgo"}, {"NE", "no existe el número"}, {"OT", "otra causa"},
}

// FindReason gives the reason with code, or whose text is s (accents and
// case aside).
func FindReason(reasons []Reason, s string) (Reason, bool) {
	s = strings.TrimSpace(s)
	for _, r := range reasons {
		if strings.EqualFold(r.Code, s) || textfold.Lower(r.Text) == textfold.Lower(s) {
			return r, true
		}
	}
	return Reason{}, false
}

// Result is one line of a courier's results file.
type Result struct {
	Line   int
	Guide  string
	State  string // Delivered or Returned
	Reason string // as the file gives it: a code or a text
	On     calendar.Date
}

// Columns says which column of a results file holds each field, counted
// from 1 or named by its header.
type Columns struct {
	Guide, State, Reason, Date string
}

// DefaultColumns are the headers most couriers' files use.
var DefaultColumns = Columns{Guide: "guia", State: "estado", Reason: "causal", Date: "fecha"}

// ParseColumns reads a column map "guide=COL,state=COL,reason=COL,date=COL"
// over the defaults.
func ParseColumns(s string) (Columns, error) {
	c := DefaultColumns
	err := columnMap(s, []string{"guide", "state", "reason", "date"}, []*string{&c.Guide, &c.State, &c.Reason, &c.Date})
	return c, err
}

// GuideColumns says which column of a courier's guide file holds the
// salida's number and which its guide.
type GuideColumns struct {
	Number, Guide string
}

// DefaultGuideColumns are the headers of a guide file.
var DefaultGuideColumns = GuideColumns{Number: "radicado", Guide: "guia"}

// ParseGuideColumns reads a column map "number=COL,guide=COL" over the
// defaults.
func ParseGuideColumns(s string) (GuideColumns, error) {
	c := DefaultGuideColumns
	err := columnMap(s, []string{"number", "guide"}, []*string{&c.Number, &c.Guide})
	return c, err
}

// columnMap reads "FIELD=COL,…" into the column of each field named (its
// place in names is its place in cols); a field not named keeps its
// column.
func columnMap(s string, names []string, cols []*string) error {
	for _, kv := range strings.Split(s, ",") {
		if strings.TrimSpace(kv) == "" {
			continue
		}
		k, v, ok := strings.Cut(kv, "=")
		v = strings.TrimSpace(v)
		if !ok || v == "" {
			return fmt.Errorf("column map %q: FIELD=COLUMN", kv)
		}
		i := slices.Index(names, strings.TrimSpace(k))
		if i < 0 {
			return fmt.Errorf("column map: %q is not %s", k, orList(names))
		}
		*cols[i] = v
	}
	return nil
}

// orList writes names as "a, b or c".
func orList(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// table is a courier's CSV file read whole: its header and rows.
type table struct {
	rows [][]string // the header first
}

// readTable reads a CSV file with a header line, comma or semicolon
// separated, at most 10 MB, with at least one line after the header.
func readTable(r io.Reader) (table, error) {
	raw, err := io.ReadAll(io.LimitReader(r, 10<<20+1))
	if err != nil {
		return table{}, err
	}
	if len(raw) > 10<<20 {
		return table{}, errors.New("the file is over 10 MB")
	}
	sep := ','
	if first, _, _ := strings.Cut(string(raw), "\n"); strings.Count(first, ";") > strings.Count(first, ",") {
		sep = ';'
	}
	cr := csv.NewReader(strings.NewReader(strings.TrimPrefix(string(raw), "\ufeff")))
	cr.Comma, cr.FieldsPerRecord, cr.TrimLeadingSpace = sep, -1, true
	rows, err := cr.ReadAll()
	if err != nil {
		return table{}, fmt.Errorf("the file: %w", err)
	}
	if len(rows) < 2 {
		return table{}, errors.New("the file has no lines after its header")
	}
	return table{rows: rows}, nil
}

// index gives the column col names (a header, or a number from 1).
func (t table) index(col, field string) (int, error) {
	if n, err := strconv.Atoi(col); err == nil {
		if n < 1 || n > len(t.rows[0]) {
			return 0, fmt.Errorf("the %s column %d: the file has %d columns", field, n, len(t.rows[0]))
		}
		return n - 1, nil
	}
	for i, h := range t.rows[0] {
		if textfold.Lower(strings.TrimSpace(h)) == textfold.Lower(col) {
			return i, nil
		}
	}
	return 0, fmt.Errorf("the %s column %q is not in the header (%s): give --map %s=COLUMN", field, col, strings.Join(t.rows[0], ", "), field)
}

// lines calls each for every line after the header that is not empty,
// with its number in the file and a reader of its cells.
func (t table) lines(each func(line int, cell func(int) string) error) error {
	for i, row := range t.rows[1:] {
		if strings.Join(row, "") == "" {
			continue
		}
		cell := func(j int) string {
			if j < 0 || j >= len(row) {
				return ""
			}
			return strings.TrimSpace(row[j])
		}
		if err := each(i+2, cell); err != nil {
			return err
		}
	}
	return nil
}

// ReadResults reads a courier's results file (CSV with a header line,
// comma or semicolon separated). Every line is read before any is used: a
// line that does not read is an error naming it, and nothing is taken.
func ReadResults(r io.Reader, cols Columns) ([]Result, error) {
	t, err := readTable(r)
	if err != nil {
		return nil, err
	}
	index := t.index
	gi, err := index(cols.Guide, "guide")
	if err != nil {
		return nil, err
	}
	si, err := index(cols.State, "state")
	if err != nil {
		return nil, err
	}
	di, err := index(cols.Date, "date")
	if err != nil {
		return nil, err
	}
	ri := -1
	if cols.Reason != "" {
		i, err := index(cols.Reason, "reason")
		switch {
		case err == nil:
			ri = i
		case cols.Reason != DefaultColumns.Reason:
			return nil, err
		}
	}
	var out []Result
	seen := map[string]int{}
	err = t.lines(func(line int, cell func(int) string) error {
		res := Result{Line: line, Guide: cell(gi), Reason: cell(ri)}
		if res.Guide == "" {
			return fmt.Errorf("line %d: no guide", line)
		}
		if prev, ok := seen[res.Guide]; ok {
			return fmt.Errorf("line %d: guide %s again (line %d)", line, res.Guide, prev)
		}
		seen[res.Guide] = line
		switch st := textfold.Lower(cell(si)); {
		case strings.HasPrefix(st, "entreg"):
			res.State = Delivered
		case strings.HasPrefix(st, "devuel"), strings.HasPrefix(st, "devol"):
			res.State = Returned
			if res.Reason == "" {
				return fmt.Errorf("line %d: guide %s came back with no reason", line, res.Guide)
			}
		default:
			return fmt.Errorf("line %d: state %q: ENTREGADO or DEVUELTO", line, cell(si))
		}
		var err error
		if res.On, err = parseDay(cell(di)); err != nil {
			return fmt.Errorf("line %d: %w", line, err)
		}
		out = append(out, res)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// GuideLine is a line of a courier's file of guides: the radicado on the
// envelope and the guide it was given.
type GuideLine struct {
	Line          int
	Number, Guide string
}

// ReadGuides reads a courier's file of guides (the number it was given as
// the envelope's reference, and the guide), by the columns named number
// and guide (headers, or numbers from 1). Every line is read first.
func ReadGuides(r io.Reader, number, guide string) ([]GuideLine, error) {
	t, err := readTable(r)
	if err != nil {
		return nil, err
	}
	ni, err := t.index(number, "number")
	if err != nil {
		return nil, err
	}
	gi, err := t.index(guide, "guide")
	if err != nil {
		return nil, err
	}
	var out []GuideLine
	seen := map[string]int{}
	err = t.lines(func(line int, cell func(int) string) error {
		g := GuideLine{Line: line, Number: cell(ni), Guide: cell(gi)}
		if g.Number == "" || g.Guide == "" {
			return fmt.Errorf("line %d: a number and its guide", line)
		}
		if prev, ok := seen[g.Number]; ok {
			return fmt.Errorf("line %d: %s again (line %d)", line, g.Number, prev)
		}
		seen[g.Number] = line
		out = append(out, g)
		return nil
	})
	return out, err
}

// parseDay reads a date as couriers write it: 2026-11-30, 30/11/2026.
func parseDay(s string) (calendar.Date, error) {
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return calendar.Date{}, errors.New("no date")
	}
	for _, layout := range []string{"2006-01-02", "02/01/2006", "2/1/2006", "2006/01/02"} {
		if t, err := time.Parse(layout, fields[0]); err == nil {
			return calendar.DateOf(t), nil
		}
	}
	return calendar.Date{}, fmt.Errorf("date %q: YYYY-MM-DD or DD/MM/YYYY", s)
}

// Envelope is one letter of a dispatch, as its planilla lists it.
type Envelope struct {
	Number, Recipient, Address, City, Guide string
	Attempt                                 int
}

// Sheet is a dispatch's planilla: what was handed to whom, when.
type Sheet struct {
	Organization, Office, Station string
	ID                            int64
	Courier, Service              string
	HandedOn                      calendar.Date
	ClosedAt                      time.Time
	Envelopes                     []Envelope
}

// WriteCSV writes the planilla as CSV, one envelope a line.
func (s Sheet) WriteCSV(w io.Writer) error {
	cw := csvsafe.NewWriter(w)
	if err := cw.Write([]string{"despacho", "transportadora", "servicio", "entregado_el", "radicado", "intento", "destinatario", "direccion", "ciudad", "guia"}); err != nil {
		return err
	}
	for _, e := range s.Envelopes {
		if err := cw.Write([]string{strconv.FormatInt(s.ID, 10), s.Courier, s.Service, s.HandedOn.String(), e.Number, strconv.Itoa(e.Attempt),
			e.Recipient, e.Address, e.City, e.Guide}); err != nil {
			return err
		}
	}
	return cw.Flush()
}

// WritePDF writes the planilla as PDF: the envelopes, then lines for who
// hands over and the courier to sign.
func (s Sheet) WritePDF(w io.Writer) (err error) {
	defer pdftext.Recover(&err)
	title := fmt.Sprintf("Planilla de despacho %d", s.ID)
	pdf := pdftext.Doc("L", 12, title, fmt.Sprintf("%s · %s", s.Courier, s.HandedOn))
	pdf.AddPage()
	pdf.SetFont("go", "B", 13)
	pdf.CellFormat(0, 7, pdftext.Safe(title), "", 1, "L", false, 0, "")
	pdf.SetFont("go", "", 9)
	for _, l := range []string{s.Organization, fmt.Sprintf("Oficina %s · estación %s", s.Office, s.Station),
		fmt.Sprintf("Transportadora: %s%s · entregado a la transportadora el %s (cerrado %s)", s.Courier, serviceOf(s.Service), s.HandedOn,
			s.ClosedAt.Format("2006-01-02 15:04")), fmt.Sprintf("%d sobre(s)", len(s.Envelopes))} {
		if strings.TrimSpace(l) != "" {
			pdf.CellFormat(0, 5, pdftext.Safe(l), "", 1, "L", false, 0, "")
		}
	}
	pdf.Ln(2)
	cols := []pdftext.Column{{Head: "#", Width: 8}, {Head: "Radicado", Width: 38}, {Head: "Intento", Width: 14},
		{Head: "Destinatario", Width: 62}, {Head: "Dirección", Width: 70}, {Head: "Ciudad", Width: 34}, {Head: "Guía", Width: 42}}
	pdftext.Header(pdf, cols)
	for i, e := range s.Envelopes {
		cells := []string{strconv.Itoa(i + 1), e.Number, strconv.Itoa(e.Attempt), e.Recipient, e.Address, e.City, e.Guide}
		for j, c := range cols {
			pdf.CellFormat(c.Width, 6, pdftext.Clip(pdf, pdftext.Safe(cells[j]), c.Width), "1", 0, "L", false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(14)
	for _, who := range []string{"Entrega (ventanilla)", "Recibe (transportadora): nombre, documento y firma"} {
		x, y := pdf.GetXY()
		pdf.Line(x, y, x+110, y)
		pdf.CellFormat(0, 5, who, "", 1, "L", false, 0, "")
		pdf.Ln(10)
	}
	return pdf.Output(w)
}

func serviceOf(s string) string {
	if s == "" {
		return ""
	}
	return " (" + s + ")"
}
