package server

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL
	_ "modernc.org/sqlite"             // SQLite

	"github.com/radicador/radicador/sync/wire"
)

// Principal is who a request comes from.
type Principal struct {
	Office, Station string
	Admin           bool
}

// Errors of the store.
var (
	ErrUnauthorized = errors.New("no valid token")
	ErrNotFound     = errors.New("not found")
	ErrOffset       = errors.New("the upload does not continue where the server's copy ends")
	ErrHash         = errors.New("the file does not have the hash it was sent under")
	ErrTooLarge     = errors.New("larger than allowed")
	ErrExists       = errors.New("already exists")
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
	db       *sql.DB
	postgres bool
	now      func() time.Time
}

// Open opens the store at url: postgres://… for PostgreSQL, anything else
// is an SQLite file.
func Open(ctx context.Context, url string) (*DB, error) {
	d := &DB{now: time.Now}
	var err error
	if strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://") {
		d.postgres = true
		d.db, err = sql.Open("pgx", url)
		if err == nil {
			d.db.SetMaxOpenConns(20)
		}
	} else {
		dsn := strings.TrimPrefix(url, "sqlite:") + "?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(FULL)&_pragma=foreign_keys(1)&_txlock=immediate"
		d.db, err = sql.Open("sqlite", dsn)
		if err == nil {
			d.db.SetMaxOpenConns(8)
		}
	}
	if err != nil {
		return nil, err
	}
	if err := d.db.PingContext(ctx); err != nil {
		d.db.Close()
		return nil, fmt.Errorf("database: %w", err)
	}
	if err := d.migrate(ctx); err != nil {
		d.db.Close()
		return nil, err
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

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

func (d *DB) migrate(ctx context.Context) error {
	blob, serial := "BLOB", "INTEGER PRIMARY KEY"
	if d.postgres {
		blob, serial = "BYTEA", "BIGSERIAL PRIMARY KEY"
	}
	stmts := []string{
		`CREATE TABLE IF NOT EXISTS stations (
			id ` + serial + `, office TEXT NOT NULL, station TEXT NOT NULL, token_hash TEXT NOT NULL UNIQUE, admin INTEGER NOT NULL,
			created_at TEXT NOT NULL, revoked_at TEXT, clock_offset_ms BIGINT, last_seen TEXT)`,
		// One live token per station; revoked ones stay, for the record.
		`CREATE UNIQUE INDEX IF NOT EXISTS stations_live ON stations (office, station) WHERE revoked_at IS NULL`,
		`CREATE TABLE IF NOT EXISTS files (
			sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, received BIGINT NOT NULL, complete INTEGER NOT NULL, updated_at TEXT NOT NULL)`,
		`CREATE TABLE IF NOT EXISTS chunks (
			sha256 TEXT NOT NULL, start BIGINT NOT NULL, data ` + blob + ` NOT NULL, PRIMARY KEY (sha256, start))`,
		`CREATE TABLE IF NOT EXISTS radicados (
			number TEXT PRIMARY KEY, office TEXT NOT NULL, station TEXT NOT NULL, year INTEGER NOT NULL, kind INTEGER NOT NULL,
			seq INTEGER NOT NULL, received_at TEXT NOT NULL, doc_type TEXT NOT NULL, sender_name TEXT NOT NULL, sender_id TEXT NOT NULL,
			subject TEXT NOT NULL, dept TEXT NOT NULL, due TEXT NOT NULL, pages INTEGER NOT NULL, sha256 TEXT NOT NULL,
			files TEXT NOT NULL, content_sha256 TEXT NOT NULL, annulled INTEGER NOT NULL DEFAULT 0, annul_reason TEXT NOT NULL DEFAULT '',
			arrived_at TEXT NOT NULL)`,
		`CREATE INDEX IF NOT EXISTS radicados_station_day ON radicados (office, station, received_at)`,
		`CREATE TABLE IF NOT EXISTS events (
			office TEXT NOT NULL, station TEXT NOT NULL, hash TEXT NOT NULL, id BIGINT NOT NULL, at TEXT NOT NULL, actor TEXT NOT NULL,
			action TEXT NOT NULL, number TEXT NOT NULL, data TEXT NOT NULL, prev TEXT NOT NULL,
			PRIMARY KEY (office, station, hash))`,
		`CREATE INDEX IF NOT EXISTS events_number ON events (number)`,
		`CREATE TABLE IF NOT EXISTS conflicts (
			id ` + serial + `, number TEXT NOT NULL, office TEXT NOT NULL, station TEXT NOT NULL,
			held_content TEXT NOT NULL, sent_content TEXT NOT NULL, payload TEXT NOT NULL, at TEXT NOT NULL)`,
	}
	for _, s := range stmts {
		if _, err := d.db.ExecContext(ctx, s); err != nil {
			return fmt.Errorf("schema: %w", err)
		}
	}
	return nil
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
	_, err := d.db.ExecContext(ctx, d.q(`INSERT INTO stations (office, station, token_hash, admin, created_at) VALUES (?, ?, ?, ?, ?)`),
		p.Office, p.Station, tokenHash, admin, d.stamp())
	if err != nil && strings.Contains(strings.ToLower(err.Error()), "unique") || err != nil && strings.Contains(err.Error(), "duplicate key") {
		return fmt.Errorf("office %s station %s: %w (revoke it first to give it a new token)", p.Office, p.Station, ErrExists)
	}
	return err
}

// RevokeStation revokes a station's token.
func (d *DB) RevokeStation(ctx context.Context, office, station string) error {
	res, err := d.db.ExecContext(ctx, d.q(`UPDATE stations SET revoked_at = ? WHERE office = ? AND station = ? AND revoked_at IS NULL`),
		d.stamp(), office, station)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("office %s station %s: %w", office, station, ErrNotFound)
	}
	return nil
}

// Authenticate gives the principal of a token.
func (d *DB) Authenticate(ctx context.Context, token string) (Principal, error) {
	var p Principal
	var admin int
	var revoked sql.NullString
	err := d.db.QueryRowContext(ctx, d.q(`SELECT office, station, admin, revoked_at FROM stations WHERE token_hash = ?`), HashToken(token)).
		Scan(&p.Office, &p.Station, &admin, &revoked)
	if errors.Is(err, sql.ErrNoRows) || revoked.Valid {
		return Principal{}, ErrUnauthorized
	}
	p.Admin = admin == 1
	return p, err
}

// StationClock records a station's clock offset from the server's.
func (d *DB) StationClock(ctx context.Context, p Principal, offset time.Duration) error {
	_, err := d.db.ExecContext(ctx, d.q(`UPDATE stations SET clock_offset_ms = ?, last_seen = ? WHERE office = ? AND station = ? AND revoked_at IS NULL`),
		offset.Milliseconds(), d.stamp(), p.Office, p.Station)
	return err
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

// File gives the state of the file with hash sum.
func (d *DB) File(ctx context.Context, sum string) (FileState, error) {
	var f FileState
	var complete int
	err := d.db.QueryRowContext(ctx, d.q(`SELECT size, received, complete FROM files WHERE sha256 = ?`), sum).Scan(&f.Size, &f.Received, &complete)
	if errors.Is(err, sql.ErrNoRows) {
		return FileState{}, ErrNotFound
	}
	f.Complete = complete == 1
	return f, err
}

// PutChunk adds data at offset to the file with hash sum and whole size
// size. When the file is whole its hash is checked: a file whose bytes do
// not hash to sum is thrown away (ErrHash) and must be sent again. Sending
// a chunk twice, or a file the server holds, changes nothing.
func (d *DB) PutChunk(ctx context.Context, sum string, size, offset int64, data []byte) (FileState, error) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return FileState{}, err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO files (sha256, size, received, complete, updated_at) VALUES (?, ?, 0, 0, ?) ON CONFLICT (sha256) DO NOTHING`),
		sum, size, d.stamp()); err != nil {
		return FileState{}, err
	}
	var f FileState
	var complete int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT size, received, complete FROM files WHERE sha256 = ?`), sum).Scan(&f.Size, &f.Received, &complete); err != nil {
		return FileState{}, err
	}
	f.Complete = complete == 1
	if f.Complete {
		return f, nil
	}
	if f.Size != size {
		return f, fmt.Errorf("%w: the file was announced as %d bytes, now %d", ErrOffset, f.Size, size)
	}
	if offset != f.Received {
		return f, ErrOffset
	}
	if offset+int64(len(data)) > size {
		return f, fmt.Errorf("%w: %d bytes past the file's end", ErrTooLarge, offset+int64(len(data))-size)
	}
	res, err := tx.ExecContext(ctx, d.q(`UPDATE files SET received = ?, updated_at = ? WHERE sha256 = ? AND received = ?`),
		offset+int64(len(data)), d.stamp(), sum, offset)
	if err != nil {
		return f, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return f, ErrOffset // another upload of the same file got there first
	}
	if len(data) > 0 {
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO chunks (sha256, start, data) VALUES (?, ?, ?)`), sum, offset, data); err != nil {
			return f, err
		}
	}
	f.Received = offset + int64(len(data))
	if f.Received == size {
		h := sha256.New()
		if err := d.readChunks(ctx, tx, sum, h); err != nil {
			return f, err
		}
		if hex.EncodeToString(h.Sum(nil)) != sum {
			tx.Rollback()
			d.dropFile(ctx, sum)
			return FileState{}, ErrHash
		}
		if _, err := tx.ExecContext(ctx, d.q(`UPDATE files SET complete = 1 WHERE sha256 = ?`), sum); err != nil {
			return f, err
		}
		f.Complete = true
	}
	return f, tx.Commit()
}

func (d *DB) dropFile(ctx context.Context, sum string) {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return
	}
	tx.ExecContext(ctx, d.q(`DELETE FROM chunks WHERE sha256 = ?`), sum)
	tx.ExecContext(ctx, d.q(`DELETE FROM files WHERE sha256 = ? AND complete = 0`), sum)
	tx.Commit()
}

type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func (d *DB) readChunks(ctx context.Context, q queryer, sum string, w io.Writer) error {
	rows, err := q.QueryContext(ctx, d.q(`SELECT data FROM chunks WHERE sha256 = ? ORDER BY start`), sum)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var b []byte
		if err := rows.Scan(&b); err != nil {
			return err
		}
		if _, err := w.Write(b); err != nil {
			return err
		}
	}
	return rows.Err()
}

// ReadFile copies the file with hash sum to w.
func (d *DB) ReadFile(ctx context.Context, sum string, w io.Writer) error {
	f, err := d.File(ctx, sum)
	if err != nil {
		return err
	}
	if !f.Complete {
		return ErrNotFound
	}
	return d.readChunks(ctx, d.db, sum, w)
}

// Put stores a radicado pushed by a station. The same radicado again is
// harmless (Already); new events are added (an annulment). The same number
// with other content is a conflict: recorded, never written over.
func (d *DB) Put(ctx context.Context, p Principal, push wire.Push) (wire.PushResult, error) {
	r := push.Radicado
	content := r.Content()
	res := wire.PushResult{Number: r.Number, ContentSHA256: content, DocumentSHA: r.SHA256}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return res, err
	}
	defer tx.Rollback()
	var missing []string
	for _, f := range r.Files {
		var complete int
		var size int64
		err := tx.QueryRowContext(ctx, d.q(`SELECT complete, size FROM files WHERE sha256 = ?`), f.SHA256).Scan(&complete, &size)
		if errors.Is(err, sql.ErrNoRows) || complete != 1 {
			missing = append(missing, f.SHA256)
			continue
		}
		if err != nil {
			return res, err
		}
		if size != f.Size {
			return res, fmt.Errorf("%w: file %s is %d bytes on the server, %d in the radicado", ErrHash, f.SHA256, size, f.Size)
		}
	}
	if len(missing) > 0 {
		return res, &MissingFilesError{missing}
	}
	files, _ := json.Marshal(r.Files)
	now := d.stamp()
	ins, err := tx.ExecContext(ctx, d.q(`INSERT INTO radicados (number, office, station, year, kind, seq, received_at, doc_type, sender_name, sender_id,
		subject, dept, due, pages, sha256, files, content_sha256, arrived_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (number) DO NOTHING`),
		r.Number, r.Office, r.Station, r.Year, r.Kind, r.Seq, r.ReceivedAt.Format(time.RFC3339Nano), r.Type, r.SenderName, r.SenderID,
		r.Subject, r.Dept, r.Due, r.Pages, r.SHA256, string(files), content, now)
	if err != nil {
		return res, err
	}
	if n, _ := ins.RowsAffected(); n == 1 {
		res.Status = wire.Created
	} else {
		var held, heldDoc string
		if err := tx.QueryRowContext(ctx, d.q(`SELECT content_sha256, sha256 FROM radicados WHERE number = ?`), r.Number).Scan(&held, &heldDoc); err != nil {
			return res, err
		}
		if held != content {
			payload, _ := json.Marshal(push)
			if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO conflicts (number, office, station, held_content, sent_content, payload, at) VALUES (?, ?, ?, ?, ?, ?, ?)`),
				r.Number, p.Office, p.Station, held, content, string(payload), now); err != nil {
				return res, err
			}
			res.Status, res.ContentSHA256, res.DocumentSHA = wire.Conflict, held, heldDoc
			res.Message = "the server holds this number with other content; nothing was written over"
			return res, tx.Commit()
		}
		res.Status = wire.Already
	}
	for _, e := range push.Events {
		if _, err := tx.ExecContext(ctx, d.q(`INSERT INTO events (office, station, hash, id, at, actor, action, number, data, prev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (office, station, hash) DO NOTHING`),
			p.Office, p.Station, e.Hash, e.ID, e.At.Format(time.RFC3339Nano), e.Actor, e.Action, e.Number, string(e.Data), e.Prev); err != nil {
			return res, err
		}
	}
	if annulled, reason := push.Annulled(); annulled {
		if _, err := tx.ExecContext(ctx, d.q(`UPDATE radicados SET annulled = 1, annul_reason = ? WHERE number = ? AND annulled = 0`), reason, r.Number); err != nil {
			return res, err
		}
	}
	var annulled int
	if err := tx.QueryRowContext(ctx, d.q(`SELECT annulled FROM radicados WHERE number = ?`), r.Number).Scan(&annulled); err != nil {
		return res, err
	}
	res.Annulled = annulled == 1
	return res, tx.Commit()
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
	sha256, files, content_sha256, annulled, annul_reason, arrived_at`

func scanHeld(rows interface{ Scan(...any) error }) (wire.Held, error) {
	var h wire.Held
	var received, arrived, files string
	var annulled int
	err := rows.Scan(&h.Number, &h.Office, &h.Station, &h.Year, &h.Kind, &h.Seq, &received, &h.Type, &h.SenderName, &h.SenderID,
		&h.Subject, &h.Dept, &h.Due, &h.Pages, &h.SHA256, &files, &h.ContentSHA256, &annulled, &h.AnnulReason, &arrived)
	if err != nil {
		return h, err
	}
	h.ReceivedAt, _ = time.Parse(time.RFC3339Nano, received)
	h.ArrivedAt, _ = time.Parse(time.RFC3339Nano, arrived)
	h.Annulled = annulled == 1
	json.Unmarshal([]byte(files), &h.Files)
	return h, nil
}

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
		like := "%" + w + "%"
		where = append(where, "(lower(number) LIKE ? OR lower(sender_name) LIKE ? OR lower(subject) LIKE ? OR lower(sender_id) LIKE ?)")
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
	res.OK = len(res.Missing) == 0 && len(res.Mismatched) == 0 && len(res.Extra) == 0 && m.Count == len(m.Radicados) && m.Count == res.Count
	return res, nil
}
