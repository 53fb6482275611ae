package central_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// The console at scale: a million radicados from 100 branches across 50
// departments, on SQLite and on PostgreSQL, and a department's inbox and
// a search in it, each beside the plain way of doing the same.
//
//	go test -run '^$' -bench Console -benchtime 200x ./central/
//
// RADICADOR_CONSOLE_N changes the size (default 1,000,000). The SQLite
// store is seeded once and kept in the temporary folder; PostgreSQL's is
// seeded in a fresh database each run (RADICADOR_TEST_PG).

func consoleSize() int {
	if n, err := strconv.Atoi(os.Getenv("RADICADOR_CONSOLE_N")); err == nil && n > 0 {
		return n
	}
	return 1_000_000
}

var (
	bogota     = time.FixedZone("COT", -5*3600)
	benchWords = strings.Fields(`certificado laboral paz salvo contrato factura pago servicio reclamo queja petición información
		copia historia clínica cuenta cobro tutela derecho fundamental salud pensión cesantías vacaciones nómina liquidación
		proveedor licitación propuesta oferta suministro mantenimiento vehículo predio impuesto avalúo catastro licencia
		construcción permiso ambiental agua alcantarillado energía alumbrado vía pavimento semáforo tránsito multa comparendo
		acuerdo pago subsidio vivienda educación beca matrícula transporte escolar alimentación biblioteca cultura deporte`)
	benchNames = strings.Fields(`Ana Juan María Luis Carmen Jorge Rosa Pedro Laura Andrés Sofía Diego Paula Camilo Valentina
		Santiago Daniela Felipe Natalia Sebastián Gloria Hernán Marta Óscar Lucía Julián Adriana Mauricio Patricia Ricardo`)
	benchSurnames = strings.Fields(`Pérez Gómez Rodríguez López Martínez García Hernández Díaz Moreno Álvarez Romero Torres
		Ramírez Vargas Castro Rojas Ortiz Jiménez Suárez Mejía Restrepo Osorio Cárdenas Zapata Londoño Echeverri Quintero
		Arango Salazar Giraldo Montoya Agudelo Ospina Velásquez Castaño Duque Henao Valencia Marín Bedoya`)
	benchTypes = []struct {
		code string
		days int
	}{{"peticion", 15}, {"informacion", 10}, {"consulta", 30}, {"queja_reclamo", 15}, {"tutela", 2}, {"factura", 3}, {"oficio", 0}}
)

// seedConsole fills a store with n radicados and their work, 50
// departments of three users each, and two supervisors, quickly and
// plainly (straight into the tables, as the store would have them).
func seedConsole(tb testing.TB, db *central.DB, raw *sql.DB, postgres bool, n int) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	for d := range 50 {
		code := fmt.Sprintf("D%02d", d)
		if err := db.AddDept(ctx, "bench", central.Dept{Code: code, Name: "Dependencia " + code}); err != nil {
			tb.Fatal(err)
		}
		for u := range 3 {
			if _, _, err := db.AddUser(ctx, "bench", central.User{Name: fmt.Sprintf("u%02d%d", d, u), Dept: code, Role: central.Funcionario}, "contraseña de prueba"); err != nil {
				tb.Fatal(err)
			}
		}
	}
	for _, name := range []string{"sup1", "sup2"} {
		if _, _, err := db.AddUser(ctx, "bench", central.User{Name: name, Role: central.Supervisor}, "contraseña de prueba"); err != nil {
			tb.Fatal(err)
		}
	}
	q := func(s string) string {
		if !postgres {
			return s
		}
		var b strings.Builder
		k := 0
		for _, r := range s {
			if r == '?' {
				k++
				fmt.Fprintf(&b, "$%d", k)
				continue
			}
			b.WriteRune(r)
		}
		return b.String()
	}
	const batch = 500
	start := time.Now()
	first := time.Date(2026, 1, 2, 8, 0, 0, 0, time.UTC)
	span := time.Date(2026, 11, 27, 17, 0, 0, 0, time.UTC).Sub(first)
	seqs := map[string]int{}
	file := `[{"sha256":"` + strings.Repeat("a", 64) + `","size":1000,"name":"carta.pdf","media_type":"application/pdf","pages":1}]`
	for done := 0; done < n; done += batch {
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			tb.Fatal(err)
		}
		var rArgs, wArgs []any
		var rVals, wVals []string
		for i := done; i < min(n, done+batch); i++ {
			office := fmt.Sprintf("%03d", 1+rng.IntN(100))
			seqs[office]++
			kind := 2
			if rng.IntN(10) == 0 {
				kind = 3
			}
			number := fmt.Sprintf("2026%s01%06d%d", office, seqs[office], kind)
			// Radicados arrive about in the order they were received; a
			// branch offline for days sends its own late.
			received := first.Add(time.Duration(int64(span) / int64(n) * int64(i)))
			if rng.IntN(20) == 0 {
				received = received.Add(-time.Duration(rng.Int64N(int64(5 * 24 * time.Hour))))
			}
			ty := benchTypes[rng.IntN(len(benchTypes))]
			due, yellow, red := "", "", ""
			if ty.days > 0 {
				d := calendar.DateOf(received).AddDays(ty.days * 7 / 5)
				due, yellow, red = d.String(), d.AddDays(-(ty.days*2/5 + 1)).String(), d.AddDays(-(ty.days/5 + 1)).String()
			}
			dept := fmt.Sprintf("D%02d", rng.IntN(50))
			if rng.IntN(200) == 0 {
				dept = ""
			}
			state := central.StateNew
			switch age := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC).Sub(received); {
			case age > 30*24*time.Hour && rng.IntN(20) != 0:
				state = []string{central.StateAnswered, central.StateArchived}[rng.IntN(2)]
			case age > 10*24*time.Hour:
				state = []string{central.StateAssigned, central.StateWorking, central.StateAnswered}[rng.IntN(3)]
			}
			// An answer some business days after receipt, late now and then.
			answeredAt, responseDays, onTime := "", -1, 0
			if state == central.StateAnswered || state == central.StateArchived {
				responseDays = 1 + rng.IntN(max(ty.days, 5)+5)
				answeredAt = calendar.DateOf(received).AddDays(responseDays * 7 / 5).String()
				if due == "" || answeredAt <= due {
					onTime = 1
				}
			}
			sender := benchNames[rng.IntN(len(benchNames))] + " " + benchSurnames[rng.IntN(len(benchSurnames))] + " " + benchSurnames[rng.IntN(len(benchSurnames))]
			subject := strings.Join([]string{benchWords[rng.IntN(len(benchWords))], benchWords[rng.IntN(len(benchWords))],
				benchWords[rng.IntN(len(benchWords))], benchWords[rng.IntN(len(benchWords))]}, " ")
			at := received.Format(time.RFC3339Nano)
			rVals = append(rVals, "(?, ?, '01', 2026, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)")
			rArgs = append(rArgs, number, office, kind, seqs[office], at, ty.code, sender, fmt.Sprintf("CC:%d", 10000000+rng.IntN(89999999)),
				subject, dept, due, strings.Repeat("b", 64), file, strconv.Itoa(i), at)
			wVals = append(wVals, "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			wArgs = append(wArgs, number, dept, state, at, due, due, ty.days, yellow, red, at,
				calendar.DateOf(received.In(bogota)).String(), office, ty.code, "ventanilla", answeredAt, responseDays, onTime)
		}
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO radicados (number, office, station, year, kind, seq, received_at, doc_type, sender_name,
			sender_id, subject, dept, due, pages, sha256, files, content_sha256, arrived_at) VALUES `+strings.Join(rVals, ", ")), rArgs...); err != nil {
			tb.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO work (number, dept, state, received_at, due, first_due, term_days, yellow_on, red_on,
			updated_at, received_on, office, doc_type, channel, answered_at, response_days, on_time) VALUES `+strings.Join(wVals, ", ")), wArgs...); err != nil {
			tb.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			tb.Fatal(err)
		}
	}
	if postgres {
		// As addWork does for each radicado: its words, for search.
		if _, err := raw.ExecContext(ctx, `UPDATE work SET search = to_tsvector('spanish', r.number || ' ' || r.sender_name || ' ' ||
			r.sender_id || ' ' || r.subject || ' ' || r.doc_type) FROM radicados r WHERE r.number = work.number`); err != nil {
			tb.Fatal(err)
		}
		raw.ExecContext(ctx, `VACUUM ANALYZE`)
	} else {
		raw.ExecContext(ctx, `ANALYZE`)
	}
	tb.Logf("seeded %d radicados in %v", n, time.Since(start).Round(time.Second))
}

// benchStore gives the store of kind ("sqlite" or "postgres") with n
// radicados, seeded (SQLite: once, kept for later runs).
func benchStore(b *testing.B, kind string, n int) *central.DB {
	ctx := context.Background()
	if kind == "postgres" {
		if os.Getenv("RADICADOR_BENCH_PG_KEEP") != "" {
			return keptPostgres(b, n)
		}
		db, raw := centraltest.PostgresRaw(b)
		seedConsole(b, db, raw, true, n)
		return db
	}
	// (named for the seed's version: an older one lacks the columns of
	// tracking)
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("radicador-bench-central-v3-%d", n))
	if _, err := os.Stat(filepath.Join(dir, "seeded")); err != nil {
		os.RemoveAll(dir)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			b.Fatal(err)
		}
		db, err := central.Open(ctx, filepath.Join(dir, "server.db"), dir)
		if err != nil {
			b.Fatal(err)
		}
		raw, err := sql.Open("sqlite", filepath.Join(dir, "server.db")+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)")
		if err != nil {
			b.Fatal(err)
		}
		seedConsole(b, db, raw, false, n)
		raw.Close()
		db.Close()
		os.WriteFile(filepath.Join(dir, "seeded"), nil, 0o644)
	}
	db, err := central.Open(ctx, filepath.Join(dir, "server.db"), dir)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

func BenchmarkConsole(b *testing.B) {
	n := consoleSize()
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			db := benchStore(b, kind, n)
			ctx := context.Background()
			users, err := db.Users(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var staff, sups []central.User
			for _, u := range users {
				if u.Role == central.Supervisor {
					sups = append(sups, u)
				} else if u.Dept != "" {
					staff = append(staff, u)
				}
			}
			asOf := calendar.Date{Year: 2026, Month: 11, Day: 30}
			rng := rand.New(rand.NewPCG(3, 4))
			type query struct {
				name string
				run  func() error
			}
			pick := func() central.User { return staff[rng.IntN(len(staff))] }
			word := func() string {
				if rng.IntN(2) == 0 {
					return benchSurnames[rng.IntN(len(benchSurnames))]
				}
				return benchWords[rng.IntN(len(benchWords))]
			}
			queries := []query{
				{"inbox of a department", func() error {
					_, _, err := db.Inbox(ctx, pick(), central.InboxFilter{AsOf: asOf})
					return err
				}},
				{"its red ones", func() error {
					_, _, err := db.Inbox(ctx, pick(), central.InboxFilter{AsOf: asOf, Light: central.Red})
					return err
				}},
				{"a search in a department", func() error {
					_, _, err := db.Inbox(ctx, pick(), central.InboxFilter{AsOf: asOf, State: "all", Query: word()})
					return err
				}},
				{"a supervisor's inbox", func() error {
					_, _, err := db.Inbox(ctx, sups[rng.IntN(len(sups))], central.InboxFilter{AsOf: asOf})
					return err
				}},
				{"a supervisor's search", func() error {
					_, _, err := db.Inbox(ctx, sups[rng.IntN(len(sups))], central.InboxFilter{AsOf: asOf, State: "all", Query: word() + " " + word()})
					return err
				}},
				{"plain: every open radicado of a department, page after page", func() error {
					_, err := plainInbox(ctx, db, pick().Dept)
					return err
				}},
				{"plain: a search by LIKE", func() error {
					_, err := plainSearch(ctx, db, word())
					return err
				}},
			}
			for _, qq := range queries {
				b.Run(qq.name, func(b *testing.B) { percentiles(b, qq.run) })
			}
		})
	}
}

func BenchmarkDashboard(b *testing.B) {
	n := consoleSize()
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			db := benchStore(b, kind, n)
			ctx := context.Background()
			users, err := db.Users(ctx)
			if err != nil {
				b.Fatal(err)
			}
			var heads []central.User
			var sup central.User
			for _, u := range users {
				switch {
				case u.Role == central.Supervisor:
					sup = u
				case u.Dept != "" && strings.HasSuffix(u.Name, "0"):
					u.Role = central.Jefe // the first of each department, as its head
					heads = append(heads, u)
				}
			}
			day := calendar.Date{Year: 2026, Month: 11, Day: 30}
			month := central.StatsFilter{From: calendar.Date{Year: 2026, Month: 11, Day: 1}, To: day, AsOf: day}
			quarter := central.StatsFilter{From: calendar.Date{Year: 2026, Month: 9, Day: 1}, To: day, AsOf: day}
			rng := rand.New(rand.NewPCG(5, 6))
			for _, qq := range []struct {
				name string
				run  func() error
			}{
				{"the organisation's month", func() error { _, err := db.Stats(ctx, sup, month); return err }},
				{"a head's month", func() error { _, err := db.Stats(ctx, heads[rng.IntN(len(heads))], month); return err }},
				{"the organisation's quarter", func() error { _, err := db.Stats(ctx, sup, quarter); return err }},
				{"the organisation's month as of next week", func() error {
					f := month
					f.AsOf = day.AddDays(7)
					_, err := db.Stats(ctx, sup, f)
					return err
				}},
				{"plain: the month's radicados and the open ones read and counted in Go", func() error { return plainStats(ctx, db, month) }},
			} {
				b.Run(qq.name, func(b *testing.B) { percentiles(b, qq.run) })
			}
		})
	}
}

// plainStats counts what the dashboard shows the plain way: every
// radicado received in the period and every open one read whole, with
// the radicado's own fields, and counted in Go.
func plainStats(ctx context.Context, db *central.DB, f central.StatsFilter) error {
	counts := map[string]int{}
	from := f.From.In(bogota).UTC().Format(time.RFC3339)
	to := f.To.AddDays(1).In(bogota).UTC().Format(time.RFC3339)
	var done int
	for _, q := range []struct {
		where string
		args  []any
	}{{"w.received_at >= ? AND w.received_at < ?", []any{from, to}}, {"w.open = 1", nil}} {
		rows, err := db.RawQuery(ctx, `SELECT r.received_at, r.office, w.dept, r.doc_type, w.answered_at, w.due, w.red_on, w.yellow_on
			FROM work w JOIN radicados r ON r.number = w.number WHERE `+q.where, q.args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			var received, office, dept, docType, answered, due, red, yellow string
			if err := rows.Scan(&received, &office, &dept, &docType, &answered, &due, &red, &yellow); err != nil {
				rows.Close()
				return err
			}
			counts[received[:10]]++
			counts[office]++
			counts[dept+docType]++
			if answered != "" && due != "" && answered <= due {
				done++
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	return nil
}

// percentiles runs run b.N times and reports its median and 95th
// percentile, in milliseconds.
func percentiles(b *testing.B, run func() error) {
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		if err := run(); err != nil {
			b.Fatal(err)
		}
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
}

// plainInbox reads every open radicado of a department and sorts them by
// due date in Go: what the inbox does without its indexes and limit.
func plainInbox(ctx context.Context, db *central.DB, dept string) (int, error) {
	items, _, err := db.Inbox(ctx, central.User{Role: central.Supervisor}, central.InboxFilter{Dept: dept, Limit: 500})
	if err != nil {
		return 0, err
	}
	n := len(items)
	for off := 500; n == off; off += 500 {
		more, _, err := db.Inbox(ctx, central.User{Role: central.Supervisor}, central.InboxFilter{Dept: dept, Limit: 500, Offset: off})
		if err != nil {
			return n, err
		}
		n += len(more)
	}
	return n, nil
}

// plainSearch finds a word by scanning the radicados with LIKE.
func plainSearch(ctx context.Context, db *central.DB, w string) (int, error) {
	list, err := db.List(ctx, central.Filter{Query: w, Limit: 50})
	return len(list), err
}

// keptPostgres gives a PostgreSQL store of n radicados that stays after
// the run (RADICADOR_BENCH_PG_KEEP): seeded once, in a database named for
// its size, for looking at query plans between runs.
func keptPostgres(b *testing.B, n int) *central.DB {
	ctx := context.Background()
	base := os.Getenv("RADICADOR_TEST_PG")
	if base == "" {
		b.Skip("RADICADOR_TEST_PG is not set")
	}
	name := fmt.Sprintf("radicador_bench_v3_%d", n)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		b.Fatal(err)
	}
	defer admin.Close()
	var exists int
	admin.QueryRowContext(ctx, `SELECT COUNT(*) FROM pg_database WHERE datname = $1`, name).Scan(&exists)
	if exists == 0 {
		if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
			b.Fatal(err)
		}
	}
	url := strings.Replace(base, "/postgres?", "/"+name+"?", 1)
	db, err := central.Open(ctx, url, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	raw, err := sql.Open("pgx", url)
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var seeded int
	raw.QueryRowContext(ctx, `SELECT COUNT(*) FROM settings WHERE key = 'bench.seeded'`).Scan(&seeded)
	if seeded == 0 {
		seedConsole(b, db, raw, true, n)
		if _, err := raw.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES ('bench.seeded', '1')`); err != nil {
			b.Fatal(err)
		}
	}
	return db
}
