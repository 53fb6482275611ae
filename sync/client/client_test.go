package client_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/server"
)

// central is a real central server on SQLite that can be restarted on the
// same database.
type centralServer struct {
	t    testing.TB
	path string
	mu   sync.Mutex
	db   *central.DB
	srv  *httptest.Server
}

func newCentral(t testing.TB) *centralServer {
	c := &centralServer{t: t, path: filepath.Join(t.TempDir(), "central.db")}
	c.start()
	t.Cleanup(c.stop)
	return c
}

func (c *centralServer) start() {
	db, err := central.Open(context.Background(), c.path, filepath.Dir(c.path))
	if err != nil {
		c.t.Fatal(err)
	}
	c.mu.Lock()
	c.db = db
	c.srv = httptest.NewServer(server.New(db, nil, server.DefaultLimits).Handler())
	c.mu.Unlock()
}

func (c *centralServer) stop() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv != nil {
		c.srv.Close()
		c.db.Close()
		c.srv = nil
	}
}

func (c *centralServer) url() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.srv == nil {
		return "http://127.0.0.1:1"
	}
	return c.srv.URL
}

// enrol adds a station and gives its token.
func (c *centralServer) enrol(office, st string) string {
	token := fmt.Sprintf("tok-%s-%s", office, st)
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.db.AddStation(context.Background(), central.Principal{Office: office, Station: st}, central.HashToken(token)); err != nil {
		c.t.Fatal(err)
	}
	return token
}

// faults is a proxy of the test between station and server that drops
// connections, answers 500 (before or after the server did the work), is
// slow, and cuts answers short.
type faults struct {
	target func() string
	rng    *rand.Rand
	mu     sync.Mutex
	force  string // the fault to inject every time, when set
	rate   float64
	count  map[string]int
	bytes  atomic.Int64 // request body bytes that reached the server
}

func (f *faults) pick() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.force != "" {
		f.count[f.force]++
		return f.force
	}
	if f.rng.Float64() >= f.rate {
		return "none"
	}
	kinds := []string{"500-before", "500-after", "drop-before", "drop-after", "slow", "truncate"}
	k := kinds[f.rng.IntN(len(kinds))]
	for _, first := range kinds { // each kind at least once, then any
		if f.count[first] == 0 {
			k = first
			break
		}
	}
	f.count[k]++
	return k
}

type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (c countingBody) Read(p []byte) (int, error) {
	n, err := c.ReadCloser.Read(p)
	c.n.Add(int64(n))
	return n, err
}

func (f *faults) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := f.pick()
	hijackClose := func() {
		if hj, ok := w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
			}
		}
	}
	switch kind {
	case "500-before":
		http.Error(w, "injected", http.StatusInternalServerError)
		return
	case "drop-before":
		hijackClose()
		return
	case "slow":
		time.Sleep(100 * time.Millisecond)
	}
	u, _ := url.Parse(f.target())
	r.Body = countingBody{r.Body, &f.bytes}
	rec := httptest.NewRecorder()
	httputil.NewSingleHostReverseProxy(u).ServeHTTP(rec, r)
	switch kind {
	case "500-after":
		http.Error(w, "injected after the server did it", http.StatusInternalServerError)
		return
	case "drop-after":
		hijackClose()
		return
	}
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	body := rec.Body.Bytes()
	if kind == "truncate" && len(body) > 1 {
		w.Header().Set("Content-Length", fmt.Sprint(len(body)))
		w.WriteHeader(rec.Code)
		w.Write(body[:len(body)/2])
		hijackClose()
		return
	}
	w.WriteHeader(rec.Code)
	w.Write(body)
}

func newStation(t testing.TB, dir string) *station.Station {
	t.Helper()
	st, err := station.Open(context.Background(), dir, station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// storeOf opens, beside the station, its data folder's store: the sync
// client works on the store, as the station's Sync service gives it.
func storeOf(t testing.TB, st *station.Station) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), st.Dir(), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// radicate gives the station n radicados of one small page each.
func radicate(t testing.TB, st *station.Station, n int) []radicado.Record {
	t.Helper()
	src := t.TempDir()
	var out []radicado.Record
	for i := range n {
		p := fixture.PNG(t, src, fmt.Sprintf("p%d.png", i), fmt.Sprintf("carta %d", i))
		rec, err := st.Records.Radicar(context.Background(), station.Request{Kind: radicado.Entrada, Type: "peticion",
			SenderName: fmt.Sprintf("Remitente %d", i), Subject: "Solicitud", Files: []string{p}})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, rec)
	}
	return out
}

func fast() client.Options {
	return client.Options{Retries: 10, RetryWait: 5 * time.Millisecond, MaxWait: 40 * time.Millisecond, Timeout: 10 * time.Second}
}

// checkHeld verifies the server holds exactly the station's radicados,
// each once with the same hashes, and that nothing waits in the queue.
func checkHeld(t *testing.T, c *centralServer, st *station.Station, want int) {
	t.Helper()
	ctx := context.Background()
	list, err := st.Records.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	db := c.db
	c.mu.Unlock()
	held, err := db.List(ctx, central.Filter{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	if len(held) != want || len(list) != want {
		t.Fatalf("server holds %d, station has %d, want %d", len(held), len(list), want)
	}
	byNumber := map[string]bool{}
	for _, h := range held {
		if byNumber[h.Number] {
			t.Errorf("%s held twice", h.Number)
		}
		byNumber[h.Number] = true
		rec, err := st.Records.Get(ctx, h.Number)
		if err != nil {
			t.Errorf("%s is on the server but not on the station", h.Number)
			continue
		}
		if h.ContentSHA256 != client.ToWire(rec).Content() || h.SHA256 != rec.SHA256 {
			t.Errorf("%s held with other hashes", h.Number)
		}
		for _, f := range rec.Files {
			var buf writeCounter
			if err := db.ReadFile(ctx, central.Principal{Office: rec.Parts.Office, Station: rec.Parts.Station}, f.SHA256, &buf); err != nil || int64(buf) != f.Size {
				t.Errorf("%s: file %s on the server: %d bytes, %v", h.Number, f.SHA256[:8], buf, err)
			}
		}
	}
	if n, _ := db.Conflicts(ctx, ""); n != 0 {
		t.Errorf("%d conflicts", n)
	}
	if s, _ := st.Sync.Status(ctx); s.Pending != 0 || s.Conflicts != 0 || s.LastSync.IsZero() {
		t.Errorf("station queue: %+v", s)
	}
}

type writeCounter int64

func (w *writeCounter) Write(p []byte) (int, error) { *w += writeCounter(len(p)); return len(p), nil }

func TestSyncThroughFaults(t *testing.T) {
	c := newCentral(t)
	token := c.enrol("001", "01")
	st := newStation(t, t.TempDir())
	defer st.Close()
	radicate(t, st, 40)
	f := &faults{target: c.url, rng: rand.New(rand.NewPCG(1, 2)), rate: 0.35, count: map[string]int{}}
	proxy := httptest.NewServer(f)
	defer proxy.Close()
	cl, err := client.New(proxy.URL, token, storeOf(t, st), fast())
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	// Restart the server while the station syncs.
	go func() {
		time.Sleep(150 * time.Millisecond)
		c.stop()
		time.Sleep(100 * time.Millisecond)
		c.start()
	}()
	var total client.Report
	for round := 0; round < 20; round++ {
		rep, err := cl.Sync(ctx)
		total.Sent, total.Already, total.Failed = total.Sent+rep.Sent, total.Already+rep.Already, total.Failed+rep.Failed
		if err == nil {
			if s, _ := st.Sync.Status(ctx); s.Pending == 0 {
				break
			}
		}
	}
	time.Sleep(300 * time.Millisecond) // the restart is over
	rep, err := cl.Sync(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("faults injected: %v; report %+v, last %+v", f.count, total, rep)
	if len(f.count) < 6 {
		t.Errorf("not every fault happened: %v", f.count)
	}
	checkHeld(t, c, st, 40)

	// Annul one: the change goes through, once.
	list, _ := st.Records.List(ctx, store.Filter{Limit: 1})
	if _, err := st.Records.Anular(ctx, list[0].Number, "radicado por error"); err != nil {
		t.Fatal(err)
	}
	if rep, err := cl.Sync(ctx); err != nil || rep.Already != 1 {
		t.Errorf("syncing an annulment: %+v %v", rep, err)
	}
	c.mu.Lock()
	h, _ := c.db.Get(ctx, list[0].Number)
	c.mu.Unlock()
	if !h.Annulled {
		t.Error("the server did not record the annulment")
	}
}

func TestResumeLargeUpload(t *testing.T) {
	c := newCentral(t)
	token := c.enrol("001", "01")
	st := newStation(t, t.TempDir())
	defer st.Close()
	// A 10 MB scanned PDF: three chunks.
	big := make([]byte, 10<<20)
	crand.Read(big)
	pdf := fixture.PDF(t, t.TempDir(), "anexo.pdf", 1)
	head, _ := os.ReadFile(pdf)
	data := append(head[:len(head)-6], big...)
	data = append(data, "\n%%EOF\n"...)
	path := fixture.Write(t, t.TempDir(), "anexo-grande.pdf", data)
	if _, err := st.Records.Radicar(context.Background(), station.Request{Kind: radicado.Entrada, Type: "otro", SenderName: "Ana",
		Subject: "Anexo", Files: []string{path}}); err != nil {
		t.Skipf("the test PDF is not accepted as a document: %v", err)
	}
	// Every other chunk, the connection drops after the server took it:
	// the client must go on from the server's offset, not start over.
	f := &faults{target: c.url, rng: rand.New(rand.NewPCG(3, 4)), count: map[string]int{}}
	var patches atomic.Int32
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.force = ""
		if r.Method == http.MethodPatch && patches.Add(1)%2 == 1 {
			f.force = "drop-after"
		}
		f.mu.Unlock()
		f.ServeHTTP(w, r)
	}))
	defer proxy.Close()
	cl, _ := client.New(proxy.URL, token, storeOf(t, st), fast())
	for range 10 {
		if _, err := cl.Sync(context.Background()); err == nil {
			if s, _ := st.Sync.Status(context.Background()); s.Pending == 0 {
				break
			}
		}
	}
	checkHeld(t, c, st, 1)
	// The server took every chunk once: nothing was sent twice.
	if sent := f.bytes.Load(); sent > int64(len(data))+64<<10 {
		t.Errorf("%d bytes sent for a %d-byte file: chunks were sent again", sent, len(data))
	}
	t.Logf("%d bytes reached the server for a %d-byte file, over %d PATCH requests", f.bytes.Load(), len(data), patches.Load())
}

// The child of TestKilledWhileSyncing: it syncs its station until killed.
func TestMain(m *testing.M) {
	if dir := os.Getenv("RADICADOR_SYNC_CHILD"); dir != "" {
		s, err := store.Open(context.Background(), dir, store.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		cl, err := client.New(os.Getenv("RADICADOR_SYNC_URL"), os.Getenv("RADICADOR_SYNC_TOKEN"), s, fast())
		if err != nil {
			os.Exit(3)
		}
		for {
			cl.Sync(context.Background())
		}
	}
	os.Exit(m.Run())
}

// TestKilledWhileSyncing kills a syncing station with SIGKILL at random
// moments, many times, with faults on the way: in the end the server holds
// each of 500 radicados exactly once, with matching hashes, and the
// station's queue is empty.
func TestKilledWhileSyncing(t *testing.T) {
	if testing.Short() {
		t.Skip("500 radicados, many kills")
	}
	c := newCentral(t)
	token := c.enrol("001", "01")
	dir := t.TempDir()
	st := newStation(t, dir)
	radicate(t, st, 480)
	salidas := dispatched(t, st, 20)
	st.Close()
	f := &faults{target: c.url, rng: rand.New(rand.NewPCG(5, 6)), rate: 0.1, count: map[string]int{}}
	proxy := httptest.NewServer(f)
	defer proxy.Close()
	exe, _ := os.Executable()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 8))
	kills := 0
	for round := 0; round < 25; round++ {
		cmd := exec.Command(exe, "-test.run=^$")
		cmd.Env = append(os.Environ(), "RADICADOR_SYNC_CHILD="+dir, "RADICADOR_SYNC_URL="+proxy.URL, "RADICADOR_SYNC_TOKEN="+token)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Duration(30+rng.IntN(300)) * time.Millisecond)
		cmd.Process.Signal(syscall.SIGKILL)
		cmd.Wait()
		kills++
	}
	st = newStation(t, dir)
	defer st.Close()
	before, _ := st.Sync.Status(context.Background())
	f.mu.Lock()
	f.rate = 0
	f.mu.Unlock()
	cl, _ := client.New(proxy.URL, token, storeOf(t, st), fast())
	rep, err := cl.Sync(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d kills; %d radicados still pending before the last sync, which sent %d (already there: %d); faults %v",
		kills, before.Pending, rep.Sent, rep.Already, f.count)
	checkHeld(t, c, st, 500)
	// Each salida's five steps (radicación, dispatch, guide, handed over,
	// result) are held once, and the server knows how each ended.
	c.mu.Lock()
	db := c.db
	c.mu.Unlock()
	for i, n := range salidas {
		events, err := db.Events(context.Background(), n)
		if err != nil || len(events) != 5 {
			t.Errorf("%s: %d events on the server: %v", n, len(events), err)
		}
		ds, err := db.Deliveries(context.Background(), n)
		want := "entregado"
		if i%2 == 1 {
			want = "devuelto"
		}
		if err != nil || len(ds) != 1 || ds[0].State != want {
			t.Errorf("%s: deliveries %+v %v, want %s", n, ds, err, want)
		}
	}
}

// dispatched radicates n salidas on paper and sends them out: a dispatch,
// guides, handed over, then each even one delivered and each odd one
// returned.
func dispatched(t testing.TB, st *station.Station, n int) []string {
	t.Helper()
	ctx := context.Background()
	src := t.TempDir()
	var numbers []string
	for i := range n {
		rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Secretaría", Subject: "Respuesta",
			Files:     []string{fixture.PNG(t, src, fmt.Sprintf("s%d.png", i), fmt.Sprintf("respuesta %d", i))},
			Recipient: &radicado.Recipient{Name: fmt.Sprintf("Destinatario %d", i), Address: "Calle 1", City: "Cali", SendBy: radicado.SendPhysical}})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, rec.Number)
	}
	d, err := st.Despacho.New(ctx, "4-72", "", numbers, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i, num := range numbers {
		if _, err := st.Despacho.Guide(ctx, num, fmt.Sprintf("RA%09dCO", i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.Despacho.Close(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	var results strings.Builder
	results.WriteString("guia,estado,causal,fecha\n")
	for i := range numbers {
		if i%2 == 0 {
			fmt.Fprintf(&results, "RA%09dCO,ENTREGADO,,2026-11-27\n", i)
		} else {
			fmt.Fprintf(&results, "RA%09dCO,DEVUELTO,DE,2026-11-27\n", i)
		}
	}
	if _, err := st.Despacho.Results(ctx, strings.NewReader(results.String()), despacho.DefaultColumns); err != nil {
		t.Fatal(err)
	}
	return numbers
}

// TestPlanillaBothSides: the day's sheet from the server is the station's,
// row for row, in CSV; and the server's PDF is a PDF.
func TestPlanillaBothSides(t *testing.T) {
	c := newCentral(t)
	token := c.enrol("001", "01")
	st := newStation(t, t.TempDir())
	defer st.Close()
	ctx := context.Background()
	src := t.TempDir()
	for i, dept := range []string{"200", "100", "", "200"} {
		p := fixture.PNG(t, src, fmt.Sprintf("%d.png", i), "carta")
		if _, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana Pérez",
			Subject: "Solicitud, con coma", Dept: dept, Files: []string{p}}); err != nil {
			t.Fatal(err)
		}
	}
	list, _ := st.Records.List(ctx, store.Filter{Limit: 1})
	if _, err := st.Records.Anular(ctx, list[0].Number, "duplicado"); err != nil {
		t.Fatal(err)
	}
	cl, err := client.New(c.url(), token, storeOf(t, st), fast())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cl.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	day := calendar.DateOf(list[0].ReceivedAt)
	sheet, err := st.Records.Planilla(ctx, day)
	if err != nil {
		t.Fatal(err)
	}
	var local, remote, pdf bytes.Buffer
	if err := sheet.WriteCSV(&local); err != nil {
		t.Fatal(err)
	}
	if err := cl.Planilla(ctx, day.String(), "csv", &remote); err != nil {
		t.Fatal(err)
	}
	if local.String() != remote.String() {
		t.Errorf("the sheets differ:\nstation:\n%s\nserver:\n%s", local.String(), remote.String())
	}
	if n := strings.Count(remote.String(), "\n"); n != 5 {
		t.Errorf("%d lines in the server's CSV, want a heading and 4 rows", n)
	}
	if !strings.Contains(remote.String(), "ANULADO") {
		t.Error("the annulment is not on the server's sheet")
	}
	if err := cl.Planilla(ctx, day.String(), "pdf", &pdf); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Errorf("the server's PDF starts %q", pdf.Bytes()[:min(8, pdf.Len())])
	}
}

// requests counts what a station sends, by kind, on its way to the server;
// with old set, it answers whoami as a server of protocol 1 did (without
// the protocol field).
type requests struct {
	next  http.Handler
	old   bool
	proto int // the protocol an old server says it speaks (0: none)
	mu    sync.Mutex
	n     map[string]int
	sizes []int64 // the body of each multipart PUT
}

func (q *requests) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := r.Method
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		kind += " multipart"
	}
	q.mu.Lock()
	q.n[kind]++
	if kind == "PUT multipart" {
		q.sizes = append(q.sizes, r.ContentLength)
	}
	q.mu.Unlock()
	if q.old && strings.HasSuffix(r.URL.Path, "/whoami") {
		rec := httptest.NewRecorder()
		q.next.ServeHTTP(rec, r)
		var who map[string]any
		json.Unmarshal(rec.Body.Bytes(), &who)
		delete(who, "protocol")
		if q.proto > 0 {
			who["protocol"] = q.proto
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(rec.Code)
		json.NewEncoder(w).Encode(who)
		return
	}
	q.next.ServeHTTP(w, r)
}

// TestProtocols syncs a day both ways: an old station (protocol 1), or a
// new one facing an old server, sends each document and then the record;
// a new station facing a new server sends each radicado in one request.
func TestProtocols(t *testing.T) {
	for _, tc := range []struct {
		name      string
		force     int
		oldServer bool
		want      map[string]int // requests by kind, for n radicados of one page
	}{
		{"old station", 1, false, map[string]int{"PATCH": 12, "PUT": 12}},
		{"new station, old server", 0, true, map[string]int{"PATCH": 12, "PUT": 12}},
		{"new station", 0, false, map[string]int{"PUT multipart": 12}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCentral(t)
			token := c.enrol("001", "01")
			st := newStation(t, t.TempDir())
			defer st.Close()
			radicate(t, st, 12)
			q := &requests{next: c.srv.Config.Handler, old: tc.oldServer, n: map[string]int{}}
			proxy := httptest.NewServer(q)
			defer proxy.Close()
			opt := fast()
			opt.Protocol = tc.force
			cl, err := client.New(proxy.URL, token, storeOf(t, st), opt)
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			rep, err := cl.Sync(context.Background())
			if err != nil || rep.Sent != 12 {
				t.Fatalf("sync: %+v %v", rep, err)
			}
			checkHeld(t, c, st, 12)
			for kind, want := range tc.want {
				if q.n[kind] != want {
					t.Errorf("%d %s requests, want %d (all: %v)", q.n[kind], kind, want, q.n)
				}
			}
			for _, kind := range []string{"PATCH", "PUT", "PUT multipart"} {
				if _, ok := tc.want[kind]; !ok && q.n[kind] != 0 {
					t.Errorf("%d %s requests, want none (all: %v)", q.n[kind], kind, q.n)
				}
			}
		})
	}
}

// TestCitesSync: an entrada that cites our salida reaches the server with
// what it cites; a server of protocol 3, which cannot hold it, is not sent
// it (the station keeps it waiting, and says why) while the rest goes.
func TestCitesSync(t *testing.T) {
	for _, proto := range []int{0, 3} {
		t.Run(fmt.Sprintf("server protocol %d", proto), func(t *testing.T) {
			ctx := context.Background()
			c := newCentral(t)
			token := c.enrol("001", "01")
			st := newStation(t, t.TempDir())
			defer st.Close()
			page := fixture.PNG(t, t.TempDir(), "p.png", "respuesta")
			salida, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Banco", Subject: "Solicitud",
				Files: []string{page}, Recipient: &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Cali"}})
			if err != nil {
				t.Fatal(err)
			}
			entrada, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "respuesta", SenderName: "Ana",
				Subject: "Respuesta", Files: []string{page}, Cites: []string{salida.Number}})
			if err != nil {
				t.Fatal(err)
			}
			q := &requests{next: c.srv.Config.Handler, old: proto > 0, proto: proto, n: map[string]int{}}
			proxy := httptest.NewServer(q)
			defer proxy.Close()
			cl, err := client.New(proxy.URL, token, storeOf(t, st), fast())
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			rep, serr := cl.Sync(ctx)
			held, err := c.db.Get(ctx, entrada.Number)
			switch {
			case proto == 0 && (err != nil || len(held.Cites) != 1 || held.Cites[0] != salida.Number || rep.Sent != 2):
				t.Errorf("held %+v, %v; report %+v", held.Cites, err, rep)
			case proto == 3 && (err == nil || rep.Sent != 1 || serr == nil || !strings.Contains(serr.Error(), "cites")):
				t.Errorf("an old server was sent what it cannot hold: %v; report %+v, %v", err, rep, serr)
			}
		})
	}
}

// TestCompression syncs a letter scanned to an uncompressed TIFF and one
// to a PNG of noise: the TIFF crosses gzipped, the PNG as it is (gzip
// would gain nothing), and the server holds both exactly.
func TestCompression(t *testing.T) {
	c := newCentral(t)
	token := c.enrol("001", "01")
	st := newStation(t, t.TempDir())
	defer st.Close()
	src := t.TempDir()
	tiff := fixture.TIFF(t, src, "carta.tif", 200, fixture.Page(800, 1000, "Señores Alcaldía", "Solicito copia del contrato 45 de 2026"))
	noise := filepath.Join(src, "ruido.png")
	noisePage(t, noise, 9, 300, 1, 300)
	var sizes []int64
	for _, f := range []string{tiff, noise} {
		rec, err := st.Records.Radicar(context.Background(), station.Request{Kind: radicado.Entrada, Type: "peticion",
			SenderName: "Ana", Subject: "Solicitud", Files: []string{f}})
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, rec.Files[0].Size)
		if rec.Files[0].MediaType != map[string]string{tiff: "image/tiff", noise: "image/png"}[f] {
			t.Fatalf("%s kept as %s", filepath.Base(f), rec.Files[0].MediaType)
		}
	}
	q := &requests{next: c.srv.Config.Handler, n: map[string]int{}}
	proxy := httptest.NewServer(q)
	defer proxy.Close()
	opt := fast()
	opt.InFlight = 1 // in order: the TIFF's request, then the PNG's
	cl, err := client.New(proxy.URL, token, storeOf(t, st), opt)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	if rep, err := cl.Sync(context.Background()); err != nil || rep.Sent != 2 {
		t.Fatalf("sync: %+v %v", rep, err)
	}
	checkHeld(t, c, st, 2)
	if len(q.sizes) != 2 {
		t.Fatalf("multipart requests: %v", q.sizes)
	}
	if q.sizes[0] > sizes[0]/10 {
		t.Errorf("the TIFF's request is %d bytes for a %d-byte document: not compressed", q.sizes[0], sizes[0])
	}
	if q.sizes[1] < sizes[1] || q.sizes[1] > sizes[1]+8<<10 {
		t.Errorf("the PNG's request is %d bytes for a %d-byte document", q.sizes[1], sizes[1])
	}
	t.Logf("TIFF %d bytes in a request of %d; PNG %d in %d", sizes[0], q.sizes[0], sizes[1], q.sizes[1])
}
