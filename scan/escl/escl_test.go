package escl_test

import (
	"context"
	"errors"
	"fmt"
	"image"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/escl"
	"github.com/radicador/radicador/scan/escl/sim"
)

func start(t testing.TB, opt sim.Options) (*sim.Server, string) {
	t.Helper()
	// The simulated scanner names a host of its own in job locations: the
	// client must keep the one it reached the scanner at.
	opt.LocationHost = "scanner.invalid"
	s := sim.New(opt)
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return s, "escl:" + ts.URL + "/eSCL"
}

func open(t testing.TB, uri string) *escl.Scanner {
	t.Helper()
	sc, err := scan.Open(context.Background(), uri)
	if err != nil {
		t.Fatal(err)
	}
	s := sc.(*escl.Scanner)
	s.Client.RetryPause = 10 * time.Millisecond
	return s
}

type pages []scan.Page

func (p *pages) out(dir string) scan.Output {
	return scan.Output{Dir: dir, Page: func(pg scan.Page) error { *p = append(*p, pg); return nil }}
}

func decodeAll(t *testing.T, ps pages) {
	t.Helper()
	for _, p := range ps {
		f, err := os.Open(p.Path)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatalf("page %d: %v", p.Index, err)
		}
		if img.Bounds().Dx() != p.Width || img.Bounds().Dy() != p.Height {
			t.Errorf("page %d is %v, reported %d×%d", p.Index, img.Bounds(), p.Width, p.Height)
		}
	}
}

var gray75 = scan.Settings{Source: scan.ADF, DPI: 75, Mode: scan.Gray, PageSize: scan.Carta}

func TestCapabilities(t *testing.T) {
	_, uri := start(t, sim.Options{})
	caps, err := open(t, uri).Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(caps.Sources) != 3 || len(caps.Modes) != 3 || caps.Resolutions[0] != 75 || caps.MaxHeight < 355 {
		t.Errorf("capabilities %+v", caps)
	}
}

func TestScanJobs(t *testing.T) {
	for _, tc := range []struct {
		name    string
		opt     sim.Options
		set     scan.Settings
		pages   int
		wantErr error
		errText string
		deleted int
	}{
		{"200-page feeder job", sim.Options{Sheets: 200}, gray75, 200, nil, "", 0},
		{"503 answers are waited out", sim.Options{Sheets: 12, Busy503: 3}, gray75, 12, nil, "", 0},
		{"duplex gives both sides", sim.Options{Sheets: 3}, scan.Settings{Source: scan.Duplex, DPI: 75, Mode: scan.Gray}, 6, nil, "", 0},
		{"flatbed gives one page", sim.Options{}, scan.Settings{Source: scan.Flatbed, DPI: 100, Mode: scan.Color, PageSize: scan.A4}, 1, nil, "", 1},
		{"black and white", sim.Options{Sheets: 2}, scan.Settings{Source: scan.ADF, DPI: 100, Mode: scan.BW}, 2, nil, "", 0},
		{"jam keeps the pages before", sim.Options{Sheets: 10, JamAfter: 4}, gray75, 4, scan.ErrJammed, "4 pages", 0},
		{"a job that vanishes", sim.Options{Sheets: 10, VanishAfter: 3}, gray75, 3, nil, "dropped the job with paper still in the feeder", 0},
		{"empty feeder", sim.Options{Empty: true}, gray75, 0, scan.ErrNoDocs, "", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, uri := start(t, tc.opt)
			var got pages
			err := open(t, uri).Scan(context.Background(), tc.set, got.out(t.TempDir()))
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Errorf("error %v, want %v", err, tc.wantErr)
			case tc.errText != "" && (err == nil || !strings.Contains(err.Error(), tc.errText)):
				t.Errorf("error %v, want one saying %q", err, tc.errText)
			case tc.wantErr == nil && tc.errText == "" && err != nil:
				t.Errorf("error %v", err)
			}
			if len(got) != tc.pages {
				t.Errorf("%d pages, want %d", len(got), tc.pages)
			}
			decodeAll(t, got)
			if d := srv.Requests("DELETE job"); d != tc.deleted && tc.errText == "" && tc.wantErr == nil {
				t.Errorf("%d DELETE requests, want %d", d, tc.deleted)
			}
			if tc.opt.Busy503 > 0 && srv.Requests("GET NextDocument") <= tc.pages+1 {
				t.Errorf("no 503 was answered (%d NextDocument requests)", srv.Requests("GET NextDocument"))
			}
		})
	}
}

func TestCancelDeletesTheJob(t *testing.T) {
	srv, uri := start(t, sim.Options{Sheets: 50, Delay: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	var got pages
	out := got.out(t.TempDir())
	out.Page = func(p scan.Page) error {
		got = append(got, p)
		if len(got) == 2 {
			cancel()
		}
		return nil
	}
	err := open(t, uri).Scan(ctx, gray75, out)
	if !errors.Is(err, scan.ErrCancelled) {
		t.Fatalf("error %v, want ErrCancelled", err)
	}
	if len(got) != 2 {
		t.Errorf("%d pages kept", len(got))
	}
	if srv.Requests("DELETE job") != 1 {
		t.Errorf("%d DELETE requests after a cancel, want 1", srv.Requests("DELETE job"))
	}
	decodeAll(t, got)
}

func TestBadCapabilities(t *testing.T) {
	_, uri := start(t, sim.Options{BadXML: true})
	_, err := scan.Open(context.Background(), uri)
	if err == nil || !strings.Contains(err.Error(), "not valid eSCL XML") {
		t.Errorf("open of a scanner with broken XML: %v", err)
	}
	if _, err := scan.Open(context.Background(), "escl:http://127.0.0.1:1/eSCL"); err == nil {
		t.Error("opened a scanner nobody answers for")
	}
}

func TestParseRejects(t *testing.T) {
	for _, x := range []string{
		``, `<nope/>`, `<scan:ScannerCapabilities xmlns:scan="` + escl.NSScan + `"></scan:ScannerCapabilities>`,
		`<ScannerCapabilities><Platen><PlatenInputCaps><MaxWidth>-5</MaxWidth></PlatenInputCaps></Platen></ScannerCapabilities>`,
	} {
		if _, err := escl.ParseCapabilities([]byte(x)); err == nil {
			t.Errorf("ParseCapabilities(%q) accepted", x)
		}
	}
}

func FuzzParseCapabilities(f *testing.F) {
	f.Add([]byte(`<ScannerCapabilities><Platen><PlatenInputCaps><MaxWidth>2550</MaxWidth></PlatenInputCaps></Platen></ScannerCapabilities>`))
	f.Add([]byte(`<ScannerStatus><State>Idle</State><Jobs><JobInfo><JobUri>/x</JobUri></JobInfo></Jobs></ScannerStatus>`))
	f.Fuzz(func(t *testing.T, b []byte) {
		escl.ParseCapabilities(b)
		escl.ParseStatus(b)
		if s, err := escl.ParseSettings(b); err == nil {
			// What we write, we read back.
			back, err := escl.ParseSettings(s.Marshal())
			if err != nil {
				t.Fatalf("settings do not read back: %v", err)
			}
			if back.ColorMode != s.ColorMode || back.XResolution != s.XResolution || back.InputSource != s.InputSource {
				t.Fatalf("settings changed on the way: %+v → %+v", s, back)
			}
		}
	})
}

// BenchmarkFeederMemory scans feeder jobs of 20 and 200 pages and reports
// the peak heap seen after each page: it must not grow with the batch.
func BenchmarkFeederMemory(b *testing.B) {
	for _, sheets := range []int{20, 200} {
		b.Run(fmt.Sprintf("%d-pages", sheets), func(b *testing.B) {
			_, uri := start(b, sim.Options{Sheets: sheets})
			s := open(b, uri)
			var peak uint64
			for b.Loop() {
				dir := b.TempDir()
				var ms runtime.MemStats
				out := scan.Output{Dir: dir, Page: func(p scan.Page) error {
					runtime.ReadMemStats(&ms)
					peak = max(peak, ms.HeapInuse)
					return os.Remove(p.Path)
				}}
				if err := s.Scan(context.Background(), scan.Settings{Source: scan.ADF, DPI: 150, Mode: scan.Gray, PageSize: scan.Carta}, out); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
		})
	}
}

// TestMemoryFlat scans 20 and then 200 pages: the heap in use while pages
// arrive must not grow with the batch, since each page goes straight to disk.
func TestMemoryFlat(t *testing.T) {
	peak := func(sheets int) uint64 {
		_, uri := start(t, sim.Options{Sheets: sheets})
		s := open(t, uri)
		var p uint64
		var ms runtime.MemStats
		out := scan.Output{Dir: t.TempDir(), Page: func(pg scan.Page) error {
			runtime.ReadMemStats(&ms)
			p = max(p, ms.HeapInuse)
			return os.Remove(pg.Path)
		}}
		runtime.GC()
		if err := s.Scan(context.Background(), gray75, out); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small, large := peak(20), peak(200)
	t.Logf("peak heap in use: %d KiB for 20 pages, %d KiB for 200", small>>10, large>>10)
	if large > small*3/2+(2<<20) {
		t.Errorf("heap grew with the batch: %d KiB for 20 pages, %d KiB for 200", small>>10, large>>10)
	}
}
