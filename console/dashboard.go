package console

import (
	"bytes"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/csvsafe"
)

// The supervisor's dashboard (/tablero) and its API: the indicators of a
// period as of a day, each chart drawn here as SVG with its table beneath
// and the table as CSV. A head sees their department; a supervisor the
// organisation, or one department.

// statsFilterOf reads a period from a query: from, to, as_of (each
// YYYY-MM-DD), dept. As of today and for its month when not given.
func (c *Console) statsFilterOf(r *http.Request) (central.StatsFilter, error) {
	q := r.URL.Query()
	today, err := c.db.Today(r.Context())
	if err != nil {
		return central.StatsFilter{}, err
	}
	return central.ParsePeriod(today, q.Get("from"), q.Get("to"), q.Get("as_of"), q.Get("dept"))
}

// stats gives the figures the request asks for, or answers why not.
func (c *Console) stats(w http.ResponseWriter, r *http.Request) (central.Stats, bool) {
	f, err := c.statsFilterOf(r)
	if err == nil {
		var s central.Stats
		if s, err = c.db.Stats(r.Context(), whoOf(r).user, f); err == nil {
			return s, true
		}
	}
	if status(err) == http.StatusBadRequest {
		c.errorPage(w, r, http.StatusBadRequest, detail(err))
	} else {
		c.fail(w, r, err)
	}
	return central.Stats{}, false
}

func (c *Console) apiStats(w http.ResponseWriter, r *http.Request) {
	f, err := c.statsFilterOf(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	s, err := c.db.Stats(r.Context(), whoOf(r).user, f)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s)
}

// alertsAnswer is GET /api/v1/alerts's answer.
type alertsAnswer struct {
	AsOf    string           `json:"as_of"`
	Digests []central.Digest `json:"digests"`
}

func (c *Console) apiAlerts(w http.ResponseWriter, r *http.Request) {
	f, err := c.statsFilterOf(r)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	d, err := c.db.PendingDigests(r.Context(), whoOf(r).user, f.AsOf)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if d == nil {
		d = []central.Digest{}
	}
	for i := range d {
		if d[i].Alerts == nil {
			d[i].Alerts = []central.Alert{}
		}
	}
	writeJSON(w, http.StatusOK, alertsAnswer{AsOf: f.AsOf.String(), Digests: d})
}

// dashboardData is the dashboard page's.
type dashboardData struct {
	S       central.Stats
	Depts   []option // a supervisor's choice
	Cards   []card
	Tables  []dashTable
	Overdue []row
	Query   template.URL // the period's query, for the CSV links (built here, escaped)
}

type card struct{ Label, Value, Note string }

// dashTable is a chart and its table.
type dashTable struct {
	ID, Title string
	Head      []string
	Rows      [][]string
	Bars      *barChart  // by day
	HBars     *hbarChart // a breakdown
	Stack     *stackChart
	CSV       string
}

func (c *Console) dashboard(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	t := c.catFor(r)
	s, ok := c.stats(w, r)
	if !ok {
		return
	}
	d := dashboardData{S: s}
	q := url.Values{"from": {s.From}, "to": {s.To}, "as_of": {s.AsOf}}
	if s.Dept != "" {
		q.Set("dept", s.Dept)
	}
	d.Query = template.URL(q.Encode())
	if wh.user.Role.SeesAll() {
		depts, err := c.db.Depts(r.Context())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		d.Depts = []option{{"", t.T("dash.all"), s.Dept == ""}}
		for _, x := range depts {
			d.Depts = append(d.Depts, option{x.Code, x.Code + " · " + x.Name, s.Dept == x.Code})
		}
	}
	pct, avg, p90 := "—", "—", "—"
	if s.OnTimePct != nil {
		pct = strconv.FormatFloat(*s.OnTimePct, 'f', 1, 64) + " %"
	}
	if s.AvgResponseDays != nil {
		avg = strconv.FormatFloat(*s.AvgResponseDays, 'f', 1, 64)
	}
	if s.P90ResponseDays != nil {
		p90 = strconv.Itoa(*s.P90ResponseDays)
	}
	d.Cards = []card{
		{t.T("dash.received"), strconv.Itoa(s.Received), ""},
		{t.T("dash.answered"), strconv.Itoa(s.Answered), t.T("dash.answered.note", "N", s.Transferred)},
		{t.T("dash.ontime"), pct, t.T("dash.ontime.note", "N", s.AnsweredOnTime)},
		{t.T("dash.avg"), avg, t.T("dash.days")},
		{t.T("dash.p90"), p90, t.T("dash.days")},
		{t.T("dash.overdue"), strconv.Itoa(s.OverdueTotal), t.T("dash.asof", "D", s.AsOf)},
		{t.T("dash.returns"), strconv.Itoa(s.Returns), ""},
	}
	d.Tables = c.dashTables(t, s, string(d.Query))
	_, loc, err := c.db.Calendar(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, it := range s.Overdue {
		d.Overdue = append(d.Overdue, c.rowOf(t, it, loc))
	}
	title := t.T("dash.title")
	if s.Dept != "" {
		title += " · " + s.Dept
	}
	c.render(w, r, http.StatusOK, "dashboard", view{Title: title, Nav: "dashboard", Data: d})
}

// dashTables gives the dashboard's tables, each with its chart.
func (c *Console) dashTables(t catalog, s central.Stats, query string) []dashTable {
	csvLink := func(id string) string { return "/tablero.csv?table=" + id + "&" + query }
	breakdown := func(id, title, keyHead string, counts []central.Count, label func(string) string) dashTable {
		tb := dashTable{ID: id, Title: title, Head: []string{keyHead, t.T("dash.count")}, CSV: csvLink(id)}
		var bars []hbar
		for _, x := range counts {
			tb.Rows = append(tb.Rows, []string{label(x.Key), strconv.Itoa(x.N)})
			bars = append(bars, hbar{Label: label(x.Key), N: x.N})
		}
		tb.HBars = newHBarChart(bars)
		return tb
	}
	same := func(k string) string { return k }
	dept := func(k string) string {
		if k == "" {
			return t.T("dash.nodept")
		}
		return k
	}
	byDay := dashTable{ID: "by_day", Title: t.T("dash.byday"), Head: []string{t.T("dash.day"), t.T("dash.count")}, CSV: csvLink("by_day")}
	for _, x := range s.ByDay {
		byDay.Rows = append(byDay.Rows, []string{x.Key, strconv.Itoa(x.N)})
	}
	byDay.Bars = newBarChart(s.ByDay)
	backlog := dashTable{ID: "backlog", Title: t.T("dash.backlog", "D", s.AsOf), CSV: csvLink("backlog"),
		Head: []string{t.T("f.dept"), t.T("light.green"), t.T("light.yellow"), t.T("light.red"), t.T("dash.light.overdue"), t.T("dash.noterm"), t.T("dash.total")}}
	for _, b := range s.Backlog {
		backlog.Rows = append(backlog.Rows, []string{dept(b.Dept), strconv.Itoa(b.Green), strconv.Itoa(b.Yellow), strconv.Itoa(b.Red),
			strconv.Itoa(b.Overdue), strconv.Itoa(b.NoTerm), strconv.Itoa(b.Total)})
	}
	backlog.Stack = newStackChart(s.Backlog, dept)
	return []dashTable{
		byDay,
		breakdown("by_channel", t.T("dash.bychannel"), t.T("dash.channel"), s.ByChannel, func(k string) string { return t.T("channel." + k) }),
		breakdown("by_office", t.T("dash.byoffice"), t.T("col.office"), s.ByOffice, same),
		breakdown("by_dept", t.T("dash.bydept"), t.T("f.dept"), s.ByDept, dept),
		breakdown("by_type", t.T("dash.bytype"), t.T("col.type"), s.ByType, typeName),
		backlog,
	}
}

func (c *Console) dashboardCSV(w http.ResponseWriter, r *http.Request) {
	t := c.catFor(r)
	s, ok := c.stats(w, r)
	if !ok {
		return
	}
	id := r.URL.Query().Get("table")
	var head []string
	var rows [][]string
	switch id {
	case "summary":
		head = []string{"from", "to", "as_of", "dept", "received", "answered", "answered_on_time", "on_time_pct", "avg_response_days",
			"p90_response_days", "transferred", "returns", "overdue"}
		num := func(p *float64) string {
			if p == nil {
				return ""
			}
			return strconv.FormatFloat(*p, 'f', 1, 64)
		}
		p90 := ""
		if s.P90ResponseDays != nil {
			p90 = strconv.Itoa(*s.P90ResponseDays)
		}
		rows = [][]string{{s.From, s.To, s.AsOf, s.Dept, strconv.Itoa(s.Received), strconv.Itoa(s.Answered), strconv.Itoa(s.AnsweredOnTime),
			num(s.OnTimePct), num(s.AvgResponseDays), p90, strconv.Itoa(s.Transferred), strconv.Itoa(s.Returns), strconv.Itoa(s.OverdueTotal)}}
	case "overdue":
		head = []string{"number", "received_at", "type", "sender_name", "subject", "dept", "assignee", "due", "days_overdue"}
		for _, it := range s.Overdue {
			over := ""
			if it.DaysLeft != nil {
				over = strconv.Itoa(-*it.DaysLeft)
			}
			rows = append(rows, []string{it.Number, it.ReceivedAt.Format(time.RFC3339), it.Type, it.SenderName, it.Subject, it.Dept, it.Assignee, it.Due, over})
		}
	default:
		found := false
		for _, tb := range c.dashTables(t, s, "") {
			if tb.ID == id {
				head, rows, found = tb.Head, tb.Rows, true
			}
		}
		if !found {
			c.errorPage(w, r, http.StatusNotFound, t.T("err.notfound"))
			return
		}
	}
	var b bytes.Buffer
	cw := csvsafe.NewWriter(&b)
	cw.Write(head)
	for _, row := range rows {
		cw.Write(row)
	}
	if err := cw.Flush(); err != nil {
		c.fail(w, r, err)
		return
	}
	name := fmt.Sprintf("tablero-%s-%s-%s.csv", id, s.From, s.To)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}

// Charts, drawn as SVG by the templates from these numbers.

// barChart is a column per day.
type barChart struct {
	W, H, Left, Base int
	Bars             []bar
	Ticks            []tick
	Labels           []tick
}

type bar struct {
	X, Y, W, H float64
	Title      string
}

type tick struct {
	X, Y  float64
	Label string
}

func newBarChart(days []central.Count) *barChart {
	ch := &barChart{W: 900, H: 220, Left: 44, Base: 190}
	top := 0
	for _, d := range days {
		top = max(top, d.N)
	}
	scale := niceCeil(top)
	plotW := float64(ch.W - ch.Left - 8)
	plotH := float64(ch.Base - 12)
	step := plotW / float64(max(len(days), 1))
	every := max(1, int(math.Ceil(float64(len(days))/15)))
	for i, d := range days {
		h := float64(d.N) / float64(scale) * plotH
		x := float64(ch.Left) + float64(i)*step
		ch.Bars = append(ch.Bars, bar{X: x + step*0.1, Y: float64(ch.Base) - h, W: step * 0.8, H: h, Title: fmt.Sprintf("%s: %d", d.Key, d.N)})
		if i%every == 0 {
			ch.Labels = append(ch.Labels, tick{X: x + step/2, Y: float64(ch.Base + 18), Label: d.Key[5:]})
		}
	}
	ticks := []int{0, scale}
	if scale%2 == 0 {
		ticks = []int{0, scale / 2, scale}
	}
	for _, v := range ticks {
		ch.Ticks = append(ch.Ticks, tick{X: float64(ch.Left - 6), Y: float64(ch.Base) - float64(v)/float64(scale)*plotH, Label: strconv.Itoa(v)})
	}
	return ch
}

// niceCeil gives a round number at or above n (at least 2), for a scale.
func niceCeil(n int) int {
	if n <= 2 {
		return 2
	}
	p := int(math.Pow(10, math.Floor(math.Log10(float64(n)))))
	for _, m := range []int{1, 2, 5, 10} {
		if m*p >= n {
			return m * p
		}
	}
	return 10 * p
}

// hbarChart is a bar per row of a breakdown.
type hbarChart struct {
	W, H, LabelW int
	Rows         []hbarRow
}

type hbar struct {
	Label string
	N     int
}

type hbarRow struct {
	Y, W, TextY, ValueX float64
	Label               string
	N                   int
}

const maxChartRows = 20

func newHBarChart(bars []hbar) *hbarChart {
	if len(bars) > maxChartRows {
		bars = bars[:maxChartRows] // the table has them all
	}
	ch := &hbarChart{W: 900, LabelW: 260}
	top := 1
	for _, b := range bars {
		top = max(top, b.N)
	}
	plotW := float64(ch.W - ch.LabelW - 70)
	for i, b := range bars {
		y := float64(i*26 + 4)
		ch.Rows = append(ch.Rows, hbarRow{Y: y, W: math.Max(float64(b.N)/float64(top)*plotW, 1), TextY: y + 15,
			ValueX: float64(ch.LabelW) + float64(b.N)/float64(top)*plotW + 6, Label: shorten(b.Label, 34), N: b.N})
	}
	ch.H = len(bars)*26 + 8
	return ch
}

func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// stackChart is a department's backlog as one bar, a segment per light.
type stackChart struct {
	W, H, LabelW int
	Rows         []stackRow
}

type stackRow struct {
	Y, TextY, ValueX float64
	Label            string
	Total            int
	Segs             []seg
}

type seg struct {
	X, Y, W float64
	Class   string
	Title   string
}

func newStackChart(backlog []central.Backlog, label func(string) string) *stackChart {
	ch := &stackChart{W: 900, LabelW: 200}
	top := 1
	for _, b := range backlog {
		top = max(top, b.Total)
	}
	if len(backlog) > 60 {
		backlog = backlog[:60]
	}
	plotW := float64(ch.W - ch.LabelW - 70)
	for i, b := range backlog {
		y := float64(i*26 + 4)
		r := stackRow{Y: y, TextY: y + 15, Label: shorten(label(b.Dept), 26), Total: b.Total,
			ValueX: float64(ch.LabelW) + float64(b.Total)/float64(top)*plotW + 6}
		x := float64(ch.LabelW)
		for _, part := range []struct {
			class string
			n     int
		}{{"green", b.Green}, {"yellow", b.Yellow}, {"red", b.Red}, {"overdue", b.Overdue}, {"noterm", b.NoTerm}} {
			if part.n == 0 {
				continue
			}
			w := float64(part.n) / float64(top) * plotW
			r.Segs = append(r.Segs, seg{X: x, Y: y, W: w, Class: part.class, Title: fmt.Sprintf("%s: %d", part.class, part.n)})
			x += w
		}
		ch.Rows = append(ch.Rows, r)
	}
	ch.H = len(ch.Rows)*26 + 8
	return ch
}

// alertsData is the alerts page's.
type alertsData struct {
	Alerts []alertRow
	Choice string
	Email  string
}

type alertRow struct {
	central.Alert
	Href, Left string
	Levels     []level
}

type level struct{ Code, Label string }

func (c *Console) alertsPage(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	t := c.catFor(r)
	alerts, err := c.db.UserAlerts(r.Context(), wh.user, 500)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := alertsData{Choice: wh.user.Alerts, Email: wh.user.Email}
	seen := map[string]int{}
	for _, a := range alerts {
		// One row per radicado, with its levels, newest first.
		if i, ok := seen[a.Number]; ok {
			d.Alerts[i].Levels = append(d.Alerts[i].Levels, level{a.Level, t.T("alert." + a.Level)})
			d.Alerts[i].Seen = d.Alerts[i].Seen && a.Seen
			continue
		}
		ar := alertRow{Alert: a, Href: "/radicados/" + url.PathEscape(a.Number), Levels: []level{{a.Level, t.T("alert." + a.Level)}}}
		if a.DaysLeft != nil {
			ar.Left = leftText(t, *a.DaysLeft)
		}
		seen[a.Number] = len(d.Alerts)
		d.Alerts = append(d.Alerts, ar)
	}
	order := []string{central.LevelOverdue, central.LevelRed, central.LevelYellow, central.LevelEscalated, central.LevelUnassigned}
	for _, a := range d.Alerts {
		slices.SortFunc(a.Levels, func(x, y level) int { return slices.Index(order, x.Code) - slices.Index(order, y.Code) })
	}
	// Seen once shown (those shown: not any raised meanwhile), unless
	// another site sent the browser here.
	if fromHere(r) && len(alerts) > 0 {
		if err := c.db.SeeAlerts(r.Context(), wh.user, alerts[0].ID); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	flash := ""
	if r.URL.Query().Get("done") == "alerts" {
		flash = t.T("alerts.saved")
	}
	c.render(w, r, http.StatusOK, "alerts", view{Title: t.T("alerts.title"), Nav: "alerts", Flash: flash, Data: d})
}

func (c *Console) alertsChoice(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	if err := c.db.SetAlerts(r.Context(), wh.user.Name, wh.user.Name, r.PostFormValue("alerts")); err != nil {
		c.fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/alertas?done=alerts", http.StatusSeeOther)
}
