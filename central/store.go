package central

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL
	_ "modernc.org/sqlite"             // SQLite

	"github.com/radicador/radicador/internal/migrate"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

//go:embed migrations/sqlite/*.sql migrations/postgres/*.sql
var migrationFiles embed.FS

// Errors of the store.
var (
	ErrUnauthorized = errors.New("no valid token")
	ErrNotFound     = errors.New("not found")
	ErrOffset       = errors.New("the upload does not continue where the server's copy ends")
	ErrHash         = errors.New("the file does not have the hash it was sent under")
	ErrTooLarge     = errors.New("larger than allowed")
	ErrExists       = errors.New("already exists")
	ErrClosed       = errors.New("the server is shutting down")
	ErrQuota        = errors.New("this station's unfinished uploads fill its quota")
	ErrUploadBusy   = errors.New("an upload of this file by this station is under way")
	ErrBody         = errors.New("the request body broke off")
	ErrPattern      = errors.New("the number is not of the organisation's pattern")
	ErrSlowBody     = errors.New("the request body did not arrive in time")
	errBuzonCodes   = errors.New("codes of the Buzón")
)

// MissingFilesError lists the files a push refers to that the server does
// not hold complete.
type MissingFilesError struct{ Files []string }

func (e *MissingFilesError) Error() string {
	return fmt.Sprintf("%d files are not uploaded yet: %s", len(e.Files), strings.Join(e.Files, ", "))
}

// DB is the central store on SQLite or PostgreSQL. The queries are the same
// for both (written with ? and numbered for PostgreSQL); only the schema
// differs.
type DB struct {
	db       *sql.DB // reads
	w        *sql.DB // writes: on SQLite one connection, so writers queue instead of polling the lock
	postgres bool
	now      func() time.Time
	files    *files

	jobs chan job      // SQLite: writes waiting for the committer
	quit chan struct{} // closed when the committer has stopped

	mu       sync.RWMutex // held for reading by each write under way
	closed   bool
	inflight sync.WaitGroup

	stmts sync.Map  // SQLite: prepared statements on wconn (and the read pool), by query
	wconn *sql.Conn // SQLite: the committer's connection
	wtx   *sql.Tx   // SQLite: the committer's transaction under way on wconn (its goroutine only)

	dirs   dirSyncer     // flushes the folders of documents received together
	cal    calendarCache // the organisation's calendar, read again when its version moves
	ghosts ghosts        // failed log-ins of names that are no user's

	acuseMu sync.RWMutex
	acuse   AcuseWriter // the acuse of the stations' radicados (SetAcuse)
}

// txStmt gives query prepared for tx: on SQLite, in the committer's
// transaction, a statement prepared once on the writing connection (SQLite
// parses it on every use otherwise). PostgreSQL's driver keeps its own,
// and another transaction on SQLite (the migration's, before the
// committer has its connection) prepares its own.
func (d *DB) txStmt(ctx context.Context, tx *sql.Tx, query string) (*sql.Stmt, error) {
	query = d.q(query)
	if d.postgres || tx != d.wtx {
		return tx.PrepareContext(ctx, query)
	}
	st, ok := d.stmts.Load(query)
	if !ok {
		// Prepared on the committer's own connection, in its goroutine:
		// the transaction under way is on it.
		fresh, err := d.wconn.PrepareContext(ctx, query)
		if err != nil {
			return nil, err
		}
		if prev, loaded := d.stmts.LoadOrStore(query, fresh); loaded {
			fresh.Close()
			st = prev
		} else {
			st = fresh
		}
	}
	// The statement runs on the connection the transaction holds, so
	// inside it. tx.StmtContext would prepare it again, every time:
	// database/sql does not reuse a statement bound to a Conn in a
	// transaction (that was an eighth of the server's CPU under load).
	return st.(*sql.Stmt), nil
}

// readScan runs a read of the hot path on the read pool and scans its one
// row (on SQLite with a statement prepared once per connection).
func (d *DB) readScan(ctx context.Context, query string, args []any, dest ...any) error {
	query = d.q(query)
	if d.postgres {
		return d.db.QueryRowContext(ctx, query, args...).Scan(dest...)
	}
	key := "read:" + query
	st, ok := d.stmts.Load(key)
	if !ok {
		prepared, err := d.db.PrepareContext(ctx, query)
		if err != nil {
			return err
		}
		if prev, loaded := d.stmts.LoadOrStore(key, prepared); loaded {
			prepared.Close()
			st = prev
		} else {
			st = prepared
		}
	}
	return st.(*sql.Stmt).QueryRowContext(ctx, args...).Scan(dest...)
}

// txExec runs a statement of the hot path in tx.
func (d *DB) txExec(ctx context.Context, tx *sql.Tx, query string, args ...any) (sql.Result, error) {
	if d.postgres {
		return tx.ExecContext(ctx, d.q(query), args...)
	}
	st, err := d.txStmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return st.ExecContext(ctx, args...)
}

// txScan runs a query of the hot path in tx and scans its one row.
func (d *DB) txScan(ctx context.Context, tx *sql.Tx, query string, args []any, dest ...any) error {
	if d.postgres {
		return tx.QueryRowContext(ctx, d.q(query), args...).Scan(dest...)
	}
	st, err := d.txStmt(ctx, tx, query)
	if err != nil {
		return err
	}
	return st.QueryRowContext(ctx, args...).Scan(dest...)
}

// txQuery runs a query of the hot path in tx and gives its rows.
func (d *DB) txQuery(ctx context.Context, tx *sql.Tx, query string, args ...any) (*sql.Rows, error) {
	if d.postgres {
		return tx.QueryContext(ctx, d.q(query), args...)
	}
	st, err := d.txStmt(ctx, tx, query)
	if err != nil {
		return nil, err
	}
	return st.QueryContext(ctx, args...)
}

// job is one write for the committer: fn runs in a transaction shared with
// the other writes waiting at the time, inside a savepoint of its own.
type job struct {
	ctx  context.Context
	fn   func(context.Context, *sql.Tx) error
	done chan error
}

// Open opens the store at url: postgres://… for PostgreSQL, anything else
// is an SQLite file; the documents are kept in the folder dir (shared by
// all instances of a server on PostgreSQL).
func Open(ctx context.Context, url, dir string) (*DB, error) {
	fs, err := openFiles(dir)
	if err != nil {
		return nil, err
	}
	d := &DB{now: time.Now, files: fs}
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		d.postgres = true
		// Reads and writes have pools of their own: a write transaction
		// that reads something outside it (the calendar, say) waits for a
		// connection of the read pool, never for one that transactions
		// like itself hold (twenty writes at once stalled the server).
		d.db, err = sql.Open("pgx", withCustomPlans(url))
		if err == nil {
			d.db.SetMaxOpenConns(pgReads)
			d.w, err = sql.Open("pgx", withCustomPlans(url))
		}
		if err == nil {
			d.w.SetMaxOpenConns(pgWrites)
		}
	} else {
		dsn := strings.TrimPrefix(url, "sqlite:") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
		d.w, err = sql.Open("sqlite", dsn)
		if err == nil {
			d.w.SetMaxOpenConns(1)
			d.db, err = sql.Open("sqlite", dsn)
		}
		if err == nil {
			d.db.SetMaxOpenConns(8)
		}
	}
	if err != nil {
		if d.w != nil {
			d.w.Close()
		}
		if d.db != nil {
			d.db.Close()
		}
		return nil, err
	}
	if err := d.w.PingContext(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	if !d.postgres {
		d.jobs, d.quit = make(chan job), make(chan struct{})
		go d.committer()
	}
	if err := d.backfillWork(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("the departments' work of earlier radicados: %w", err)
	}
	if err := d.fillTracking(ctx); err != nil {
		d.Close()
		return nil, fmt.Errorf("the tracking of earlier radicados: %w", err)
	}
	return d, nil
}

// write runs fn in a transaction and commits it. On SQLite, where one
// writer at a time holds the database, the writes that arrive together
// share one commit (one sync to disk) and each still succeeds or fails on
// its own. write returns when fn's changes are on disk, or fn's error.
//
// fn gets the context to run its statements with. In a shared commit it
// is not cancelled with ctx: SQLite undoes the whole transaction when a
// statement in it is interrupted, so one client that goes away in the
// middle of its write would undo the writes of the others. A write that
// has begun runs to its end; one whose ctx ended before it began does not
// run.
func (d *DB) write(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	d.mu.RLock()
	if d.closed {
		d.mu.RUnlock()
		return ErrClosed
	}
	d.inflight.Add(1)
	d.mu.RUnlock()
	defer d.inflight.Done()
	if d.jobs == nil {
		tx, err := d.w.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if err := fn(ctx, tx); err != nil {
			return err
		}
		return tx.Commit()
	}
	j := job{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case d.jobs <- j:
	case <-ctx.Done():
		return ctx.Err()
	}
	return <-j.done
}

// maxBatch bounds the writes that share a commit.
const maxBatch = 64

func (d *DB) committer() {
	defer close(d.quit)
	// The committer keeps the one writing connection, and its prepared
	// statements on it, for its life.
	conn, err := d.w.Conn(context.Background())
	if err == nil {
		d.wconn = conn
		defer conn.Close()
	}
	for j := range d.jobs {
		if err != nil {
			j.done <- fmt.Errorf("the database's writing connection: %w", err)
			continue
		}
		batch := []job{j}
	more:
		for len(batch) < maxBatch {
			select {
			case j, ok := <-d.jobs:
				if !ok {
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		d.commit(batch)
	}
}

// commit runs a batch of writes in one transaction.
func (d *DB) commit(batch []job) {
	errs := make([]error, len(batch))
	fail := func(err error) {
		for i, j := range batch {
			if errs[i] == nil {
				errs[i] = err
			}
			j.done <- errs[i]
		}
	}
	tx, err := d.wconn.BeginTx(context.Background(), nil)
	if err != nil {
		fail(err)
		return
	}
	d.wtx = tx
	defer func() { d.wtx = nil }()
	for i, j := range batch {
		if errs[i] = j.ctx.Err(); errs[i] != nil {
			continue
		}
		if _, err := d.txExec(context.Background(), tx, `SAVEPOINT job`); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("write undone: %w", err))
			return
		}
		if errs[i] = j.fn(context.WithoutCancel(j.ctx), tx); errs[i] != nil {
			if _, err := d.txExec(context.Background(), tx, `ROLLBACK TO job`); err != nil {
				tx.Rollback()
				fail(fmt.Errorf("write undone: %w", err))
				return
			}
		}
		if _, err := d.txExec(context.Background(), tx, `RELEASE job`); err != nil {
			tx.Rollback()
			fail(fmt.Errorf("write undone: %w", err))
			return
		}
	}
	if err := tx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	for i, j := range batch {
		j.done <- errs[i]
	}
}

// Close closes the database once the writes under way are done; a write
// that comes later fails with ErrClosed.
func (d *DB) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	d.mu.Unlock()
	d.inflight.Wait()
	if d.jobs != nil {
		close(d.jobs)
		<-d.quit
	}
	d.stmts.Range(func(_, st any) bool { st.(*sql.Stmt).Close(); return true })
	err := d.db.Close()
	if d.w != d.db {
		err = errors.Join(err, d.w.Close())
	}
	return err
}

// withCustomPlans asks PostgreSQL to plan each query for its values: the
// driver prepares statements, and a generic plan of the inbox's search
// (which knows neither the department nor the words) can be a hundred
// times slower than the plan for the values at hand.
func withCustomPlans(url string) string {
	if strings.Contains(url, "plan_cache_mode=") {
		return url
	}
	if strings.Contains(url, "?") {
		return url + "&plan_cache_mode=force_custom_plan"
	}
	return url + "?plan_cache_mode=force_custom_plan"
}

// Dir is the data folder: the documents (files/), the uploads under way
// (partial/) and, on SQLite, the database.
func (d *DB) Dir() string { return filepath.Dir(d.files.partial) }

// SetClock sets the clock the store reads the time from, before it is
// used: tests move it forward instead of waiting.
func (d *DB) SetClock(now func() time.Time) { d.now = now }

// Now gives the time by the store's clock.
func (d *DB) Now() time.Time { return d.now() }

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error { return d.db.PingContext(ctx) }

// q numbers the placeholders of a query for PostgreSQL.
func (d *DB) q(query string) string {
	if !d.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// dialect gives the database's dialect and its migrations.
func (d *DB) dialect() (migrate.Dialect, fs.FS) {
	dialect, dir := migrate.SQLite, "migrations/sqlite"
	if d.postgres {
		dialect, dir = migrate.Postgres, "migrations/postgres"
	}
	sub, err := fs.Sub(migrationFiles, dir)
	if err != nil {
		panic(err) // the folders are embedded
	}
	return dialect, sub
}

// The connections an instance opens to PostgreSQL: PostgreSQL's default
// of 100 serves three instances and the command line.
const (
	pgReads  = 20
	pgWrites = 10
)

// typesAdded is the schema version that adds the document types of
// traslados and answers to a server made before them.
const typesAdded = 12

// typeCodes gives the codes of the document types held.
func (d *DB) typeCodes(ctx context.Context, tx *sql.Tx) (map[string]bool, error) {
	rows, err := tx.QueryContext(ctx, `SELECT code FROM doc_types`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	codes := map[string]bool{}
	for rows.Next() {
		var c string
		if err := rows.Scan(&c); err != nil {
			return nil, err
		}
		codes[c] = true
	}
	return codes, rows.Err()
}

// migrate brings the schema to this binary's version, refusing a database
// written by a newer server.
func (d *DB) migrate(ctx context.Context) error {
	dialect, steps := d.dialect()
	tx, err := d.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	defer tx.Rollback()
	// Several instances on one PostgreSQL migrate in turn: the version
	// and the types read here are the ones this instance's Apply finds.
	if err := migrate.Lock(ctx, tx, dialect); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	before, err := migrate.Version(ctx, tx, dialect)
	if err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	var types map[string]bool
	if before >= 6 && before < typesAdded {
		if types, err = d.typeCodes(ctx, tx); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	if _, err := migrate.Apply(ctx, tx, dialect, steps, "the server's database"); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	if types != nil {
		// The types the migration added are a change of the
		// configuration like any other: the stations take them at their
		// next sync, and the journal says so.
		after, err := d.typeCodes(ctx, tx)
		if err != nil {
			return fmt.Errorf("schema: %w", err)
		}
		var added []string
		for _, t := range radicado.DefaultTypes() {
			if after[t.Code] && !types[t.Code] {
				added = append(added, t.Code)
			}
		}
		if len(added) > 0 {
			if err := d.configChanged(ctx, tx, "server:upgrade", "config.types_added", map[string]any{"types": added}); err != nil {
				return fmt.Errorf("schema: %w", err)
			}
		}
	}
	if before < 6 {
		// The document types begin as the law has them (Ley 1755).
		for _, t := range radicado.DefaultTypes() {
			if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO doc_types (code, name, days) VALUES (?, ?, ?) ON CONFLICT (code) DO NOTHING`), t.Code, t.Name, t.Days); err != nil {
				return fmt.Errorf("schema: %w", err)
			}
		}
	}
	// The pattern's row exists from the start, so that a push can lock it
	// while it numbers (put) and a change of pattern waits for it.
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING`),
		settingPattern, radicado.DefaultPattern); err != nil {
		return fmt.Errorf("schema: %w", err)
	}
	return tx.Commit()
}

// SchemaVersion gives the database's schema version.
func (d *DB) SchemaVersion(ctx context.Context) (int, error) {
	dialect, _ := d.dialect()
	return migrate.Version(ctx, d.db, dialect)
}

func (d *DB) stamp() string { return d.now().UTC().Format(time.RFC3339Nano) }

// HashToken gives the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// AddStation enrols a station (or an administrator) with the hash of its
// token.
func (d *DB) AddStation(ctx context.Context, p Principal, tokenHash string) error {
	admin := 0
	if p.Admin {
		admin = 1
	}
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if !p.Admin {
			if buzon, err := d.buzonCodes(ctx, tx, p.Office, p.Station); err != nil {
				return err
			} else if buzon {
				return fmt.Errorf("office %s station %s: %w: the Buzón numbers as it", p.Office, p.Station, errBuzonCodes)
			}
		}
		_, err := tx.ExecContext(ctx, d.q(`INSERT INTO stations (office, station, token_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)`),
			p.Office, p.Station, tokenHash, admin, d.stamp())
		return err
	})
	if errors.Is(err, errBuzonCodes) {
		return fmt.Errorf("%w: %v", ErrExists, err)
	}
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "unique") || err != nil && strings.Contains(err.Error(), "duplicate key") {
		return fmt.Errorf("office %s station %s: %w (revoke it first to give it a new token)", p.Office, p.Station, ErrExists)
	}
	return err
}

// RevokeStation revokes a station's token.
func (d *DB) RevokeStation(ctx context.Context, office, station string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, d.q(`UPDATE stations SET revoked_at = ? WHERE office = ? AND station = ? AND revoked_at IS NULL`),
			d.stamp(), office, station)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("office %s station %s: %w", office, station, ErrNotFound)
		}
		return nil
	})
}

// Authenticate gives the principal of a token.
func (d *DB) Authenticate(ctx context.Context, token string) (Principal, error) {
	var p Principal
	var admin int
	var revoked sql.NullString
	err := d.readScan(ctx, `SELECT office, station, admin, revoked_at FROM stations WHERE token_hash = ?`, []any{HashToken(token)},
		&p.Office, &p.Station, &admin, &revoked)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return Principal{}, ErrUnauthorized
	}
	p.Admin = admin == 1
	return p, err
}

// StationClock records a station's clock offset from the server's.
func (d *DB) StationClock(ctx context.Context, p Principal, offset time.Duration) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, d.q(`UPDATE stations SET clock_offset_ms = ?, last_seen = ? WHERE office = ? AND station = ? AND revoked_at IS NULL`),
			offset.Milliseconds(), d.stamp(), p.Office, p.Station)
		return err
	})
}

// StationInfo is what the server knows of a station.
type StationInfo struct {
	Office, Station string
	Admin           bool
	Revoked         bool
	ClockOffset     time.Duration
	LastSeen        string
}

// Stations lists the enrolled stations.
func (d *DB) Stations(ctx context.Context) ([]StationInfo, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT office, station, admin, revoked_at, clock_offset_ms, last_seen FROM stations ORDER BY office, station, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StationInfo
	for rows.Next() {
		var s StationInfo
		var admin int
		var revoked, seen sql.NullString
		var off sql.NullInt64
		if err := rows.Scan(&s.Office, &s.Station, &admin, &revoked, &off, &seen); err != nil {
			return nil, err
		}
		s.Admin, s.Revoked, s.ClockOffset, s.LastSeen = admin == 1, revoked.Valid, time.Duration(off.Int64)*time.Millisecond, seen.String
		out = append(out, s)
	}
	return out, rows.Err()
}

// FileState is how much of a file the server holds.
type FileState struct {
	Size, Received int64
	Complete       bool
}

// File gives the state of the file with hash sum as p sees it: whole when
// p holds it (an administrator: when anyone does), else how much of p's
// own upload has arrived. Another station's file or upload is ErrNotFound,
// as if it did not exist.
func (d *DB) File(ctx context.Context, p Principal, sum string) (FileState, error) {
	if !wire.ValidSum(sum) {
		return FileState{}, ErrNotFound
	}
	if ok, err := d.CanRead(ctx, p, sum); err != nil || ok {
		size, _ := d.files.whole(sum)
		return FileState{Size: size, Received: size, Complete: true}, err
	}
	if p.Admin {
		return FileState{}, ErrNotFound
	}
	return d.files.partialState(p, sum)
}

// Chunk is a piece of a file a station uploads.
type Chunk struct {
	Sum    string    // the whole file's SHA-256
	Size   int64     // the whole file's size
	Offset int64     // where this piece starts
	Body   io.Reader // the piece, read as it arrives
	Max    int64     // the most one piece may carry (0: no limit)
	Quota  int64     // the most the station's unfinished uploads may announce in all (0: no limit)
	// MaxPartials bounds the station's unfinished uploads (0: no limit).
	MaxPartials int
}

// PutChunk adds a piece to p's upload of a file. When the file is whole
// its hash is checked: bytes that do not hash to the file's name are thrown
// away (ErrHash) and must be sent again; bytes that do make p a holder of
// the file. Every station proves it has a file by sending it, even when
// another station sent it before. Sending a piece twice, or a file p holds,
// changes nothing.
func (d *DB) PutChunk(ctx context.Context, p Principal, c Chunk) (FileState, error) {
	if p.Admin {
		return FileState{}, errors.New("administrators do not upload")
	}
	if held, err := d.CanRead(ctx, p, c.Sum); err != nil || held {
		size, _ := d.files.whole(c.Sum)
		return FileState{Size: size, Received: size, Complete: held}, err
	}
	st, err := d.files.write(ctx, p, c)
	if err != nil || !st.Complete {
		return st, err
	}
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, d.q(`INSERT INTO file_holders (sha256, office, station, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`),
			c.Sum, p.Office, p.Station, d.stamp())
		return err
	})
	if err != nil {
		return FileState{Size: st.Size}, err
	}
	return st, nil
}

// OpenFile opens a file p may read; any other is ErrNotFound.
func (d *DB) OpenFile(ctx context.Context, p Principal, sum string) (*os.File, error) {
	ok, err := d.CanRead(ctx, p, sum)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotFound
	}
	return d.files.open(sum)
}

// ReadFile copies a file p may read to w.
func (d *DB) ReadFile(ctx context.Context, p Principal, sum string, w io.Writer) error {
	f, err := d.OpenFile(ctx, p, sum)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = io.Copy(w, f)
	return err
}

// SweepPartials removes the unfinished uploads not touched for age, and
// gives how many it removed.
func (d *DB) SweepPartials(age time.Duration) (int, error) { return d.files.sweep(age) }

// PartialUsage gives the bytes p's unfinished uploads announce, and how
// many there are.
func (d *DB) PartialUsage(p Principal) (int64, int, error) { return d.files.usage(p) }

// Setting keys of the server.
const settingPattern = "pattern"

// Pattern gives the organisation's number pattern (radicado.DefaultPattern
// until an administrator sets another).
func (d *DB) Pattern(ctx context.Context) (radicado.Pattern, error) {
	var v string
	err := d.db.QueryRowContext(ctx, d.q(`SELECT value FROM settings WHERE key = ?`), settingPattern).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return radicado.ParsePattern(radicado.DefaultPattern)
	}
	if err != nil {
		return radicado.Pattern{}, err
	}
	return radicado.ParsePattern(v)
}

// SetPattern sets the organisation's number pattern. It is refused while
// the server holds a radicado the new pattern cannot read: its station
// could not send it again.
func (d *DB) SetPattern(ctx context.Context, pattern string) error {
	pat, err := radicado.ParsePattern(pattern)
	if err != nil {
		return err
	}
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if d.postgres {
			// The pattern's row first, then the radicados: a push holds
			// them in the same order (put), so neither waits on the other
			// in a circle, and no push numbered with the old pattern can
			// commit after the check below.
			if _, err := tx.ExecContext(ctx, `SELECT value FROM settings WHERE key = $1 FOR UPDATE`, settingPattern); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `LOCK TABLE radicados IN SHARE MODE`); err != nil {
				return err
			}
		}
		rows, err := tx.QueryContext(ctx, `SELECT number FROM radicados`)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var n string
			if err := rows.Scan(&n); err != nil {
				return err
			}
			if _, err := pat.Parse(n); err != nil {
				return fmt.Errorf("the server holds radicado %s, which the pattern %s cannot read: the pattern stays", n, pattern)
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if err = d.txSetSetting(ctx, tx, settingPattern, pat.String()); err != nil {
			return err
		}
		return d.configChanged(ctx, tx, "cli", "config.pattern", map[string]string{"pattern": pat.String()})
	})
}

// Put stores a radicado pushed by a station. The same radicado again is
// harmless (Already); new events are added (an annulment). The same number
// with other content is a conflict: recorded, never written over.
func (d *DB) Put(ctx context.Context, p Principal, push wire.Push) (wire.PushResult, error) {
	in := d.prepare(push, nil)
	var err error
	if in.acuse, err = d.prepareAcuse(ctx, push); err != nil {
		return wire.PushResult{}, err
	}
	var res wire.PushResult
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var err error
		res, err = d.put(ctx, tx, p, in)
		return err
	})
	return res, err
}

// putInput is what a push brings, worked out before its write: the writes
// of all stations queue for one connection, which does as little as it can.
type putInput struct {
	buzon   bool // the Buzón's own: the only writer under its codes
	push    wire.Push
	content string           // the radicado's content hash
	files   string           // its files, as JSON
	sizes   map[string]int64 // the size of each of its files held whole (absent: not held)
	sent    map[string]bool  // files the push itself brought (held by the station once it commits)
	acuse   *stationAcuse    // queued if the push makes its radicado
}

// prepare works out a push's input, sent naming the files it brought.
func (d *DB) prepare(push wire.Push, sent []string) putInput {
	in := putInput{push: push, content: push.Radicado.Content(), sizes: map[string]int64{}, sent: map[string]bool{}}
	files, _ := json.Marshal(push.Radicado.Files)
	in.files = string(files)
	for _, f := range push.Radicado.Files {
		if size, ok := d.files.whole(f.SHA256); ok {
			in.sizes[f.SHA256] = size
		}
	}
	for _, s := range sent {
		in.sent[s] = true
	}
	return in
}

func (d *DB) put(ctx context.Context, tx *sql.Tx, p Principal, in putInput) (wire.PushResult, error) {
	push := in.push
	r := push.Radicado
	content := in.content
	res := wire.PushResult{Number: r.Number, ContentSHA256: content, DocumentSHA: r.SHA256}
	// The number is read again with the pattern as it stands in this
	// transaction: a server's cached pattern may be a few seconds old.
	lock := ""
	if d.postgres {
		lock = " FOR SHARE"
	}
	var pattern string
	if err := d.txScan(ctx, tx, `SELECT value FROM settings WHERE key = ?`+lock, []any{settingPattern}, &pattern); err != nil {
		return res, err
	}
	if pat, err := radicado.ParsePattern(pattern); err != nil {
		return res, err
	} else if _, err := pat.Parse(r.Number); err != nil {
		return res, fmt.Errorf("%w: %v", ErrPattern, err)
	}
	// Not even an administrator's token writes under the Buzón's codes:
	// a number there taken would stop it.
	if !in.buzon {
		if buzon, err := d.buzonCodes(ctx, tx, r.Office, r.Station); err != nil {
			return res, err
		} else if buzon {
			return res, fmt.Errorf("%w: office %s station %s are the Buzón's", ErrForbid, r.Office, r.Station)
		}
	}
	var missing []string
	for _, f := range r.Files {
		n := 1 // a file the push brought is the station's
		if !in.sent[f.SHA256] {
			if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM file_holders WHERE sha256 = ? AND office = ? AND station = ?`,
				[]any{f.SHA256, p.Office, p.Station}, &n); err != nil {
				return res, err
			}
		}
		size, whole := in.sizes[f.SHA256]
		if n == 0 || !whole {
			missing = append(missing, f.SHA256)
			continue
		}
		if size != f.Size {
			return res, fmt.Errorf("%w: file %s is %d bytes on the server, %d in the radicado", ErrHash, f.SHA256, size, f.Size)
		}
	}
	if len(missing) > 0 {
		return res, &MissingFilesError{missing}
	}
	now := d.stamp()
	ins, err := d.txExec(ctx, tx, `INSERT INTO radicados (number, office, station, year, kind, seq, received_at, doc_type, sender_name, sender_id,
		subject, dept, due, pages, sha256, files, content_sha256, arrived_at, channel, sender_email, answers, recipient, cites)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO NOTHING`,
		r.Number, r.Office, r.Station, r.Year, r.Kind, r.Seq, r.ReceivedAt.Format(time.RFC3339Nano), r.Type, r.SenderName, r.SenderID,
		r.Subject, r.Dept, r.Due, r.Pages, r.SHA256, in.files, content, now, r.Channel, r.SenderEmail, answersColumn(r.Answers), radicado.MarshalRecipient(r.Recipient),
		answersColumn(r.Cites))
	if err != nil {
		return res, err
	}
	if n, _ := ins.RowsAffected(); n == 1 {
		res.Status = wire.Created
		for _, c := range r.Cites {
			if _, err := d.txExec(ctx, tx, `INSERT INTO cited (number, citing) VALUES (?, ?) ON CONFLICT DO NOTHING`, c, r.Number); err != nil {
				return res, err
			}
		}
	} else {
		var held, heldDoc string
		if err := d.txScan(ctx, tx, `SELECT content_sha256, sha256 FROM radicados WHERE number = ?`, []any{r.Number}, &held, &heldDoc); err != nil {
			return res, err
		}
		if held != content {
			// Recorded once for each content sent: a station that sends it
			// again does not grow the table.
			payload, _ := json.Marshal(push)
			if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO conflicts (number, office, station, held_content, sent_content, payload, at)
				SELECT ?, ?, ?, ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM conflicts WHERE number = ? AND sent_content = ?)`),
				r.Number, p.Office, p.Station, held, content, string(payload), now, r.Number, content); err != nil {
				return res, err
			}
			res.Status, res.ContentSHA256, res.DocumentSHA = wire.Conflict, held, heldDoc
			res.Message = "the server holds this number with other content; nothing was written over"
			return res, nil
		}
		res.Status = wire.Already
	}
	annulled, reason := push.Annulled()
	var heldAnnulled bool // annulled by an earlier push
	if res.Status == wire.Already {
		var a int
		if err := d.txScan(ctx, tx, `SELECT annulled FROM radicados WHERE number = ?`, []any{r.Number}, &a); err != nil {
			return res, err
		}
		heldAnnulled = a == 1
	}
	for _, e := range push.Events {
		ins, err := d.txExec(ctx, tx, `INSERT INTO events (office, station, hash, id, at, actor, action, number, data, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (office, station, hash) DO NOTHING`,
			p.Office, p.Station, e.Hash, e.ID, e.At.Format(time.RFC3339Nano), e.Actor, e.Action, e.Number, string(e.Data), e.Prev)
		if err != nil {
			return res, err
		}
		if n, _ := ins.RowsAffected(); n == 1 && e.Action != "radicar" && e.Action != "anular" {
			if err := d.applyDelivery(ctx, tx, r.Kind, annulled || heldAnnulled, e); err != nil {
				return res, err
			}
		}
	}
	if res.Status == wire.Created {
		// The locks of the radicado's own answers and of those it answers,
		// all at once and in one order (addWork and linkAnswers take them
		// again): two pushes that link the same radicados never wait on
		// each other.
		if err := d.lockAnswered(ctx, tx, append([]string{r.Number}, r.Answers...)...); err != nil {
			return res, err
		}
		if err := d.addWork(ctx, tx, r, false); err != nil {
			return res, err
		}
		if in.acuse != nil && !annulled {
			if err := d.queueStationAcuse(ctx, tx, r.Number, in.acuse); err != nil {
				return res, err
			}
		}
		if !annulled {
			if err := d.linkAnswers(ctx, tx, r); err != nil {
				return res, err
			}
		}
	}
	if annulled {
		upd, err := tx.ExecContext(ctx, d.q(`UPDATE radicados SET annulled = 1, annul_reason = ? WHERE number = ? AND annulled = 0`), reason, r.Number)
		if err != nil {
			return res, err
		}
		if n, _ := upd.RowsAffected(); n == 1 {
			if err := d.annulWork(ctx, tx, r.Number); err != nil {
				return res, err
			}
		}
	}
	if res.Status == wire.Created {
		res.Annulled = annulled // a radicado just made is as its push says
		return res, nil
	}
	var held int
	if err := d.txScan(ctx, tx, `SELECT annulled FROM radicados WHERE number = ?`, []any{r.Number}, &held); err != nil {
		return res, err
	}
	res.Annulled = held == 1
	return res, nil
}

// Filter selects radicados for List.
type Filter struct {
	Office, Station string
	Day             string // YYYY-MM-DD, the station's local day
	Query           string // words of the number, sender or subject
	Annulled        *bool
	Limit, Offset   int
}

const heldColumns = `number, office, station, year, kind, seq, received_at, doc_type, sender_name, sender_id, subject, dept, due, pages,
	sha256, files, content_sha256, annulled, annul_reason, arrived_at, channel, sender_email, answers, recipient, cites`

func scanHeld(rows interface{ Scan(...any) error }) (wire.Held, error) {
	var h wire.Held
	var received, arrived, files, answers, recipient, cites string
	var annulled int
	err := rows.Scan(&h.Number, &h.Office, &h.Station, &h.Year, &h.Kind, &h.Seq, &received, &h.Type, &h.SenderName, &h.SenderID,
		&h.Subject, &h.Dept, &h.Due, &h.Pages, &h.SHA256, &files, &h.ContentSHA256, &annulled, &h.AnnulReason, &arrived,
		&h.Channel, &h.SenderEmail, &answers, &recipient, &cites)
	if err != nil {
		return h, err
	}
	if cites != "" {
		h.Cites = strings.Split(cites, "\n")
	}
	if answers != "" {
		h.Answers = strings.Split(answers, "\n")
	}
	if h.Recipient, err = radicado.UnmarshalRecipient(recipient); err != nil {
		return h, fmt.Errorf("%s: %w", h.Number, err)
	}
	h.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	h.ArrivedAt, _ = time.Parse(time.RFC3339Nano, arrived)
	h.Annulled = annulled == 1
	json.Unmarshal([]byte(files), &h.Files)
	return h, nil
}

// likeEscaper makes a word match itself in LIKE: % and _ are not
// wildcards.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// List gives radicados in number order.
func (d *DB) List(ctx context.Context, f Filter) ([]wire.Held, error) {
	var where []string
	var args []any
	add := func(cond string, v any) { where, args = append(where, cond), append(args, v) }
	if f.Office != "" {
		add("office = ?", f.Office)
	}
	if f.Station != "" {
		add("station = ?", f.Station)
	}
	if f.Day != "" {
		add("substr(received_at, 1, 10) = ?", f.Day)
	}
	if f.Annulled != nil {
		v := 0
		if *f.Annulled {
			v = 1
		}
		add("annulled = ?", v)
	}
	for _, w := range strings.Fields(strings.ToLower(f.Query)) {
		like := "%" + likeEscaper.Replace(w) + "%"
		where = append(where, `(lower(number) LIKE ? ESCAPE '\' OR lower(sender_name) LIKE ? ESCAPE '\' OR lower(subject) LIKE ? ESCAPE '\' OR lower(sender_id) LIKE ? ESCAPE '\')`)
		args = append(args, like, like, like, like)
	}
	q := `SELECT ` + heldColumns + ` FROM radicados`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	limit := f.Limit
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	q += " ORDER BY number LIMIT ? OFFSET ?"
	args = append(args, limit, max(0, f.Offset))
	rows, err := d.db.QueryContext(ctx, d.q(q), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.Held{}
	for rows.Next() {
		h, err := scanHeld(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// Get gives one radicado.
func (d *DB) Get(ctx context.Context, number string) (wire.Held, error) {
	h, err := scanHeld(d.db.QueryRowContext(ctx, d.q(`SELECT `+heldColumns+` FROM radicados WHERE number = ?`), number))
	if errors.Is(err, sql.ErrNoRows) {
		return h, ErrNotFound
	}
	return h, err
}

// Events gives the events the server holds for a radicado.
func (d *DB) Events(ctx context.Context, number string) ([]wire.Event, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT id, at, actor, action, number, data, prev, hash FROM events WHERE number = ? ORDER BY id`), number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []wire.Event
	for rows.Next() {
		var e wire.Event
		var at, data string
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Number, &data, &e.Prev, &e.Hash); err != nil {
			return nil, err
		}
		e.At, _ = time.Parse(time.RFC3339Nano, at)
		e.Data = json.RawMessage(data)
		out = append(out, e)
	}
	return out, rows.Err()
}

// Conflicts counts the conflicts recorded for a number ("" for all).
func (d *DB) Conflicts(ctx context.Context, number string) (int, error) {
	var n int
	q, args := `SELECT COUNT(*) FROM conflicts`, []any{}
	if number != "" {
		q, args = q+` WHERE number = ?`, append(args, number)
	}
	err := d.db.QueryRowContext(ctx, d.q(q), args...).Scan(&n)
	return n, err
}

// CheckManifest compares a station's account of a day with what the server
// holds for that station and day.
func (d *DB) CheckManifest(ctx context.Context, m wire.Manifest) (wire.ManifestResult, error) {
	held, err := d.List(ctx, Filter{Office: m.Office, Station: m.Station, Day: m.Day, Limit: 10000})
	if err != nil {
		return wire.ManifestResult{}, err
	}
	res := wire.ManifestResult{Count: len(held), Missing: []string{}, Mismatched: []string{}, Extra: []string{}}
	byNumber := map[string]wire.Held{}
	for _, h := range held {
		byNumber[h.Number] = h
	}
	for _, e := range m.Radicados {
		h, ok := byNumber[e.Number]
		switch {
		case !ok:
			res.Missing = append(res.Missing, e.Number)
		case h.ContentSHA256 != e.ContentSHA256 || h.SHA256 != e.DocumentSHA || h.Annulled != e.Annulled:
			res.Mismatched = append(res.Mismatched, e.Number)
		}
		delete(byNumber, e.Number)
	}
	for n := range byNumber {
		res.Extra = append(res.Extra, n)
	}
	if m.Anchor != nil {
		if res.AnchorMismatch, err = d.keepAnchor(ctx, m); err != nil {
			return res, err
		}
	}
	res.OK = len(res.Missing) == 0 && len(res.Mismatched) == 0 && len(res.Extra) == 0 && m.Count == len(m.Radicados) && m.Count == res.Count &&
		!res.AnchorMismatch
	return res, nil
}

// keepAnchor keeps the anchor of a manifest, and reports whether the
// server already holds another hash for its event: from an earlier
// anchor, or from the event itself, pushed with a radicado.
func (d *DB) keepAnchor(ctx context.Context, m wire.Manifest) (mismatch bool, err error) {
	a := m.Anchor
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		mismatch = false
		for _, q := range []string{`SELECT hash FROM anchors WHERE office = ? AND station = ? AND event_id = ?`,
			`SELECT hash FROM events WHERE office = ? AND station = ? AND id = ?`} {
			rows, err := tx.QueryContext(ctx, d.q(q), m.Office, m.Station, a.ID)
			if err != nil {
				return err
			}
			for rows.Next() {
				var h string
				if err := rows.Scan(&h); err != nil {
					rows.Close()
					return err
				}
				mismatch = mismatch || h != a.Hash
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, d.q(`INSERT INTO anchors (office, station, event_id, hash, at, day, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (office, station, event_id) DO NOTHING`),
			m.Office, m.Station, a.ID, a.Hash, a.At.UTC().Format(time.RFC3339Nano), m.Day, d.stamp())
		return err
	})
	return mismatch, err
}

// Anchors lists the anchors the server holds, by station and event: of
// one station, of an office's (station empty), or of all (both empty).
func (d *DB) Anchors(ctx context.Context, office, station string) ([]wire.HeldAnchor, error) {
	q, args := `SELECT office, station, event_id, hash, at, day, received_at FROM anchors`, []any{}
	switch {
	case office != "" && station != "":
		q, args = q+` WHERE office = ? AND station = ?`, append(args, office, station)
	case office != "":
		q, args = q+` WHERE office = ?`, append(args, office)
	}
	rows, err := d.db.QueryContext(ctx, d.q(q+` ORDER BY office, station, event_id`), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.HeldAnchor{}
	for rows.Next() {
		var a wire.HeldAnchor
		var at, received string
		if err := rows.Scan(&a.Office, &a.Station, &a.ID, &a.Hash, &at, &a.Day, &received); err != nil {
			return nil, err
		}
		a.At, _ = time.Parse(time.RFC3339Nano, at)
		a.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
		out = append(out, a)
	}
	return out, rows.Err()
}
