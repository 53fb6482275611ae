package console_test

import (
	"bytes"
	"context"
	"encoding/json"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/console"
	"github.com/radicador/radicador/sync/server"
	"github.com/radicador/radicador/sync/wire"
)

// site is a central server with its console and sync API, over a store
// with two departments, their people and three radicados.
type site struct {
	t   *testing.T
	db  *central.DB
	srv *httptest.Server
}

const pw = "una contraseña larga"

func newSite(t *testing.T) *site { return newSiteWith(t, console.Options{}) }

func newSiteWith(t *testing.T, opt console.Options) *site {
	t.Helper()
	db := centraltest.SQLite(t)
	ctx := context.Background()
	for _, d := range []central.Dept{{Code: "GC", Name: "Gestión de Clientes"}, {Code: "JUR", Name: "Jurídica"}} {
		if err := db.AddDept(ctx, "test", d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []central.User{
		{Name: "ana", FullName: "Ana Pérez", Dept: "GC", Role: central.Jefe},
		{Name: "beto", FullName: "Beto Ruiz", Dept: "GC", Role: central.Funcionario},
		{Name: "caro", FullName: "Carolina Gil", Dept: "JUR", Role: central.Funcionario},
		{Name: "admin", FullName: "Administración", Role: central.Admin},
	} {
		if _, _, err := db.AddUser(ctx, "test", u, pw); err != nil {
			t.Fatal(err)
		}
	}
	con, err := console.New(db, opt)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.Handle(wire.APIPrefix+"/", server.New(db, nil, server.DefaultLimits).Handler())
	con.Mount(mux)
	s := &site{t: t, db: db, srv: httptest.NewServer(mux)}
	t.Cleanup(s.srv.Close)
	s.radicar("2026001010000012", "GC", "Solicitud de certificado", pngPage(t))
	s.radicar("2026001010000022", "JUR", "<script>alert('x')</script> demanda", []byte("%PDF-1.4 demanda"))
	s.radicar("2026001010000032", "GC", "Queja por demora", []byte("carta"))
	return s
}

// pngPage is a scanned-like page of 1700×2200 pixels.
func pngPage(t *testing.T) []byte {
	img := image.NewGray(image.Rect(0, 0, 1700, 2200))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	for y := 300; y < 320; y++ {
		for x := 200; x < 1500; x++ {
			img.SetGray(x, y, color.Gray{0})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}

func (s *site) radicar(number, dept, subject string, doc []byte) {
	s.t.Helper()
	ctx := context.Background()
	p := central.Principal{Office: "001", Station: "01"}
	sum := centraltest.SumOf(doc)
	if _, err := s.db.PutChunk(ctx, p, central.Chunk{Sum: sum, Size: int64(len(doc)), Body: bytes.NewReader(doc), Max: 8 << 20}); err != nil {
		s.t.Fatal(err)
	}
	f := centraltest.File(doc)
	if bytes.HasPrefix(doc, []byte("%PDF")) {
		f.Name, f.MediaType = "demanda.pdf", "application/pdf"
	}
	push := centraltest.Push(number, "001", "01", f)
	push.Radicado.Dept, push.Radicado.Subject, push.Radicado.Due = dept, subject, "2026-12-15"
	if _, err := s.db.Put(ctx, p, push); err != nil {
		s.t.Fatal(err)
	}
}

// browser is a person's browser: cookies, and the forms' CSRF token.
type browser struct {
	s    *site
	c    *http.Client
	csrf string
	xff  string // an X-Forwarded-For it sends with its forms
}

func (s *site) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *browser) get(path string) (*http.Response, string) {
	b.s.t.Helper()
	resp, err := b.c.Get(b.s.srv.URL + path)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return resp, string(body)
}

func (b *browser) post(path string, form url.Values, headers ...string) (*http.Response, string) {
	b.s.t.Helper()
	req, _ := http.NewRequest("POST", b.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

// login logs in as name.
func (b *browser) login(name string) {
	b.s.t.Helper()
	b.get("/login")
	resp, body := b.post("/login", url.Values{"csrf": {b.csrf}, "name": {name}, "password": {pw}, "next": {"/bandeja"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bandeja" {
		b.s.t.Fatalf("log-in of %s: %d %s", name, resp.StatusCode, body)
	}
	b.get("/bandeja") // the session's token for the forms
}

func TestLogIn(t *testing.T) {
	s := newSite(t)
	b := s.browser()
	if resp, _ := b.get("/bandeja"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login?next=") {
		t.Fatalf("the inbox without a session: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	b.get("/login")
	if resp, _ := b.post("/login", url.Values{"name": {"beto"}, "password": {pw}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a log-in without the form's token: %d", resp.StatusCode)
	}
	b.get("/login")
	resp, body := b.post("/login", url.Values{"csrf": {b.csrf}, "name": {"beto"}, "password": {"no es"}})
	if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(body, "Usuario o contraseña incorrectos") {
		t.Errorf("a wrong password: %d", resp.StatusCode)
	}
	// An address elsewhere is not followed after the log-in, however it is
	// written (a browser drops the tab of "/\t/evil.example").
	for _, next := range []string{"//evil.example/x", "/\t/evil.example/x", "/\\evil.example", "https://evil.example/", "/\n/evil.example"} {
		b.get("/login")
		resp, _ = b.post("/login", url.Values{"csrf": {b.csrf}, "name": {"beto"}, "password": {pw}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/bandeja" {
			t.Errorf("the log-in with next %q sends to %q", next, resp.Header.Get("Location"))
		}
	}
	b.get("/login")
	resp, _ = b.post("/login", url.Values{"csrf": {b.csrf}, "name": {"beto"}, "password": {pw}, "next": {"/radicados/2026001010000012"}})
	if resp.Header.Get("Location") != "/radicados/2026001010000012" {
		t.Errorf("a page of its own after the log-in: %q", resp.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "radicador_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Path != "/" {
		t.Errorf("the session cookie: %+v", session)
	}
	// Locked after five failures in a row, whatever comes next.
	other := s.browser()
	for range 5 {
		other.get("/login")
		other.post("/login", url.Values{"csrf": {other.csrf}, "name": {"caro"}, "password": {"mal"}})
	}
	other.get("/login")
	if resp, body := other.post("/login", url.Values{"csrf": {other.csrf}, "name": {"caro"}, "password": {pw}}); resp.StatusCode != http.StatusTooManyRequests ||
		!strings.Contains(body, "bloqueada") {
		t.Errorf("the right password on a locked account: %d", resp.StatusCode)
	}
	// Logging out ends the session on the server: the cookie alone no
	// longer opens anything.
	_, body = b.get("/bandeja")
	if !strings.Contains(body, "2026001010000012") {
		t.Fatalf("beto's inbox: %s", body)
	}
	b.post("/logout", url.Values{"csrf": {b.csrf}})
	replay := s.browser()
	u, _ := url.Parse(s.srv.URL)
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: "radicador_session", Value: session.Value}})
	if resp, _ := replay.get("/bandeja"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a session after log-out: %d", resp.StatusCode)
	}
}

func TestSeesOnlyItsOwn(t *testing.T) {
	s := newSite(t)
	beto := s.browser()
	beto.login("beto")
	_, body := beto.get("/bandeja")
	if !strings.Contains(body, "2026001010000012") || !strings.Contains(body, "2026001010000032") || strings.Contains(body, "2026001010000022") {
		t.Errorf("beto's inbox: %s", body)
	}
	held, _ := s.db.Get(context.Background(), "2026001010000022")
	sum := held.Files[0].SHA256
	before, _ := s.db.JournalSince(context.Background(), 0, 1000)
	for _, path := range []string{"/radicados/2026001010000022", "/radicados/2026001010000022/archivos/" + sum,
		"/radicados/2026001010000022/vista/" + sum + "/1", "/radicados/2026001010000012/archivos/" + sum, "/admin"} {
		if resp, body := beto.get(path); resp.StatusCode != http.StatusNotFound || strings.Contains(body, "demanda") {
			t.Errorf("beto gets %s: %d", path, resp.StatusCode)
		}
	}
	for _, action := range []string{"assign", "reassign", "inform", "return", "answer", "extend", "archive"} {
		if resp, _ := beto.post("/radicados/2026001010000022/"+action, url.Values{"csrf": {beto.csrf}, "user": {"beto"}, "dept": {"GC"},
			"reason": {"mío"}, "users": {"beto"}, "days": {"3"}}); resp.StatusCode != http.StatusNotFound {
			t.Errorf("beto does %s on JUR's radicado: %d", action, resp.StatusCode)
		}
	}
	if after, _ := s.db.JournalSince(context.Background(), 0, 1000); len(after) != len(before) {
		t.Errorf("the refused actions left %d entries", len(after)-len(before))
	}
	// Caro sees her department's, with its subject as text, not markup.
	caro := s.browser()
	caro.login("caro")
	resp, body := caro.get("/radicados/2026001010000022")
	if resp.StatusCode != 200 || strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; demanda") {
		t.Errorf("the subject with a script: %d", resp.StatusCode)
	}
	// Not kept by the browser: after log-out on a shared computer, the
	// history does not show the letter again.
	if resp, body := caro.get("/radicados/2026001010000022/archivos/" + sum); resp.StatusCode != 200 || body != "%PDF-1.4 demanda" ||
		resp.Header.Get("Content-Type") != "application/pdf" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "no-store") {
		t.Errorf("caro's PDF: %d %s", resp.StatusCode, resp.Header)
	}
	for _, h := range []string{"Content-Security-Policy", "X-Frame-Options", "Referrer-Policy"} {
		if resp.Header.Get(h) == "" {
			t.Errorf("no %s", h)
		}
	}
}

func TestActionsAndCSRF(t *testing.T) {
	s := newSite(t)
	ana := s.browser()
	ana.login("ana")
	const n = "/radicados/2026001010000012"
	count := func() int {
		e, _ := s.db.History(context.Background(), "2026001010000012")
		return len(e)
	}
	// Without the form's token, with another's, or from another site:
	// refused, nothing done.
	for _, tc := range []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"no token", url.Values{"user": {"beto"}}, nil},
		{"a token of another session", url.Values{"user": {"beto"}, "csrf": {"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}}, nil},
		{"another site", url.Values{"user": {"beto"}, "csrf": {ana.csrf}}, []string{"Origin", "https://evil.example"}},
	} {
		if resp, body := ana.post(n+"/assign", tc.form, tc.headers...); resp.StatusCode != http.StatusForbidden || !strings.Contains(body, "formulario") {
			t.Errorf("%s: %d", tc.name, resp.StatusCode)
		}
	}
	if count() != 0 {
		t.Fatalf("a refused form did something")
	}
	resp, _ := ana.post(n+"/assign", url.Values{"user": {"beto"}, "csrf": {ana.csrf}}, "Origin", s.srv.URL)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("assigning: %d", resp.StatusCode)
	}
	_, body := ana.get(resp.Header.Get("Location"))
	if !strings.Contains(body, "Asignado.") || !strings.Contains(body, "beto") {
		t.Errorf("after assigning: %s", body)
	}
	// Another site's link to the page marks nothing read and starts
	// nothing: only a visit from the console, or typed, does.
	beto0 := s.browser()
	beto0.login("beto")
	req, _ := http.NewRequest("GET", s.srv.URL+n, nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	if resp, err := beto0.c.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("a cross-site visit: %v", err)
	}
	if it, _ := s.db.Work(context.Background(), central.User{Role: central.Supervisor}, "2026001010000012"); it.State != central.StateAssigned {
		t.Errorf("a cross-site visit moved the state to %s", it.State)
	}
	if resp, _ := beto0.get(n); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if it, _ := s.db.Work(context.Background(), central.User{Role: central.Supervisor}, "2026001010000012"); it.State != central.StateWorking {
		t.Errorf("the assignee's own visit: state %s", it.State)
	}
	// A reassignment without its reason says why, and changes nothing.
	resp, body = ana.post(n+"/reassign", url.Values{"dept": {"JUR"}, "csrf": {ana.csrf}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, "reason") {
		t.Errorf("a reassignment without reason: %d", resp.StatusCode)
	}
	// Reassigned, it leaves ana's sight: back to the inbox.
	resp, _ = ana.post(n+"/reassign", url.Values{"dept": {"JUR"}, "reason": {"asunto jurídico"}, "csrf": {ana.csrf}})
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/bandeja") {
		t.Errorf("reassigning: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := ana.get(n); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GC still sees it: %d", resp.StatusCode)
	}
	// A disabled user's session ends at once.
	beto := s.browser()
	beto.login("beto")
	if err := s.db.DisableUser(context.Background(), "test", "beto"); err != nil {
		t.Fatal(err)
	}
	if resp, _ := beto.get("/bandeja"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("a disabled user's session: %d", resp.StatusCode)
	}
}

func TestPreview(t *testing.T) {
	s := newSite(t)
	// A document that is no image: not found, remembered as such.
	caro := s.browser()
	caro.login("caro")
	held, _ := s.db.Get(context.Background(), "2026001010000022")
	bad := "/radicados/2026001010000022/vista/" + held.Files[0].SHA256 + "/1"
	for range 2 {
		if resp, _ := caro.get(bad); resp.StatusCode != http.StatusNotFound {
			t.Errorf("the preview of a PDF with no page image: %d", resp.StatusCode)
		}
	}
	if _, err := os.Stat(filepath.Join(s.db.Dir(), "previews", held.Files[0].SHA256[:2], held.Files[0].SHA256+"-1-900.jpg.none")); err != nil {
		t.Errorf("the failure is not remembered: %v", err)
	}
	ana := s.browser()
	ana.login("ana")
	_, page := ana.get("/radicados/2026001010000012")
	m := regexp.MustCompile(`src="(/radicados/2026001010000012/vista/[0-9a-f]{64}/1)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no preview on the page")
	}
	for range 2 { // made, then kept
		resp, body := ana.get(m[1])
		img, err := jpeg.Decode(strings.NewReader(body))
		if resp.StatusCode != 200 || err != nil || img.Bounds().Dx() != 900 || img.Bounds().Dy() != 1164 {
			t.Fatalf("the preview: %d %v", resp.StatusCode, err)
		}
		if cc := resp.Header.Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("the preview is kept by the browser: Cache-Control %q", cc)
		}
		held, _ := s.db.Get(context.Background(), "2026001010000012")
		if len(body)*10 > int(held.Files[0].Size) && len(body) > 60<<10 {
			t.Errorf("a preview of %d bytes for a page of %d", len(body), held.Files[0].Size)
		}
	}
}

func TestAPI(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	token, err := s.db.NewUserToken(ctx, "test", "ana")
	if err != nil {
		t.Fatal(err)
	}
	call := func(method, path, tok string, body string, headers ...string) (*http.Response, []byte) {
		req, _ := http.NewRequest(method, s.srv.URL+path, strings.NewReader(body))
		if tok != "" {
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	resp, body := call("GET", "/api/v1/inbox?as_of=2026-12-04", token, "")
	var inbox struct {
		Items []map[string]any `json:"items"`
		More  bool             `json:"more"`
	}
	if resp.StatusCode != 200 || json.Unmarshal(body, &inbox) != nil || len(inbox.Items) != 2 {
		t.Fatalf("the inbox: %d %s", resp.StatusCode, body)
	}
	it := inbox.Items[0]
	if it["number"] != "2026001010000012" || it["due"] != "2026-12-15" || it["days_left"] != 6.0 || it["light"] != "yellow" || it["state"] != "nuevo" {
		t.Errorf("an item: %v", it)
	}
	for _, tc := range []struct {
		name, method, path, token, body string
		want                            int
	}{
		{"no token", "GET", "/api/v1/inbox", "", "", 401},
		{"a station's token is not a person's", "GET", "/api/v1/inbox", "rdc_x", "", 401},
		{"another department's", "GET", "/api/v1/inbox/2026001010000022", token, "", 404},
		{"an action on another department's", "POST", "/api/v1/radicados/2026001010000022/archive", token, `{}`, 404},
		{"unknown fields", "POST", "/api/v1/radicados/2026001010000012/assign", token, `{"user":"beto","evil":1}`, 400},
		{"not JSON", "POST", "/api/v1/radicados/2026001010000012/assign", token, `user=beto`, 400},
		{"an action that is not", "POST", "/api/v1/radicados/2026001010000012/delete", token, `{}`, 404},
		{"a bad filter", "GET", "/api/v1/inbox?light=azul", token, "", 400},
		{"a body too big", "POST", "/api/v1/radicados/2026001010000012/inform", token, `{"note":"` + strings.Repeat("x", 70<<10) + `"}`, 413},
	} {
		if resp, body := call(tc.method, tc.path, tc.token, tc.body); resp.StatusCode != tc.want {
			t.Errorf("%s: %d %s, want %d", tc.name, resp.StatusCode, body, tc.want)
		}
	}
	resp, body = call("POST", "/api/v1/radicados/2026001010000012/assign", token, `{"user":"beto"}`)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"assignee":"beto"`) {
		t.Errorf("assigning through the API: %d %s", resp.StatusCode, body)
	}
	if resp, body := call("POST", "/api/v1/radicados/2026001010000032/inform", token, `{"users":["beto"],"by":"`+strings.Repeat("x", 60)+`","user":"zz"}`); resp.StatusCode != 200 {
		t.Errorf("informing with stray fields: %d %s", resp.StatusCode, body)
	}
	hist, _ := s.db.History(ctx, "2026001010000032")
	if len(hist) != 1 || strings.Contains(string(hist[0].Data), "xxxx") || strings.Contains(string(hist[0].Data), "zz") {
		t.Errorf("the journal keeps what the action does not use: %s", hist[0].Data)
	}
	resp, body = call("GET", "/api/v1/inbox/2026001010000012", token, "")
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"action":"radicado.assign"`) {
		t.Errorf("the item with its history: %d %s", resp.StatusCode, body)
	}
	// A session may use the API from the console's pages, with its CSRF
	// token in the header.
	b := s.browser()
	b.login("ana")
	u, _ := url.Parse(s.srv.URL)
	var sid string
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "radicador_session" {
			sid = c.Value
		}
	}
	if resp, _ := call("POST", "/api/v1/radicados/2026001010000012/inform", "", `{"users":["caro"]}`, "Cookie", "radicador_session="+sid); resp.StatusCode != 403 {
		t.Errorf("a session's POST without its CSRF header: %d", resp.StatusCode)
	}
	if resp, body := call("POST", "/api/v1/radicados/2026001010000012/inform", "", `{"users":["caro"]}`, "Cookie", "radicador_session="+sid,
		"X-CSRF-Token", b.csrf); resp.StatusCode != 200 {
		t.Errorf("a session's POST with its CSRF header: %d %s", resp.StatusCode, body)
	}
	// The stations' API is still there, beside the console's, and one
	// document describes both.
	if resp, _ := call("GET", "/api/v1/health", "", ""); resp.StatusCode != 200 {
		t.Errorf("health: %d", resp.StatusCode)
	}
	_, doc := call("GET", "/api/v1/openapi.json", "", "")
	var api struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(doc, &api); err != nil {
		t.Fatal(err)
	}
	for path, method := range map[string]string{"/inbox": "get", "/inbox/{number}": "get", "/radicados/{number}/{action}": "post", "/depts": "get"} {
		if _, ok := api.Paths[path][method]; !ok {
			t.Errorf("the OpenAPI document lacks %s %s", method, path)
		}
	}
}

// TestCitationLinks: a radicado's page links the numbers of ours it cites,
// and the page of a cited one links back to what cites it, for whoever
// may see the citing letter and nobody else.
func TestCitationLinks(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := central.Principal{Office: "001", Station: "01"}
	push := centraltest.Push("2026001010000042", "001", "01")
	push.Radicado.Dept, push.Radicado.Subject, push.Radicado.Type = "GC", "Respuesta a su oficio", "respuesta"
	push.Radicado.Cites = []string{"2026001010000012", "2026001010000022"}
	if _, err := s.db.Put(ctx, p, push); err != nil {
		t.Fatal(err)
	}
	beto := s.browser()
	beto.login("beto")
	if _, body := beto.get("/radicados/2026001010000042"); !strings.Contains(body, "Cita nuestros") ||
		!strings.Contains(body, `href="/radicados/2026001010000012"`) || !strings.Contains(body, `href="/radicados/2026001010000022"`) {
		t.Errorf("the citing letter's page: %s", body)
	}
	if _, body := beto.get("/radicados/2026001010000012"); !strings.Contains(body, "Citado por") || !strings.Contains(body, `href="/radicados/2026001010000042"`) {
		t.Errorf("the cited one's page: %s", body)
	}
	caro := s.browser()
	caro.login("caro")
	if resp, body := caro.get("/radicados/2026001010000022"); resp.StatusCode != 200 || strings.Contains(body, "2026001010000042") {
		t.Errorf("caro sees a letter of another department cite hers: %d", resp.StatusCode)
	}
}
