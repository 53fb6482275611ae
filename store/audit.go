package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radicador/radicador/sync/wire"
)

// Event is one entry of the audit log.
type Event struct {
	ID     int64           `json:"id"`
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"`
	Number string          `json:"number,omitempty"`
	Data   json.RawMessage `json:"data"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

// The actions the audit log records.
const (
	ActionRadicar = "radicar"
	ActionAnular  = "anular"
	ActionConfig  = "config"
	ActionReprint = "reimprimir" // a sticker or receipt printed again, marked COPIA
)

// genesis is the previous hash of the first event.
var genesis = strings.Repeat("0", 64)

// eventHash chains an event to the one before it (wire.EventHash: the
// server checks the same hash).
func eventHash(e Event) string {
	return wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data)
}

// appendEvent adds an event to the log inside tx and gives its id.
func appendEvent(ctx context.Context, tx *sql.Tx, at time.Time, actor, action, number string, data any) (int64, error) {
	raw, err := json.Marshal(data)
	if err != nil {
		return 0, err
	}
	e := Event{At: at, Actor: actor, Action: action, Number: number, Data: raw, Prev: genesis}
	err = tx.QueryRowContext(ctx, `SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1`).Scan(&e.ID, &e.Prev)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	e.ID++
	e.Hash = eventHash(e)
	_, err = tx.ExecContext(ctx, `INSERT INTO audit (id, at, actor, action, number, data, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Number, string(e.Data), e.Prev, e.Hash)
	if err != nil {
		return 0, fmt.Errorf("audit log: %w", err)
	}
	return e.ID, nil
}

// queueEvent adds an event about the radicado with id radicadoID to the
// log inside tx and queues it for the server.
func queueEvent(ctx context.Context, tx *sql.Tx, radicadoID int64, at time.Time, actor, action, number string, data any) error {
	eventID, err := appendEvent(ctx, tx, at, actor, action, number, data)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO outbox (radicado_id, audit_id, updated_at) VALUES (?, ?, ?)`,
		radicadoID, eventID, at.UTC().Format(time.RFC3339))
	return err
}

// Events lists the audit log in order, from the event after afterID, at most
// limit events (all when limit ≤ 0).
func (s *Store) Events(ctx context.Context, afterID int64, limit int) ([]Event, error) {
	if limit <= 0 {
		limit = -1
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, number, data, prev, hash FROM audit WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		e, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanEvent(rows *sql.Rows) (Event, error) {
	var e Event
	var at, data string
	if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Number, &data, &e.Prev, &e.Hash); err != nil {
		return e, err
	}
	t, err := time.Parse(time.RFC3339Nano, at)
	if err != nil {
		return e, fmt.Errorf("audit event %d: time %q: %w", e.ID, at, err)
	}
	e.At, e.Data = t, json.RawMessage(data)
	return e, nil
}

// Event gives the audit event with id.
func (s *Store) Event(ctx context.Context, id int64) (Event, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, number, data, prev, hash FROM audit WHERE id = ?`, id)
	if err != nil {
		return Event{}, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return Event{}, err
		}
		return Event{}, fmt.Errorf("audit event %d: %w", id, ErrNotFound)
	}
	return scanEvent(rows)
}
