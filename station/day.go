package station

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/planilla"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/wire"
)

// PlanillaFolder is the folder of the data folder where closing a day
// writes its sheet.
const PlanillaFolder = "planillas"

// DayClose is what closing a day came to.
type DayClose struct {
	Day      calendar.Date       `json:"day"`
	Rows     int                 `json:"rows"`
	PDF      string              `json:"pdf"`
	CSV      string              `json:"csv"`
	Anchor   store.Anchor        `json:"anchor"`   // the head of the audit chain at the day's end, printed on the sheet
	Enrolled bool                `json:"enrolled"` // false: no server to check with
	Check    wire.ManifestResult `json:"check"`
	SyncErr  error               `json:"-"`
}

// CloseDay closes a day: its control sheet (planilla), with the head of
// the audit chain at the day's end printed on it, written as PDF and CSV in
// the data folder's planillas/; and, when the station is enrolled, what is
// pending sent to the server and the day's manifest, with that head,
// checked by it. The sheet is written even when the server cannot be
// reached (SyncErr says why).
func (s *Station) CloseDay(ctx context.Context, day calendar.Date) (DayClose, error) {
	d := DayClose{Day: day}
	sheet, anchor, err := s.Records.DaySheet(ctx, day)
	if err != nil {
		return d, err
	}
	d.Rows, d.Anchor = len(sheet.Rows), anchor
	dir := filepath.Join(s.Dir(), PlanillaFolder)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return d, err
	}
	base := filepath.Join(dir, "planilla-"+day.String())
	var pdf, csv bytes.Buffer
	if err := sheet.WritePDF(&pdf); err != nil {
		return d, err
	}
	if err := sheet.WriteCSV(&csv); err != nil {
		return d, err
	}
	d.PDF, d.CSV = base+".pdf", base+".csv"
	if err := atomicfile.Write(d.PDF, pdf.Bytes(), 0o640); err != nil {
		return d, err
	}
	if err := atomicfile.Write(d.CSV, csv.Bytes(), 0o640); err != nil {
		return d, err
	}
	if d.Enrolled = s.Sync.Server() != ""; d.Enrolled {
		anchor := &d.Anchor // the one printed on the sheet
		if anchor.Hash == "" {
			anchor = nil
		}
		_, d.Check, d.SyncErr = s.Sync.DayEnd(ctx, "", day, anchor)
	}
	return d, nil
}

// DaySheet gives the day's control sheet of this station with the head of
// the audit chain at the day's end (or now, for a day not over) on it.
func (s *Records) DaySheet(ctx context.Context, day calendar.Date) (planilla.Sheet, store.Anchor, error) {
	sheet, err := s.Planilla(ctx, day)
	if err != nil {
		return sheet, store.Anchor{}, err
	}
	anchor, err := s.Anchor(ctx, day)
	if errors.Is(err, store.ErrNoEvents) {
		return sheet, anchor, nil
	}
	if err != nil {
		return sheet, anchor, err
	}
	cfg, err := s.config(ctx)
	if err != nil {
		return sheet, anchor, err
	}
	sheet.Anchors = []planilla.Anchor{{Station: cfg.Office + "-" + cfg.Station, ID: anchor.ID, At: anchor.At, Short: anchor.Short(),
		QR: anchor.QRText(cfg.Office, cfg.Station)}}
	return sheet, anchor, nil
}

// Anchor gives the head of the audit chain at the end of day (local time),
// or now for a day not over.
func (s *Records) Anchor(ctx context.Context, day calendar.Date) (store.Anchor, error) {
	until := day.AddDays(1).In(time.Local)
	if now := s.store.Now(); now.Before(until) {
		until = now.Add(time.Nanosecond)
	}
	return s.store.AnchorAt(ctx, until)
}

// VerifyAnchor verifies the record (Verify) and that the audit chain still
// holds the event of an anchor printed on a planilla (its hash, whole or
// its first 16 digits, or its QR code's text).
func (s *Records) VerifyAnchor(ctx context.Context, anchor string) (store.Report, error) {
	prefix, event, err := wire.ParseAnchor(anchor)
	if err != nil {
		return store.Report{}, err
	}
	return s.store.VerifyAnchor(ctx, prefix, event)
}

// AnchorsOnServer verifies that every anchor the central server holds for
// this station is still in the audit chain: the server is a second
// witness, beside the printed planillas.
func (s *Syncing) AnchorsOnServer(ctx context.Context) ([]client.AnchorCheck, error) {
	c, err := s.clientFor("")
	if err != nil {
		return nil, err
	}
	return c.CheckAnchors(ctx)
}
