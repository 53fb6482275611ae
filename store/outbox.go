package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/radicador/radicador/radicado"
)

// numbers runs a query that gives radicado numbers, one a row.
func (s *Store) numbers(ctx context.Context, query string, args ...any) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Outgoing is a radicado as it goes to the server: its record, its audit
// events, and the last outbox entry they cover.
type Outgoing struct {
	Events []Event
	Upto   int64 // the last outbox entry of the radicado when it was read
}

// Outgoing reads a radicado's audit events and its last outbox entry, in
// one snapshot.
func (s *Store) Outgoing(ctx context.Context, number string) (Outgoing, error) {
	// Prepared before the transaction takes a connection: preparing takes
	// one of its own.
	upto, err := s.prepared(ctx, `SELECT COALESCE(MAX(o.id), 0) FROM outbox o JOIN radicados r ON r.id = o.radicado_id WHERE r.number = ?`)
	if err != nil {
		return Outgoing{}, err
	}
	events, err := s.prepared(ctx, `SELECT id, at, actor, action, number, data, prev, hash FROM audit
		WHERE number = ? AND action IN (`+syncedActions+`) ORDER BY id`)
	if err != nil {
		return Outgoing{}, err
	}
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return Outgoing{}, err
	}
	defer tx.Rollback()
	var o Outgoing
	if err := tx.StmtContext(ctx, upto).QueryRowContext(ctx, number).Scan(&o.Upto); err != nil {
		return o, err
	}
	rows, err := tx.StmtContext(ctx, events).QueryContext(ctx, number)
	if err != nil {
		return o, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return o, err
		}
		o.Events = append(o.Events, e)
	}
	return o, rows.Err()
}

// Synced is the server's confirmation of a radicado's changes up to
// outbox entry Upto.
type Synced struct {
	Number string
	Upto   int64
}

// MarkSynced records confirmations from the server, in one transaction.
func (s *Store) MarkSynced(ctx context.Context, marks ...Synced) error {
	if len(marks) == 0 {
		return nil
	}
	// Prepared before the transaction takes a connection: preparing takes
	// one of its own.
	prepared, err := s.prepared(ctx, `UPDATE outbox SET state = 'sent', updated_at = ?, last_error = ''
		WHERE state = 'pending' AND id <= ? AND radicado_id = (SELECT id FROM radicados WHERE number = ?)`)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock().UTC().Format(time.RFC3339Nano)
		mark := tx.StmtContext(ctx, prepared)
		for _, m := range marks {
			if _, err := mark.ExecContext(ctx, now, m.Upto, m.Number); err != nil {
				return err
			}
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sync_state (key, value) VALUES ('last_sync', ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value`, now)
		return err
	})
}

// MarkConflict records that the server holds the number with other
// content: the radicado stays as it is here, for a supervisor to settle.
func (s *Store) MarkConflict(ctx context.Context, number, message string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET state = 'conflict', last_error = ?, updated_at = ?
			WHERE state = 'pending' AND radicado_id = (SELECT id FROM radicados WHERE number = ?)`,
			message, s.clock().UTC().Format(time.RFC3339Nano), number)
		return err
	})
}

// NoteSyncFailure records a failed attempt to send a radicado.
func (s *Store) NoteSyncFailure(ctx context.Context, number string, cause error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, updated_at = ?
			WHERE state = 'pending' AND radicado_id = (SELECT id FROM radicados WHERE number = ?)`,
			cause.Error(), s.clock().UTC().Format(time.RFC3339Nano), number)
		return err
	})
}

// SyncStatus is how far the station is with the server.
type SyncStatus struct {
	Pending   int       `json:"pending"`   // radicados with changes not confirmed
	Conflicts int       `json:"conflicts"` // radicados the server holds with other content
	LastSync  time.Time `json:"last_sync"` // the last confirmation from the server
}

// SyncStatus tells how far the station is with the server.
func (s *Store) SyncStatus(ctx context.Context) (SyncStatus, error) {
	var st SyncStatus
	err := s.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(DISTINCT radicado_id) FROM outbox WHERE state = 'pending'),
		(SELECT COUNT(DISTINCT radicado_id) FROM outbox WHERE state = 'conflict')`).Scan(&st.Pending, &st.Conflicts)
	if err != nil {
		return st, err
	}
	var last string
	err = s.db.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = 'last_sync'`).Scan(&last)
	if err == nil {
		st.LastSync, _ = time.Parse(time.RFC3339Nano, last)
	} else if !errors.Is(err, sql.ErrNoRows) {
		return st, err
	}
	return st, nil
}

// SetSyncState keeps a value of the sync's own (not audited: not a setting).
func (s *Store) SetSyncState(ctx context.Context, key string, value any) error {
	b, err := json.Marshal(value)
	if err != nil {
		return err
	}
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, string(b))
		return err
	})
}

// SyncState reads a value kept with SetSyncState into v; false when none.
func (s *Store) SyncState(ctx context.Context, key string, v any) (bool, error) {
	var raw string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM sync_state WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal([]byte(raw), v)
}

// Sending is a radicado as it goes to the server: its record with its
// files, its audit events and the last outbox entry they cover.
type Sending struct {
	Record radicado.Record
	Outgoing
}

// PendingSending reads, in one snapshot and a few queries, the radicados
// with changes the server has not confirmed, in the order the changes were
// made, at most limit, leaving out those in skip: what a sync round sends
// next.
func (s *Store) PendingSending(ctx context.Context, limit int, skip map[string]bool) ([]Sending, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	rows, err := tx.QueryContext(ctx, `SELECT `+recordColumns+`, o.upto FROM
		(SELECT radicado_id, MIN(id) AS first, MAX(id) AS upto FROM outbox WHERE state = 'pending' GROUP BY radicado_id) o
		JOIN radicados r ON r.id = o.radicado_id ORDER BY o.first LIMIT ?`, limit+len(skip))
	if err != nil {
		return nil, err
	}
	var out []Sending
	byID := map[int64]int{}
	for len(out) < limit && rows.Next() {
		var upto int64
		id, r, err := scanRecord(withExtra{rows, []any{&upto}})
		if err != nil {
			rows.Close()
			return nil, err
		}
		if skip[r.Number] {
			continue
		}
		byID[id] = len(out)
		out = append(out, Sending{Record: r, Outgoing: Outgoing{Upto: upto}})
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	ids := make([]any, 0, len(byID))
	marks := make([]string, 0, len(byID))
	for id := range byID {
		ids, marks = append(ids, id), append(marks, "?")
	}
	in := strings.Join(marks, ",")
	frows, err := tx.QueryContext(ctx, `SELECT radicado_id, sha256, size, name, media_type, pages FROM files
		WHERE radicado_id IN (`+in+`) ORDER BY radicado_id, pos`, ids...)
	if err != nil {
		return nil, err
	}
	for frows.Next() {
		var id int64
		var f radicado.File
		if err := frows.Scan(&id, &f.SHA256, &f.Size, &f.Name, &f.MediaType, &f.Pages); err != nil {
			frows.Close()
			return nil, err
		}
		out[byID[id]].Record.Files = append(out[byID[id]].Record.Files, f)
	}
	frows.Close()
	if err := frows.Err(); err != nil {
		return nil, err
	}
	numbers := make([]any, len(out))
	pos := map[string]int{}
	for i, o := range out {
		numbers[i], pos[o.Record.Number] = o.Record.Number, i
	}
	erows, err := tx.QueryContext(ctx, `SELECT id, at, actor, action, number, data, prev, hash FROM audit
		WHERE number IN (`+strings.Repeat("?,", len(numbers)-1)+`?) AND action IN (`+syncedActions+`) ORDER BY id`, numbers...)
	if err != nil {
		return nil, err
	}
	defer erows.Close()
	for erows.Next() {
		e, err := scanEvent(erows)
		if err != nil {
			return nil, err
		}
		i := pos[e.Number]
		out[i].Events = append(out[i].Events, e)
	}
	return out, erows.Err()
}
