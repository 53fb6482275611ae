// Package migrate applies a database's schema changes: numbered SQL files
// embedded in the binary (0001_name.sql, 0002_name.sql…), each applied once,
// in order, inside the caller's transaction, and recorded in
// schema_migrations. A database written by a newer program is refused, not
// touched. The station's store and the central server share it.
package migrate

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"time"
)

// Dialect is the SQL a database speaks where the runner's own statements
// differ.
type Dialect int

// The dialects the project uses.
const (
	SQLite Dialect = iota
	Postgres
)

// Querier is what reads the version: a database or a transaction.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// ErrNewer is wrapped when the database was written by a newer program.
var ErrNewer = errors.New("written by a newer Radicador")

// Steps lists the migration files of fsys in order, checking that they are
// numbered 0001, 0002… without a gap.
func Steps(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for i, name := range names {
		if !strings.HasPrefix(path.Base(name), fmt.Sprintf("%04d_", i+1)) {
			return nil, fmt.Errorf("migration %s is out of sequence (want %04d_…)", name, i+1)
		}
	}
	return names, nil
}

// Version reads the schema version of a database: 0 when it was never
// migrated.
func Version(ctx context.Context, q Querier, d Dialect) (int, error) {
	var exists int
	query := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`
	if d == Postgres {
		query = `SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = 'schema_migrations'`
	}
	if err := q.QueryRowContext(ctx, query).Scan(&exists); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	if exists == 0 {
		return 0, nil
	}
	var v int
	if err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v); err != nil {
		return 0, fmt.Errorf("schema version: %w", err)
	}
	return v, nil
}

// Check compares a database's version with the migrations of fsys: it
// gives how many are still to apply, or an error wrapping ErrNewer when the
// database is ahead of this program. what names the database in messages.
func Check(ctx context.Context, q Querier, d Dialect, fsys fs.FS, what string) (pending int, err error) {
	steps, err := Steps(fsys)
	if err != nil {
		return 0, err
	}
	have, err := Version(ctx, q, d)
	if err != nil {
		return 0, err
	}
	if have > len(steps) {
		return 0, fmt.Errorf("%s was %w (schema %d, this program knows %d): update this program", what, ErrNewer, have, len(steps))
	}
	return len(steps) - have, nil
}

// Lock takes, on PostgreSQL, the lock that the migrations of several
// instances starting at once take in turn, until tx ends (Apply takes it
// too). A caller that reads what it will compare with the database after
// Apply takes it before reading. SQLite's writing transaction is lock
// enough.
func Lock(ctx context.Context, tx *sql.Tx, d Dialect) error {
	if d != Postgres {
		return nil
	}
	if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7262201)`); err != nil {
		return fmt.Errorf("migration lock: %w", err)
	}
	return nil
}

// Apply runs, inside tx, the migrations of fsys that the database has not
// had, and records each. On PostgreSQL it first takes a lock for the
// transaction, so that instances starting together migrate one after the
// other. It gives how many it applied.
func Apply(ctx context.Context, tx *sql.Tx, d Dialect, fsys fs.FS, what string) (int, error) {
	steps, err := Steps(fsys)
	if err != nil {
		return 0, err
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL) STRICT`
	insert := `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`
	if err := Lock(ctx, tx, d); err != nil {
		return 0, err
	}
	if d == Postgres {
		create = `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
		insert = `INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)`
	}
	if _, err := tx.ExecContext(ctx, create); err != nil {
		return 0, fmt.Errorf("schema_migrations: %w", err)
	}
	have, err := Version(ctx, tx, d)
	if err != nil {
		return 0, err
	}
	if have > len(steps) {
		return 0, fmt.Errorf("%s was %w (schema %d, this program knows %d): update this program", what, ErrNewer, have, len(steps))
	}
	for i, name := range steps[have:] {
		version := have + i + 1
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return i, err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			return i, fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, insert, version, path.Base(name), time.Now().UTC().Format(time.RFC3339)); err != nil {
			return i, fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return len(steps) - have, nil
}
