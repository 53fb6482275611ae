package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/radicador/radicador/radicado"
)

// Report is the outcome of Verify.
type Report struct {
	OK        bool     `json:"ok"`
	Problems  []string `json:"problems"`
	Notes     []string `json:"notes,omitempty"` // past events worth knowing that are not problems now
	Radicados int      `json:"radicados"`
	Events    int      `json:"events"`
	Files     int      `json:"files"`
}

// maxProblems bounds the report; a damaged database could list millions.
const maxProblems = 200

func (r *Report) addf(format string, args ...any) {
	if len(r.Problems) == maxProblems {
		r.Problems = append(r.Problems, "… further problems not listed")
	}
	if len(r.Problems) <= maxProblems {
		r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
	}
}

// Verify checks the database's integrity, the audit chain, that every
// radicado matches the audit event that created it (and its annulment), that
// each sequence has no hole, that every file is present with its hash, and
// that every envelope is as the audit log's delivery steps left it.
// Problems found are in the report; the error is for a check that could not
// run at all.
func (s *Store) Verify(ctx context.Context) (Report, error) {
	var r Report
	for _, step := range []func(context.Context, *Report) error{
		s.verifyDatabase, s.verifyGuards, s.verifyChain, s.verifyRecords, s.verifySequences, s.verifyFiles, s.verifyEnvelopes,
		s.verifyIndexes,
	} {
		if err := step(ctx, &r); err != nil {
			return r, err
		}
	}
	r.OK = len(r.Problems) == 0
	if r.Problems == nil {
		r.Problems = []string{}
	}
	return r, nil
}

// verifyIndexes checks the tables that index what the records say — what
// a salida answers (answered) and what a letter cites (cited) — against
// the records: a row of either that its radicado does not say, or a
// number a radicado says that has no row, was put there or taken away
// behind the program's back.
func (s *Store) verifyIndexes(ctx context.Context, r *Report) error {
	if s.readOnly && s.pending > 0 {
		return nil // a folder of an older Radicador may lack the tables
	}
	said := map[[2]string]bool{} // (number, by) pairs the records say
	indexed := map[[2]string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT number, answers, cites FROM radicados WHERE answers <> '' OR cites <> ''`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var number, answers, cites string
		if err := rows.Scan(&number, &answers, &cites); err != nil {
			rows.Close()
			return err
		}
		for _, a := range strings.Split(answers, "\n") {
			if a != "" {
				said[[2]string{"answered " + a, number}] = true
			}
		}
		for _, c := range strings.Split(cites, "\n") {
			if c != "" {
				said[[2]string{"cited " + c, number}] = true
			}
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, q := range []struct{ table, sql string }{
		{"answered", `SELECT number, salida FROM answered`},
		{"cited", `SELECT number, citing FROM cited`},
	} {
		rows, err := s.db.QueryContext(ctx, q.sql)
		if err != nil {
			return err
		}
		for rows.Next() {
			var number, by string
			if err := rows.Scan(&number, &by); err != nil {
				rows.Close()
				return err
			}
			k := [2]string{q.table + " " + number, by}
			indexed[k] = true
			if !said[k] {
				r.addf("%s: %s %s, which its record does not say", by, q.table, number)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
	}
	var lost [][2]string
	for k := range said {
		if !indexed[k] {
			lost = append(lost, k)
		}
	}
	slices.SortFunc(lost, func(a, b [2]string) int { return strings.Compare(a[1]+a[0], b[1]+b[0]) })
	for _, k := range lost {
		r.addf("%s: the record says %s, but its index lost it", k[1], k[0])
	}
	return nil
}

func (s *Store) verifyDatabase(ctx context.Context, r *Report) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return err
		}
		if msg != "ok" {
			r.addf("database: %s", msg)
		}
	}
	rows.Close()
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM pragma_foreign_key_check`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		r.addf("database: %d rows point to rows that do not exist", n)
	}
	if s.readOnly {
		return nil // the full-text index's own check writes
	}
	if _, err := s.db.ExecContext(ctx, `INSERT INTO search (search) VALUES ('integrity-check')`); err != nil {
		r.addf("full-text index: %v", err)
	}
	return nil
}

func (s *Store) verifyChain(ctx context.Context, r *Report) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, number, data, prev, hash FROM audit ORDER BY id`)
	if err != nil {
		return err
	}
	defer rows.Close()
	prev := genesis
	var want int64 = 1
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			r.addf("audit: %v", err)
			continue
		}
		r.Events++
		if e.ID != want {
			r.addf("audit: event %d follows event %d: events are missing", e.ID, want-1)
		}
		if e.Prev != prev {
			r.addf("audit: event %d does not chain to the event before it", e.ID)
		}
		if got := eventHash(e); got != e.Hash {
			r.addf("audit: event %d (%s %s) was changed after it was written", e.ID, e.Action, e.Number)
		}
		prev, want = e.Hash, e.ID+1
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var orphans int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit a WHERE a.action IN (`+syncedActions+`)
		AND NOT EXISTS (SELECT 1 FROM radicados x WHERE x.number = a.number)`).Scan(&orphans); err != nil {
		return err
	}
	if orphans > 0 {
		r.addf("audit: %d events name radicados that are not in the database", orphans)
	}
	var unqueued int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM audit a WHERE a.action IN (`+syncedActions+`)
		AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.audit_id = a.id)`).Scan(&unqueued); err != nil {
		return err
	}
	if unqueued > 0 {
		r.addf("outbox: %d changes were never queued for the server", unqueued)
	}
	return nil
}

func (s *Store) verifyRecords(ctx context.Context, r *Report) error {
	rows, err := s.db.QueryContext(ctx, `SELECT `+recordColumns+`,
		(SELECT data FROM audit a WHERE a.number = r.number AND a.action = 'radicar'),
		(SELECT actor || char(10) || data FROM audit a WHERE a.number = r.number AND a.action = 'anular')
		FROM radicados r ORDER BY r.id`)
	if err != nil {
		return err
	}
	type checked struct {
		id         int64
		rec        radicado.Record
		created    sql.NullString
		annulEvent sql.NullString
	}
	var all []checked
	for rows.Next() {
		var c checked
		var scanErr error
		c.id, c.rec, scanErr = scanRecord(withExtra{rows, []any{&c.created, &c.annulEvent}})
		if scanErr != nil {
			r.addf("radicado: %v", scanErr)
			continue
		}
		all = append(all, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, c := range all {
		r.Radicados++
		rec := c.rec
		files, err := s.files(ctx, c.id)
		if err != nil {
			return err
		}
		rec.Files = files
		if len(files) == 0 {
			r.addf("%s: has no files", rec.Number)
		}
		if got := radicado.DocumentHash(files); got != rec.SHA256 {
			r.addf("%s: its files do not make the document hash it was given", rec.Number)
		}
		if !c.created.Valid {
			r.addf("%s: has no audit event of its creation", rec.Number)
			continue
		}
		want, _ := json.Marshal(recordData(rec))
		if string(want) != c.created.String {
			r.addf("%s: the record differs from what the audit log says was created", rec.Number)
		}
		switch {
		case rec.Status == radicado.Annulled && !c.annulEvent.Valid:
			r.addf("%s: annulled without an audit event", rec.Number)
		case rec.Status == radicado.Active && c.annulEvent.Valid:
			r.addf("%s: the audit log says it was annulled, the record says active", rec.Number)
		case rec.Status == radicado.Annulled:
			actor, data, _ := strings.Cut(c.annulEvent.String, "\n")
			var a anularData
			if json.Unmarshal([]byte(data), &a) != nil || rec.Annulment == nil || a.Reason != rec.Annulment.Reason || actor != rec.Annulment.By {
				r.addf("%s: the annulment differs from what the audit log says", rec.Number)
			}
		}
	}
	return nil
}

// withExtra scans a record followed by more columns.
type withExtra struct {
	rows  *sql.Rows
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.rows.Scan(append(dest, w.extra...)...) }

func (s *Store) verifySequences(ctx context.Context, r *Report) error {
	rows, err := s.db.QueryContext(ctx, `SELECT q.year, q.office, q.station, q.kind, q.last,
		(SELECT COUNT(*) FROM radicados x WHERE x.year = q.year AND x.office = q.office AND x.station = q.station AND x.kind = q.kind),
		(SELECT COALESCE(MAX(seq), 0) FROM radicados x WHERE x.year = q.year AND x.office = q.office AND x.station = q.station AND x.kind = q.kind)
		FROM sequences q`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var year, kind, last, count, max int
		var office, station string
		if err := rows.Scan(&year, &office, &station, &kind, &last, &count, &max); err != nil {
			return err
		}
		if count != last || max != last {
			r.addf("sequence %d office %s station %s %s: last given %d, but %d numbers are recorded up to %d",
				year, office, station, radicado.Kind(kind), last, count, max)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var loose int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM radicados x WHERE NOT EXISTS (SELECT 1 FROM sequences q
		WHERE x.year = q.year AND x.office = q.office AND x.station = q.station AND x.kind = q.kind)`).Scan(&loose); err != nil {
		return err
	}
	if loose > 0 {
		r.addf("%d radicados belong to no sequence", loose)
	}
	return nil
}

func (s *Store) verifyFiles(ctx context.Context, r *Report) error {
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT sha256, size FROM files ORDER BY sha256`)
	if err != nil {
		return err
	}
	type blob struct {
		sum  string
		size int64
	}
	var blobs []blob
	for rows.Next() {
		var b blob
		if err := rows.Scan(&b.sum, &b.size); err != nil {
			rows.Close()
			return err
		}
		blobs = append(blobs, b)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, b := range blobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.Files++
		if err := s.blobs.Check(ctx, b.sum, b.size); err != nil {
			if errors.Is(err, context.Canceled) {
				return err
			}
			r.addf("file %v", err)
		}
	}
	return nil
}
