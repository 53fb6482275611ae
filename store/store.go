// Package store keeps the station's records in SQLite: radicados and their
// files, the hash-chained audit log, the outbox towards the central server,
// settings and a full-text index. Schema changes are versioned migrations
// embedded in the binary; documents live in a content-addressed folder beside
// the database.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"

	"github.com/radicador/radicador/cas"
	"github.com/radicador/radicador/internal/fileuri"
	"github.com/radicador/radicador/internal/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// BusyTimeout is how long a write waits for another process holding the
// database before it gives up with ErrBusy.
const BusyTimeout = 10 * time.Second

// ErrDiskFull is returned when the database could not grow: nothing of the
// change was recorded.
var ErrDiskFull = errors.New("the disk is full: nothing was recorded; free some space and try again")

// ErrBusy is returned when another process kept the database locked for
// longer than BusyTimeout.
var ErrBusy = errors.New("the data folder is in use by another Radicador process and stayed locked; try again, and close the other program if this repeats")

// ErrNotFound is returned for a number the store does not hold.
var ErrNotFound = errors.New("no such radicado")

// ErrReadOnly is returned by every change to a store opened read-only.
var ErrReadOnly = errors.New("the data folder was opened read-only: nothing can be recorded in it")

// Options adjust a store.
type Options struct {
	// Clock gives the time of receipt; it is read inside the numbering
	// transaction. Nil means the system clock.
	Clock func() time.Time
	// ReadOnly opens an existing data folder without writing anything to
	// it, even on a read-only file system (an auditor's copy, a backup
	// mounted read-only); every change fails with ErrReadOnly.
	ReadOnly bool
}

// Store is an open data folder.
type Store struct {
	db       *sql.DB
	dir      string
	blobs    *cas.Store
	clock    func() time.Time
	readOnly bool
	stmts    sync.Map // prepared statements of the hot queries, by query
	pending  int      // read-only: migrations this program would apply (the folder is older)
	cleanup  func()   // removes a read-only copy of the database, if one was made
}

// DBName is the database's file name inside the data folder.
const DBName = "radicador.db"

// Open opens the data folder dir, creating it and migrating the database to
// the schema of this binary as needed, and restoring the guards if someone
// took them off. With opt.ReadOnly it opens an existing folder and writes
// nothing.
func Open(ctx context.Context, dir string, opt Options) (*Store, error) {
	if strings.ContainsRune(dir, '?') {
		return nil, fmt.Errorf("data folder %q: the name may not contain '?'", dir)
	}
	if opt.ReadOnly {
		return openReadOnly(ctx, dir, opt)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("data folder: %w", err)
	}
	blobs, err := cas.Open(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	dsn := filepath.Join(dir, DBName) + "?" + strings.Join([]string{
		"_pragma=busy_timeout(" + strconv.Itoa(int(BusyTimeout/time.Millisecond)) + ")",
		"_pragma=journal_mode(WAL)",
		"_pragma=synchronous(FULL)",
		"_pragma=foreign_keys(1)",
		"_pragma=recursive_triggers(1)", // a REPLACE's delete meets the guards too
		"_txlock=immediate",
	}, "&")
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("database: %w", err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	db.SetConnMaxIdleTime(0)
	s := &Store{db: db, dir: dir, blobs: blobs, clock: opt.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	// Processes opening the folder at once (a new one, or one left by a
	// process that was killed, whose WAL the first opener recovers) can be
	// told "busy" at once, without SQLite's busy timeout: seen in the
	// crash test. Opening and migrating are safe to try again.
	deadline := time.Now().Add(BusyTimeout)
	for {
		err := s.migrate(ctx)
		if err == nil {
			return s, nil
		}
		if !errors.Is(err, ErrBusy) || time.Now().After(deadline) {
			db.Close()
			return nil, err
		}
		select {
		case <-ctx.Done():
			db.Close()
			return nil, ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// openReadOnly opens an existing data folder without recording anything in
// it. SQLite reads a database in WAL mode read-only when it may use its
// shared-memory file (it may make an empty one, and its journal, beside a
// writable database). On a read-only file system it reads the database
// file as it stands when no journal or shared memory lies beside it;
// otherwise it reads a copy of the database and its journal made in the
// system's temporary folder (made again if they changed while copied).
func openReadOnly(ctx context.Context, dir string, opt Options) (*Store, error) {
	path := filepath.Join(dir, DBName)
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("data folder %s: no Radicador database in it (%w)", dir, err)
	}
	blobs, err := cas.OpenExisting(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	s := &Store{dir: dir, blobs: blobs, clock: opt.Clock, readOnly: true, cleanup: func() {}}
	if s.clock == nil {
		s.clock = time.Now
	}
	open := func(path, mode string) error {
		abs, err := filepath.Abs(path)
		if err != nil {
			return err
		}
		uri := fileuri.FromPath(abs, false) + "?" + mode +
			"&_pragma=busy_timeout(" + strconv.Itoa(int(BusyTimeout/time.Millisecond)) + ")&_pragma=foreign_keys(1)"
		db, err := sql.Open("sqlite", uri)
		if err != nil {
			return err
		}
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_master`).Scan(&n); err != nil {
			db.Close()
			return err
		}
		s.db = db
		return nil
	}
	err = open(path, "mode=ro")
	if err != nil && cannotOpen(err) {
		_, walErr := os.Stat(path + "-wal")
		_, shmErr := os.Stat(path + "-shm")
		if errors.Is(walErr, fs.ErrNotExist) && errors.Is(shmErr, fs.ErrNotExist) {
			// Closed cleanly, nobody writing: the file is the whole record.
			err = open(path, "immutable=1")
		} else {
			var tmp string
			if tmp, err = os.MkdirTemp("", "radicador-ro-"); err == nil {
				s.cleanup = func() { os.RemoveAll(tmp) }
				if err = copySteady(tmp, path, path+"-wal"); err == nil {
					err = open(filepath.Join(tmp, DBName), "mode=ro")
				}
			}
		}
	}
	if err != nil {
		s.cleanup()
		return nil, fmt.Errorf("data folder %s: reading the database read-only: %w", dir, err)
	}
	if s.pending, err = migrate.Check(ctx, s.db, migrate.SQLite, schema(), "the data folder "+dir); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

// cannotOpen tells SQLite's errors of a file it may not open or write
// (CANTOPEN, READONLY) from others, busy included.
func cannotOpen(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 14, 8: // SQLITE_CANTOPEN, SQLITE_READONLY
			return true
		}
	}
	return false
}

// copySteady copies the database and its journal (when there is one) into
// dir, and again while either changed during the copy: a copy is of one
// moment.
func copySteady(dir, db, wal string) error {
	stamp := func() string {
		var b strings.Builder
		for _, f := range []string{db, wal} {
			if info, err := os.Stat(f); err == nil {
				fmt.Fprintf(&b, "%d %d;", info.Size(), info.ModTime().UnixNano())
			}
		}
		return b.String()
	}
	for try := 0; try < 5; try++ {
		before := stamp()
		var err error
		for _, f := range []string{db, wal} {
			data, rerr := os.ReadFile(f)
			if errors.Is(rerr, fs.ErrNotExist) && f == wal {
				continue
			}
			if rerr != nil {
				return rerr
			}
			if err = os.WriteFile(filepath.Join(dir, filepath.Base(f)), data, 0o600); err != nil {
				return err
			}
		}
		if stamp() == before {
			return nil
		}
	}
	return errors.New("the database kept changing while it was copied: another program writes it; read it there")
}

// prepared gives query prepared once (database/sql prepares it again on
// each connection it meets, once): SQLite would parse it on every use.
func (s *Store) prepared(ctx context.Context, query string) (*sql.Stmt, error) {
	if st, ok := s.stmts.Load(query); ok {
		return st.(*sql.Stmt), nil
	}
	st, err := s.db.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.stmts.LoadOrStore(query, st); loaded {
		st.Close()
		return prev.(*sql.Stmt), nil
	}
	return st, nil
}

// Close closes the database.
func (s *Store) Close() error {
	s.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := s.db.Close()
	if s.cleanup != nil {
		s.cleanup()
	}
	return err
}

// ReadOnly reports whether the store was opened read-only.
func (s *Store) ReadOnly() bool { return s.readOnly }

// Dir gives the data folder.
func (s *Store) Dir() string { return s.dir }

// Blobs gives the content-addressed folder of documents.
func (s *Store) Blobs() *cas.Store { return s.blobs }

// Now reads the store's clock.
func (s *Store) Now() time.Time { return s.clock() }

// SchemaVersion gives the newest migration this binary knows.
func SchemaVersion() int {
	steps, _ := migrate.Steps(schema())
	return len(steps)
}

// schema gives the embedded migrations.
func schema() fs.FS {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		panic(err) // the folder is embedded
	}
	return sub
}

// schemaVersions gives how many migrations this program has: the version
// of a folder it made or upgraded.
func schemaVersions() int {
	entries, err := fs.ReadDir(schema(), ".")
	if err != nil {
		panic(err) // the folder is embedded
	}
	return len(entries)
}

// migrate brings the schema to this binary's version and restores the
// guards, in one write transaction, only when there is something to do:
// opening a folder that is up to date writes nothing.
func (s *Store) migrate(ctx context.Context) error {
	pending, err := migrate.Check(ctx, s.db, migrate.SQLite, schema(), "the data folder "+s.dir)
	if err != nil {
		return dbError(err)
	}
	broken, err := brokenGuards(ctx, s.db)
	if err != nil {
		return dbError(err)
	}
	if pending == 0 && len(broken) == 0 {
		return nil
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		applied, err := migrate.Apply(ctx, tx, migrate.SQLite, schema(), "the data folder "+s.dir)
		if err != nil {
			return err
		}
		return s.restoreGuards(ctx, tx, applied == 0)
	})
}

// write runs fn in a write transaction. The transaction takes the database's
// write lock when it begins, so that what fn reads cannot change before it
// commits.
func (s *Store) write(ctx context.Context, fn func(*sql.Tx) error) error {
	if s.readOnly {
		return ErrReadOnly
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return dbError(err)
	}
	if err := fn(tx); err != nil {
		tx.Rollback()
		return dbError(err)
	}
	return dbError(tx.Commit())
}

// dbError turns SQLite's lock errors into ErrBusy and a full disk into a
// plain sentence; other errors pass unchanged.
func dbError(err error) error {
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case 5, 6: // SQLITE_BUSY, SQLITE_LOCKED
			return fmt.Errorf("%w (%v)", ErrBusy, err)
		case 13: // SQLITE_FULL
			return fmt.Errorf("%w (%w)", ErrDiskFull, err)
		}
	}
	return err
}
