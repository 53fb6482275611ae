package console_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
)

// The period of newSite's radicados (received 23 Nov, due 15 Dec) as of
// the day after their due date.
const period = "from=2026-11-01&to=2026-11-30&as_of=2026-12-16"

func (s *site) api(token, path string) (*http.Response, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest("GET", s.srv.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestDashboard(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	admin := s.browser()
	admin.login("admin")
	resp, body := admin.get("/tablero?" + period)
	if resp.StatusCode != 200 {
		t.Fatalf("the dashboard: %d %s", resp.StatusCode, body)
	}
	// What a user typed is text, never markup, in the overdue list too.
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; demanda") {
		t.Error("the JUR subject is not shown escaped in the overdue list")
	}
	for _, want := range []string{`<svg class="bars"`, `<svg class="hbars"`, `<svg class="stack"`, `class="seg overdue"`, "Vencidos al 2026-12-16: 3"} {
		if !strings.Contains(body, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}

	// The API's figures, the CSV's and the page's are the same.
	token, err := s.db.NewUserToken(ctx, "test", "admin")
	if err != nil {
		t.Fatal(err)
	}
	resp, raw := s.api(token, "/api/v1/stats?"+period)
	var st central.Stats
	if resp.StatusCode != 200 || json.Unmarshal(raw, &st) != nil {
		t.Fatalf("GET /api/v1/stats: %d %s", resp.StatusCode, raw)
	}
	if st.Received != 3 || st.Answered != 0 || st.OverdueTotal != 3 || len(st.Backlog) != 2 || st.Backlog[0] != (central.Backlog{Dept: "GC", Overdue: 2, Total: 2}) {
		t.Errorf("stats: %+v", st)
	}
	csvOf := func(b *browser, table string) [][]string {
		t.Helper()
		resp, body := b.get("/tablero.csv?table=" + table + "&" + period)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
			t.Fatalf("CSV %s: %d %s", table, resp.StatusCode, body)
		}
		rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		return rows
	}
	sum := csvOf(admin, "summary")
	if sum[1][4] != strconv.Itoa(st.Received) || sum[1][12] != strconv.Itoa(st.OverdueTotal) || sum[1][2] != "2026-12-16" {
		t.Errorf("summary CSV %v, API %+v", sum, st)
	}
	byDept := csvOf(admin, "by_dept")
	if len(byDept) != len(st.ByDept)+1 || byDept[1][0] != st.ByDept[0].Key || byDept[1][1] != strconv.Itoa(st.ByDept[0].N) {
		t.Errorf("by_dept CSV %v, API %+v", byDept, st.ByDept)
	}
	backlog := csvOf(admin, "backlog")
	if len(backlog) != 3 || backlog[1][0] != "GC" || backlog[1][4] != "2" || backlog[2][0] != "JUR" || backlog[2][4] != "1" {
		t.Errorf("backlog CSV %v", backlog)
	}
	overdue := csvOf(admin, "overdue")
	if len(overdue) != 4 || overdue[1][8] != "1" {
		t.Errorf("overdue CSV %v", overdue)
	}
	if strings.Contains(body, `<span class="kpi-value">`+strconv.Itoa(st.Received)+`</span>`) == false {
		t.Error("the page's received figure is not the API's")
	}
	// The page's own links carry its period.
	for _, re := range []*regexp.Regexp{regexp.MustCompile(`href="(/tablero\.csv\?table=summary[^"]*)"`), regexp.MustCompile(`href="(/tablero\.csv\?table=overdue[^"]*)"`),
		regexp.MustCompile(`href="(/tablero\.csv\?table=by_dept[^"]*)"`)} {
		m := re.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no link %s", re)
		}
		resp, csvBody := admin.get(html.UnescapeString(m[1]))
		if resp.StatusCode != 200 || !strings.Contains(csvBody, "2026-12-16") && !strings.Contains(csvBody, "2026001010000012") && !strings.Contains(csvBody, "GC,2") {
			t.Errorf("the page's link %s gives another period: %s", m[1], csvBody)
		}
	}
	if resp, _ := admin.get("/tablero.csv?table=nothing&" + period); resp.StatusCode != 404 {
		t.Errorf("an unknown table: %d", resp.StatusCode)
	}

	// A head sees their department; a funcionario no dashboard.
	ana := s.browser()
	ana.login("ana")
	resp, body = ana.get("/tablero?" + period)
	if resp.StatusCode != 200 || strings.Contains(body, "demanda") || !strings.Contains(body, "Vencidos al 2026-12-16: 2") {
		t.Errorf("ana's dashboard: %d", resp.StatusCode)
	}
	if resp, _ := ana.get("/tablero?dept=JUR&" + period); resp.StatusCode != 403 {
		t.Errorf("a head asking for another department: %d", resp.StatusCode)
	}
	beto := s.browser()
	beto.login("beto")
	if resp, _ := beto.get("/tablero"); resp.StatusCode != 403 {
		t.Errorf("a funcionario's dashboard: %d", resp.StatusCode)
	}
	if _, body := beto.get("/bandeja"); strings.Contains(body, `href="/tablero"`) {
		t.Error("a funcionario is offered the dashboard")
	}
	for _, bad := range []string{"/api/v1/stats?as_of=2026-13-01", "/api/v1/stats?from=2024-01-01&to=2026-01-01", "/api/v1/stats?dept=no%20es",
		"/api/v1/stats?as_of=9999-12-31", "/api/v1/alerts?as_of=0001-01-01", "/api/v1/inbox?as_of=9999-12-31"} {
		if resp, body := s.api(token, bad); resp.StatusCode != 400 || !strings.Contains(string(body), `"status":400`) {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, body)
		}
	}
}

func TestAlertsInTheConsole(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	if _, err := s.db.RaiseAlerts(ctx, calendar.Date{Year: 2026, Month: 12, Day: 16}); err != nil {
		t.Fatal(err)
	}
	ana := s.browser()
	ana.login("ana")
	_, body := ana.get("/bandeja")
	// Two of GC's, each overdue and waiting unassigned: a row each.
	if !strings.Contains(body, `<span class="count" aria-label="2 radicados con alertas nuevas">2</span>`) {
		t.Errorf("ana's pages do not count her 2 radicados with new alerts")
	}
	_, body = ana.get("/alertas")
	if strings.Count(body, `<span class="level overdue">Vencido</span>`) != 2 || strings.Count(body, ` · <span class="level unassigned">Sin asignar</span>`) != 2 ||
		strings.Count(body, `<tr class="unread">`) != 2 || !strings.Contains(body, "2026001010000032") || strings.Contains(body, "2026001010000022") {
		t.Errorf("ana's alerts page")
	}
	if _, body = ana.get("/bandeja"); strings.Contains(body, `class="count"`) {
		t.Error("the alerts are still new after she saw them")
	}
	if resp, _ := ana.post("/alertas", url.Values{"csrf": {ana.csrf}, "alerts": {"none"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("choosing the console only: %d", resp.StatusCode)
	}
	if u, _ := s.db.UserByName(ctx, "ana"); u.Alerts != central.AlertsNone {
		t.Errorf("ana's choice: %q", u.Alerts)
	}
	if resp, _ := ana.post("/alertas", url.Values{"csrf": {ana.csrf}, "alerts": {"sms"}}); resp.StatusCode != 400 {
		t.Errorf("a choice that is not: %d", resp.StatusCode)
	}
	if resp, _ := ana.post("/alertas", url.Values{"alerts": {"digest"}}); resp.StatusCode != 403 {
		t.Errorf("a choice without the form's token: %d", resp.StatusCode)
	}

	// The API: each their own; the administrator everyone's.
	tokAna, _ := s.db.NewUserToken(ctx, "test", "ana")
	tokAdmin, _ := s.db.NewUserToken(ctx, "test", "admin")
	var got struct {
		AsOf    string           `json:"as_of"`
		Digests []central.Digest `json:"digests"`
	}
	_, raw := s.api(tokAna, "/api/v1/alerts?as_of=2026-12-17")
	if json.Unmarshal(raw, &got) != nil || len(got.Digests) != 0 {
		t.Errorf("ana's pending alerts on the 17th (told already, not e-mailed: she chose the console): %s", raw)
	}
	// On 10 Dec the two turned red (15-day term, 3 days left): not told
	// yet at that level.
	_, raw = s.api(tokAdmin, "/api/v1/alerts?as_of=2026-12-10")
	if json.Unmarshal(raw, &got) != nil || got.AsOf != "2026-12-10" || len(got.Digests) != 1 || got.Digests[0].Name != "ana" ||
		len(got.Digests[0].Alerts) != 2 || got.Digests[0].Alerts[0].Level != central.LevelRed || *got.Digests[0].Alerts[0].DaysLeft != 3 {
		t.Errorf("the administrator's view: %s", raw)
	}
	if _, raw = s.api(tokAna, "/api/v1/alerts?as_of=2026-12-10"); !strings.Contains(string(raw), `"user":"ana"`) {
		t.Errorf("ana's own: %s", raw)
	}
	tokBeto, _ := s.db.NewUserToken(ctx, "test", "beto")
	if _, raw = s.api(tokBeto, "/api/v1/alerts?as_of=2026-12-10"); strings.Contains(string(raw), `"ana"`) {
		t.Errorf("beto sees ana's alerts: %s", raw)
	}
}

func TestPetitionsReport(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	sup, _, err := s.db.AddUser(ctx, "test", central.User{Name: "sara", Role: central.Supervisor}, pw)
	if err != nil {
		t.Fatal(err)
	}
	s.db.SetClock(func() time.Time { return time.Date(2026, 12, 17, 10, 0, 0, 0, time.FixedZone("COT", -5*3600)) })
	if _, err := s.db.Act(ctx, sup, "2026001010000022", central.Action{Kind: "transfer", Entity: "Juzgado 3 Civil", Reason: "Competencia"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Act(ctx, sup, "2026001010000012", central.Action{Kind: "answer", Channel: "email", At: "2026-12-10", Denied: true}); err != nil {
		t.Fatal(err)
	}
	b := s.browser()
	b.login("sara")
	q := "from=2026-11-01&to=2026-11-30&as_of=2026-12-17"
	resp, body := b.get("/informes/peticiones?" + q)
	if resp.StatusCode != 200 {
		t.Fatalf("the report: %d %s", resp.StatusCode, body)
	}
	for _, want := range []string{"Trasladada a Juzgado 3 Civil", "Acceso negado", "pendiente"} {
		if !strings.Contains(body, want) {
			t.Errorf("the report page lacks %q", want)
		}
	}
	// The page's links carry its period.
	if !strings.Contains(body, `href="/informes/peticiones.csv?as_of=2026-12-17&amp;from=2026-11-01&amp;to=2026-11-30&amp;types=informacion%2Cpeticion"`) {
		t.Error("the report page's CSV link does not carry its period")
	}
	resp, body = b.get("/informes/peticiones.csv?" + q)
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if resp.StatusCode != 200 || err != nil || len(rows) != 4 {
		t.Fatalf("the report's CSV: %d %v %q", resp.StatusCode, err, body)
	}
	byNumber := map[string][]string{}
	for _, r := range rows[1:] {
		byNumber[r[0]] = r
	}
	// 12: received Mon 23 Nov, answered Thu 10 Dec: 12 business days (8
	// Dec a holiday), access denied; 22: transferred Thu 17 Dec, 17 days,
	// late (due the 15th); 32: pending.
	if r := byNumber["2026001010000012"]; r[6] != "2026-12-10" || r[7] != "12" || r[8] != "si" || r[10] != "si" {
		t.Errorf("the answered one: %v", r)
	}
	if r := byNumber["2026001010000022"]; r[9] != "Juzgado 3 Civil" || r[7] != "17" || r[8] != "no" {
		t.Errorf("the transferred one: %v", r)
	}
	if r := byNumber["2026001010000032"]; r[5] != "pendiente" || r[6] != "" {
		t.Errorf("the pending one: %v", r)
	}
	resp, body = b.get("/informes/peticiones.pdf?" + q)
	if resp.StatusCode != 200 || !strings.HasPrefix(body, "%PDF") {
		t.Fatalf("the report's PDF: %d", resp.StatusCode)
	}
	if text := pdfText(t, []byte(body)); !strings.Contains(text, "Solicitudes recibidas 3") || !strings.Contains(text, "Trasladadas a otra institución 1") ||
		!strings.Contains(text, "Con acceso a la información negado 1") || !strings.Contains(text, "Trasladada a Juzgado 3 Civil") {
		t.Errorf("the PDF says:\n%s", text)
	}
	ana := s.browser()
	ana.login("ana")
	if resp, _ := ana.get("/informes/peticiones?" + q); resp.StatusCode != 403 {
		t.Errorf("a head's report: %d", resp.StatusCode)
	}
}

// pdfText gives a PDF's text, its lines' spaces squeezed, as pdftotext
// reads it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("pdftotext (poppler-utils) is needed")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, l := range strings.Split(string(out), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "\n")
}

func TestMailSettingsPage(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	b.login("admin")
	form := url.Values{"csrf": {b.csrf}, "host": {"smtp.org.co"}, "port": {"587"}, "security": {"starttls"}, "user": {"alertas"},
		"password": {"secreto-smtp"}, "from": {"alertas@org.co"}, "hour": {"07:30"}}
	if resp, body := b.post("/admin/mail", form); resp.StatusCode != 200 || strings.Contains(body, "secreto-smtp") {
		t.Errorf("saving the mail settings: %d (the password must not be shown back)", resp.StatusCode)
	}
	m, _ := s.db.Mail(context.Background())
	if m.Host != "smtp.org.co" || m.Password != "secreto-smtp" || m.Hour != "07:30" {
		t.Errorf("mail settings: %+v", m)
	}
	form.Set("security", "none")
	if resp, body := b.post("/admin/mail", form); resp.StatusCode != 400 || !strings.Contains(body, "only to this machine") {
		t.Errorf("plain SMTP to another machine: %d", resp.StatusCode)
	}
	form.Set("security", "starttls")
	form.Set("password", "")
	form.Set("from", "Alertas <alertas@org.co>\r\nBcc: x@evil.example")
	if resp, _ := b.post("/admin/mail", form); resp.StatusCode != 400 {
		t.Errorf("a sender with a header in it: %d", resp.StatusCode)
	}
	form.Set("from", "alertas@org.co")
	b.post("/admin/mail", form)
	if m, _ := s.db.Mail(context.Background()); m.Password != "secreto-smtp" {
		t.Error("an empty password field replaced the password")
	}
	if resp, body := b.post("/admin/mail-test", url.Values{"csrf": {b.csrf}, "to": {"ana@org.co"}}); resp.StatusCode != 409 || !strings.Contains(body, "no envía") {
		t.Errorf("a test without a sender: %d", resp.StatusCode)
	}
	s.db.DisableUser(context.Background(), "test", "beto")
	if resp, _ := b.post("/admin/users/beto/enable", url.Values{"csrf": {b.csrf}}); resp.StatusCode != 200 {
		t.Errorf("enabling a user again: %d", resp.StatusCode)
	}
	if u, _ := s.db.UserByName(context.Background(), "beto"); u.Disabled {
		t.Error("beto is still disabled")
	}
	beto := s.browser()
	beto.login("beto")
	if resp, body := b.post("/admin/escalation", url.Values{"csrf": {b.csrf}, "type": {""}, "dept": {"GC"}, "unassigned_hours": {"24"}, "untouched_hours": {"16"}}); resp.StatusCode != 200 || !strings.Contains(body, "<td>GC</td><td>24</td>") {
		t.Errorf("an escalation rule: %d", resp.StatusCode)
	}
}

func TestTransferAndDeniedFromThePage(t *testing.T) {
	s := newSite(t)
	ana := s.browser()
	ana.login("ana")
	if resp, body := ana.post("/radicados/2026001010000012/transfer", url.Values{"csrf": {ana.csrf}, "entity": {""}}); resp.StatusCode != 400 ||
		!strings.Contains(body, "which authority") {
		t.Errorf("a transfer to nobody: %d", resp.StatusCode)
	}
	if resp, _ := ana.post("/radicados/2026001010000012/transfer", url.Values{"csrf": {ana.csrf}, "entity": {"Superintendencia de Industria y Comercio"},
		"reason": {"Protección al consumidor"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the transfer: %d", resp.StatusCode)
	}
	_, body := ana.get("/radicados/2026001010000012")
	if !strings.Contains(body, "Trasladado a otra entidad") || !strings.Contains(body, "trasladó por competencia a otra entidad — Superintendencia de Industria y Comercio: Protección al consumidor") {
		t.Error("the radicado's page does not show the transfer")
	}
	if strings.Contains(body, `action="/radicados/2026001010000012/answer"`) {
		t.Error("a transferred radicado is still offered an answer")
	}
	if resp, _ := ana.post("/radicados/2026001010000032/answer", url.Values{"csrf": {ana.csrf}, "at": {"2026-11-27"}, "denied": {"1"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("the answer: %d", resp.StatusCode)
	}
	if _, body := ana.get("/radicados/2026001010000032"); !strings.Contains(body, "La respuesta negó el acceso a la información") {
		t.Error("the history does not say the answer denied access")
	}
}
