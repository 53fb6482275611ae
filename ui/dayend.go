package ui

import (
	"context"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/station"
)

// closeDay closes today (Station.CloseDay): the planilla written in the
// data folder's planillas/ and, when the station is enrolled, the day
// checked with the server.
func (w *Window) closeDay(ctx context.Context) (station.DayClose, error) {
	return w.st.CloseDay(ctx, calendar.DateOf(w.st.Now().In(time.Local)))
}

// dayEndText says how closing the day went, in the clerk's words.
func (w *Window) dayEndText(d station.DayClose) string {
	tr := w.tr
	text := tr.T("dayend.sheet", "Day", d.Day.String(), "N", d.Rows, "File", d.PDF)
	if d.Anchor.Hash != "" {
		text += " " + tr.T("dayend.anchor", "Event", d.Anchor.ID, "Hash", d.Anchor.Short())
	}
	var problems []string
	switch {
	case !d.Enrolled:
		return text + " " + tr.T("dayend.not_enrolled")
	case d.SyncErr != nil:
		return text + " ⚠ " + tr.T("dayend.sync_failed", "Error", oneLine(d.SyncErr))
	case d.Check.OK:
		return text + " " + tr.T("dayend.ok", "N", d.Check.Count)
	}
	if len(d.Check.Missing) > 0 {
		problems = append(problems, tr.T("dayend.missing", "List", strings.Join(d.Check.Missing, ", ")))
	}
	if len(d.Check.Mismatched) > 0 {
		problems = append(problems, tr.T("dayend.mismatched", "List", strings.Join(d.Check.Mismatched, ", ")))
	}
	if len(d.Check.Extra) > 0 {
		problems = append(problems, tr.T("dayend.extra", "List", strings.Join(d.Check.Extra, ", ")))
	}
	if d.Check.AnchorMismatch {
		problems = append(problems, tr.T("dayend.anchor_mismatch"))
	}
	if len(problems) == 0 {
		problems = append(problems, tr.T("dayend.unconfirmed"))
	}
	return text + " ⚠ " + strings.Join(problems, "; ")
}
