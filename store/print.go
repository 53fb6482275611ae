package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// PrintJob is a sticker or receipt sent, or waiting to be sent, to a
// printer.
type PrintJob struct {
	ID        int64     `json:"id"`
	Number    string    `json:"number"`
	What      string    `json:"what"` // sticker or receipt
	Printer   string    `json:"printer"`
	Format    string    `json:"format"`
	Size      string    `json:"size"`
	DPI       int       `json:"dpi"`
	Copies    int       `json:"copies"`
	Reprint   bool      `json:"reprint"`
	State     string    `json:"state"` // pending, printed, cancelled
	Attempts  int       `json:"attempts"`
	LastError string    `json:"last_error,omitempty"`
	Actor     string    `json:"actor"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// QueuePrint adds a job for a radicado. It is a reprint, and says COPIA,
// when a job of the same kind for the radicado printed before or waits
// already; a reprint is recorded in the audit log.
func (s *Store) QueuePrint(ctx context.Context, j PrintJob) (PrintJob, error) {
	if j.What != "sticker" && j.What != "receipt" {
		return j, fmt.Errorf("print job: %q is neither a sticker nor a receipt", j.What)
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM radicados WHERE number = ?`, j.Number).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return fmt.Errorf("%s: %w", j.Number, ErrNotFound)
		}
		var before int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM print_jobs WHERE number = ? AND what = ? AND state != 'cancelled'`,
			j.Number, j.What).Scan(&before); err != nil {
			return err
		}
		j.Reprint = before > 0
		now := s.clock()
		j.State, j.CreatedAt, j.UpdatedAt = "pending", now, now
		res, err := tx.ExecContext(ctx, `INSERT INTO print_jobs (number, what, printer, format, size, dpi, copies, reprint, state, actor, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)`,
			j.Number, j.What, j.Printer, j.Format, j.Size, j.DPI, j.Copies, j.Reprint, j.Actor, stamp(now), stamp(now))
		if err != nil {
			return err
		}
		if j.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		if j.Reprint {
			_, err = appendEvent(ctx, tx, now, j.Actor, ActionReprint, j.Number, map[string]any{
				"job": j.ID, "what": j.What, "printer": j.Printer, "copies": j.Copies})
		}
		return err
	})
	return j, err
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

const printColumns = `id, number, what, printer, format, size, dpi, copies, reprint, state, attempts, last_error, actor, created_at, updated_at`

func scanPrintJob(row interface{ Scan(...any) error }) (PrintJob, error) {
	var j PrintJob
	var created, updated string
	err := row.Scan(&j.ID, &j.Number, &j.What, &j.Printer, &j.Format, &j.Size, &j.DPI, &j.Copies, &j.Reprint, &j.State,
		&j.Attempts, &j.LastError, &j.Actor, &created, &updated)
	j.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	j.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return j, err
}

// PrintJobs lists jobs: those waiting when number is empty and pending is
// true, else those of a radicado, oldest first.
func (s *Store) PrintJobs(ctx context.Context, number string, pendingOnly bool) ([]PrintJob, error) {
	q := `SELECT ` + printColumns + ` FROM print_jobs WHERE (? = '' OR number = ?) AND (? = 0 OR state = 'pending') ORDER BY id`
	rows, err := s.db.QueryContext(ctx, q, number, number, pendingOnly)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PrintJob
	for rows.Next() {
		j, err := scanPrintJob(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, j)
	}
	return out, rows.Err()
}

// PrintJob reads one job.
func (s *Store) PrintJob(ctx context.Context, id int64) (PrintJob, error) {
	j, err := scanPrintJob(s.db.QueryRowContext(ctx, `SELECT `+printColumns+` FROM print_jobs WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return j, fmt.Errorf("there is no print job %d", id)
	}
	return j, err
}

// PrintDone records the outcome of an attempt to print a pending job: nil
// marks it printed, an error leaves it waiting with the error.
func (s *Store) PrintDone(ctx context.Context, id int64, cause error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		now := stamp(s.clock())
		var err error
		if cause == nil {
			_, err = tx.ExecContext(ctx, `UPDATE print_jobs SET state = 'printed', attempts = attempts + 1, last_error = '', updated_at = ?
				WHERE id = ? AND state = 'pending'`, now, id)
		} else {
			_, err = tx.ExecContext(ctx, `UPDATE print_jobs SET attempts = attempts + 1, last_error = ?, updated_at = ?
				WHERE id = ? AND state = 'pending'`, cause.Error(), now, id)
		}
		return err
	})
}

// CancelPrint takes a waiting job off the queue (kept, as cancelled).
func (s *Store) CancelPrint(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE print_jobs SET state = 'cancelled', updated_at = ? WHERE id = ? AND state = 'pending'`,
			stamp(s.clock()), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return fmt.Errorf("print job %d is not waiting", id)
		}
		return nil
	})
}

// StickerStates says, for each of numbers that has sticker jobs, whether
// its sticker printed ("printed"), waits for a printer ("pending"), or was
// only cancelled ("cancelled").
func (s *Store) StickerStates(ctx context.Context, numbers []string) (map[string]string, error) {
	out := map[string]string{}
	for len(numbers) > 0 {
		chunk := numbers[:min(len(numbers), 500)]
		numbers = numbers[len(chunk):]
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		rows, err := s.db.QueryContext(ctx, `SELECT number, MAX(state = 'printed'), MAX(state = 'pending')
			FROM print_jobs WHERE what = 'sticker' AND number IN (?`+strings.Repeat(",?", len(chunk)-1)+`)
			GROUP BY number`, args...)
		if err != nil {
			return nil, fmt.Errorf("sticker states: %w", err)
		}
		for rows.Next() {
			var n string
			var printed, pending bool
			if err := rows.Scan(&n, &printed, &pending); err != nil {
				rows.Close()
				return nil, fmt.Errorf("sticker states: %w", err)
			}
			switch {
			case printed:
				out[n] = "printed"
			case pending:
				out[n] = "pending"
			default:
				out[n] = "cancelled"
			}
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
