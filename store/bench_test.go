package store

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

// Seeded stores are built once per size and reused by every benchmark of
// the run; building 100,000 radicados takes a while.
var (
	seededMu sync.Mutex
	seeded   = map[int]string{}
)

var (
	givenNames = []string{"Ana", "María", "Luis", "Carlos", "Héctor", "Sandra", "Jorge", "Paola", "Andrés", "Luz", "Diana", "Fabio", "Camila", "Julián", "Gloria"}
	surnames   = []string{"Pérez", "Gómez", "Rodríguez", "Cárdenas", "Martínez", "López", "Jiménez", "Díaz", "Moreno", "Rojas", "Vargas", "Castro", "Ortiz", "Muñoz", "Suárez", "Quintero"}
	subjects   = []string{"Derecho de petición - solicitud de copia de %s", "Queja por cobro de %s", "Factura electrónica FV-%d", "Cuenta de cobro honorarios %s",
		"Acción de tutela radicado %d", "Oficio solicitud de información %s", "Reclamo por demora en %s", "Solicitud de certificado de %s"}
	objects = []string{"extractos", "pagos", "contrato", "servicios", "pensión", "cesantías", "intereses", "seguro", "crédito", "tarjeta", "cuenta", "historia laboral"}
)

// benchDraft gives the i-th letter of a varied synthetic day.
func benchDraft(rng *rand.Rand, s *Store, file radicado.File) Draft {
	name := givenNames[rng.IntN(len(givenNames))] + " " + surnames[rng.IntN(len(surnames))] + " " + surnames[rng.IntN(len(surnames))]
	subj := subjects[rng.IntN(len(subjects))]
	if strings.Contains(subj, "%d") {
		subj = fmt.Sprintf(subj, rng.IntN(100000))
	} else {
		subj = fmt.Sprintf(subj, objects[rng.IntN(len(objects))])
	}
	id, _ := ident.New(ident.CC, fmt.Sprint(10000000+rng.IntN(89999999)))
	return Draft{
		Pattern: radicado.MustPattern(radicado.DefaultPattern), Office: "001", Station: "01",
		Kind: radicado.Kinds[rng.IntN(3)], Type: "peticion", Sender: radicado.Sender{Name: name, ID: id},
		Subject: subj, Dept: "CONT", Files: []radicado.File{file}, Actor: "bench", Keywords: "Derecho de petición",
		Due: func(time.Time) (calendar.Date, error) { return calendar.Date{Year: 2026, Month: 12, Day: 15}, nil },
	}
}

// seededStore opens a store holding n radicados.
func seededStore(b *testing.B, n int) (*Store, radicado.File) {
	b.Helper()
	ctx := context.Background()
	seededMu.Lock()
	defer seededMu.Unlock()
	dir, ok := seeded[n]
	if !ok {
		dir = filepath.Join(benchRoot(b), fmt.Sprint(n))
		s, err := Open(ctx, dir, Options{})
		if err != nil {
			b.Fatal(err)
		}
		// Seeding only: one connection without fsync. What is measured
		// afterwards runs with the store's own settings.
		s.db.SetMaxOpenConns(1)
		if _, err := s.db.Exec(`PRAGMA synchronous = OFF`); err != nil {
			b.Fatal(err)
		}
		file := putFile(b, s, "one page shared by the seeded radicados")
		rng := rand.New(rand.NewPCG(1, uint64(n)))
		start := time.Now()
		for range n {
			if _, err := s.Radicar(ctx, benchDraft(rng, s, file)); err != nil {
				b.Fatal(err)
			}
		}
		b.Logf("seeded %d radicados in %s", n, time.Since(start).Round(time.Millisecond))
		s.Close()
		seeded[n] = dir
	}
	s, err := Open(ctx, dir, Options{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s, putFile(b, s, "one page shared by the seeded radicados")
}

var (
	benchRootOnce sync.Once
	benchRootDir  string
)

// benchRoot is a folder that lives for the whole benchmark run.
func benchRoot(b *testing.B) string {
	benchRootOnce.Do(func() {
		dir, err := os.MkdirTemp("", "radicador-bench-")
		if err != nil {
			b.Fatal(err)
		}
		benchRootDir = dir
	})
	return benchRootDir
}

// BenchmarkRadicar gives a number and records it durably (fsync of the WAL
// at commit) in stores of growing size. The plain alternative is one INSERT
// of a row into a table of the same size, committed with the same fsync: the
// floor that any durable record pays.
func BenchmarkRadicar(b *testing.B) {
	for _, n := range []int{1000, 10000, 100000} {
		b.Run(fmt.Sprintf("store=%d", n), func(b *testing.B) {
			s, file := seededStore(b, n)
			ctx := context.Background()
			rng := rand.New(rand.NewPCG(2, uint64(n)))
			b.ResetTimer()
			for b.Loop() {
				if _, err := s.Radicar(ctx, benchDraft(rng, s, file)); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("plain-insert/store=%d", n), func(b *testing.B) {
			s, _ := seededStore(b, n)
			db, err := sql.Open("sqlite", filepath.Join(s.Dir(), "plain.db")+"?_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)")
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, number TEXT UNIQUE, body TEXT)`); err != nil {
				b.Fatal(err)
			}
			var have int
			db.QueryRow(`SELECT COUNT(*) FROM t`).Scan(&have)
			tx, _ := db.Begin()
			for i := have; i < n; i++ {
				tx.Exec(`INSERT INTO t (number, body) VALUES (?, ?)`, fmt.Sprint(i), "seed")
			}
			tx.Commit()
			b.ResetTimer()
			i := n * 10
			for b.Loop() {
				i++
				if _, err := db.Exec(`INSERT INTO t (number, body) VALUES (?, ?)`, fmt.Sprint(i), "a letter"); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSearch runs the full-text search a clerk types over 100,000
// radicados and reports the 95th percentile; the plain alternative scans
// the table with LIKE.
func BenchmarkSearch(b *testing.B) {
	queries := []string{"Cárdenas Suárez", "pension", "petición extractos", "FV-4242", "Quintero Luz", "tarj"}
	run := func(b *testing.B, search func(string) (int, error)) {
		var times []time.Duration
		i := 0
		for b.Loop() {
			q := queries[i%len(queries)]
			i++
			start := time.Now()
			if _, err := search(q); err != nil {
				b.Fatal(err)
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)*95/100].Microseconds())/1000, "p95-ms")
	}
	s, _ := seededStore(b, 100000)
	ctx := context.Background()
	b.Run("fts", func(b *testing.B) {
		run(b, func(q string) (int, error) {
			rs, err := s.Search(ctx, q, 50)
			return len(rs), err
		})
	})
	b.Run("plain-like", func(b *testing.B) {
		run(b, func(q string) (int, error) {
			var where []string
			var args []any
			for _, w := range strings.Fields(q) {
				where = append(where, "(sender_name LIKE ? OR subject LIKE ? OR number LIKE ?)")
				args = append(args, "%"+w+"%", "%"+w+"%", "%"+w+"%")
			}
			args = append(args, 50)
			rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+` FROM radicados r WHERE `+strings.Join(where, " AND ")+` ORDER BY r.id DESC LIMIT ?`, args...)
			if err != nil {
				return 0, err
			}
			defer rows.Close()
			n := 0
			for rows.Next() {
				if _, _, err := scanRecord(rows); err != nil {
					return 0, err
				}
				n++
			}
			return n, rows.Err()
		})
	})
}

func TestMain(m *testing.M) {
	if dir := os.Getenv(openChildEnv); dir != "" {
		openChild(dir)
	}
	code := m.Run()
	if benchRootDir != "" {
		os.RemoveAll(benchRootDir)
	}
	os.Exit(code)
}
