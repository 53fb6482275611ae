package console_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/console"
	"github.com/radicador/radicador/sync/server"
	"github.com/radicador/radicador/sync/wire"
)

// TestDashboardInTheBrowser: a month of radicados in three departments;
// the supervisor's dashboard, as Chromium draws it, says what the API and
// the CSV say. Screenshots of the dashboard, a head's alerts, the
// petitions report and the administration's mail settings go to
// artefacts/console/.
func TestDashboardInTheBrowser(t *testing.T) {
	if testing.Short() {
		t.Skip("the dashboard in a browser: not in -short")
	}
	ctx := newBrowser(t)
	dir := shots(t)
	bg := context.Background()
	db := centraltest.SQLite(t)
	cot := time.FixedZone("COT", -5*3600)
	now := time.Date(2026, 11, 2, 8, 0, 0, 0, cot)
	db.SetClock(func() time.Time { return now })
	for _, d := range []central.Dept{{Code: "GC", Name: "Gestión de Clientes"}, {Code: "JUR", Name: "Jurídica"}, {Code: "TES", Name: "Tesorería"}} {
		if err := db.AddDept(bg, "test", d); err != nil {
			t.Fatal(err)
		}
	}
	users := map[string]central.User{}
	for _, u := range []central.User{
		{Name: "ana", FullName: "Ana Pérez", Dept: "GC", Role: central.Jefe, Email: "ana@org.co"},
		{Name: "sara", FullName: "Sara Gómez", Role: central.Supervisor},
		{Name: "admin", FullName: "Administración", Role: central.Admin},
	} {
		added, _, err := db.AddUser(bg, "test", u, pw)
		if err != nil {
			t.Fatal(err)
		}
		users[u.Name] = added
	}
	// Three to five letters a business day of November, by type and
	// department in turn; the older ones answered, some late, one
	// transferred, one returned.
	cal, _, _ := db.Calendar(bg)
	types := []struct {
		code string
		days int
	}{{"peticion", 15}, {"informacion", 10}, {"queja_reclamo", 15}, {"factura", 3}, {"oficio", 0}}
	depts := []string{"GC", "GC", "JUR", "TES"}
	n := 0
	for day := 2; day <= 27; day++ {
		d := calendar.Date{Year: 2026, Month: 11, Day: day}
		if !cal.IsBusinessDay(d) {
			continue
		}
		for k := range 3 + day%3 {
			n++
			number := fmt.Sprintf("202600101%06d2", n)
			ty := types[n%len(types)]
			received := d.In(cot).Add(time.Duration(8*60+k*97) * time.Minute)
			due := ""
			if ty.days > 0 {
				dd, _ := cal.Due(received, ty.days)
				due = dd.String()
			}
			now = received.Add(time.Minute)
			centraltest.Receive(t, db, number, depts[n%len(depts)], ty.code, received, due)
		}
	}
	now = time.Date(2026, 11, 30, 9, 0, 0, 0, cot)
	for i := 1; i <= n; i += 2 {
		number := fmt.Sprintf("202600101%06d2", i)
		it, err := db.Work(bg, users["sara"], number)
		if err != nil {
			t.Fatal(err)
		}
		if it.ReceivedAt.Day() > 20 {
			continue
		}
		answered := calendar.DateOf(it.ReceivedAt.In(cot)).AddDays(3 + i%17)
		if answered.Day > 27 || answered.Month != 11 {
			answered = calendar.Date{Year: 2026, Month: 11, Day: 27}
		}
		a := central.Action{Kind: "answer", Channel: "email", At: answered.String()}
		switch i {
		case 5:
			a = central.Action{Kind: "transfer", Entity: "Superintendencia Financiera", Reason: "Competencia"}
		case 7:
			a = central.Action{Kind: "return", Reason: "No corresponde a esta dependencia"}
		}
		if _, err := db.Act(bg, users["sara"], number, a); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.RaiseAlerts(bg, calendar.Date{Year: 2026, Month: 11, Day: 30}); err != nil {
		t.Fatal(err)
	}

	con, err := console.New(db, console.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(wire.APIPrefix+"/", server.New(db, nil, server.DefaultLimits).Handler())
	con.Mount(mux)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := &site{t: t, db: db, srv: srv}

	const q = "from=2026-11-01&to=2026-11-30&as_of=2026-11-30"
	token, _ := db.NewUserToken(bg, "test", "sara")
	_, raw := s.api(token, "/api/v1/stats?"+q)
	var st central.Stats
	if err := json.Unmarshal(raw, &st); err != nil || st.Received != n {
		t.Fatalf("the API: %s %v (want %d received)", raw, err, n)
	}
	gb := s.browser()
	gb.login("sara")
	_, body := gb.get("/tablero.csv?table=summary&" + q)
	summary, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(summary) != 2 {
		t.Fatalf("the summary CSV: %q", body)
	}

	shot := func(name string) chromedp.Action[chromedp.Void] { return screenshot(dir, name) }
	login := func(name string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Navigate(srv.URL+"/login"),
			chromedp.WaitVisible(chromedp.ID("name")), chromedp.SendKeys(chromedp.ID("name"), name),
			chromedp.SendKeys(chromedp.ID("password"), pw), chromedp.Submit(chromedp.ID("password")), chromedp.WaitVisible(chromedp.CSS(".who")))
	}
	logout := chromedp.Steps(chromedp.Click(chromedp.CSS(".who button")), chromedp.WaitVisible(chromedp.ID("name")))
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatal(err)
		}
	}
	do(login("sara"), chromedp.Navigate(srv.URL+"/tablero?"+q), chromedp.WaitVisible(chromedp.CSS("svg.bars")), shot("10-tablero"))
	kpis, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('.kpi-value')].map(e => e.textContent)`))
	if err != nil || len(kpis) != 7 {
		t.Fatalf("the dashboard's figures: %v %v", kpis, err)
	}
	pct := strconv.FormatFloat(*st.OnTimePct, 'f', 1, 64) + " %"
	want := []string{strconv.Itoa(st.Received), strconv.Itoa(st.Answered), pct, strconv.FormatFloat(*st.AvgResponseDays, 'f', 1, 64),
		strconv.Itoa(*st.P90ResponseDays), strconv.Itoa(st.OverdueTotal), strconv.Itoa(st.Returns)}
	csvWant := []string{summary[1][4], summary[1][5], summary[1][7] + " %", summary[1][8], summary[1][9], summary[1][12], summary[1][11]}
	for i := range want {
		if kpis[i] != want[i] || kpis[i] != csvWant[i] {
			t.Errorf("figure %d: the page says %q, the API %q, the CSV %q", i, kpis[i], want[i], csvWant[i])
		}
	}
	// The chart has a column per day, each as tall as its count.
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('svg.bars rect title')].map(e => e.textContent)`))
	if err != nil || len(bars) != 30 {
		t.Fatalf("the columns: %v %v", bars, err)
	}
	for i, c := range st.ByDay {
		if bars[i] != fmt.Sprintf("%s: %d", c.Key, c.N) {
			t.Errorf("column %d: %q, the API %v", i, bars[i], c)
		}
	}
	backlog, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll('#backlog-h ~ details tbody tr')].map(tr => [...tr.children].map(c => c.textContent.trim()).join(' '))`))
	if err != nil || len(backlog) != len(st.Backlog) {
		t.Fatalf("the backlog table: %v %v", backlog, err)
	}
	for i, b := range st.Backlog {
		dept := b.Dept
		if dept == "" {
			dept = "(sin dependencia)"
		}
		if w := fmt.Sprintf("%s %d %d %d %d %d %d", dept, b.Green, b.Yellow, b.Red, b.Overdue, b.NoTerm, b.Total); backlog[i] != w {
			t.Errorf("backlog row %d: %q, the API %q", i, backlog[i], w)
		}
	}
	do(chromedp.Navigate(srv.URL+"/informes/peticiones?from=2026-11-01&to=2026-11-30&as_of=2026-11-30"),
		chromedp.WaitVisible(chromedp.CSS(".cards")), shot("11-informe-peticiones"), logout,
		login("ana"), chromedp.Navigate(srv.URL+"/alertas"), chromedp.WaitVisible(chromedp.CSS(".narrow")), shot("12-alertas"),
		chromedp.Navigate(srv.URL+"/tablero?"+q), chromedp.WaitVisible(chromedp.CSS("svg.bars")), shot("13-tablero-jefe"), logout,
		login("admin"), chromedp.Navigate(srv.URL+"/admin"), chromedp.WaitVisible(chromedp.ID("m-h")), shot("14-admin-correo"))
}
