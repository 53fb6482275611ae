// Package seed fills a station's data folder with many radicados, once,
// for the benchmarks that start the station over a large store.
package seed

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// Size is how many radicados the startup benchmarks' store holds:
// $RADICADOR_BENCH_N, or 100,000.
func Size() int {
	if n, err := strconv.Atoi(os.Getenv("RADICADOR_BENCH_N")); err == nil && n > 0 {
		return n
	}
	return 100000
}

// Station gives a data folder holding n radicados. It is made once
// and kept in the temporary folder for later runs (it takes minutes).
func Station(b testing.TB, n int) string {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("radicador-bench-ui-%d", n))
	if st, err := station.Open(ctx, dir, station.Options{}); err == nil {
		rs, lerr := st.Records.List(ctx, store.Filter{Limit: 1})
		status, _ := st.Sync.Status(ctx)
		st.Close()
		if lerr == nil && len(rs) == 1 && status.Pending == n {
			return dir
		}
	}
	os.RemoveAll(dir)
	// One radicado a second from a year ago, so that the clock never goes
	// back and the numbering is the real one.
	at := time.Now().Add(-time.Duration(n+10) * time.Second)
	s, err := store.Open(ctx, dir, store.Options{Clock: func() time.Time { return at }})
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
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
