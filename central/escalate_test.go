package central_test

import (
	"context"
	"database/sql"
	"slices"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

func TestBusinessHours(t *testing.T) {
	h, _ := calendar.ParseHours("08:00-17:00")
	cal, err := calendar.New(calendar.Colombia(), nil, h)
	if err != nil {
		t.Fatal(err)
	}
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cot)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, tc := range []struct {
		from, to string
		want     time.Duration
	}{
		{"2026-07-08 09:00", "2026-07-08 11:30", 150 * time.Minute},
		// Friday's last hour; the weekend; Monday 13 July, Ley 2578's
		// holiday; Tuesday's first hour.
		{"2026-07-10 16:00", "2026-07-14 09:00", 2 * time.Hour},
		{"2026-11-29 12:00", "2026-11-30 10:00", 2 * time.Hour},
		{"2026-11-30 06:00", "2026-11-30 07:30", 0},
		{"2026-11-30 18:00", "2026-12-01 08:30", 30 * time.Minute},
		{"2026-12-31 16:30", "2027-01-04 08:30", time.Hour},
		{"2026-11-30 10:00", "2026-11-30 09:00", 0},
	} {
		if got := central.BusinessHours(cal, cot, at(tc.from), at(tc.to)); got != tc.want {
			t.Errorf("%s → %s: %v, want %v", tc.from, tc.to, got, tc.want)
		}
	}
}

func TestEscalationSQLite(t *testing.T)     { escalation(t, centraltest.SQLiteRaw) }
func TestEscalationPostgreSQL(t *testing.T) { escalation(t, centraltest.PostgresRaw) }

func escalation(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	at := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, cot)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	for _, r := range []central.EscalationRule{{UnassignedHours: 4, UntouchedHours: 8}, {Type: "tutela", UnassignedHours: 1, UntouchedHours: 2}} {
		if err := o.db.SetEscalationRule(ctx, "admin", r); err != nil {
			t.Fatal(err)
		}
	}
	if err := o.db.SetEscalationRule(ctx, "admin", central.EscalationRule{Type: "no es", UnassignedHours: 1}); err == nil {
		t.Error("a rule for a malformed type was taken")
	}
	const (
		B = "2026001010000012" // petición to GC, Friday 27 Nov 16:00, unassigned
		T = "2026001010000022" // tutela to GC, Monday 30 Nov 08:00
		A = "2026001010000032" // petición to GC, assigned to beto Monday 08:00, not opened
	)
	escalate := func(clock string, want int) {
		t.Helper()
		o.clock.t = at(clock)
		n, err := o.db.Escalate(ctx)
		if err != nil || n != want {
			t.Errorf("%s: %d escalated, want %d (%v)", clock, n, want, err)
		}
	}
	o.clock.t = at("2026-11-27 16:00")
	o.receive(t, B, "GC", "peticion", o.clock.t, "2026-12-21")
	o.clock.t = at("2026-11-30 08:00")
	o.receive(t, T, "GC", "tutela", o.clock.t, "2026-12-02")
	o.receive(t, A, "GC", "peticion", o.clock.t, "2026-12-22")
	o.act(t, "ana", A, central.Action{Kind: "assign", User: "beto"})

	escalate("2026-11-30 08:59", 0)
	escalate("2026-11-30 09:00", 1) // T: 1 hour unassigned
	escalate("2026-11-30 10:00", 0) // B: 1 h on Friday, 2 on Monday
	escalate("2026-11-30 11:00", 1) // B: 4 business hours
	escalate("2026-11-30 12:00", 0) // each once
	escalate("2026-11-30 16:00", 1) // A: 8 business hours assigned and not opened
	escalate("2026-11-30 16:30", 0)

	// Moved to another department at 16:30, B starts again there.
	o.act(t, "sara", B, central.Action{Kind: "reassign", Dept: "JUR", Reason: "Es un asunto jurídico"})
	escalate("2026-12-01 11:00", 0) // half an hour on Monday, 3 on Tuesday
	escalate("2026-12-01 11:30", 1)

	for _, n := range []string{B, T, A} {
		h, err := o.db.History(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		var got int
		for _, e := range h {
			if e.Action == "radicado.escalate" {
				got++
			}
		}
		want := map[string]int{B: 2, T: 1, A: 1}[n]
		if got != want {
			t.Errorf("%s: %d escalations in its history, want %d", n, got, want)
		}
	}
	// The heads are told: ana of T and A; B's escalation in GC no longer
	// holds once it moved to JUR, which has no head.
	alerts, err := o.db.UserAlerts(ctx, o.users["ana"], 50)
	if err != nil {
		t.Fatal(err)
	}
	var escalated []string
	for _, a := range alerts {
		if a.Level == central.LevelEscalated {
			escalated = append(escalated, a.Number)
		}
	}
	slices.Sort(escalated)
	if !slices.Equal(escalated, []string{T, A}) {
		t.Errorf("ana is told of %v, want T, A", escalated)
	}
}
