package central_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// TestCloseWaitsAndRefuses: Close lets the writes under way finish and
// refuses later ones with ErrClosed, never a panic.
func TestCloseWaitsAndRefuses(t *testing.T) {
	db := centraltest.SQLite(t)
	ctx := context.Background()
	f := upload(t, db, []byte("cierre"))
	results := make(chan error, 50)
	for i := range 50 {
		go func() {
			n := fmt.Sprintf("202600101%06d2", i+1)
			p := push(n, "001", "01", f)
			_, err := db.Put(ctx, st1, p)
			results <- err
		}()
	}
	time.Sleep(time.Millisecond)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	ok, closed := 0, 0
	for range 50 {
		switch err := <-results; {
		case err == nil:
			ok++
		case errors.Is(err, central.ErrClosed):
			closed++
		default:
			t.Errorf("a write during Close: %v", err)
		}
	}
	if _, err := db.Put(ctx, st1, push("2026001010009992", "001", "01", f)); !errors.Is(err, central.ErrClosed) {
		t.Errorf("a write after Close: %v", err)
	}
	t.Logf("%d writes finished, %d refused", ok, closed)
	if ok+closed != 50 {
		t.Errorf("%d of 50 writes answered", ok+closed)
	}
}

// TestMigrations: a database of the first server (schema made in place,
// without a version) is taken as version 1 and brought up to date, its
// radicados vouching for their documents; a database of a newer server is
// refused.
func TestMigrationsSQLite(t *testing.T) {
	migrations(t, "sqlite", filepath.Join(t.TempDir(), "old.db"), "migrations/sqlite")
}

func TestMigrationsPostgreSQL(t *testing.T) {
	migrations(t, "pgx", centraltest.PostgresURL(t), "migrations/postgres")
}

func migrations(t *testing.T, driver, url, dir string) {
	ctx := context.Background()
	raw, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// The first server's schema, as it wrote it.
	old, err := os.ReadFile(dir + "/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, string(old)); err != nil {
		t.Fatal(err)
	}
	files := `[{"sha256":"` + sumOf([]byte("x")) + `","size":1,"name":"p.png","media_type":"image/png","pages":1}]`
	if _, err := raw.ExecContext(ctx, `INSERT INTO radicados (number, office, station, year, kind, seq, received_at, doc_type, sender_name, sender_id,
		subject, dept, due, pages, sha256, files, content_sha256, arrived_at) VALUES ('2026001010000012', '001', '01', 2026, 2, 1, '2026-11-23T10:00:00-05:00',
		'peticion', 'Ana', '', 'Solicitud', '', '', 1, 'x', '`+files+`', 'c', '2026-11-23T10:00:01Z')`); err != nil {
		t.Fatal(err)
	}
	up, err := central.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	v, _ := up.SchemaVersion(ctx)
	steps, _ := filepath.Glob(dir + "/*.sql")
	if v != len(steps) || v < 2 {
		t.Errorf("schema version %d, want %d", v, len(steps))
	}
	if held, err := up.Holders(ctx, sumOf([]byte("x"))); err != nil || len(held) != 1 || held[0].Office != "001" || held[0].Station != "01" {
		t.Errorf("the radicado's document is held by %v after the upgrade (%v)", held, err)
	}
	// The types begin as a new server's: all of them, none journalled as
	// added by an upgrade.
	if cfg, err := up.OrgConfig(ctx); err != nil || len(cfg.Types) != 14 {
		t.Errorf("%d types after the upgrade from the first schema (%v)", len(cfg.Types), err)
	}
	if j, err := up.JournalSince(ctx, 0, 100); err != nil || slices.ContainsFunc(j, func(e central.JournalEntry) bool { return e.Action == "config.types_added" }) {
		t.Errorf("the journal after the upgrade from the first schema: %v %v", j, err)
	}
	up.Close()
	// Opening again changes nothing.
	again, err := central.Open(ctx, url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if v2, _ := again.SchemaVersion(ctx); v2 != v {
		t.Errorf("version %d after opening again, was %d", v2, v)
	}
	again.Close()
	// A newer server wrote this one.
	if _, err := raw.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, '0099_future.sql', 'x')`); err != nil {
		t.Fatal(err)
	}
	if _, err := central.Open(ctx, url, t.TempDir()); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Errorf("a database of a newer server: %v", err)
	}
}
