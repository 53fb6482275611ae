package central

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
)

// The petitions report that Colombian entities publish (Decreto 1081 de
// 2015, art. 2.1.1.6.2): for the petitions received in a period, how many
// there were, how many were transferred to another authority, the time
// each took to answer, and in how many access to information was denied.

// PetitionTypes are the document types the report counts unless told
// otherwise: petitions and requests for documents or information.
var PetitionTypes = []string{"peticion", "informacion"}

// PetitionRow is one petition of the report.
type PetitionRow struct {
	Number        string `json:"number"`
	Type          string `json:"type"`
	ReceivedOn    string `json:"received_on"`
	Dept          string `json:"dept"`
	Due           string `json:"due,omitempty"`
	State         string `json:"state"`
	AnsweredOn    string `json:"answered_on,omitempty"` // or transferred; "" while pending on as_of
	Days          *int   `json:"days,omitempty"`        // business days it took
	OnTime        bool   `json:"on_time"`
	TransferredTo string `json:"transferred_to,omitempty"`
	Denied        bool   `json:"denied"`
}

// PetitionReport is the report of a period, as of a day.
type PetitionReport struct {
	Organization string        `json:"organization"`
	From         string        `json:"from"`
	To           string        `json:"to"`
	AsOf         string        `json:"as_of"`
	Types        []string      `json:"types"`
	Received     int           `json:"received"`
	Transferred  int           `json:"transferred"`
	Answered     int           `json:"answered"` // answered here (not transferred)
	Denied       int           `json:"denied"`
	Pending      int           `json:"pending"`
	Late         int           `json:"late"` // answered or transferred after their due date
	AvgDays      *float64      `json:"avg_days"`
	Rows         []PetitionRow `json:"rows"`
}

// MaxReportRows bounds the rows of one report.
const MaxReportRows = 100000

// Petitions gives the petitions report of f's period as of f.AsOf, for
// the given types (PetitionTypes when none); supervisors and
// administrators only.
func (d *DB) Petitions(ctx context.Context, u User, f StatsFilter, types []string) (PetitionReport, error) {
	if !u.Role.SeesAll() {
		return PetitionReport{}, fmt.Errorf("%w: the report is for supervisors", ErrForbid)
	}
	f.Dept = ""
	if err := f.Check(); err != nil {
		return PetitionReport{}, err
	}
	if err := d.checkPeriod(ctx, f); err != nil {
		return PetitionReport{}, err
	}
	if len(types) == 0 {
		types = PetitionTypes
	}
	if len(types) > 20 {
		return PetitionReport{}, fmt.Errorf("%w: at most 20 types", ErrInvalid)
	}
	types = slices.Compact(slices.Sorted(slices.Values(types)))
	for _, t := range types {
		if radicado.CheckTypeCode(t) != nil {
			return PetitionReport{}, fmt.Errorf("%w: type %q", ErrInvalid, t)
		}
	}
	cfg, err := d.OrgConfig(ctx)
	if err != nil {
		return PetitionReport{}, err
	}
	asOf := f.AsOf.String()
	rep := PetitionReport{Organization: cfg.Organization, From: f.From.String(), To: f.To.String(), AsOf: asOf, Types: types, Rows: []PetitionRow{}}
	last := f.To
	if f.AsOf.Before(last) {
		last = f.AsOf
	}
	args := []any{f.From.String(), last.String(), StateAnnulled}
	for _, t := range types {
		args = append(args, t)
	}
	args = append(args, MaxReportRows+1)
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT number, doc_type, received_on, dept, due, state, answered_at, response_days, on_time,
		transferred_to, denied FROM work WHERE received_on >= ? AND received_on <= ? AND state <> ?
		AND doc_type IN (?`+strings.Repeat(", ?", len(types)-1)+`) ORDER BY received_on, number LIMIT ?`), args...)
	if err != nil {
		return rep, err
	}
	defer rows.Close()
	sum := 0
	for rows.Next() {
		var r PetitionRow
		var answered string
		var days, onTime, denied int
		if err := rows.Scan(&r.Number, &r.Type, &r.ReceivedOn, &r.Dept, &r.Due, &r.State, &answered, &days, &onTime, &r.TransferredTo, &denied); err != nil {
			return rep, err
		}
		rep.Received++
		if answered == "" || answered > asOf {
			// Not answered yet on as_of.
			r.State, r.TransferredTo = "pendiente", ""
			rep.Pending++
		} else {
			r.AnsweredOn, r.OnTime, r.Denied = answered, onTime == 1, denied == 1
			if days >= 0 {
				r.Days = &days
				sum += days
			}
			switch {
			case r.TransferredTo != "":
				rep.Transferred++
			default:
				rep.Answered++
			}
			if r.Denied {
				rep.Denied++
			}
			if !r.OnTime {
				rep.Late++
			}
		}
		rep.Rows = append(rep.Rows, r)
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	if len(rep.Rows) > MaxReportRows {
		return rep, fmt.Errorf("%w: more than %d petitions in the period: choose a shorter one", ErrInvalid, MaxReportRows)
	}
	if n := rep.Answered + rep.Transferred; n > 0 {
		avg := math.Round(float64(sum)*10/float64(n)) / 10
		rep.AvgDays = &avg
	}
	return rep, nil
}

// ReportPeriod is the period a report covers by default: the month
// before day's.
func ReportPeriod(day calendar.Date) (from, to calendar.Date) {
	first := calendar.Date{Year: day.Year, Month: day.Month, Day: 1}
	to = first.AddDays(-1)
	return calendar.Date{Year: to.Year, Month: to.Month, Day: 1}, to
}
