package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/radicador/radicador/sync/wire"
)

// Anchor is the head of the audit chain at a moment: the last event
// recorded before it. Printed on paper (the day's planilla) and kept by the
// central server, it vouches for the chain from outside the data folder: a
// chain recomputed by whoever holds the file no longer contains it.
type Anchor = wire.Anchor

// ErrNoEvents is returned for an anchor of a moment before any event.
var ErrNoEvents = errors.New("the audit log has no event before that moment")

// AnchorAt gives the head of the audit chain as it stood at until: the
// last event recorded before it.
func (s *Store) AnchorAt(ctx context.Context, until time.Time) (Anchor, error) {
	const batch = 500
	before := int64(-1)
	for {
		q, args := `SELECT id, at, hash FROM audit ORDER BY id DESC LIMIT ?`, []any{batch}
		if before >= 0 {
			q, args = `SELECT id, at, hash FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`, []any{before, batch}
		}
		rows, err := s.db.QueryContext(ctx, q, args...)
		if err != nil {
			return Anchor{}, err
		}
		n := 0
		for rows.Next() {
			var a Anchor
			var at string
			if err := rows.Scan(&a.ID, &at, &a.Hash); err != nil {
				rows.Close()
				return Anchor{}, err
			}
			n++
			before = a.ID
			if a.At, err = time.Parse(time.RFC3339Nano, at); err != nil {
				rows.Close()
				return Anchor{}, fmt.Errorf("audit event %d: time %q: %w", a.ID, at, err)
			}
			if a.At.Before(until) {
				rows.Close()
				return a, nil
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return Anchor{}, err
		}
		if n < batch {
			return Anchor{}, ErrNoEvents
		}
	}
}

// VerifyAnchor verifies the store (Verify) and that its audit chain still
// holds the event whose hash begins with prefix (as wire.ParseAnchor gives
// it), as event number event when that is given (not 0).
func (s *Store) VerifyAnchor(ctx context.Context, prefix string, event int64) (Report, error) {
	r, err := s.Verify(ctx)
	if err != nil {
		return r, err
	}
	var id int64
	var at string
	err = s.db.QueryRowContext(ctx, `SELECT id, at FROM audit WHERE substr(hash, 1, ?) = ? ORDER BY id LIMIT 1`, len(prefix), prefix).Scan(&id, &at)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		r.addf("anchor %s: no event of the audit chain has it: the chain was rewritten after it was printed, or this is another station's data folder", prefix)
		r.OK = false
	case err != nil:
		return r, err
	case event != 0 && id != event:
		r.addf("anchor %s: the chain holds it as event %d, the planilla printed event %d: the chain was rewritten", prefix, id, event)
		r.OK = false
	default:
		r.Notes = append(r.Notes, fmt.Sprintf("anchor %s: event %d of %s is in the chain, unchanged", prefix, id, at))
	}
	return r, nil
}
