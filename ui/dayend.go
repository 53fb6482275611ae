package ui

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/sync/wire"
)

// dayEnd is what closing the day came to.
type dayEnd struct {
	day      calendar.Date
	rows     int
	pdf      string
	enrolled bool
	check    wire.ManifestResult
	syncErr  error
}

// closeDay writes today's control sheet (planilla) as PDF and CSV in the
// data folder's planillas/ and, when the station is enrolled, sends what
// is pending and has the server check the day's manifest.
func (w *Window) closeDay(ctx context.Context) (dayEnd, error) {
	d := dayEnd{day: calendar.DateOf(w.st.Store().Now().In(time.Local))}
	sheet, err := w.st.Planilla(ctx, d.day)
	if err != nil {
		return d, err
	}
	d.rows = len(sheet.Rows)
	dir := filepath.Join(w.st.Store().Dir(), "planillas")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return d, err
	}
	base := filepath.Join(dir, "planilla-"+d.day.String())
	var pdf, csv bytes.Buffer
	if err := sheet.WritePDF(&pdf); err != nil {
		return d, err
	}
	if err := sheet.WriteCSV(&csv); err != nil {
		return d, err
	}
	for name, data := range map[string][]byte{base + ".pdf": pdf.Bytes(), base + ".csv": csv.Bytes()} {
		if err := writeFile(name, data); err != nil {
			return d, err
		}
	}
	d.pdf = base + ".pdf"
	if d.enrolled = w.st.Server() != ""; d.enrolled {
		_, d.check, d.syncErr = w.st.DayEnd(ctx, "", d.day)
	}
	return d, nil
}

// writeFile replaces name with data whole or not at all.
func writeFile(name string, data []byte) error {
	tmp := name + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, name)
	}
	if err != nil {
		os.Remove(tmp)
	}
	return err
}

// dayEndText says how closing the day went, in the clerk's words.
func (w *Window) dayEndText(d dayEnd) string {
	tr := w.tr
	text := tr.T("dayend.sheet", "Day", d.day.String(), "N", d.rows, "File", d.pdf)
	var problems []string
	switch {
	case !d.enrolled:
		return text + " " + tr.T("dayend.not_enrolled")
	case d.syncErr != nil:
		return text + " ⚠ " + tr.T("dayend.sync_failed", "Error", oneLine(d.syncErr))
	case d.check.OK:
		return text + " " + tr.T("dayend.ok", "N", d.check.Count)
	}
	if len(d.check.Missing) > 0 {
		problems = append(problems, tr.T("dayend.missing", "List", strings.Join(d.check.Missing, ", ")))
	}
	if len(d.check.Mismatched) > 0 {
		problems = append(problems, tr.T("dayend.mismatched", "List", strings.Join(d.check.Mismatched, ", ")))
	}
	if len(d.check.Extra) > 0 {
		problems = append(problems, tr.T("dayend.extra", "List", strings.Join(d.check.Extra, ", ")))
	}
	if len(problems) == 0 {
		problems = append(problems, tr.T("dayend.unconfirmed"))
	}
	return text + " ⚠ " + strings.Join(problems, "; ")
}
