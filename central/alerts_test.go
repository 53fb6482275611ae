package central_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

func TestAlertsSQLite(t *testing.T)     { alertsSuite(t, centraltest.SQLiteRaw) }
func TestAlertsPostgreSQL(t *testing.T) { alertsSuite(t, centraltest.PostgresRaw) }

// alertsSuite: what no longer holds is not told (an answer, a
// reassignment, an assignment before the digest); a claim on an e-mail
// that lapsed records nothing; days far away are refused.
func alertsSuite(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	const (
		A = "2026001010000012" // GC, beto's; answered before the digest
		B = "2026001010000022" // GC; reassigned to JUR before the digest
		C = "2026001010000032" // GC, unassigned; assigned to beto before the digest
		D = "2026001010000042" // GC, beto's; still his
	)
	received := time.Date(2026, 11, 16, 9, 0, 0, 0, cot)
	for _, n := range []string{A, B, C, D} {
		o.receive(t, n, "GC", "peticion", received, "2026-11-27")
	}
	o.act(t, "ana", A, central.Action{Kind: "assign", User: "beto"})
	o.act(t, "ana", D, central.Action{Kind: "assign", User: "beto"})
	day := calendar.Date{Year: 2026, Month: 11, Day: 30}
	if n, err := o.db.RaiseAlerts(ctx, day); err != nil || n == 0 {
		t.Fatalf("raise: %d %v", n, err)
	}
	if n, err := o.db.RaiseAlerts(ctx, day); err != nil || n != 0 {
		t.Errorf("raised again the same day: %d %v", n, err)
	}
	o.clock.t = time.Date(2026, 11, 30, 7, 30, 0, 0, cot)
	o.act(t, "beto", A, central.Action{Kind: "answer", Channel: "email", At: "2026-11-30"})
	o.act(t, "sara", B, central.Action{Kind: "reassign", Dept: "JUR", Reason: "Es jurídico"})
	o.act(t, "ana", C, central.Action{Kind: "assign", User: "beto"})

	pending := func(user string) map[string]string {
		t.Helper()
		d, err := o.db.PendingDigests(ctx, o.users[user], day)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for _, dg := range d {
			for _, a := range dg.Alerts {
				got[dg.Name+" "+a.Number] = a.Level
			}
		}
		return got
	}
	// Nobody has an address here: what the console told them is all.
	// Give ana and beto one.
	o.raw.ExecContext(ctx, `UPDATE users SET email = name || '@org.co'`)
	got := pending("sara")
	for _, stale := range []string{"beto " + A, "ana " + A, "ana " + B, "ana " + C + " unassigned"} {
		if _, ok := got[stale]; ok {
			t.Errorf("%s is still to be told: %v", stale, got)
		}
	}
	if got["beto "+D] != central.LevelOverdue || got["ana "+C] != central.LevelOverdue || got["sara "+D] != central.LevelOverdue {
		t.Errorf("pending: %v", got)
	}
	if got := pending("beto"); len(got) != 2 { // D, and C now his
		t.Errorf("beto's own: %v", got)
	}
	alerts, err := o.db.UserAlerts(ctx, o.users["ana"], 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range alerts {
		if a.Number == A || a.Number == B || (a.Number == C && a.Level == central.LevelUnassigned) {
			t.Errorf("ana's console shows %s %s", a.Number, a.Level)
		}
	}

	// An e-mail claimed, its claim lapsed, claimed by another: the first
	// records nothing.
	if err := o.db.SetMail(ctx, "admin", central.MailSettings{Host: "127.0.0.1", Port: 25, Security: central.MailPlain, From: "a@org.co"}); err != nil {
		t.Fatal(err)
	}
	o.clock.t = time.Date(2026, 11, 30, 8, 30, 0, 0, cot)
	if n, err := o.db.BuildDigests(ctx, day, true, func(d central.Digest) (string, string, error) { return "s", "b", nil }); err != nil || n != 3 {
		t.Fatalf("digests: %d %v", n, err)
	}
	first, ok, err := o.db.ClaimMail(ctx, time.Minute)
	if err != nil || !ok {
		t.Fatal(err)
	}
	o.clock.t = o.clock.t.Add(2 * time.Minute)
	var second central.Mail
	for {
		m, ok, err := o.db.ClaimMail(ctx, time.Minute)
		if err != nil || !ok {
			t.Fatalf("the lapsed claim is not taken again: %v", err)
		}
		if m.ID == first.ID {
			second = m
			break
		}
	}
	if ok, err := o.db.MailSent(ctx, first); err != nil || ok {
		t.Errorf("a lapsed claim recorded the e-mail sent: %v %v", ok, err)
	}
	if ok, err := o.db.MailSent(ctx, second); err != nil || !ok {
		t.Errorf("the live claim: %v %v", ok, err)
	}

	// Ninety days on, what no longer holds is forgotten: A's alerts
	// (answered), e-mails sent; D's (open) stay.
	if ok, err := o.db.MailSent(ctx, second); err != nil || ok {
		t.Fatalf("sent twice: %v %v", ok, err)
	}
	o.clock.t = o.clock.t.AddDate(0, 4, 0)
	if n, err := o.db.Prune(ctx, 90*24*time.Hour); err != nil || n == 0 {
		t.Errorf("pruned %d (%v)", n, err)
	}
	var a, dd, sent int
	o.raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE number = '`+A+`'`).Scan(&a)
	o.raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM alerts WHERE number = '`+D+`'`).Scan(&dd)
	o.raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM outbox WHERE sent_at <> ''`).Scan(&sent)
	if a != 0 || dd == 0 || sent != 0 {
		t.Errorf("after pruning: %d alerts of the answered one, %d of the open one, %d e-mails sent", a, dd, sent)
	}
	o.clock.t = o.clock.t.AddDate(0, -4, 0)

	// Days far away are refused, not walked.
	for _, far := range []calendar.Date{{Year: 9999, Month: 12, Day: 31}, {Year: 1, Month: 1, Day: 1}} {
		if _, err := o.db.PendingDigests(ctx, o.users["sara"], far); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("alerts as of %s: %v", far, err)
		}
		if _, _, err := o.db.Inbox(ctx, o.users["sara"], central.InboxFilter{AsOf: far}); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("the inbox as of %s: %v", far, err)
		}
		if _, err := o.db.Stats(ctx, o.users["sara"], central.StatsFilter{From: day, To: day, AsOf: far}); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("stats as of %s: %v", far, err)
		}
	}
	if err := o.db.SetMail(ctx, "admin", central.MailSettings{Host: "smtp.org.co", Port: 25, Security: central.MailPlain, From: "a@org.co"}); !errors.Is(err, central.ErrInvalid) {
		t.Errorf("plain SMTP to another machine: %v", err)
	}
}
