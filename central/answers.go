package central

import (
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/sync/wire"
)

// linkAnswers follows a salida just received that answers radicados: each
// one held and still open counts as answered on the salida's day (late or
// not, as its term says); one not held yet waits in pending_answers and is
// linked when it arrives.
func (d *DB) linkAnswers(ctx context.Context, tx *sql.Tx, salida wire.Radicado) error {
	for _, n := range salida.Answers {
		linked, err := d.answerWith(ctx, tx, n, salida.Number, salida.ReceivedAt)
		if err != nil {
			return err
		}
		if !linked {
			if _, err := d.txExec(ctx, tx, `INSERT INTO pending_answers (number, salida) VALUES (?, ?) ON CONFLICT DO NOTHING`, n, salida.Number); err != nil {
				return err
			}
		}
	}
	return nil
}

// linkPending links, when the radicado number arrives, the salidas held
// before it that answer it: the first not annulled answers it.
func (d *DB) linkPending(ctx context.Context, tx *sql.Tx, number string) error {
	rows, err := tx.QueryContext(ctx, d.q(`SELECT r.number, r.received_at FROM pending_answers p JOIN radicados r ON r.number = p.salida
		WHERE p.number = ? AND r.annulled = 0 ORDER BY r.received_at`), number)
	if err != nil {
		return err
	}
	type salida struct {
		number   string
		received time.Time
	}
	var found []salida
	for rows.Next() {
		var s salida
		var at string
		if err := rows.Scan(&s.number, &at); err != nil {
			rows.Close()
			return err
		}
		s.received, _ = time.Parse(time.RFC3339Nano, at)
		found = append(found, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	for _, s := range found {
		if linked, err := d.answerWith(ctx, tx, number, s.number, s.received); err != nil || linked {
			return err
		}
	}
	return nil
}

// answerWith marks the radicado number answered by the salida received at
// received, when it is held, has work and is still open; it reports
// whether the radicado is held with work (answered now, or before).
func (d *DB) answerWith(ctx context.Context, tx *sql.Tx, number, salida string, received time.Time) (bool, error) {
	var state, receivedAt, due string
	err := d.txScan(ctx, tx, `SELECT state, received_at, due FROM work WHERE number = ?`, []any{number}, &state, &receivedAt, &due)
	if err == sql.ErrNoRows {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !slices.Contains(openStates, state) {
		return true, nil // answered, transferred or archived already: the first answer stands
	}
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return true, err
	}
	got, err := time.Parse(time.RFC3339Nano, receivedAt)
	if err != nil {
		return true, err
	}
	answered := calendar.DateOf(received.In(loc))
	if answered.Before(calendar.DateOf(got.In(loc))) {
		answered = calendar.DateOf(got.In(loc)) // a salida dated before what it answers: taken as the same day
	}
	days, onTime, err := responseOf(cal, got.In(loc), due, answered.String())
	if err != nil {
		return true, err
	}
	if _, err := d.txExec(ctx, tx, `UPDATE work SET state = ?, answered_at = ?, answer_by = ?, answer_channel = 'salida', response_days = ?, on_time = ?,
		updated_at = ? WHERE number = ?`, StateAnswered, answered.String(), salida, days, onTime, d.stamp(), number); err != nil {
		return true, err
	}
	return true, d.appendJournal(ctx, tx, "sync", "radicado.answer", number, map[string]string{"by": salida, "channel": "salida"})
}

// answersColumn writes a salida's answers as kept.
func answersColumn(a []string) string { return strings.Join(a, "\n") }
