package client_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"image"
	"image/png"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime/pprof"
	"runtime/trace"
	"slices"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
)

// Load: many stations sync their day at once against one server.
//
//	go test -run '^$' -bench Load -benchtime 1x ./sync/client/
//
// RADICADOR_LOAD=stations×radicados changes the size (default 20×500);
// RADICADOR_LOAD_PROFILE=FILE writes a CPU profile of the sync, and
// RADICADOR_LOAD_TRACE=FILE an execution trace of it (go tool trace
// -pprof=sync FILE gives where requests wait).

// timing records how long each request took.
type timing struct {
	mu   sync.Mutex
	took map[string][]time.Duration // by method
}

// station gives a transport of its own for one station, that records into t.
func (t *timing) station() http.RoundTripper {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 8 // as the client's own transport: a connection for each in flight
	return timed{t, tr}
}

type timed struct {
	t    *timing
	next http.RoundTripper
}

func (tt timed) RoundTrip(r *http.Request) (*http.Response, error) {
	t := tt.t
	start := time.Now()
	res, err := tt.next.RoundTrip(r)
	if err == nil {
		// The answer counts once its body is read.
		res.Body = &timedBody{ReadCloser: res.Body, done: func() { t.add(r.Method, time.Since(start)) }}
	}
	return res, err
}

func (t *timing) add(method string, d time.Duration) {
	t.mu.Lock()
	if t.took == nil {
		t.took = map[string][]time.Duration{}
	}
	t.took[method] = append(t.took[method], d)
	t.mu.Unlock()
}

type timedBody struct {
	io.ReadCloser
	once sync.Once
	done func()
}

func (b *timedBody) Close() error {
	b.once.Do(b.done)
	return b.ReadCloser.Close()
}

// p95 gives the 95th percentile of the requests of a method, or of all
// when method is empty, and how many there were.
func (t *timing) p95(method string) (time.Duration, int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s []time.Duration
	for m, d := range t.took {
		if method == "" || m == method {
			s = append(s, d...)
		}
	}
	if len(s) == 0 {
		return 0, 0
	}
	slices.Sort(s)
	return s[len(s)*95/100], len(s)
}

// scanLike writes a greyscale page of noise: it does not compress, like a
// scanned page, and each seed gives other bytes.
func scanLike(tb testing.TB, path string, seed uint64) {
	noisePage(tb, path, seed, 400, 224, 400)
}

// noisePage writes a greyscale page of noise, width w plus up to more
// pixels wide and h high: about as many bytes as pixels.
func noisePage(tb testing.TB, path string, seed uint64, w, more, h int) {
	rng := rand.New(rand.NewPCG(seed, 7))
	img := image.NewGray(image.Rect(0, 0, w+rng.IntN(more), h))
	for i := range img.Pix {
		img.Pix[i] = uint8(rng.Uint32())
	}
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := (&png.Encoder{CompressionLevel: png.NoCompression}).Encode(f, img); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
}

func loadSize(tb testing.TB) (stations, each int) {
	stations, each = 20, 500
	if v := os.Getenv("RADICADOR_LOAD"); v != "" {
		if _, err := fmt.Sscanf(v, "%dx%d", &stations, &each); err != nil {
			tb.Fatalf("RADICADOR_LOAD=%q: want stations x radicados, like 20x500", v)
		}
	}
	return stations, each
}

// loadStations makes the stations of one office, each with its radicados of
// one scanned-like page.
func loadStations(b *testing.B, c *centralServer, n, each int) ([]*station.Station, []string) {
	ctx := context.Background()
	sts := make([]*station.Station, n)
	tokens := make([]string, n)
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := range n {
		code := fmt.Sprintf("%02d", i+1)
		tokens[i] = c.enrol("001", code)
		st := newStation(b, b.TempDir())
		if err := st.Settings.Set(ctx, map[string]*string{"station": &code}); err != nil {
			b.Fatal(err)
		}
		sts[i] = st
	}
	sem := make(chan struct{}, 2)
	for i, st := range sts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			src, err := os.MkdirTemp(b.TempDir(), "pages")
			if err != nil {
				errs <- err
				return
			}
			for j := range each {
				p := filepath.Join(src, strconv.Itoa(j)+".png")
				scanLike(b, p, uint64(i*each+j))
				if _, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion",
					SenderName: "Remitente " + strconv.Itoa(j), Subject: "Solicitud", Files: []string{p}}); err != nil {
					errs <- err
					return
				}
				os.Remove(p)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return sts, tokens
}

func BenchmarkLoad(b *testing.B) {
	n, each := loadSize(b)
	ctx := context.Background()
	b.StopTimer()
	for range b.N {
		c := newCentral(b)
		sts, tokens := loadStations(b, c, n, each)
		var files []string // every document, for the plain upload
		var size int64
		stores := make([]*store.Store, len(sts))
		for i, st := range sts {
			stores[i] = storeOf(b, st)
		}
		for i, st := range sts {
			list, err := st.Records.List(ctx, store.Filter{})
			if err != nil {
				b.Fatal(err)
			}
			for _, r := range list {
				r, err := st.Records.Get(ctx, r.Number)
				if err != nil {
					b.Fatal(err)
				}
				for _, f := range r.Files {
					files = append(files, stores[i].Blobs().Path(f.SHA256))
					size += f.Size
				}
			}
		}
		if len(files) != n*each {
			b.Fatalf("%d documents, want %d", len(files), n*each)
		}

		// The stations sync at once.
		tm := &timing{}
		syscall.Sync() // the set-up's writes are not left to slow what is timed
		b.StartTimer()
		cpu0 := processCPU()
		var prof *os.File
		if path := os.Getenv("RADICADOR_LOAD_PROFILE"); path != "" {
			prof, _ = os.Create(path)
			pprof.StartCPUProfile(prof)
		}
		if path := os.Getenv("RADICADOR_LOAD_TRACE"); path != "" {
			tf, _ := os.Create(path)
			trace.Start(tf)
			defer tf.Close()
		}
		start := time.Now()
		var wg sync.WaitGroup
		reports := make([]client.Report, n)
		errs := make([]error, n)
		for i := range sts {
			wg.Add(1)
			go func() {
				defer wg.Done()
				opt := client.Options{Retries: 10, RetryWait: 50 * time.Millisecond, MaxWait: time.Second, Timeout: time.Minute, Transport: tm.station()}
				cl, err := client.New(c.url(), tokens[i], stores[i], opt)
				if err != nil {
					errs[i] = err
					return
				}
				reports[i], errs[i] = cl.Sync(ctx)
			}()
		}
		wg.Wait()
		syncTook := time.Since(start)
		syncCPU := processCPU() - cpu0
		trace.Stop()
		if prof != nil {
			pprof.StopCPUProfile()
			prof.Close()
		}
		b.StopTimer()
		for i := range n {
			if errs[i] != nil || reports[i].Sent != each {
				b.Fatalf("station %d: %+v, %v", i+1, reports[i], errs[i])
			}
		}

		// The same files, PUT to a plain HTTP server that writes them to
		// disk, from as many clients at once.
		// And to the least server that keeps sync's guarantees for a
		// document: its hash checked, kept whole under its final name,
		// durable and recorded once before it is confirmed. The plain
		// upload goes before it and after it, and counts with the mean of
		// the two: neither is always the one that runs later.
		cpu0 = processCPU()
		plainTook := plainUpload(b, plainSink(b.TempDir()), files, n)
		plainCPU := processCPU() - cpu0
		floor := newGuardedSink(b, b.TempDir())
		cpu0 = processCPU()
		floorTook := plainUpload(b, floor, files, n)
		floorCPU := processCPU() - cpu0
		floor.close()
		cpu0 = processCPU()
		plainTook = (plainTook + plainUpload(b, plainSink(b.TempDir()), files, n)) / 2
		plainCPU = (plainCPU + processCPU() - cpu0) / 2

		syncRate := float64(size) / syncTook.Seconds()
		plainRate := float64(size) / plainTook.Seconds()
		b.ReportMetric(float64(n*each)/syncTook.Seconds(), "radicados/s")
		p95, requests := tm.p95("")
		b.ReportMetric(float64(p95.Microseconds())/1000, "p95-ms/req")
		b.ReportMetric(syncRate/1e6, "sync-MB/s")
		b.ReportMetric(plainRate/1e6, "plain-MB/s")
		b.ReportMetric(100*syncRate/plainRate, "%-of-plain")
		b.ReportMetric(100*plainTook.Seconds()/floorTook.Seconds(), "floor-%-of-plain")
		b.ReportMetric(100*floorTook.Seconds()/syncTook.Seconds(), "%-of-floor")
		b.Logf("%d stations × %d radicados, %.1f MB of documents: sync %v (%d requests), plain upload %v",
			n, each, float64(size)/1e6, syncTook.Round(time.Millisecond), requests, plainTook.Round(time.Millisecond))
		b.Logf("the least guarded server: %v (%.1f MB/s)", floorTook.Round(time.Millisecond), float64(size)/floorTook.Seconds()/1e6)
		b.Logf("CPU (stations and server in this process): sync %v a radicado, plain %v a file, the least guarded server %v a file",
			(syncCPU / time.Duration(n*each)).Round(time.Microsecond), (plainCPU / time.Duration(len(files))).Round(time.Microsecond),
			(floorCPU / time.Duration(len(files))).Round(time.Microsecond))
		b.ReportMetric(float64(syncCPU.Microseconds())/float64(n*each), "cpu-µs/radicado")
		for _, m := range []string{http.MethodPatch, http.MethodPut} {
			p, n := tm.p95(m)
			b.Logf("%s: %d requests, p95 %v", m, n, p.Round(100*time.Microsecond))
		}
		for _, st := range sts {
			st.Close()
		}
	}
}

// plainUpload PUTs the files to a bare net/http server with handler h,
// with clients goroutines at once, and says how long it took.
func plainUpload(b *testing.B, h http.Handler, files []string, clients int) time.Duration {
	srv := httptest.NewServer(h)
	defer srv.Close()
	work := make(chan string)
	errs := make(chan error, clients)
	var wg sync.WaitGroup
	syscall.Sync()
	start := time.Now()
	for range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cl := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
			for p := range work {
				if err := plainPut(cl, srv.URL, p); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, p := range files {
		work <- p
	}
	close(work)
	wg.Wait()
	took := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return took
}

// plainSink is the plain alternative's server: each PUT's body written to
// a file of dir, flushed to disk, and answered 201.
func plainSink(dir string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f, err := os.Create(filepath.Join(dir, filepath.Base(r.URL.Path)))
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		_, err = io.Copy(f, r.Body)
		if err == nil {
			err = f.Sync()
		}
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			http.Error(w, err.Error(), 500)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
}

func plainPut(cl *http.Client, base, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	req, err := http.NewRequest(http.MethodPut, base+"/"+filepath.Base(path), f)
	if err != nil {
		return err
	}
	res, err := cl.Do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("plain upload of %s: %s", filepath.Base(path), res.Status)
	}
	return nil
}

// processCPU gives the CPU time this process has used (user and system).
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// guardedSink is the least server that keeps, for each document, what
// sync keeps: the body is hashed as it is written and must hash to the
// name it is sent under; it is flushed and renamed to that name, so that a
// file under its final name is whole; and, before it is answered, its
// folder is flushed and it is recorded once in an SQLite table (WAL,
// synchronous FULL, as the central server's), one flush of the folder and
// one commit shared by the requests under way. It checks no token, number
// or event, and keeps no index beyond the documents' key: what it costs
// over plainSink is the floor of what a sync with these guarantees and a
// file for each document costs over a plain upload.
type guardedSink struct {
	dir   string
	db    *sql.DB
	ins   *sql.Stmt
	rows  chan guardedRow
	ended chan struct{}
}

type guardedRow struct {
	sum  string
	size int64
	done chan error
}

func newGuardedSink(tb testing.TB, dir string) *guardedSink {
	db, err := sql.Open("sqlite", filepath.Join(dir, "floor.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_txlock=immediate")
	if err != nil {
		tb.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(`CREATE TABLE docs (sha256 TEXT PRIMARY KEY, size INTEGER NOT NULL)`); err != nil {
		tb.Fatal(err)
	}
	ins, err := db.Prepare(`INSERT INTO docs (sha256, size) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		tb.Fatal(err)
	}
	g := &guardedSink{dir: dir, db: db, ins: ins, rows: make(chan guardedRow), ended: make(chan struct{})}
	go g.commit()
	return g
}

// commit flushes the folder once for the documents that arrive together
// and records them in one transaction.
func (g *guardedSink) commit() {
	defer close(g.ended)
	for r := range g.rows {
		batch := []guardedRow{r}
	more:
		for len(batch) < 64 {
			select {
			case r, ok := <-g.rows:
				if !ok {
					break more
				}
				batch = append(batch, r)
			default:
				break more
			}
		}
		err := func() error {
			if err := atomicfile.SyncDir(g.dir); err != nil {
				return err
			}
			tx, err := g.db.Begin()
			if err != nil {
				return err
			}
			defer tx.Rollback()
			ins := tx.Stmt(g.ins)
			for _, r := range batch {
				if _, err := ins.Exec(r.sum, r.size); err != nil {
					return err
				}
			}
			return tx.Commit()
		}()
		for _, r := range batch {
			r.done <- err
		}
	}
}

func (g *guardedSink) close() {
	close(g.rows)
	<-g.ended
	g.ins.Close()
	g.db.Close()
}

func (g *guardedSink) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	sum := filepath.Base(r.URL.Path)
	size, err := g.keep(r.Body, sum)
	if err == nil {
		done := make(chan error, 1)
		g.rows <- guardedRow{sum, size, done}
		err = <-done
	}
	if err != nil {
		http.Error(w, err.Error(), 500)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// guardedBuffers are keep's buffers.
var guardedBuffers = sync.Pool{New: func() any { b := make([]byte, 64<<10); return &b }}

// keep writes body to the file named sum, whole and flushed, once it
// hashes to sum; its folder is flushed by commit.
func (g *guardedSink) keep(body io.Reader, sum string) (size int64, err error) {
	tmp, err := os.CreateTemp(g.dir, "part-*")
	if err != nil {
		return 0, err
	}
	defer func() {
		if err != nil {
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	buf := guardedBuffers.Get().(*[]byte)
	size, err = io.CopyBuffer(io.MultiWriter(tmp, h), body, *buf)
	guardedBuffers.Put(buf)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil && hex.EncodeToString(h.Sum(nil)) != sum {
		err = fmt.Errorf("%s: the body hashes to something else", sum)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), filepath.Join(g.dir, sum))
	}
	return size, err
}
