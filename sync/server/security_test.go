package server

import (
	"bufio"
	"bytes"
	"cmp"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/textproto"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

// The security suite: each attack a station token (or no token) could try,
// on SQLite and PostgreSQL, with three stations in two offices and an
// administrator. Every refused request is checked for its status, for a
// JSON error body, and for leaving the server exactly as it was.

func TestSecuritySQLite(t *testing.T)     { security(t, centraltest.SQLite) }
func TestSecurityPostgreSQL(t *testing.T) { security(t, centraltest.Postgres) }

// The principals of the suite.
var (
	s0101 = central.Principal{Office: "001", Station: "01"}
	s0102 = central.Principal{Office: "001", Station: "02"}
	s0201 = central.Principal{Office: "002", Station: "01"}
)

const (
	tok0101 = "tok-001-01"
	tok0102 = "tok-001-02"
	tok0201 = "tok-002-01"
	tokAdm  = "tok-admin"
)

// secured is a server with the suite's principals, over a store of the
// suite's kind.
type secured struct {
	*api
	dir string // the documents' folder
}

func newSecured(t *testing.T, open func(testing.TB) *central.DB, limits Limits) *secured {
	t.Helper()
	db := open(t)
	for token, p := range map[string]central.Principal{tok0101: s0101, tok0102: s0102, tok0201: s0201,
		tokAdm: {Office: "admin", Station: "auditor", Admin: true}} {
		if err := db.AddStation(context.Background(), p, central.HashToken(token)); err != nil {
			t.Fatal(err)
		}
	}
	srv := httptest.NewServer(New(db, nil, limits).Handler())
	t.Cleanup(srv.Close)
	return &secured{api: &api{t, srv.URL + wire.APIPrefix, db}, dir: db.Dir()}
}

// snapshot describes everything the server holds: radicados with their
// content and state, events, conflicts, who holds which document, the
// documents and the uploads under way with their sizes.
func (s *secured) snapshot() string {
	s.t.Helper()
	ctx := context.Background()
	var b strings.Builder
	list, err := s.db.List(ctx, central.Filter{Limit: 10000})
	if err != nil {
		s.t.Fatal(err)
	}
	for _, h := range list {
		ev, _ := s.db.Events(ctx, h.Number)
		fmt.Fprintf(&b, "radicado %s %s %s annulled=%v events=%d\n", h.Number, h.ContentSHA256, h.SHA256, h.Annulled, len(ev))
	}
	n, _ := s.db.Conflicts(ctx, "")
	fmt.Fprintf(&b, "conflicts %d\n", n)
	holders, err := s.db.Holders(ctx, "")
	if err != nil {
		s.t.Fatal(err)
	}
	for _, h := range holders {
		fmt.Fprintf(&b, "holder %s %s-%s\n", h.SHA256[:12], h.Office, h.Station)
	}
	held, _ := s.db.Anchors(ctx, "", "")
	for _, a := range held {
		fmt.Fprintf(&b, "anchor %s-%s %d %s\n", a.Office, a.Station, a.ID, a.Hash[:12])
	}
	var paths []string
	filepath.WalkDir(s.dir, func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && filepath.Ext(path) != ".db" && !strings.Contains(path, ".db-") {
			info, _ := e.Info()
			rel, _ := filepath.Rel(s.dir, path)
			paths = append(paths, fmt.Sprintf("file %s %d", rel, info.Size()))
		}
		return nil
	})
	sort.Strings(paths)
	b.WriteString(strings.Join(paths, "\n"))
	return b.String()
}

// refused sends a request that must be refused with want: a JSON error
// body (but for HEAD), and nothing held changes.
func (s *secured) refused(name string, want int, method, path, token string, body []byte, headers ...string) {
	s.t.Helper()
	before := s.snapshot()
	resp, got := s.do(method, path, token, body, headers...)
	if resp.StatusCode != want {
		s.t.Errorf("%s: %s %s answered %d %s, want %d", name, method, path, resp.StatusCode, got, want)
	}
	if method != "HEAD" {
		var p wire.Problem
		if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" || json.Unmarshal(got, &p) != nil || p.Status != resp.StatusCode || p.Title == "" {
			s.t.Errorf("%s: the error body is not a JSON problem (%s): %s", name, ct, got)
		}
	}
	if after := s.snapshot(); after != before {
		s.t.Errorf("%s: the server changed:\nbefore:\n%s\nafter:\n%s", name, before, after)
	}
}

// upload sends a whole file in one piece as token, expecting 201.
func (s *secured) upload(token string, data []byte) wire.File { return s.uploadFile(token, data) }

func (s *secured) push(token string, p wire.Push, want int) {
	s.t.Helper()
	b, _ := json.Marshal(p)
	if resp, body := s.do("PUT", "/radicados/"+p.Radicado.Number, token, b); resp.StatusCode != want {
		s.t.Fatalf("push %s: %d %s, want %d", p.Radicado.Number, resp.StatusCode, body, want)
	}
}

func chunkHeaders(offset, size int) []string {
	return []string{wire.HeaderUploadOffset, strconv.Itoa(offset), wire.HeaderUploadLength, strconv.Itoa(size)}
}

func security(t *testing.T, open func(testing.TB) *central.DB) {
	s := newSecured(t, open, Limits{PartialQuota: 1 << 20, MaxChunk: 64 << 10})
	letter := bytes.Repeat([]byte("carta de la oficina 001, estación 01. "), 100)
	page := s.upload(tok0101, letter)
	mine := push("2026001010000012", "001", "01", page)
	s.push(tok0101, mine, http.StatusCreated)

	t.Run("documents are seen only by who sent them", func(t *testing.T) {
		never := sumOf([]byte("a document nobody sent"))
		_, nothing := s.do("GET", "/files/"+never, tok0201, nil)
		for _, tok := range []string{tok0201, tok0102} {
			resp, body := s.do("GET", "/files/"+page.SHA256, tok, nil)
			if resp.StatusCode != 404 || !bytes.Equal(body, nothing) {
				t.Errorf("%s downloads another station's document: %d %q (for none: %q)", tok, resp.StatusCode, body, nothing)
			}
			if resp, _ := s.do("HEAD", "/files/"+page.SHA256, tok, nil); resp.StatusCode != 404 || resp.Header.Get(wire.HeaderUploadOffset) != "0" ||
				resp.Header.Get(wire.HeaderUploadLength) != "" {
				t.Errorf("%s: HEAD of another station's document: %d %v", tok, resp.StatusCode, resp.Header)
			}
			s.refused("another station's document", 404, "GET", "/files/"+page.SHA256, tok, nil)
			s.refused("another station's radicado", 404, "GET", "/radicados/"+mine.Radicado.Number, tok, nil)
		}
		for _, tok := range []string{tok0101, tokAdm} {
			if resp, body := s.do("GET", "/files/"+page.SHA256, tok, nil); resp.StatusCode != 200 || !bytes.Equal(body, letter) {
				t.Errorf("%s cannot download the document: %d", tok, resp.StatusCode)
			}
			if resp, _ := s.do("HEAD", "/files/"+page.SHA256, tok, nil); resp.StatusCode != 200 {
				t.Errorf("%s: HEAD %d", tok, resp.StatusCode)
			}
		}
		// Announcing the document under its hash does not make it yours:
		// the bytes must hash right, and only then may you read it.
		s.refused("a false piece of a held document", 422, "PATCH", "/files/"+page.SHA256, tok0201, []byte("x"), chunkHeaders(0, 1)...)
		if resp, _ := s.do("PATCH", "/files/"+page.SHA256, tok0201, letter[:10], chunkHeaders(0, len(letter))...); resp.StatusCode != 204 {
			t.Errorf("the first piece of a document held by another: %d (as for any upload: 204)", resp.StatusCode)
		}
		s.refused("reading a document after sending its first piece", 404, "GET", "/files/"+page.SHA256, tok0201, nil)
		// The push of a radicado naming it is missing its files.
		other := push("2026002010000012", "002", "01", page)
		s.refused("a push naming a document the station did not send", 409, "PUT", "/radicados/2026002010000012", tok0201, mustJSON(other))
		if resp, _ := s.do("PATCH", "/files/"+page.SHA256, tok0201, letter[10:], chunkHeaders(10, len(letter))...); resp.StatusCode != 201 {
			t.Errorf("the rest of it: %d", resp.StatusCode)
		}
		if resp, body := s.do("GET", "/files/"+page.SHA256, tok0201, nil); resp.StatusCode != 200 || !bytes.Equal(body, letter) {
			t.Errorf("a station that sent the whole document cannot read it: %d", resp.StatusCode)
		}
		// Lists, the planilla and the manifest stay within the station.
		_, list := s.do("GET", "/radicados?office=001&station=01", tok0102, nil)
		_, sheet := s.do("GET", "/planilla?day=2026-11-23&office=001", tok0102, nil)
		if strings.Contains(string(list), mine.Radicado.Number) || strings.Contains(string(sheet), mine.Radicado.Number) {
			t.Errorf("001-02 lists 001-01's radicado: %s / %s", list, sheet)
		}
		m := wire.Manifest{Office: "001", Station: "01", Day: "2026-11-23", Count: 0, Radicados: []wire.ManifestEntry{}}
		s.refused("another station's manifest", 403, "POST", "/manifests", tok0102, mustJSON(m))
		// An administrator reads every anchor but gives none: an anchor
		// of its own would stand against the station's true day.
		forged := m
		forged.Anchor = &wire.Anchor{ID: 1, Hash: sumOf([]byte("forged")), At: time.Now()}
		s.refused("an administrator's manifest", 403, "POST", "/manifests", tokAdm, mustJSON(forged))
		// Anchors too: a station sees its own, an administrator all.
		m.Anchor = &wire.Anchor{ID: 99, Hash: sumOf([]byte("head of 001-01")), At: time.Now()}
		m.Count, m.Radicados = 1, []wire.ManifestEntry{{Number: mine.Radicado.Number, ContentSHA256: mine.Radicado.Content(), DocumentSHA: mine.Radicado.SHA256}}
		if resp, body := s.do("POST", "/manifests", tok0101, mustJSON(m)); resp.StatusCode != 200 {
			t.Fatalf("001-01's manifest: %d %s", resp.StatusCode, body)
		}
		for tok, want := range map[string]bool{tok0101: true, tok0102: false, tok0201: false, tokAdm: true} {
			_, body := s.do("GET", "/anchors?office=001&station=01", tok, nil)
			if strings.Contains(string(body), m.Anchor.Hash) != want {
				t.Errorf("%s: anchors %s", tok, body)
			}
		}
	})

	t.Run("numbers belong to their station", func(t *testing.T) {
		f := s.upload(tok0102, []byte("de la estación 02"))
		// 001-02 sends 001-01's next number, saying in the body it is its own.
		taken := push("2026001010000022", "001", "02", f)
		s.refused("a number of another station, the body saying otherwise", 400, "PUT", "/radicados/2026001010000022", tok0102, mustJSON(taken))
		taken = push("2026001010000022", "001", "01", f)
		s.refused("a number of another station", 403, "PUT", "/radicados/2026001010000022", tok0102, mustJSON(taken))
		s.refused("a number of another office", 403, "PUT", "/radicados/2026002010000022", tok0102,
			mustJSON(push("2026002010000022", "002", "01", f)))
		s.refused("an administrator pushing", 403, "PUT", "/radicados/2026001020000012", tokAdm,
			mustJSON(push("2026001020000012", "001", "02", f)))
		// The real owner's radicado goes in, with no conflict.
		own := s.upload(tok0101, []byte("la segunda carta de 001-01"))
		s.push(tok0101, push("2026001010000022", "001", "01", own), http.StatusCreated)
		if n, _ := s.db.Conflicts(context.Background(), ""); n != 0 {
			t.Errorf("%d conflicts", n)
		}
	})

	t.Run("uploads have owners", func(t *testing.T) {
		doc := bytes.Repeat([]byte("documento largo de 001-01 "), 2000) // 52,000 bytes: two pieces
		sum := sumOf(doc)
		half := len(doc) / 2
		// 002-01 opens a 1-byte upload of the same hash, announced with
		// another length, and writes garbage where 001-01's upload will go.
		if resp, body := s.do("PATCH", "/files/"+sum, tok0201, []byte("x"), chunkHeaders(0, len(doc)+5)...); resp.StatusCode != 204 {
			t.Fatalf("002-01's own upload: %d %s", resp.StatusCode, body)
		}
		if resp, _ := s.do("PATCH", "/files/"+sum, tok0201, bytes.Repeat([]byte("!"), half), chunkHeaders(half, len(doc))...); resp.StatusCode != 409 {
			t.Errorf("garbage past 002-01's own offset: %d, want 409", resp.StatusCode)
		}
		// 001-01's upload is untouched by any of it.
		if resp, body := s.do("PATCH", "/files/"+sum, tok0101, doc[:half], chunkHeaders(0, len(doc))...); resp.StatusCode != 204 {
			t.Fatalf("001-01's first piece: %d %s", resp.StatusCode, body)
		}
		if resp, _ := s.do("HEAD", "/files/"+sum, tok0201, nil); resp.Header.Get(wire.HeaderUploadOffset) != "1" {
			t.Errorf("002-01 sees %s bytes: another's upload shows through", resp.Header.Get(wire.HeaderUploadOffset))
		}
		if resp, _ := s.do("HEAD", "/files/"+sum, tok0102, nil); resp.Header.Get(wire.HeaderUploadOffset) != "0" {
			t.Errorf("001-02 sees %s bytes of 001-01's upload", resp.Header.Get(wire.HeaderUploadOffset))
		}
		if resp, body := s.do("PATCH", "/files/"+sum, tok0101, doc[half:], chunkHeaders(half, len(doc))...); resp.StatusCode != 201 {
			t.Fatalf("001-01's last piece: %d %s", resp.StatusCode, body)
		}
		// The quota: unfinished uploads announcing more than 1 MiB in all.
		big := sumOf([]byte("announced big"))
		if resp, body := s.do("PATCH", "/files/"+big, tok0102, []byte("a"), chunkHeaders(0, 900<<10)...); resp.StatusCode != 204 {
			t.Fatalf("an upload within the quota: %d %s", resp.StatusCode, body)
		}
		s.refused("an upload beyond the station's quota", 507, "PATCH", "/files/"+sumOf([]byte("another")), tok0102, []byte("a"), chunkHeaders(0, 200<<10)...)
		// Another station's quota is its own.
		if resp, _ := s.do("PATCH", "/files/"+sumOf([]byte("another")), tok0201, []byte("a"), chunkHeaders(0, 200<<10)...); resp.StatusCode != 204 {
			t.Errorf("002-01 is held to 001-02's quota: %d", resp.StatusCode)
		}
		s.refused("a piece over the limit", 413, "PATCH", "/files/"+sumOf([]byte("p")), tok0102, make([]byte, 65<<10), chunkHeaders(0, 70<<10)...)
		s.refused("a piece past the end", 413, "PATCH", "/files/"+sumOf([]byte("p")), tok0102, make([]byte, 10), chunkHeaders(0, 5)...)
		s.refused("an offset past the end", 413, "PATCH", "/files/"+sumOf([]byte("p")), tok0102, make([]byte, 10), chunkHeaders(50, 5)...)
		for _, h := range [][]string{nil, {wire.HeaderUploadOffset, "-1", wire.HeaderUploadLength, "5"},
			{wire.HeaderUploadOffset, "+0", wire.HeaderUploadLength, "5"}, {wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, "0x10"},
			{wire.HeaderUploadOffset, "0", wire.HeaderUploadLength, "99999999999999999999999"}} {
			s.refused(fmt.Sprintf("upload headers %q", h), 400, "PATCH", "/files/"+sumOf([]byte("p")), tok0102, []byte("p"), h...)
		}
		s.refused("an administrator uploading", 403, "PATCH", "/files/"+sumOf([]byte("p")), tokAdm, []byte("p"), chunkHeaders(0, 1)...)
	})

	t.Run("bad values", func(t *testing.T) {
		f := s.upload(tok0101, []byte("valores"))
		good := push("2026001010000032", "001", "01", f)
		raw := mustJSON(good)
		for _, tc := range []struct {
			name string
			edit func(p *wire.Push)
		}{
			{"pages -7", func(p *wire.Push) { p.Radicado.Pages = -7 }},
			{"pages not its files'", func(p *wire.Push) { p.Radicado.Pages = 9 }},
			{"a year that disagrees with received_at", func(p *wire.Push) { p.Radicado.ReceivedAt = p.Radicado.ReceivedAt.AddDate(-1, 0, 0) }},
			{"a control character", func(p *wire.Push) { p.Radicado.Subject = "Solicitud\x07" }},
			{"a line break in a name", func(p *wire.Push) { p.Radicado.SenderName = "Ana\nMaría" }},
			{"a bidi override", func(p *wire.Push) { p.Radicado.SenderName = "Ana \u202eairaM" }},
			{"a subject too long", func(p *wire.Push) { p.Radicado.Subject = strings.Repeat("a", 501) }},
			{"an empty sender", func(p *wire.Push) { p.Radicado.SenderName = "" }},
			{"a malformed ID", func(p *wire.Push) { p.Radicado.SenderID = "CC:12" }},
			{"a type code with capitals", func(p *wire.Push) { p.Radicado.Type = "Peticion" }},
			{"a department with a space", func(p *wire.Push) { p.Radicado.Dept = "G C" }},
			{"a due date before receipt", func(p *wire.Push) { p.Radicado.Due = "2026-01-02" }},
			{"a due date not a date", func(p *wire.Push) { p.Radicado.Due = "mañana" }},
			{"a due date ages away", func(p *wire.Push) { p.Radicado.Due = "9999-12-31" }},
			{"a path as file name", func(p *wire.Push) { p.Radicado.Files[0].Name = "../../etc/cron.d/x" }},
			{"a line break in a file name", func(p *wire.Push) { p.Radicado.Files[0].Name = "carta\n.png" }},
			{"a media type with a space", func(p *wire.Push) { p.Radicado.Files[0].MediaType = "image/png; x" }},
			{"a wrong document hash", func(p *wire.Push) { p.Radicado.SHA256 = sumOf([]byte("otro")) }},
			{"an event of another number", func(p *wire.Push) { p.Events[0].Number = "2026001010000012" }},
			{"an event whose hash is not its own", func(p *wire.Push) { p.Events[0].Hash = sumOf([]byte("forged")) }},
			{"an annulment without a reason", func(p *wire.Push) {
				p.Events = append(p.Events, event(2, p.Events[0].Hash, "anular", p.Radicado.Number, `{"reason":""}`, time.Now()))
			}},
			{"an unknown action", func(p *wire.Push) {
				p.Events = append(p.Events, event(2, p.Events[0].Hash, "borrar", p.Radicado.Number, `{}`, time.Now()))
			}},
			{"a consecutive that is not the number's", func(p *wire.Push) { p.Radicado.Seq = 4 }},
			{"a kind that is not the number's", func(p *wire.Push) { p.Radicado.Kind = 1 }},
		} {
			p := push("2026001010000032", "001", "01", f)
			tc.edit(&p)
			s.refused(tc.name, 400, "PUT", "/radicados/2026001010000032", tok0101, mustJSON(p))
		}
		for _, tc := range []struct{ name, number string }{{"a/b", "a/b"}, {"...", "..."}, {"short", "202600101"}, {"letters", "2026001010000O32"}} {
			p := push("2026001010000032", "001", "01", f)
			p.Radicado.Number = tc.number
			s.refused("the number "+tc.name, 400, "PUT", "/radicados/"+tc.number, tok0101, mustJSON(p))
		}
		invalid := bytes.Replace(raw, []byte(`"Ana"`), []byte("\"An\xff\""), 1)
		s.refused("invalid UTF-8", 400, "PUT", "/radicados/2026001010000032", tok0101, invalid)
		surrogate := bytes.Replace(raw, []byte(`"Ana"`), []byte(`"An\ud800"`), 1)
		s.refused("a lone surrogate", 400, "PUT", "/radicados/2026001010000032", tok0101, surrogate)
		s.refused("malformed JSON", 400, "PUT", "/radicados/2026001010000032", tok0101, []byte(`{"radicado": {`))
		s.refused("unknown fields", 400, "PUT", "/radicados/2026001010000032", tok0101, []byte(`{"radicado":{},"evil":1}`))
		s.refused("two values", 400, "PUT", "/radicados/2026001010000032", tok0101, append(append([]byte{}, raw...), raw...))
		// Refused on its announced length, before any of it is read: the
		// client waits for "100 Continue" and is told 413 instead.
		s.refused("a body over the limit", 413, "PUT", "/radicados/2026001010000032", tok0101, bytes.Repeat([]byte(" "), 5<<20), "Expect", "100-continue")
		words := strings.Repeat("carta ", 2000)
		for _, q := range []string{"q=" + words, "limit=abc", "limit=-1", "offset=99999999999", "day=ayer", "office=0;1", "status=todos",
			"q=%07", "q=" + strings.Repeat("x", 201)} {
			s.refused("the list query "+q[:min(len(q), 20)], 400, "GET", "/radicados?"+strings.ReplaceAll(q, " ", "+"), tok0101, nil)
		}
		s.refused("a planilla without a day", 400, "GET", "/planilla", tok0101, nil)
		s.refused("a planilla in another format", 400, "GET", "/planilla?day=2026-11-23&format=xlsx", tok0101, nil)
		s.refused("a manifest of a malformed day", 400, "POST", "/manifests", tok0101,
			mustJSON(wire.Manifest{Office: "001", Station: "01", Day: "2026-13-45", Radicados: []wire.ManifestEntry{}}))
		// The good push still goes through.
		s.push(tok0101, good, http.StatusCreated)
		// Names a station kept before names were cleaned, and actors as the
		// operating system gives them, are taken: their radicados must sync.
		for i, legacy := range []struct{ name, actor string }{
			{"carta  final.pdf", "ventanilla"},
			{"Peticio\u0301n.pdf", `ALCALDIA\jperez`}, // the accent decomposed, as macOS writes names
			{"acta\u00a0firmada.png", "Juan  Pérez"},
		} {
			lf := s.upload(tok0101, []byte(legacy.name))
			lf.Name = legacy.name
			number := fmt.Sprintf("20260010100004%d2", i)
			p := push(number, "001", "01", lf)
			p.Events[0] = event(p.Events[0].ID, p.Events[0].Prev, "radicar", number, string(p.Events[0].Data), p.Events[0].At)
			p.Events[0].Actor = legacy.actor
			p.Events[0].Hash = wire.EventHash(p.Events[0].Prev, p.Events[0].ID, p.Events[0].At, legacy.actor, "radicar", number, p.Events[0].Data)
			s.push(tok0101, p, http.StatusCreated)
		}
	})

	t.Run("the planilla's CSV carries no formulas", func(t *testing.T) {
		f := s.upload(tok0102, []byte("fórmula"))
		p := push("2026001020000012", "001", "02", f)
		p.Radicado.SenderName = `=HYPERLINK("http://evil.example/x","Juan")`
		p.Radicado.Subject = "@SUM(1+1)"
		s.push(tok0102, p, http.StatusCreated)
		resp, body := s.do("GET", "/planilla?day=2026-11-23&format=csv", tok0102, nil)
		rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(body, []byte("\ufeff")))).ReadAll()
		if resp.StatusCode != 200 || err != nil || len(rows) != 2 {
			t.Fatalf("planilla: %d %v %s", resp.StatusCode, err, body)
		}
		if rows[1][4] != "'"+p.Radicado.SenderName || rows[1][5] != "'@SUM(1+1)" {
			t.Errorf("sender %q, subject %q: a formula reaches the spreadsheet", rows[1][4], rows[1][5])
		}
	})

	t.Run("a character beyond the BMP does not break the office's planilla", func(t *testing.T) {
		f := s.upload(tok0102, []byte("emoji"))
		p := push("2026001020000022", "001", "02", f)
		p.Radicado.Subject = "Felicitaciones 😀"
		s.push(tok0102, p, http.StatusCreated)
		for _, tok := range []string{tok0102, tokAdm} {
			resp, body := s.do("GET", "/planilla?day=2026-11-23&format=pdf&office=001", tok, nil)
			if resp.StatusCode != 200 || !bytes.HasPrefix(body, []byte("%PDF-")) {
				t.Errorf("%s: the planilla's PDF: %d %.100s", tok, resp.StatusCode, body)
			}
		}
	})

	t.Run("one-request pushes", func(t *testing.T) {
		doc := []byte("una carta que sube con su radicado")
		f := fileOf(doc)
		number := "2026001010000042"
		p := push(number, "001", "01", f)
		others := s.upload(tok0102, []byte("solo de la estación 001-02"))
		body, ct := onePush(p, part{sum: f.SHA256, data: doc})
		// Whoever sends it, it must be the number's own station.
		s.refused("another station's number, in one request", 403, "PUT", "/radicados/"+number, tok0102, body, "Content-Type", ct)
		s.refused("another office's number, in one request", 403, "PUT", "/radicados/"+number, tok0201, body, "Content-Type", ct)
		s.refused("an administrator, in one request", 403, "PUT", "/radicados/"+number, tokAdm, body, "Content-Type", ct)
		// Each part as the protocol has it, or nothing is kept.
		bomb := gzipped(bytes.Repeat([]byte{0}, 8<<20))
		for _, tc := range []struct {
			name  string
			want  int
			p     wire.Push
			parts []part
		}{
			{"a document that is not its hash", 422, p, []part{{sum: f.SHA256, data: []byte("una carta que sube con su radicadX")}}},
			{"a document shorter than said", 422, p, []part{{sum: f.SHA256, data: doc[:10]}}},
			{"a document longer than said", 422, p, []part{{sum: f.SHA256, data: append(append([]byte{}, doc...), '!')}}},
			{"a document the radicado does not name", 400, p, []part{{sum: f.SHA256, data: doc}, {sum: sumOf([]byte("otra")), data: []byte("otra")}}},
			{"a document twice", 400, p, []part{{sum: f.SHA256, data: doc}, {sum: f.SHA256, data: doc}}},
			{"a part of another name", 400, p, []part{{name: "evil", sum: f.SHA256, data: doc}}},
			{"a part in an unknown encoding", 400, p, []part{{sum: f.SHA256, data: doc, encoding: "br"}}},
			{"a part that is not gzip", 400, p, []part{{sum: f.SHA256, data: doc, encoding: "gzip"}}},
			{"a gzip bomb", 422, p, []part{{sum: f.SHA256, data: bomb, encoding: "gzip"}}},
			{"a document neither sent nor held", 409, p, nil},
			{"a document another station holds, not sent", 409, push(number, "001", "01", others), nil},
		} {
			body, ct := onePush(tc.p, tc.parts...)
			s.refused(tc.name, tc.want, "PUT", "/radicados/"+number, tok0101, body, "Content-Type", ct)
		}
		big := bytes.Repeat([]byte("grande "), 10<<10) // 70 KiB, over the suite's 64 KiB piece
		bp := push(number, "001", "01", fileOf(big))
		body2, ct2 := onePush(bp, part{sum: sumOf(big), data: big})
		s.refused("documents over a piece, in one request", 413, "PUT", "/radicados/"+number, tok0101, body2, "Content-Type", ct2)
		withBig, ctBig := onePush(p, part{sum: f.SHA256, data: doc}, part{name: "push", data: big})
		s.refused("a part after the documents", 400, "PUT", "/radicados/"+number, tok0101, withBig, "Content-Type", ctBig)
		noPush := []byte("--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"" + f.SHA256 + "\"\r\n\r\n" + string(doc) + "\r\n--b--\r\n")
		s.refused("the push not first", 400, "PUT", "/radicados/"+number, tok0101, noPush, "Content-Type", "multipart/form-data; boundary=b")
		s.refused("a body cut short", 400, "PUT", "/radicados/"+number, tok0101, body[:len(body)-20], "Content-Type", ct)
		s.refused("a body cut in its document", 400, "PUT", "/radicados/"+number, tok0101, body[:bytes.Index(body, doc)+len(doc)/2], "Content-Type", ct)
		s.refused("a multipart body without its boundary", 400, "PUT", "/radicados/"+number, tok0101, body, "Content-Type", "multipart/form-data")
		s.refused("a boundary over 70 characters", 400, "PUT", "/radicados/"+number, tok0101, body, "Content-Type", "multipart/form-data; boundary="+strings.Repeat("b", 71))

		// The good one, with its document gzipped: created, readable by its
		// station only; sent again, the same answer, nothing twice.
		body, ct = onePush(p, part{sum: f.SHA256, data: gzipped(doc), encoding: "gzip"})
		if resp, got := s.do("PUT", "/radicados/"+number, tok0101, body, "Content-Type", ct); resp.StatusCode != 201 {
			t.Fatalf("a one-request push: %d %s", resp.StatusCode, got)
		}
		if resp, got := s.do("GET", "/files/"+f.SHA256, tok0101, nil); resp.StatusCode != 200 || !bytes.Equal(got, doc) {
			t.Errorf("the document of a one-request push: %d %q", resp.StatusCode, got)
		}
		s.refused("a document of a one-request push, by another station", 404, "GET", "/files/"+f.SHA256, tok0102, nil)
		before := s.snapshot()
		if resp, got := s.do("PUT", "/radicados/"+number, tok0101, body, "Content-Type", ct); resp.StatusCode != 200 || !strings.Contains(string(got), `"status":"already"`) {
			t.Errorf("the same push again: %d %s", resp.StatusCode, got)
		}
		if after := s.snapshot(); after != before {
			t.Errorf("sending it again changed the server:\n%s\n%s", before, after)
		}
		// A document already held by the station need not come again.
		again := push("2026001010000052", "001", "01", f)
		body, ct = onePush(again)
		if resp, got := s.do("PUT", "/radicados/2026001010000052", tok0101, body, "Content-Type", ct); resp.StatusCode != 201 {
			t.Errorf("a push whose document the station sent before: %d %s", resp.StatusCode, got)
		}
		// Another station may send the same bytes, and then holds them too.
		theirs := push("2026002010000032", "002", "01", f)
		body, ct = onePush(theirs, part{sum: f.SHA256, data: doc})
		if resp, got := s.do("PUT", "/radicados/2026002010000032", tok0201, body, "Content-Type", ct); resp.StatusCode != 201 {
			t.Errorf("the same document from another office: %d %s", resp.StatusCode, got)
		}
		if resp, _ := s.do("GET", "/files/"+f.SHA256, tok0201, nil); resp.StatusCode != 200 {
			t.Errorf("the other office cannot read what it sent: %d", resp.StatusCode)
		}
	})

	t.Run("tokens and routes", func(t *testing.T) {
		s.refused("no token", 401, "GET", "/whoami", "", nil)
		s.refused("a wrong token", 401, "GET", "/whoami", "nope", nil)
		s.refused("an over-long token", 401, "GET", "/whoami", strings.Repeat("t", 1000), nil)
		s.refused("an unknown route", 404, "GET", "/nada", tok0101, nil)
		s.refused("a method not served", 404, "DELETE", "/radicados/2026001010000012", tok0101, nil)
		s.refused("a path that climbs", 400, "GET", "/files/..%2F..%2Fetc%2Fpasswd", tok0101, nil)
		s.refused("a malformed hash", 400, "GET", "/files/ABC", tok0101, nil)
		if resp, body := s.do("GET", "/whoami", tok0101, nil); resp.StatusCode != 200 || !strings.Contains(string(body), `"pattern":"{year}{office:3}{station:2}{seq:6}{kind}"`) {
			t.Errorf("whoami does not give the pattern: %s", body)
		}
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// TestPatternOfTheServer: the number pattern is the server's; a push of
// another pattern is refused, and the pattern cannot change under the
// radicados it holds.
func TestPatternOfTheServer(t *testing.T) {
	s := newSecured(t, centraltest.SQLite, Limits{})
	ctx := context.Background()
	// This server has read the default pattern, and keeps it a while.
	if resp, _ := s.do("GET", "/whoami", tok0101, nil); resp.StatusCode != 200 {
		t.Fatal(resp.Status)
	}
	if err := s.db.SetPattern(ctx, "RAD-{year}-{office:3}{station:2}-{seq:5}{kind}"); err != nil {
		t.Fatal(err)
	}
	f := s.upload(tok0101, []byte("patrón"))
	p := push("2026001010000012", "001", "01", f)
	// Its cached pattern lets the number through, the pattern it finds in
	// the transaction does not: nothing of the old pattern is stored after
	// the change.
	if resp, body := s.do("PUT", "/radicados/2026001010000012", tok0101, mustJSON(p)); resp.StatusCode != 400 {
		t.Errorf("a number of the old pattern, just after the change: %d %s", resp.StatusCode, body)
	}
	// The server caches the pattern: a fresh server reads it at once.
	s2 := httptest.NewServer(New(s.db, nil, Limits{}).Handler())
	defer s2.Close()
	other := &api{t, s2.URL + wire.APIPrefix, s.db}
	if resp, body := other.do("PUT", "/radicados/2026001010000012", tok0101, mustJSON(p)); resp.StatusCode != 400 {
		t.Errorf("a number of the default pattern on a server of another: %d %s", resp.StatusCode, body)
	}
	p.Radicado.Number = "RAD-2026-00101-000012"
	for i := range p.Events {
		p.Events[i] = event(p.Events[i].ID, p.Events[i].Prev, p.Events[i].Action, p.Radicado.Number, string(p.Events[i].Data), p.Events[i].At)
	}
	if resp, body := other.do("PUT", "/radicados/"+p.Radicado.Number, tok0101, mustJSON(p)); resp.StatusCode != 201 {
		t.Fatalf("a number of the server's pattern: %d %s", resp.StatusCode, body)
	}
	if err := s.db.SetPattern(ctx, "{year}{office:3}{station:2}{seq:6}{kind}"); err == nil {
		t.Error("the pattern changed under a radicado it cannot read")
	}
	if pat, _ := s.db.Pattern(ctx); pat.String() != "RAD-{year}-{office:3}{station:2}-{seq:5}{kind}" {
		t.Errorf("pattern %s", pat)
	}
}

// TestAbandonedUploadsSwept: the running server removes the unfinished
// uploads left alone for PartialAge, and only those.
func TestAbandonedUploadsSwept(t *testing.T) {
	db := centraltest.SQLite(t)
	srv := New(db, nil, Limits{PartialAge: time.Hour, SweepEvery: 50 * time.Millisecond})
	stations := []central.Principal{s0101, s0102, s0201}
	for i := range 1000 {
		data := []byte(fmt.Sprintf("upload %d", i))
		if _, err := putChunk(db, stations[i%3], sumOf(data), 1000, 0, data); err != nil {
			t.Fatal(err)
		}
	}
	fresh := []byte("still going")
	if _, err := putChunk(db, s0101, sumOf(fresh), 1000, 0, fresh); err != nil {
		t.Fatal(err)
	}
	// Age all but the fresh one by two hours.
	old := time.Now().Add(-2 * time.Hour)
	filepath.WalkDir(filepath.Join(db.Dir(), "partial"), func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && !strings.Contains(path, sumOf(fresh)) {
			os.Chtimes(path, old, old)
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); srv.janitor(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for {
		total := 0
		for _, p := range stations {
			_, n, _ := db.PartialUsage(p)
			total += n
		}
		if total == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d uploads left after the sweep, want the fresh one", total)
		}
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	<-done
	if st, err := db.File(context.Background(), s0101, sumOf(fresh)); err != nil || st.Received != int64(len(fresh)) {
		t.Errorf("the fresh upload: %+v %v", st, err)
	}
}

// TestTricklingBodyCut: a body that arrives slower than MinRate is cut
// when its time is up (BodyGrace plus its length at MinRate), with 408,
// and what arrived of a piece is kept for the upload to go on.
func TestTricklingBodyCut(t *testing.T) {
	db := centraltest.SQLite(t)
	db.AddStation(context.Background(), s0101, central.HashToken(tok0101))
	srv := httptest.NewServer(New(db, nil, Limits{MinRate: 10 << 10, BodyGrace: 200 * time.Millisecond}).Handler())
	defer srv.Close()
	for _, tc := range []struct {
		name, method, path string
		headers            []string
	}{
		{"a piece", "PATCH", "/files/" + sumOf([]byte("lento")), chunkHeaders(0, 10<<10)},
		{"a push", "PUT", "/radicados/2026001010000012", nil},
		{"a one-request push", "PUT", "/radicados/2026001010000012", []string{"Content-Type", "multipart/form-data; boundary=b"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			head := fmt.Sprintf("%s %s%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\nContent-Length: %d\r\n", tc.method, wire.APIPrefix, tc.path, tok0101, 10<<10)
			for i := 0; i+1 < len(tc.headers); i += 2 {
				head += fmt.Sprintf("%s: %s\r\n", tc.headers[i], tc.headers[i+1])
			}
			// 100 bytes every 300 ms: 333 bytes a second, 31 s for 10 KiB.
			status, took := trickle(t, srv.Listener.Addr().String(), head+"\r\n", 300*time.Millisecond, bytes.Repeat([]byte("a"), 100))
			if !strings.HasPrefix(status, "408") || took > 5*time.Second {
				t.Errorf("a trickling body: %q after %s, want 408 within about 1.2 s", status, took)
			}
		})
	}
	if st, err := db.File(context.Background(), s0101, sumOf([]byte("lento"))); err != nil || st.Received == 0 || st.Received%100 != 0 {
		t.Errorf("what arrived of the piece: %+v %v", st, err)
	}
}

// trickle sends a request's head to addr, then bit every tick, and gives
// the status of the answer (or why there was none) and when it came.
func trickle(t *testing.T, addr, head string, every time.Duration, bit []byte) (string, time.Duration) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fmt.Fprint(c, head)
	start := time.Now()
	answered := make(chan string, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			answered <- err.Error()
			return
		}
		answered <- resp.Status
	}()
	tick := time.NewTicker(every)
	defer tick.Stop()
	limit := time.After(10 * time.Second)
	for {
		select {
		case status := <-answered:
			return status, time.Since(start)
		case <-tick.C:
			if bit != nil {
				c.Write(bit)
			}
		case <-limit:
			return "no answer", time.Since(start)
		}
	}
}

// FuzzChunkHeaders sends pieces with arbitrary Upload-Offset and
// Upload-Length: the server never fails (5xx), what the headers' reading
// accepts is in range, and the station's uploads never exceed what was
// announced.
func FuzzChunkHeaders(f *testing.F) {
	dir := f.TempDir()
	db, err := central.Open(context.Background(), filepath.Join(dir, "fuzz.db"), dir)
	if err != nil {
		f.Fatal(err)
	}
	defer db.Close()
	db.AddStation(context.Background(), s0101, central.HashToken(tok0101))
	h := New(db, nil, Limits{MaxChunk: 1 << 10, MaxFile: 1 << 20, PartialQuota: 1 << 22}).Handler()
	f.Fuzz(func(t *testing.T, offset, length string, body []byte) {
		hdr := http.Header{}
		hdr.Set(wire.HeaderUploadOffset, offset)
		hdr.Set(wire.HeaderUploadLength, length)
		if off, size, err := uploadHeaders(hdr, 1<<20); err == nil && (off < 0 || size < 0 || off > size || size > 1<<20) {
			t.Fatalf("accepted offset %d, size %d", off, size)
		}
		req := httptest.NewRequest("PATCH", wire.APIPrefix+"/files/"+sumOf([]byte("fuzz")), bytes.NewReader(body))
		req.Header = hdr.Clone()
		req.Header.Set("Authorization", "Bearer "+tok0101)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("%d for offset %q, length %q: %s", w.Code, offset, length, w.Body)
		}
		if st, err := db.File(context.Background(), s0101, sumOf([]byte("fuzz"))); err == nil && st.Received > st.Size {
			t.Fatalf("an upload holds %d bytes of %d announced", st.Received, st.Size)
		}
	})
}

// TestBodyDeadlineBounds: a body announced larger than its route takes is
// refused at once; one of unknown length gets the deadline of the largest
// body the route takes, however it trickles; and a request without a body
// is not cut by the body's deadline, however long its answer takes.
func TestBodyDeadlineBounds(t *testing.T) {
	db := centraltest.SQLite(t)
	db.AddStation(context.Background(), s0101, central.HashToken(tok0101))
	srv := New(db, nil, Limits{MaxJSON: 1 << 10, MinRate: 10 << 10, BodyGrace: 200 * time.Millisecond})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	addr := ts.Listener.Addr().String()
	oneByte := []byte("1\r\n \r\n") // one byte of a chunked body
	path := wire.APIPrefix + "/radicados/2026001010000012"
	auth := "Authorization: Bearer " + tok0101 + "\r\n"
	if status, took := trickle(t, addr, "PUT "+path+" HTTP/1.1\r\nHost: x\r\n"+auth+"Content-Length: 1000000000000\r\n\r\n", 200*time.Millisecond, oneByte); !strings.HasPrefix(status, "413") || took > time.Second {
		t.Errorf("a body announced as 1 TB: %q after %s, want 413 at once", status, took)
	}
	if status, took := trickle(t, addr, "PUT "+path+" HTTP/1.1\r\nHost: x\r\n"+auth+"Transfer-Encoding: chunked\r\n\r\n", 200*time.Millisecond, oneByte); !strings.HasPrefix(status, "408") || took > 2*time.Second {
		t.Errorf("a chunked body trickling: %q after %s, want 408 within about 0.3 s", status, took)
	}

	// A slow answer to a request without a body keeps its context.
	slow := httptest.NewServer(srv.guard(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(600 * time.Millisecond) // three times the body's grace
		if err := r.Context().Err(); err != nil {
			http.Error(w, "cancelled: "+err.Error(), 499)
			return
		}
		w.Write([]byte("ok"))
	})))
	defer slow.Close()
	resp, err := http.Get(slow.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("a slow answer without a body: %d, its context was cut by the body's deadline", resp.StatusCode)
	}
}

// TestConnectionCaps: beyond the cap from one address a connection is
// closed at once; beyond the cap in all, Accept waits for one to close;
// Close lets a waiting Accept go.
func TestConnectionCaps(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l := limitListener(raw, 3, 2)
	accepted := make(chan net.Conn, 10)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				close(accepted)
				return
			}
			accepted <- c
		}
	}()
	dial := func(ip byte) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, ip)}}
		c, err := d.Dial("tcp", raw.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	closedAtOnce := func(c net.Conn) bool {
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err := c.Read(make([]byte, 1))
		return err != nil && !errors.Is(err, os.ErrDeadlineExceeded)
	}
	next := func() net.Conn {
		select {
		case c := <-accepted:
			return c
		case <-time.After(2 * time.Second):
			return nil
		}
	}
	a1, a2 := dial(1), dial(1)
	s1, s2 := next(), next()
	if s1 == nil || s2 == nil {
		t.Fatal("two connections from one address were not accepted")
	}
	if a3 := dial(1); !closedAtOnce(a3) {
		t.Error("a third connection from one address was kept")
	}
	b1 := dial(3)
	if next() == nil {
		t.Fatal("a connection from another address was not accepted")
	}
	dial(4) // the fourth in all waits
	if c := next(); c != nil {
		t.Error("a fourth connection was accepted beyond the cap")
	}
	s1.Close() // one closes: the waiting one is accepted
	if next() == nil {
		t.Error("the waiting connection was not accepted when one closed")
	}
	l.Close()
	select {
	case _, ok := <-accepted:
		if ok {
			t.Error("Accept gave a connection after Close")
		}
	case <-time.After(2 * time.Second):
		t.Error("Close did not end a waiting Accept")
	}
	a1.Close()
	a2.Close()
	b1.Close()
	s2.Close()
}

// TestUploadCaps: a station's unfinished uploads are bounded in number
// and, when they start together, in announced bytes.
func TestUploadCaps(t *testing.T) {
	s := newSecured(t, centraltest.SQLite, Limits{Partials: 3, PartialQuota: 1 << 20})
	for i := range 3 {
		if resp, body := s.do("PATCH", "/files/"+sumOf([]byte(fmt.Sprint("u", i))), tok0101, nil, chunkHeaders(0, 1)...); resp.StatusCode != 204 {
			t.Fatalf("upload %d: %d %s", i, resp.StatusCode, body)
		}
	}
	s.refused("a fourth unfinished upload", 507, "PATCH", "/files/"+sumOf([]byte("u3")), tok0101, nil, chunkHeaders(0, 1)...)
	// Four uploads of 900 KiB each start at once against a 1 MiB quota:
	// one is taken.
	var wg sync.WaitGroup
	codes := make(chan int, 4)
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := s.do("PATCH", "/files/"+sumOf([]byte(fmt.Sprint("big", i))), tok0201, []byte("x"), chunkHeaders(0, 900<<10)...)
			codes <- resp.StatusCode
		}()
	}
	wg.Wait()
	close(codes)
	taken := 0
	for c := range codes {
		if c == 204 {
			taken++
		}
	}
	if used, _, _ := s.db.PartialUsage(s0201); taken != 1 || used > 1<<20 {
		t.Errorf("%d of 4 uploads taken, %d bytes announced against a quota of %d", taken, used, 1<<20)
	}
}

// part is one document part of a one-request push: its form name ("file"
// when empty), the hash it is sent under, its bytes as sent, and their
// Content-Encoding.
type part struct {
	name, sum, encoding string
	data                []byte
}

// onePush builds the body of a one-request push and its Content-Type.
func onePush(p wire.Push, parts ...part) ([]byte, string) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	w, _ := mw.CreateFormField(wire.PartPush)
	json.NewEncoder(w).Encode(p)
	for _, pt := range parts {
		h := textproto.MIMEHeader{}
		name := cmp.Or(pt.name, wire.PartFile)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name=%q; filename=%q`, name, pt.sum))
		if pt.encoding != "" {
			h.Set("Content-Encoding", pt.encoding)
		}
		w, _ := mw.CreatePart(h)
		w.Write(pt.data)
	}
	mw.Close()
	return b.Bytes(), mw.FormDataContentType()
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	z := gzip.NewWriter(&b)
	z.Write(data)
	z.Close()
	return b.Bytes()
}
