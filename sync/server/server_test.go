package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

type api struct {
	t   *testing.T
	url string
	db  *central.DB
}

func startAPI(t *testing.T, limits Limits) *api {
	t.Helper()
	db := centraltest.SQLite(t)
	for token, p := range map[string]central.Principal{"tok-001-01": {Office: "001", Station: "01"}, "tok-002-01": {Office: "002", Station: "01"},
		"tok-admin": {Office: "admin", Station: "ana", Admin: true}, "tok-revoked": {Office: "003", Station: "01"}} {
		if err := db.AddStation(context.Background(), p, central.HashToken(token)); err != nil {
			t.Fatal(err)
		}
	}
	db.RevokeStation(context.Background(), "003", "01")
	srv := httptest.NewServer(New(db, nil, limits).Handler())
	t.Cleanup(srv.Close)
	return &api{t, srv.URL + wire.APIPrefix, db}
}

func (a *api) do(method, path, token string, body []byte, headers ...string) (*http.Response, []byte) {
	a.t.Helper()
	req, _ := http.NewRequest(method, a.url+path, bytes.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func (a *api) uploadFile(token string, data []byte) wire.File {
	a.t.Helper()
	resp, body := a.do("PATCH", "/files/"+sumOf(data), token, data,
		wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, strconv.Itoa(len(data)))
	if resp.StatusCode != http.StatusCreated {
		a.t.Fatalf("upload: %d %s", resp.StatusCode, body)
	}
	return wire.File{SHA256: sumOf(data), Size: int64(len(data)), Name: "p.png", MediaType: "image/png", Pages: 1}
}

func TestAuthAndLimits(t *testing.T) {
	a := startAPI(t, Limits{MaxJSON: 4 << 10, MaxChunk: 1 << 10, MaxFile: 1 << 20})
	page := a.uploadFile("tok-001-01", []byte("una página"))
	good, _ := json.Marshal(push("2026001010000012", "001", "01", page))
	pushWith := func(change func(*wire.Push)) []byte {
		p := push("2026001010000012", "001", "01", page)
		change(&p)
		b, _ := json.Marshal(p)
		return b
	}
	for _, tc := range []struct {
		name    string
		method  string
		path    string
		token   string
		body    []byte
		headers []string
		want    int
	}{
		{"no token", "GET", "/whoami", "", nil, nil, 401},
		{"a wrong token", "GET", "/whoami", "nope", nil, nil, 401},
		{"a revoked token", "GET", "/whoami", "tok-revoked", nil, nil, 401},
		{"another station's number", "PUT", "/radicados/2026001010000012", "tok-002-01", good, nil, 403},
		{"an administrator pushing", "PUT", "/radicados/2026001010000012", "tok-admin", good, nil, 403},
		{"path and body differ", "PUT", "/radicados/2026001010000099", "tok-001-01", good, nil, 400},
		{"malformed JSON", "PUT", "/radicados/2026001010000012", "tok-001-01", []byte(`{"radicado": {`), nil, 400},
		{"unknown fields", "PUT", "/radicados/2026001010000012", "tok-001-01", []byte(`{"radicado":{},"evil":1}`), nil, 400},
		{"two values", "PUT", "/radicados/2026001010000012", "tok-001-01", append(append([]byte{}, good...), good...), nil, 400},
		{"a body over the limit", "PUT", "/radicados/2026001010000012", "tok-001-01", bytes.Repeat([]byte(" "), 5<<10), []string{"Expect", "100-continue"}, 413},
		{"a chunk over the limit", "PATCH", "/files/" + sumOf(make([]byte, 2048)), "tok-001-01", make([]byte, 2048),
			[]string{wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, "2048"}, 413},
		{"a file over the limit", "PATCH", "/files/" + sumOf([]byte("x")), "tok-001-01", []byte("x"),
			[]string{wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, strconv.Itoa(2 << 20)}, 413},
		{"a file that does not match its hash", "PATCH", "/files/" + sumOf([]byte("a")), "tok-001-01", []byte("b"),
			[]string{wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, "1"}, 422},
		{"not a hash", "PATCH", "/files/../../etc/passwd", "tok-001-01", []byte("b"), nil, 404},
		{"no offset", "PATCH", "/files/" + sumOf([]byte("a")), "tok-001-01", []byte("a"), nil, 400},
		{"acuses need a token", "GET", "/acuses", "", nil, nil, 401},
		{"a wrong channel", "PUT", "/radicados/2026001010000012", "tok-001-01", pushWith(func(p *wire.Push) { p.Radicado.Channel = "web" }), nil, 400},
		{"an e-mail that is not one", "PUT", "/radicados/2026001010000012", "tok-001-01",
			pushWith(func(p *wire.Push) { p.Radicado.SenderEmail = "Ana <ana@x.co>" }), nil, 400},
		{"health needs no token", "GET", "/health", "", nil, nil, 200},
		{"openapi needs no token", "GET", "/openapi.json", "", nil, nil, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := a.do(tc.method, tc.path, tc.token, tc.body, tc.headers...)
			if resp.StatusCode != tc.want {
				t.Errorf("%s %s: %d %s, want %d", tc.method, tc.path, resp.StatusCode, body, tc.want)
			}
		})
	}
	// A path in a file name.
	bad := push("2026001010000012", "001", "01", page)
	bad.Radicado.Files[0].Name = "../../etc/cron.d/x"
	b, _ := json.Marshal(bad)
	if resp, _ := a.do("PUT", "/radicados/2026001010000012", "tok-001-01", b); resp.StatusCode != 400 {
		t.Errorf("a path in a file name: %d", resp.StatusCode)
	}
	// A document hash that does not match its files.
	bad = push("2026001010000012", "001", "01", page)
	bad.Radicado.SHA256 = sumOf([]byte("otro"))
	b, _ = json.Marshal(bad)
	if resp, _ := a.do("PUT", "/radicados/2026001010000012", "tok-001-01", b); resp.StatusCode != 400 {
		t.Errorf("a wrong document hash: %d", resp.StatusCode)
	}
	// After all that, nothing was stored.
	if list, _ := a.db.List(context.Background(), central.Filter{}); len(list) != 0 {
		t.Errorf("%d radicados stored by refused requests", len(list))
	}
	if _, err := a.db.File(context.Background(), central.Principal{Admin: true}, sumOf([]byte("a"))); err == nil {
		t.Error("a file with the wrong hash was stored")
	}
	// And the good push goes through.
	if resp, body := a.do("PUT", "/radicados/2026001010000012", "tok-001-01", good); resp.StatusCode != 201 {
		t.Fatalf("good push: %d %s", resp.StatusCode, body)
	}
	// Each station sees its own; an administrator sees all.
	_, mine := a.do("GET", "/radicados", "tok-001-01", nil)
	_, theirs := a.do("GET", "/radicados", "tok-002-01", nil)
	_, all := a.do("GET", "/radicados?q=solicitud", "tok-admin", nil)
	if !strings.Contains(string(mine), "2026001010000012") || strings.Contains(string(theirs), "2026001010000012") || !strings.Contains(string(all), "2026001010000012") {
		t.Errorf("visibility: mine %s theirs %s all %s", mine, theirs, all)
	}
	if resp, _ := a.do("GET", "/radicados/2026001010000012", "tok-002-01", nil); resp.StatusCode != 404 {
		t.Errorf("another station's radicado: %d", resp.StatusCode)
	}
}

func TestClockOffset(t *testing.T) {
	a := startAPI(t, DefaultLimits)
	behind := time.Now().Add(-3 * time.Minute).Format(time.RFC3339Nano)
	if resp, _ := a.do("GET", "/whoami", "tok-001-01", nil, wire.HeaderStationTime, behind); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	list, _ := a.db.Stations(context.Background())
	for _, s := range list {
		if s.Office == "001" && (s.ClockOffset > -170*time.Second || s.ClockOffset < -190*time.Second || s.LastSeen == "") {
			t.Errorf("clock offset %s, last seen %q", s.ClockOffset, s.LastSeen)
		}
	}
}

func TestOpenAPI(t *testing.T) {
	a := startAPI(t, DefaultLimits)
	_, body := a.do("GET", "/openapi.json", "", nil)
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	put, _ := doc.Paths["/radicados/{number}"]["put"].(map[string]any)
	body2, _ := put["requestBody"].(map[string]any)
	content, _ := body2["content"].(map[string]any)
	for _, ct := range []string{"application/json", "multipart/form-data"} {
		if _, ok := content[ct]; !ok {
			t.Errorf("the OpenAPI document lacks the push as %s", ct)
		}
	}
	for path, methods := range map[string][]string{"/files/{sha256}": {"head", "patch", "get"}, "/radicados/{number}": {"put", "get"},
		"/radicados": {"get"}, "/manifests": {"post"}, "/planilla": {"get"}, "/health": {"get"}, "/whoami": {"get"}, "/acuses": {"get"}} {
		for _, m := range methods {
			if _, ok := doc.Paths[path][m]; !ok {
				t.Errorf("the OpenAPI document lacks %s %s", strings.ToUpper(m), path)
			}
		}
	}
}

// FuzzPush sends arbitrary bodies as pushes: the server answers, never
// fails, and stores nothing it should not.
func FuzzPush(f *testing.F) {
	good, _ := json.Marshal(push("2026001010000012", "001", "01", wire.File{SHA256: sumOf([]byte("x")), Size: 1, Name: "a.png", MediaType: "image/png"}))
	f.Add(good)
	f.Add([]byte(`{"radicado":{"number":"1","files":[]},"events":[]}`))
	f.Add([]byte(`null`))
	dir := f.TempDir()
	db, err := central.Open(context.Background(), dir+"/fuzz.db", dir)
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	db.AddStation(context.Background(), central.Principal{Office: "001", Station: "01"}, central.HashToken("t"))
	h := New(db, nil, DefaultLimits).Handler()
	f.Fuzz(func(t *testing.T, body []byte) {
		req := httptest.NewRequest("PUT", wire.APIPrefix+"/radicados/2026001010000012", bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer t")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for %q: %s", w.Code, body, w.Body)
		}
		if w.Code == 201 || w.Code == 200 {
			t.Fatalf("a push of files never uploaded was taken: %d %s", w.Code, fmt.Sprint(w.Body))
		}
	})
}

// The pushes a station would make (centraltest's).
var (
	sumOf   = centraltest.SumOf
	genesis = centraltest.Genesis
	event   = centraltest.Event
	push    = centraltest.Push
	fileOf  = centraltest.File
)

// putChunk sends a piece of a file as p.
func putChunk(db *central.DB, p central.Principal, sum string, size, offset int64, data []byte) (central.FileState, error) {
	return db.PutChunk(context.Background(), p, central.Chunk{Sum: sum, Size: size, Offset: offset, Body: bytes.NewReader(data), Max: 8 << 20})
}
