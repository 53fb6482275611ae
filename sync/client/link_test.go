//go:build linux

package client_test

import (
	"context"
	"fmt"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/netemu"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/server"
)

// BranchLink: a branch office's day synced over its uplink (4 Mbit/s each
// way, 80 ms round trip, 1% of the packets lost), against curl sending
// the same files over the same link; then the day again with the link cut
// for 10 s in the middle.
//
//	go test -run '^$' -bench BranchLink -benchtime 1x ./sync/client/
//
// The station and the server are in network namespaces of their own,
// joined by a link that internal/netemu carries (the kernel here has no
// netem): it needs root, and the benchmark says so and skips without.

const (
	linkRate    = 4_000_000
	linkDelay   = 40 * time.Millisecond
	linkLoss    = 0.01
	linkCut     = 10 * time.Second
	dayOfLetter = 200
)

var (
	branchAddr  = netip.MustParseAddr("10.77.0.1")
	centralAddr = netip.MustParseAddr("10.77.0.2")
)

// branchDay is a station's day, radicated and closed, to copy for each run.
type branchDay struct {
	dir     string   // the station's data folder
	files   []string // every document, for curl
	size    int64    // their bytes
	largest int64    // the bytes of the largest radicado's documents
}

// newBranchDay radicates a day of letters of one page of 30-50 KB (every
// tenth of three), scanned pages that do not compress.
func newBranchDay(b *testing.B) branchDay {
	ctx := context.Background()
	day := branchDay{dir: b.TempDir()}
	st := newStation(b, day.dir)
	src := b.TempDir()
	for i := range dayOfLetter {
		count := 1
		if i%10 == 0 {
			count = 3
		}
		var pages []string
		for p := range count {
			path := filepath.Join(src, fmt.Sprintf("%d-%d.png", i, p))
			noisePage(b, path, uint64(i*10+p), 200, 120, 160)
			pages = append(pages, path)
		}
		rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion",
			SenderName: "Remitente " + strconv.Itoa(i), Subject: "Solicitud", Files: pages})
		if err != nil {
			b.Fatal(err)
		}
		var n int64
		for _, f := range rec.Files {
			day.files = append(day.files, filepath.Join(day.dir, "files", f.SHA256[:2], f.SHA256))
			n += f.Size
		}
		day.size += n
		day.largest = max(day.largest, n)
	}
	if err := st.Close(); err != nil {
		b.Fatal(err)
	}
	for _, f := range day.files {
		if _, err := os.Stat(f); err != nil {
			b.Fatalf("a document of the day: %v", err)
		}
	}
	return day
}

// branchLink is the branch and the central office, and the link between.
type branchLink struct {
	branch, central *netemu.Namespace
	link            *netemu.Link
}

func newBranchLink(b *testing.B) *branchLink {
	if err := netemu.Possible(); err != nil {
		b.Skipf("the branch link cannot be made here: %v", err)
	}
	if _, err := exec.LookPath("curl"); err != nil {
		b.Skip("no curl to compare with (Debian's curl)")
	}
	var e branchLink
	var err error
	if e.branch, err = netemu.NewNamespace("branch"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.branch.Close() })
	if e.central, err = netemu.NewNamespace("central"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.central.Close() })
	e.link, err = netemu.Open(e.branch.Name, e.central.Name, branchAddr, centralAddr,
		netemu.Config{Rate: linkRate, Delay: linkDelay, Loss: linkLoss, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { e.link.Close() })
	return &e
}

// serve serves h in the central namespace until the benchmark ends, and
// gives its address.
func (e *branchLink) serve(b *testing.B, h http.Handler) string {
	ln, err := e.central.Listen("tcp", centralAddr.String()+":0")
	if err != nil {
		b.Fatal(err)
	}
	hs := &http.Server{Handler: h}
	done := make(chan struct{})
	go func() {
		defer close(done)
		hs.Serve(ln)
	}()
	b.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	})
	return "http://" + ln.Addr().String()
}

// sent gives the payload bytes the branch has sent so far.
func (e *branchLink) sent() int64 {
	ab, _ := e.link.Stats()
	return ab.Payload
}

// cutHalfway cuts the link for linkCut once the branch has sent half of
// size bytes from now; the function it gives waits for the link to be
// back (or brings it back at once when the cut has not come yet).
func (e *branchLink) cutHalfway(size int64) (wait func()) {
	sent0 := e.sent()
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for e.sent()-sent0 < size/2 {
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
		e.link.SetDown(true)
		defer e.link.SetDown(false)
		select {
		case <-stop:
		case <-time.After(linkCut):
		}
	}()
	return func() {
		close(stop)
		<-done
	}
}

// curl sends the day's documents to a plain server over the link, four at
// a time (with the link cut halfway when cut is set), and says how long it
// took.
func (e *branchLink) curl(b *testing.B, day branchDay, cut bool) time.Duration {
	dir := b.TempDir()
	base := e.serve(b, plainSink(dir))
	args := []string{"--parallel", "--parallel-max", "4", "--silent", "--show-error", "--fail", "--write-out", "%{http_code}\n"}
	for _, f := range day.files {
		args = append(args, "--upload-file", f, base+"/"+filepath.Base(f))
	}
	if cut {
		defer e.cutHalfway(day.size)()
	}
	start := time.Now()
	out, err := e.branch.Command(context.Background(), "curl", args...).Output()
	took := time.Since(start)
	if err != nil {
		b.Fatalf("curl: %v", err)
	}
	if n := strings.Count(string(out), "201\n"); n != len(day.files) {
		b.Fatalf("curl sent %d of %d files", n, len(day.files))
	}
	return took
}

// syncDay syncs a copy of the day to a new central server over the link,
// as the station does (a round; another a second later when one fails),
// with the link cut for linkCut once half the day's bytes have gone when
// cut is set. It checks the server holds the day, and gives how long it
// took and the payload bytes the branch sent.
func (e *branchLink) syncDay(b *testing.B, day branchDay, cut bool) (time.Duration, int64) {
	ctx := context.Background()
	dir := b.TempDir()
	if err := os.CopyFS(dir, os.DirFS(day.dir)); err != nil {
		b.Fatal(err)
	}
	s, err := store.Open(ctx, dir, store.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	cdir := b.TempDir()
	db, err := central.Open(ctx, filepath.Join(cdir, "central.db"), cdir)
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.AddStation(ctx, central.Principal{Office: "001", Station: "01"}, central.HashToken("tok-branch")); err != nil {
		b.Fatal(err)
	}
	base := e.serve(b, server.New(db, nil, server.DefaultLimits).Handler())
	// The options the station syncs with: a few retries, not long.
	cl, err := client.New(base, "tok-branch", s, client.Options{Retries: 3, MaxWait: 10 * time.Second, Dial: e.branch.DialContext})
	if err != nil {
		b.Fatal(err)
	}
	defer cl.Close()

	if cut {
		defer e.cutHalfway(day.size)()
	}
	sent0, start := e.sent(), time.Now()
	for rounds := 1; ; rounds++ {
		rep, err := cl.Sync(ctx)
		if err == nil && rep.Failed == 0 {
			break
		}
		if rounds == 30 {
			b.Fatalf("the day is not synced after %d rounds: %+v %v", rounds, rep, err)
		}
		time.Sleep(time.Second)
	}
	took := time.Since(start)

	// Everything arrived, once, as the station holds it.
	held, err := db.List(ctx, central.Filter{Limit: 10 * dayOfLetter})
	if err != nil {
		b.Fatal(err)
	}
	if len(held) != dayOfLetter {
		b.Fatalf("the server holds %d radicados, want %d", len(held), dayOfLetter)
	}
	seen := map[string]bool{}
	for _, h := range held {
		rec, err := s.Get(ctx, h.Number)
		if err != nil || seen[h.Number] || h.ContentSHA256 != client.ToWire(rec).Content() {
			b.Fatalf("%s: held twice, or not as the station has it (%v)", h.Number, err)
		}
		seen[h.Number] = true
	}
	if n, _ := db.Conflicts(ctx, ""); n != 0 {
		b.Fatalf("%d conflicts", n)
	}
	if n, err := s.PendingSync(ctx); err != nil || n != 0 {
		b.Fatalf("%d radicados still wait on the station (%v)", n, err)
	}
	return took, e.sent() - sent0
}

func BenchmarkBranchLink(b *testing.B) {
	b.StopTimer()
	day := newBranchDay(b)
	e := newBranchLink(b)
	// The bound on what a cut may cost: every request in flight, each as
	// large as the largest radicado, with its JSON.
	inFlight := int64(4) * (day.largest + 8<<10)
	for range b.N {
		curlTook := e.curl(b, day, false)
		b.StartTimer()
		took, sent := e.syncDay(b, day, false)
		b.StopTimer()
		cutTook, cutSent := e.syncDay(b, day, true)
		curlCutTook := e.curl(b, day, true)
		onLink := time.Duration(float64(day.size*8) / linkRate * float64(time.Second))
		resent := max(0, cutSent-sent) // headers differ by a few bytes from run to run

		b.ReportMetric(curlTook.Seconds(), "curl-s")
		b.ReportMetric(took.Seconds(), "sync-s")
		b.ReportMetric(100*took.Seconds()/curlTook.Seconds(), "%-of-curl-time")
		b.ReportMetric(cutTook.Seconds(), "cut-sync-s")
		b.ReportMetric(curlCutTook.Seconds(), "cut-curl-s")
		b.ReportMetric(float64(resent)/1e3, "resent-kB")
		b.ReportMetric(float64(inFlight)/1e3, "in-flight-kB")
		b.Logf("%d letters, %d documents, %.1f MB: %v of bytes on the link; curl %v, sync %v (%.0f%% of curl), sent %.1f MB",
			dayOfLetter, len(day.files), float64(day.size)/1e6, onLink.Round(100*time.Millisecond), curlTook.Round(100*time.Millisecond),
			took.Round(100*time.Millisecond), 100*took.Seconds()/curlTook.Seconds(), float64(sent)/1e6)
		b.Logf("cut for %v in the middle: synced in %v, %.1f kB sent again (in flight at most %.1f kB); curl %v",
			linkCut, cutTook.Round(100*time.Millisecond), float64(resent)/1e3, float64(inFlight)/1e3, curlCutTook.Round(100*time.Millisecond))
		if resent > inFlight {
			b.Errorf("the cut cost %d bytes sent again, more than the %d in flight", resent, inFlight)
		}
	}
	ab, ba := e.link.Stats()
	b.Logf("the link, branch to central: %+v; back: %+v", ab, ba)
}
