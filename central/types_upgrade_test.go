package central_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/internal/migrate"
)

// TestTypesAddedOnUpgrade: a server made before the types of traslados
// and answers gets them when it is upgraded, as a change of its
// configuration (its version moves on, the journal says which, once when
// two instances start at once); a type of the same code the organisation
// made is kept, and so is every other type as it was set. Opening again
// changes nothing; a new server has every type and no such entry.
func TestTypesAddedOnUpgradeSQLite(t *testing.T) {
	typesAdded(t, "sqlite", filepath.Join(t.TempDir(), "old.db"), "migrations/sqlite", migrate.SQLite)
}

func TestTypesAddedOnUpgradePostgreSQL(t *testing.T) {
	typesAdded(t, "pgx", centraltest.PostgresURL(t), "migrations/postgres", migrate.Postgres)
}

func typesAdded(t *testing.T, driver, url, dir string, dialect migrate.Dialect) {
	ctx := context.Background()
	raw, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The schema of the server before the types: its first eleven steps.
	old := fstest.MapFS{}
	for _, name := range []string{"0001_init.sql", "0002_holders.sql", "0003_anchors.sql", "0004_seq.sql", "0005_console.sql", "0006_config.sql",
		"0007_tracking.sql", "0008_buzon.sql", "0009_channel.sql", "0010_salidas.sql", "0011_cites.sql"} {
		body, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		old[name] = &fstest.MapFile{Data: body}
	}
	if driver != "pgx" {
		// As the server keeps it.
		if _, err := raw.ExecContext(ctx, `PRAGMA journal_mode=WAL`); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := migrate.Apply(ctx, tx, dialect, old, "the old server's database"); err != nil {
		t.Fatal(err)
	}
	q := func(s string) string {
		if driver != "pgx" {
			return s
		}
		for i := 1; strings.Contains(s, "?"); i++ {
			s = strings.Replace(s, "?", "$"+string(rune('0'+i)), 1)
		}
		return s
	}
	// Its types as it made them, one changed by the organisation, and a
	// traslado of its own.
	for _, ty := range [][3]any{{"peticion", "Derecho de petición", 15}, {"informacion", "Solicitud de documentos o información", 10},
		{"consulta", "Consulta", 30}, {"queja_reclamo", "Queja o reclamo", 8}, {"tutela", "Tutela o notificación judicial", 2},
		{"factura", "Factura electrónica", 3}, {"cuenta_cobro", "Cuenta de cobro", 0}, {"oficio", "Oficio de otra entidad", 0},
		{"otro", "Otro", 0}, {"traslado", "Traslado recibido", 20}} {
		if _, err := tx.ExecContext(ctx, q(`INSERT INTO doc_types (code, name, days) VALUES (?, ?, ?)`), ty[0], ty[1], ty[2]); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, q(`INSERT INTO settings (key, value) VALUES ('config.version', '7')`)); err != nil {
		t.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}

	// Two instances start at once, while something else holds the
	// database: they migrate in turn, and the second finds nothing to do.
	hold, err := raw.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	take, give := `BEGIN IMMEDIATE`, `COMMIT`
	if driver == "pgx" {
		take, give = `SELECT pg_advisory_lock(7262201)`, `SELECT pg_advisory_unlock(7262201)`
	}
	if _, err := hold.ExecContext(ctx, take); err != nil {
		t.Fatal(err)
	}
	opened := make(chan *central.DB, 2)
	failed := make(chan error, 2)
	for range 2 {
		go func() {
			db, err := central.Open(ctx, url, t.TempDir())
			if err != nil {
				failed <- err
				return
			}
			opened <- db
		}()
	}
	time.Sleep(300 * time.Millisecond) // both wait for the database
	if _, err := hold.ExecContext(ctx, give); err != nil {
		t.Fatal(err)
	}
	hold.Close()
	var db *central.DB
	for range 2 {
		select {
		case err := <-failed:
			t.Fatal(err)
		case o := <-opened:
			if db == nil {
				db = o
			} else {
				defer o.Close()
			}
		}
	}
	cfg, err := db.OrgConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	days := map[string]int{}
	for _, ty := range cfg.Types {
		got[ty.Code], days[ty.Code] = ty.Name, ty.Days
	}
	for code, want := range map[string]string{"peticion_general": "Derecho de petición de interés general", "notificacion": "Notificación de acto administrativo",
		"citacion": "Citación a audiencia o diligencia", "respuesta": "Respuesta a una comunicación nuestra", "traslado": "Traslado recibido",
		"queja_reclamo": "Queja o reclamo"} {
		if got[code] != want {
			t.Errorf("type %s after the upgrade: %q, want %q", code, got[code], want)
		}
	}
	if days["traslado"] != 20 || days["queja_reclamo"] != 8 || days["peticion_general"] != 15 || days["notificacion"] != 10 {
		t.Errorf("terms after the upgrade: %v", days)
	}
	if len(cfg.Types) != 14 {
		t.Errorf("%d types after the upgrade, want 14", len(cfg.Types))
	}
	if cfg.Version != 8 {
		t.Errorf("configuration version %d after the upgrade, want 8 (moved on once, so that the stations take the new types)", cfg.Version)
	}
	journal, err := db.JournalSince(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var added []string
	for _, e := range journal {
		if e.Action == "config.types_added" {
			added = append(added, string(e.Data))
		}
	}
	if len(added) != 1 || !strings.Contains(added[0], `"peticion_general","notificacion","citacion","respuesta"`) || strings.Contains(added[0], "traslado") {
		t.Errorf("the journal's entries of types added: %v", added)
	}
	db.Close()

	// Opening again changes nothing.
	again, err := central.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if cfg, err := again.OrgConfig(ctx); err != nil || cfg.Version != 8 || len(cfg.Types) != 14 {
		t.Errorf("opened again: version %d, %d types (%v)", cfg.Version, len(cfg.Types), err)
	}
	if j, _ := again.JournalSince(ctx, 0, 100); len(j) != len(journal) {
		t.Errorf("opened again: %d journal entries, were %d", len(j), len(journal))
	}
	again.Close()
}

// A new server has every type, and its journal no types added.
func TestNewServerTypes(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *central.DB{"SQLite": centraltest.SQLite, "PostgreSQL": centraltest.Postgres} {
		t.Run(name, func(t *testing.T) { newServerTypes(t, open(t)) })
	}
}

func newServerTypes(t *testing.T, db *central.DB) {
	cfg, err := db.OrgConfig(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var codes []string
	for _, ty := range cfg.Types {
		codes = append(codes, ty.Code)
	}
	if len(codes) != 14 || !slices.Contains(codes, "traslado") || !slices.Contains(codes, "respuesta") {
		t.Errorf("a new server's types: %v", codes)
	}
	j, err := db.JournalSince(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range j {
		if e.Action == "config.types_added" {
			t.Errorf("a new server's journal: %s %s", e.Action, e.Data)
		}
	}
}
