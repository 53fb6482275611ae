package ocr

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/pagegen"
)

// batch gives 20 letter pages at 300 dpi: the shared corpus when present,
// pages drawn here otherwise.
func batch(b *testing.B) []string {
	files, _ := filepath.Glob("../../shared/corpus/letters/*.[jp][pn]g")
	sort.Strings(files)
	if len(files) >= 20 {
		return files[:20]
	}
	b.Log("no corpus at ../../shared/corpus/letters: reading pages drawn by the test")
	dir := b.TempDir()
	var out []string
	for i := range 20 {
		out = append(out, page(b, dir, i+1, pagegen.Gray(pagegen.Spec{DPI: 300, Lines: append([]string{fmt.Sprintf("Carta %d", i)}, letter...)})))
	}
	return out
}

// BenchmarkThroughput reads a batch of 20 letters with the engine pool and,
// in the same run, with the tesseract command line page by page, with and
// without OMP_THREAD_LIMIT=1. It reports pages per minute.
func BenchmarkThroughput(b *testing.B) {
	pages := batch(b)
	report := func(b *testing.B, start time.Time) {
		b.ReportMetric(float64(len(pages)*b.N)/time.Since(start).Minutes(), "pages/min")
	}
	b.Run("engine-pool", func(b *testing.B) {
		e := engine(b)
		e.ReadAll(context.Background(), b.TempDir(), pages[:e.Workers()]) // warm up each engine
		b.ResetTimer()
		start := time.Now()
		for range b.N {
			for _, p := range e.ReadAll(context.Background(), b.TempDir(), pages) {
				if p.Err != nil {
					b.Fatal(p.Err)
				}
			}
		}
		report(b, start)
	})
	cli := func(limit bool) func(*testing.B) {
		return func(b *testing.B) {
			env := os.Environ()
			if limit {
				env = append(env, "OMP_THREAD_LIMIT=1")
			} else {
				var clean []string
				for _, kv := range env {
					if len(kv) < 17 || kv[:17] != "OMP_THREAD_LIMIT=" {
						clean = append(clean, kv)
					}
				}
				env = clean
			}
			start := time.Now()
			for range b.N {
				for _, p := range pages {
					cmd := exec.Command("tesseract", p, "-", "-l", "spa+eng")
					cmd.Env = env
					if out, err := cmd.Output(); err != nil || len(out) == 0 {
						b.Fatalf("tesseract %s: %v", p, err)
					}
				}
			}
			report(b, start)
		}
	}
	b.Run("tesseract-cli-omp1", cli(true))
	b.Run("tesseract-cli-openmp", cli(false))
}
