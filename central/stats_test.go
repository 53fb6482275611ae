package central_test

import (
	"context"
	"database/sql"
	"errors"
	"reflect"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// The indicators and lights against cases worked out by hand, across
// weekends, the holidays of July 2026 (the 9th moved to Monday the 13th by
// Ley 2578 de 2026, and the 20th), the Friday 7 August, office hours, an
// extension, late answers, a transfer, a return and the turn of the year.

func TestStatsSQLite(t *testing.T)     { statsSuite(t, centraltest.SQLiteRaw) }
func TestStatsPostgreSQL(t *testing.T) { statsSuite(t, centraltest.PostgresRaw) }

func day(s string) calendar.Date {
	d, err := calendar.ParseDate(s)
	if err != nil {
		panic(err)
	}
	return d
}

// receive pushes an entrada of station 001-01 received at received.
func (o *org) receive(t *testing.T, number, dept, docType string, received time.Time, due string) {
	t.Helper()
	centraltest.Receive(t, o.db, number, dept, docType, received, due)
}

func (o *org) act(t *testing.T, user, number string, a central.Action) {
	t.Helper()
	if _, err := o.db.Act(context.Background(), o.users[user], number, a); err != nil {
		t.Fatalf("%s %s by %s: %v", a.Kind, number, user, err)
	}
}

func statsSuite(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cot)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	const (
		A = "2026001010000012" // petición, Wed 8 Jul 10:00; due 31 Jul; answered 24 Jul: 10 days, on time
		B = "2026001010000022" // información, Thu 9 Jul 18:30 (after closing: filed Fri 10); due 28 Jul; answered 30 Jul: 12 days, late
		C = "2026001010000032" // petición, Fri 10 Jul 09:00; due 4 Aug, extended 5 days to 12 Aug (7 Aug a holiday); open
		D = "2026001010000042" // oficio to JUR, Wed 1 Jul, no term; open
		F = "2026001010000052" // petición, Fri 3 Jul; transferred Mon 6 Jul: 1 day, on time
		G = "2026001010000062" // petición to JUR, Mon 6 Jul; due 29 Jul; returned to the ventanilla on 7 Jul; open
		Y = "2026001010000072" // información, Wed 30 Dec 2026; due 15 Jan 2027 (1 and 11 Jan holidays)
	)
	o.clock.t = at("2026-07-03 12:00")
	o.receive(t, F, "GC", "peticion", at("2026-07-03 11:00"), "2026-07-24")
	o.clock.t = at("2026-07-06 09:00")
	o.act(t, "ana", F, central.Action{Kind: "transfer", Entity: "Superintendencia de Salud", Reason: "Es de su competencia"})
	o.receive(t, G, "JUR", "peticion", at("2026-07-06 08:30"), "2026-07-29")
	o.clock.t = at("2026-07-07 10:00")
	o.act(t, "caro", G, central.Action{Kind: "return", Reason: "No es de Jurídica"})
	o.clock.t = at("2026-07-10 20:00")
	o.receive(t, D, "JUR", "oficio", at("2026-07-01 15:00"), "")
	o.receive(t, A, "GC", "peticion", at("2026-07-08 10:00"), "2026-07-31")
	o.receive(t, B, "GC", "informacion", at("2026-07-09 18:30"), "2026-07-28")
	o.receive(t, C, "GC", "peticion", at("2026-07-10 09:00"), "2026-08-04")
	o.clock.t = at("2026-07-31 11:00")
	o.act(t, "ana", C, central.Action{Kind: "extend", Days: 5, Reason: "Se requiere concepto de otra dependencia"})
	o.clock.t = at("2026-08-10 09:00")
	o.act(t, "ana", A, central.Action{Kind: "answer", Channel: "email", At: "2026-07-24"})
	o.act(t, "beto", B, central.Action{Kind: "answer", Channel: "email", At: "2026-07-30"})
	o.clock.t = at("2026-12-30 10:00")
	o.receive(t, Y, "GC", "informacion", at("2026-12-30 10:00"), "2027-01-15")

	july := func(asOf string) central.StatsFilter {
		return central.StatsFilter{From: day("2026-07-01"), To: day("2026-07-31"), AsOf: day(asOf)}
	}
	stats := func(user string, f central.StatsFilter) central.Stats {
		t.Helper()
		s, err := o.db.Stats(ctx, o.users[user], f)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	pf := func(f float64) *float64 { return &f }
	pi := func(i int) *int { return &i }

	t.Run("the month as of its last day", func(t *testing.T) {
		s := stats("sara", july("2026-07-31"))
		if s.Received != 6 || s.Answered != 3 || s.AnsweredOnTime != 2 || s.Transferred != 1 || s.Returns != 1 {
			t.Errorf("received %d answered %d on time %d transferred %d returns %d; want 6 3 2 1 1",
				s.Received, s.Answered, s.AnsweredOnTime, s.Transferred, s.Returns)
		}
		if !reflect.DeepEqual(s.OnTimePct, pf(66.7)) || !reflect.DeepEqual(s.AvgResponseDays, pf(7.7)) || !reflect.DeepEqual(s.P90ResponseDays, pi(12)) {
			t.Errorf("on time %v %%, mean %v days, p90 %v days; want 66.7, 7.7 (10, 12, 1), 12", deref(s.OnTimePct), deref(s.AvgResponseDays), deref(s.P90ResponseDays))
		}
		// G, returned, waits unrouted and is overdue since the 30th; C,
		// extended to 12 Aug, turned yellow on 30 Jul; D has no term.
		want := []central.Backlog{{Dept: "", Overdue: 1, Total: 1}, {Dept: "GC", Yellow: 1, Total: 1}, {Dept: "JUR", NoTerm: 1, Total: 1}}
		if !reflect.DeepEqual(s.Backlog, want) {
			t.Errorf("backlog %+v, want %+v", s.Backlog, want)
		}
		if s.OverdueTotal != 1 || len(s.Overdue) != 1 || s.Overdue[0].Number != G || *s.Overdue[0].DaysLeft != -2 || s.Overdue[0].Light != central.Red {
			t.Errorf("overdue %d %+v: want G, 2 business days late (30, 31 Jul)", s.OverdueTotal, s.Overdue)
		}
		wantDept := []central.Count{{Key: "GC", N: 4}, {Key: "", N: 1}, {Key: "JUR", N: 1}}
		if !reflect.DeepEqual(s.ByDept, wantDept) {
			t.Errorf("by department %+v, want %+v", s.ByDept, wantDept)
		}
		wantType := []central.Count{{Key: "peticion", N: 4}, {Key: "informacion", N: 1}, {Key: "oficio", N: 1}}
		if !reflect.DeepEqual(s.ByType, wantType) {
			t.Errorf("by type %+v, want %+v", s.ByType, wantType)
		}
		if !reflect.DeepEqual(s.ByChannel, []central.Count{{Key: "ventanilla", N: 6}}) || !reflect.DeepEqual(s.ByOffice, []central.Count{{Key: "001", N: 6}}) {
			t.Errorf("by channel %+v, by office %+v", s.ByChannel, s.ByOffice)
		}
		if len(s.ByDay) != 31 || s.ByDay[0] != (central.Count{Key: "2026-07-01", N: 1}) || s.ByDay[8] != (central.Count{Key: "2026-07-09", N: 1}) ||
			s.ByDay[11] != (central.Count{Key: "2026-07-12", N: 0}) {
			t.Errorf("by day %+v", s.ByDay)
		}
	})
	t.Run("as of an earlier day", func(t *testing.T) {
		// On 27 Jul: B (answered on the 30th) was still open and red
		// (red from the 24th); A was answered; C yellow only from the 30th
		// (after its extension); G red from the 24th.
		s := stats("sara", july("2026-07-27"))
		if s.Received != 6 || s.Answered != 2 || s.AnsweredOnTime != 2 || !reflect.DeepEqual(s.P90ResponseDays, pi(10)) {
			t.Errorf("received %d answered %d on time %d p90 %v; want 6 2 2 10", s.Received, s.Answered, s.AnsweredOnTime, deref(s.P90ResponseDays))
		}
		want := []central.Backlog{{Dept: "", Red: 1, Total: 1}, {Dept: "GC", Green: 1, Red: 1, Total: 2}, {Dept: "JUR", NoTerm: 1, Total: 1}}
		if !reflect.DeepEqual(s.Backlog, want) {
			t.Errorf("backlog %+v, want %+v", s.Backlog, want)
		}
		// Before anything arrived, the days that have not come are not
		// counted.
		s = stats("sara", july("2026-07-02"))
		if s.Received != 1 || len(s.ByDay) != 2 || s.Answered != 0 || s.OnTimePct != nil || s.AvgResponseDays != nil {
			t.Errorf("as of 2 Jul: received %d, %d days, answered %d, %v", s.Received, len(s.ByDay), s.Answered, s.OnTimePct)
		}
	})
	t.Run("as of a later day", func(t *testing.T) {
		// C, due 12 Aug after its extension: red from 5 Aug, overdue on
		// the 13th.
		for _, tc := range []struct {
			asOf string
			want central.Backlog
		}{{"2026-08-05", central.Backlog{Dept: "GC", Red: 1, Total: 1}}, {"2026-08-12", central.Backlog{Dept: "GC", Red: 1, Total: 1}},
			{"2026-08-13", central.Backlog{Dept: "GC", Overdue: 1, Total: 1}}} {
			s := stats("sara", july(tc.asOf))
			if len(s.Backlog) != 3 || s.Backlog[1] != tc.want {
				t.Errorf("as of %s: %+v, want GC %+v", tc.asOf, s.Backlog, tc.want)
			}
		}
	})
	t.Run("a head sees their department", func(t *testing.T) {
		s := stats("ana", july("2026-07-31"))
		if s.Dept != "GC" || s.Received != 4 || s.Answered != 3 || len(s.Backlog) != 1 || s.Backlog[0].Dept != "GC" || s.Returns != 0 {
			t.Errorf("ana: %+v", s)
		}
		f := july("2026-07-31")
		f.Dept = "JUR"
		if _, err := o.db.Stats(ctx, o.users["ana"], f); !errors.Is(err, central.ErrForbid) {
			t.Errorf("a head asking for another department: %v", err)
		}
		if _, err := o.db.Stats(ctx, o.users["beto"], july("2026-07-31")); !errors.Is(err, central.ErrForbid) {
			t.Errorf("a funcionario: %v", err)
		}
		for _, f := range []central.StatsFilter{{From: day("2026-07-31"), To: day("2026-07-01"), AsOf: day("2026-07-31")},
			{From: day("2025-01-01"), To: day("2026-07-01"), AsOf: day("2026-07-31")}, {To: day("2026-07-01"), AsOf: day("2026-07-31")}} {
			if _, err := o.db.Stats(ctx, o.users["sara"], f); !errors.Is(err, central.ErrInvalid) {
				t.Errorf("%+v: %v", f, err)
			}
		}
	})
	t.Run("the turn of the year", func(t *testing.T) {
		// Y: filed Wed 30 Dec, 10 business days: 31 Dec, 4-8 Jan, 12-15
		// Jan (1 Jan and Reyes, moved to 11 Jan, are holidays). Yellow
		// from 8 Jan (4 left), red from 13 Jan (2 left).
		for _, tc := range []struct {
			asOf     string
			light    central.Light
			daysLeft int
		}{{"2026-12-31", central.Green, 9}, {"2027-01-08", central.Yellow, 4}, {"2027-01-11", central.Yellow, 4},
			{"2027-01-13", central.Red, 2}, {"2027-01-15", central.Red, 0}, {"2027-01-18", central.Red, -1}} {
			items, _, err := o.db.Inbox(ctx, o.users["ana"], central.InboxFilter{AsOf: day(tc.asOf), Query: Y})
			if err != nil || len(items) != 1 {
				t.Fatalf("as of %s: %v %v", tc.asOf, items, err)
			}
			if items[0].Light != tc.light || *items[0].DaysLeft != tc.daysLeft {
				t.Errorf("as of %s: %s, %d days left; want %s, %d", tc.asOf, items[0].Light, *items[0].DaysLeft, tc.light, tc.daysLeft)
			}
		}
		// The backlog is the whole stock on the day, whenever it arrived;
		// the overdue list comes longest overdue first.
		s := stats("sara", central.StatsFilter{From: day("2026-12-01"), To: day("2026-12-31"), AsOf: day("2027-01-18")})
		want := []central.Backlog{{Dept: "", Overdue: 1, Total: 1}, {Dept: "GC", Overdue: 2, Total: 2}, {Dept: "JUR", NoTerm: 1, Total: 1}}
		if s.Received != 1 || !reflect.DeepEqual(s.Backlog, want) || s.OverdueTotal != 3 || len(s.Overdue) != 3 ||
			s.Overdue[0].Number != G || s.Overdue[1].Number != C || s.Overdue[2].Number != Y {
			t.Errorf("December as of 18 Jan: received %d, backlog %+v, overdue %d", s.Received, s.Backlog, s.OverdueTotal)
		}
	})
}

func deref[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}
