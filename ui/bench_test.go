package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// benchSize is how many radicados the startup benchmark's store holds:
// $RADICADOR_BENCH_N, or 100,000.
func benchSize() int {
	if n, err := strconv.Atoi(os.Getenv("RADICADOR_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// seededStation gives a data folder holding n radicados. It is made once
// and kept in the temporary folder for later runs (it takes minutes).
func seededStation(b *testing.B, n int) string {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("radicador-bench-ui-%d", n))
	if st, err := station.Open(ctx, dir, station.Options{}); err == nil {
		rs, lerr := st.List(ctx, store.Filter{Limit: 1})
		pending, _ := st.PendingSync(ctx)
		st.Close()
		if lerr == nil && len(rs) == 1 && pending == n {
			return dir
		}
	}
	os.RemoveAll(dir)
	// One radicado a second from a year ago, so that the clock never goes
	// back and the numbering is the real one.
	at := time.Now().Add(-time.Duration(n+10) * time.Second)
	st, err := station.Open(ctx, dir, station.Options{Actor: "bench", Clock: func() time.Time { return at }})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := st.Store()
	sum, size, err := s.Blobs().Put(ctx, strings.NewReader("one page shared by the seeded radicados"))
	if err != nil {
		b.Fatal(err)
	}
	file := radicado.File{SHA256: sum, Size: size, Name: "carta.png", MediaType: "image/png", Pages: 1}
	pattern := radicado.MustPattern(radicado.DefaultPattern)
	id, _ := ident.Parse("CC:79845112")
	start := time.Now()
	for i := range n {
		at = at.Add(time.Second)
		_, err := s.Radicar(ctx, store.Draft{Pattern: pattern, Office: "001", Station: "01", Kind: radicado.Entrada,
			Type: "peticion", Sender: radicado.Sender{Name: fmt.Sprintf("Remitente %d", i%5000), ID: id},
			Subject: fmt.Sprintf("Derecho de petición número %d", i), Files: []radicado.File{file}, Actor: "bench",
			Due: func(time.Time) (calendar.Date, error) { return calendar.Date{Year: 2026, Month: 12, Day: 15}, nil }})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d radicados in %s", n, time.Since(start).Round(time.Second))
	return dir
}

// BenchmarkStartup measures the station's start to a usable window over a
// store of 100,000 radicados: opening the store, reading the
// configuration, building every screen and showing the count waiting to
// sync. Fyne's test driver stands in for the GL window (the real window
// under Xvfb is TestDesktopUnderXvfb's). Beside it, the plain alternative:
// opening the store and counting what waits to sync, with no window.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	dir := seededStation(b, benchSize())
	b.Run("window", func(b *testing.B) {
		a := test.NewTempApp(b)
		for b.Loop() {
			st, err := station.Open(ctx, dir, station.Options{})
			if err != nil {
				b.Fatal(err)
			}
			w, err := NewWindow(ctx, a, st, Options{Lang: "es", Devices: noDevices, handOver: true})
			if err != nil {
				b.Fatal(err)
			}
			w.wait()
			if !strings.HasPrefix(w.footer.Text, "Por sincronizar: "+strconv.Itoa(benchSize())) {
				b.Fatalf("footer %q", w.footer.Text)
			}
			w.Close()
			w.Window.Close()
			st.Close()
		}
	})
	b.Run("store-only", func(b *testing.B) {
		for b.Loop() {
			st, err := station.Open(ctx, dir, station.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.PendingSync(ctx); err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	b.Run("tray", func(b *testing.B) {
		st, err := station.Open(ctx, dir, station.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		w, err := NewWindow(ctx, test.NewTempApp(b), st, Options{Lang: "es", Devices: noDevices, handOver: true})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		w.tray.period.SetSelectedIndex(len(trayPeriods) - 1) // all
		for b.Loop() {
			w.tray.refresh()
			w.wait()
			if len(w.tray.rows) != min(trayLimit, benchSize()) {
				b.Fatalf("%d rows", len(w.tray.rows))
			}
		}
	})
}
