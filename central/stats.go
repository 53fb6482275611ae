package central

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
)

// The supervisor's indicators, the same for every channel: what arrived in
// a period and by where, what of it was answered and how fast, and the
// backlog as it stands on a day. Every figure is as of a date: an answer
// given after it is not yet an answer, a light is the one of that day.

// StatsFilter chooses a period (by the organisation's day of receipt), the
// day the figures are taken on, and optionally one department.
type StatsFilter struct {
	From, To, AsOf calendar.Date
	Dept           string
}

// MaxStatsDays bounds a period.
const MaxStatsDays = 400

// Count is one row of a breakdown.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}

// Backlog is a department's open radicados on the day, by light.
type Backlog struct {
	Dept    string `json:"dept"`
	Green   int    `json:"green"`
	Yellow  int    `json:"yellow"`
	Red     int    `json:"red"`     // red, not yet overdue
	Overdue int    `json:"overdue"` // past their due date
	NoTerm  int    `json:"no_term"`
	Total   int    `json:"total"`
}

// Stats are the indicators of a period.
type Stats struct {
	From            string    `json:"from"`
	To              string    `json:"to"`
	AsOf            string    `json:"as_of"`
	Dept            string    `json:"dept,omitempty"`
	Received        int       `json:"received"`
	Answered        int       `json:"answered"`         // of those received, answered (or transferred) by as_of
	AnsweredOnTime  int       `json:"answered_on_time"` // by their due date (those without a term count as on time)
	OnTimePct       *float64  `json:"on_time_pct"`      // answered_on_time of answered, in %; null when none was answered
	AvgResponseDays *float64  `json:"avg_response_days"`
	P90ResponseDays *int      `json:"p90_response_days"`
	Transferred     int       `json:"transferred"`
	Returns         int       `json:"returns"` // returns to the ventanilla in the period
	Backlog         []Backlog `json:"backlog"`
	ByDay           []Count   `json:"by_day"`
	ByChannel       []Count   `json:"by_channel"`
	ByOffice        []Count   `json:"by_office"`
	ByDept          []Count   `json:"by_dept"`
	ByType          []Count   `json:"by_type"`
	OverdueTotal    int       `json:"overdue_total"`
	Overdue         []Item    `json:"overdue"` // the most overdue first, at most MaxOverdueList
}

// MaxOverdueList bounds the overdue list.
const MaxOverdueList = 100

// DefaultPeriod gives the period the dashboard opens on: the month of day,
// up to it.
func DefaultPeriod(day calendar.Date) (from, to calendar.Date) {
	return calendar.Date{Year: day.Year, Month: day.Month, Day: 1}, day
}

// ParsePeriod reads a period as people and programs write it: days as
// YYYY-MM-DD, each optional — as_of today, from the first of as_of's
// month, to as_of.
func ParsePeriod(today calendar.Date, from, to, asOf, dept string) (StatsFilter, error) {
	f := StatsFilter{AsOf: today, Dept: dept}
	for _, p := range []struct {
		name, v string
		to      *calendar.Date
	}{{"as_of", asOf, &f.AsOf}, {"from", from, &f.From}, {"to", to, &f.To}} {
		if p.v == "" {
			continue
		}
		d, err := calendar.ParseDate(p.v)
		if err != nil || d.String() != p.v {
			return f, fmt.Errorf("%w: %s %q: YYYY-MM-DD", ErrInvalid, p.name, p.v)
		}
		*p.to = d
	}
	first, last := DefaultPeriod(f.AsOf)
	if f.From.IsZero() {
		f.From = first
	}
	if f.To.IsZero() {
		f.To = last
	}
	return f, nil
}

// Check validates a filter.
func (f StatsFilter) Check() error {
	if f.From.IsZero() || f.To.IsZero() || f.AsOf.IsZero() {
		return fmt.Errorf("%w: a period needs its first and last day and the day it is taken on", ErrInvalid)
	}
	if f.To.Before(f.From) {
		return fmt.Errorf("%w: the period ends (%s) before it begins (%s)", ErrInvalid, f.To, f.From)
	}
	if f.From.AddDays(MaxStatsDays).Before(f.To) {
		return fmt.Errorf("%w: a period of at most %d days", ErrInvalid, MaxStatsDays)
	}
	if f.Dept != "" && radicado.CheckDeptCode(f.Dept) != nil {
		return fmt.Errorf("%w: department %q", ErrInvalid, f.Dept)
	}
	return nil
}

// Days a figure can be taken on, from today: far enough for any report,
// near enough that no request walks centuries of calendar.
const (
	pastYears   = 10
	futureYears = 1
)

// CheckDay reports whether day is within the days figures are taken on.
func CheckDay(today, day calendar.Date) error {
	first := calendar.Date{Year: today.Year - pastYears, Month: 1, Day: 1}
	last := calendar.Date{Year: today.Year + futureYears, Month: 12, Day: 31}
	if day.Before(first) || last.Before(day) {
		return fmt.Errorf("%w: %s: a day from %s to %s", ErrInvalid, day, first, last)
	}
	return nil
}

// checkPeriod bounds a filter's days around today.
func (d *DB) checkPeriod(ctx context.Context, f StatsFilter) error {
	today, err := d.Today(ctx)
	if err != nil {
		return err
	}
	for _, day := range []calendar.Date{f.From, f.To, f.AsOf} {
		if err := CheckDay(today, day); err != nil {
			return err
		}
	}
	return nil
}

// Stats gives the indicators f chooses as u may see them: a supervisor (or
// an administrator) the organisation's or one department's, a head their
// department's; ErrForbid for anyone else.
func (d *DB) Stats(ctx context.Context, u User, f StatsFilter) (Stats, error) {
	switch {
	case u.Role.SeesAll():
	case u.Role == Jefe && u.Dept != "":
		if f.Dept != "" && f.Dept != u.Dept {
			return Stats{}, fmt.Errorf("%w: a head sees their own department's figures", ErrForbid)
		}
		f.Dept = u.Dept
	default:
		return Stats{}, fmt.Errorf("%w: the figures are for supervisors and heads of department", ErrForbid)
	}
	if err := f.Check(); err != nil {
		return Stats{}, err
	}
	if err := d.checkPeriod(ctx, f); err != nil {
		return Stats{}, err
	}
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return Stats{}, err
	}
	asOf := f.AsOf.String()
	s := Stats{From: f.From.String(), To: f.To.String(), AsOf: asOf, Dept: f.Dept, Backlog: []Backlog{}, Overdue: []Item{}}
	// What arrived up to as_of: a later day of the period has not come yet.
	last := f.To
	if f.AsOf.Before(last) {
		last = f.AsOf
	}
	deptCond, deptArgs := "", []any{}
	if f.Dept != "" {
		deptCond, deptArgs = " AND w.dept = ?", []any{f.Dept}
	}

	// Five parts, each on a connection of its own, at once.
	g, gctx := errgroup.WithContext(ctx)
	byDay, byChannel, byOffice, byDept, byType := map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}, map[string]int{}
	var hist [][2]int
	backlog := map[string]*Backlog{}
	var overdue []Item
	var returns int
	if !last.Before(f.From) {
		g.Go(func() error {
			return d.statsArrived(gctx, f, last, deptCond, deptArgs, &s, byDay, byChannel, byOffice, byDept, byType)
		})
		g.Go(func() error {
			// How long answers took: the days' histogram, for the mean and
			// the 90th percentile.
			rows, err := d.db.QueryContext(gctx, d.q(`SELECT w.response_days, COUNT(*) FROM work w
				WHERE w.received_on >= ? AND w.received_on <= ? AND w.state <> ? AND w.answered_at <> '' AND w.answered_at <= ?
				AND w.response_days >= 0`+deptCond+` GROUP BY w.response_days`),
				append([]any{f.From.String(), last.String(), StateAnnulled, asOf}, deptArgs...)...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var days, n int
				if err := rows.Scan(&days, &n); err != nil {
					return err
				}
				hist = append(hist, [2]int{days, n})
			}
			return rows.Err()
		})
	}

	// The backlog on as_of: what had arrived by then and was not answered
	// by then, by department and light: those open now (the open index),
	// and those answered after as_of (the answers' index).
	stillOpen := []string{`w.open = 1 AND w.received_on <= ?`, `w.answered_at <> '' AND w.answered_at > ? AND w.state <> ? AND w.received_on <= ?`}
	stillArgs := [][]any{{asOf}, {asOf, StateAnnulled, asOf}}
	// SQLite would rather walk every radicado in the order of its
	// department than the open ones: told which index to use (one that
	// holds what the backlog counts; for the list, in the order of the
	// due dates).
	listIndex := "work_open"
	if f.Dept != "" {
		listIndex = "work_dept"
	}
	stillIndex := []string{d.indexedBy("work_open_lights"), d.indexedBy("work_answered_at")}
	listIndexes := []string{d.indexedBy(listIndex), d.indexedBy("work_answered_at")}
	g.Go(func() error {
		for i, cond := range stillOpen {
			rows, err := d.db.QueryContext(gctx, d.q(`SELECT w.dept, CASE WHEN w.due = '' THEN 'none' WHEN w.due < ? THEN 'overdue'
				WHEN w.red_on <= ? THEN 'red' WHEN w.yellow_on <= ? THEN 'yellow' ELSE 'green' END AS light, COUNT(*)
				FROM work w`+stillIndex[i]+` WHERE `+cond+deptCond+` GROUP BY w.dept, light`), slices.Concat([]any{asOf, asOf, asOf}, stillArgs[i], deptArgs)...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var dept, light string
				var n int
				if err := rows.Scan(&dept, &light, &n); err != nil {
					rows.Close()
					return err
				}
				b := backlog[dept]
				if b == nil {
					b = &Backlog{Dept: dept}
					backlog[dept] = b
				}
				switch light {
				case "none":
					b.NoTerm += n
				case "overdue":
					b.Overdue += n
				case "red":
					b.Red += n
				case "yellow":
					b.Yellow += n
				default:
					b.Green += n
				}
				b.Total += n
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	// The overdue list, the longest overdue first: the open ones walked in
	// the order of their due date, and those answered after as_of.
	g.Go(func() error {
		for i, cond := range stillOpen {
			rows, err := d.db.QueryContext(gctx, d.q(`SELECT `+itemColumns+` FROM work w`+listIndexes[i]+` JOIN radicados r ON r.number = w.number
				LEFT JOIN users a ON a.id = w.assignee WHERE `+cond+` AND w.due <> '' AND w.sort_due < ?`+deptCond+`
				ORDER BY w.sort_due LIMIT ?`), slices.Concat(stillArgs[i], []any{asOf}, deptArgs, []any{MaxOverdueList})...)
			if err != nil {
				return err
			}
			for rows.Next() {
				it, err := scanItem(rows)
				if err != nil {
					rows.Close()
					return err
				}
				if !isOpen(it.State) { // answered after as_of: open then
					it.State = StateWorking
				}
				finish(&it, cal, f.AsOf)
				overdue = append(overdue, it)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		return nil
	})
	// Returns to the ventanilla in the period (a head: by their people).
	g.Go(func() error {
		start := f.From.In(loc).UTC().Format(time.RFC3339)
		end := last.AddDays(1).In(loc).UTC().Format(time.RFC3339)
		if f.Dept == "" {
			return d.readScan(gctx, `SELECT COUNT(*) FROM journal WHERE action = 'radicado.return' AND at >= ? AND at < ?`, []any{start, end}, &returns)
		}
		return d.readScan(gctx, `SELECT COUNT(*) FROM journal j JOIN users u ON u.name = j.actor
			WHERE j.action = 'radicado.return' AND j.at >= ? AND j.at < ? AND u.dept = ?`, []any{start, end, f.Dept}, &returns)
	})
	if err := g.Wait(); err != nil {
		return Stats{}, err
	}

	s.Returns = returns
	s.AvgResponseDays, s.P90ResponseDays = responseFigures(hist)
	if s.Answered > 0 {
		pct := math.Round(float64(s.AnsweredOnTime)*1000/float64(s.Answered)) / 10
		s.OnTimePct = &pct
	}
	// Every day of the period has its row, none or not.
	for day := f.From; !last.Before(day); day = day.AddDays(1) {
		s.ByDay = append(s.ByDay, Count{Key: day.String(), N: byDay[day.String()]})
	}
	if s.ByDay == nil {
		s.ByDay = []Count{}
	}
	s.ByChannel, s.ByOffice, s.ByDept, s.ByType = counts(byChannel), counts(byOffice), counts(byDept), counts(byType)
	for _, b := range backlog {
		s.Backlog = append(s.Backlog, *b)
		s.OverdueTotal += b.Overdue
	}
	slices.SortFunc(s.Backlog, func(a, b Backlog) int { return strings.Compare(a.Dept, b.Dept) })
	slices.SortStableFunc(overdue, func(a, b Item) int {
		if c := strings.Compare(a.Due, b.Due); c != 0 {
			return c
		}
		return a.ReceivedAt.Compare(b.ReceivedAt)
	})
	if len(overdue) > MaxOverdueList {
		overdue = overdue[:MaxOverdueList]
	}
	if overdue != nil {
		s.Overdue = overdue
	}
	return s, nil
}

// statsArrived counts what arrived in the period, by day, channel, branch,
// department and type, and the totals of s: on PostgreSQL one walk of the
// period's index entries in grouping sets, a few hundred rows whatever the
// radicados; on SQLite one grouping by all five.
func (d *DB) statsArrived(ctx context.Context, f StatsFilter, last calendar.Date, deptCond string, deptArgs []any, s *Stats,
	byDay, byChannel, byOffice, byDept, byType map[string]int) error {
	asOf := f.AsOf.String()
	where := `FROM work w WHERE w.received_on >= ? AND w.received_on <= ? AND w.state <> ?` + deptCond
	whereArgs := append([]any{f.From.String(), last.String(), StateAnnulled}, deptArgs...)
	counts := `COUNT(*), SUM(CASE WHEN w.answered_at <> '' AND w.answered_at <= ? THEN 1 ELSE 0 END),
		SUM(CASE WHEN w.answered_at <> '' AND w.answered_at <= ? AND w.on_time = 1 THEN 1 ELSE 0 END),
		SUM(CASE WHEN w.answered_at <> '' AND w.answered_at <= ? AND w.transferred_to <> '' THEN 1 ELSE 0 END)`
	var query string
	var args []any
	if d.postgres {
		query = `SELECT GROUPING(w.received_on, w.channel, w.office, w.dept, w.doc_type), COALESCE(w.received_on, w.channel, w.office, w.dept, w.doc_type), ` +
			counts + ` ` + where + ` GROUP BY GROUPING SETS ((w.received_on), (w.channel), (w.office), (w.dept), (w.doc_type))`
		args = slices.Concat([]any{asOf, asOf, asOf}, whereArgs)
	} else {
		// SQLite sorts for each grouping: one grouping by all five,
		// read in the index's order, costs less than five.
		query = `SELECT 0, w.received_on, w.channel, w.office, w.dept, w.doc_type, ` + counts + ` ` + where +
			` GROUP BY w.received_on, w.dept, w.channel, w.office, w.doc_type`
		args = slices.Concat([]any{asOf, asOf, asOf}, whereArgs)
	}
	rows, err := d.db.QueryContext(ctx, d.q(query), args...)
	if err != nil {
		return err
	}
	for rows.Next() {
		var mask int
		var key string
		var n, answered, onTime, transferred int
		if !d.postgres {
			var day, channel, office, dept, docType string
			if err := rows.Scan(&mask, &day, &channel, &office, &dept, &docType, &n, &answered, &onTime, &transferred); err != nil {
				rows.Close()
				return err
			}
			byDay[day] += n
			byChannel[channel] += n
			byOffice[office] += n
			byDept[dept] += n
			byType[docType] += n
			s.Received += n
			s.Answered += answered
			s.AnsweredOnTime += onTime
			s.Transferred += transferred
			continue
		}
		if err := rows.Scan(&mask, &key, &n, &answered, &onTime, &transferred); err != nil {
			rows.Close()
			return err
		}
		switch mask {
		case 31 ^ 16: // by day: the totals too
			byDay[key] += n
			s.Received += n
			s.Answered += answered
			s.AnsweredOnTime += onTime
			s.Transferred += transferred
		case 31 ^ 8:
			byChannel[key] += n
		case 31 ^ 4:
			byOffice[key] += n
		case 31 ^ 2:
			byDept[key] += n
		case 31 ^ 1:
			byType[key] += n
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	return nil
}

// indexedBy tells SQLite which index to read a table by; PostgreSQL's
// planner weighs them itself.
func (d *DB) indexedBy(index string) string {
	if d.postgres {
		return ""
	}
	return " INDEXED BY " + index
}

// responseFigures gives the mean (to a tenth) and the 90th percentile
// (nearest rank) of a histogram of days; nil when it is empty.
func responseFigures(hist [][2]int) (*float64, *int) {
	slices.SortFunc(hist, func(a, b [2]int) int { return a[0] - b[0] })
	total, sum := 0, 0
	for _, h := range hist {
		total += h[1]
		sum += h[0] * h[1]
	}
	if total == 0 {
		return nil, nil
	}
	avg := math.Round(float64(sum)*10/float64(total)) / 10
	rank := (total*9 + 9) / 10 // ⌈0.9 n⌉
	seen := 0
	for _, h := range hist {
		seen += h[1]
		if seen >= rank {
			p90 := h[0]
			return &avg, &p90
		}
	}
	return &avg, nil
}

// counts gives a breakdown, largest first.
func counts(m map[string]int) []Count {
	out := make([]Count, 0, len(m))
	for k, n := range m {
		out = append(out, Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
