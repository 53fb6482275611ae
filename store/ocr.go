package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// OCRRecord is what the station read on a radicado's pages.
type OCRRecord struct {
	Text       string
	Pages      string // JSON
	Fields     string // JSON
	Confidence float64
	CreatedAt  time.Time
}

// Rendition is a file made from a radicado's document.
type Rendition struct {
	Kind   string // searchable_pdf
	SHA256 string
	Size   int64
}

// MaxOCRAttempts is how many times a radicado's pages are tried before it
// leaves the queue's work (it stays listed, with its last error).
const MaxOCRAttempts = 5

// PendingOCR lists radicados whose pages are still to be read, oldest
// first, at most limit.
func (s *Store) PendingOCR(ctx context.Context, limit int) ([]string, error) {
	return s.numbers(ctx, `SELECT r.number FROM ocr_queue q JOIN radicados r ON r.id = q.radicado_id
		WHERE q.attempts < ? ORDER BY q.radicado_id LIMIT ?`, MaxOCRAttempts, limit)
}

func (s *Store) radicadoID(ctx context.Context, q querier, number string) (int64, string, error) {
	var id int64
	var docType string
	rows, err := q.QueryContext(ctx, `SELECT id, doc_type FROM radicados WHERE number = ?`, number)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return 0, "", err
		}
		return 0, "", fmt.Errorf("%s: %w", number, ErrNotFound)
	}
	err = rows.Scan(&id, &docType)
	return id, docType, err
}

// SaveOCR records what was read on a radicado's pages and the files made
// from it, puts the text in the full-text index, takes the radicado off the
// queue, and keeps the text with the radicado's type as an example for the
// classifier: the type a clerk confirmed at radicación.
func (s *Store) SaveOCR(ctx context.Context, number string, r OCRRecord, renditions []Rendition) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		id, docType, err := s.radicadoID(ctx, tx, number)
		if err != nil {
			return err
		}
		now := s.clock().UTC().Format(time.RFC3339)
		var had bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM ocr WHERE radicado_id = ?)`, id).Scan(&had); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ocr (radicado_id, text, pages, confidence, fields, created_at) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (radicado_id) DO UPDATE SET text = excluded.text, pages = excluded.pages, confidence = excluded.confidence,
			fields = excluded.fields, created_at = excluded.created_at`, id, r.Text, r.Pages, r.Confidence, r.Fields, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE search SET content = ? WHERE rowid = ?`, r.Text, id); err != nil {
			return err
		}
		for _, rd := range renditions {
			if _, err := tx.ExecContext(ctx, `INSERT INTO renditions (radicado_id, kind, sha256, size, created_at) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (radicado_id, kind) DO UPDATE SET sha256 = excluded.sha256, size = excluded.size, created_at = excluded.created_at`,
				id, rd.Kind, rd.SHA256, rd.Size, now); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM ocr_queue WHERE radicado_id = ?`, id); err != nil {
			return err
		}
		if !had && r.Text != "" {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training (radicado_id, doc_type, text, created_at) VALUES (?, ?, ?, ?)`,
				id, docType, r.Text, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// FailOCR records a failed reading; the radicado stays queued until
// MaxOCRAttempts.
func (s *Store) FailOCR(ctx context.Context, number string, cause error) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		id, _, err := s.radicadoID(ctx, tx, number)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE ocr_queue SET attempts = attempts + 1, last_error = ?, updated_at = ? WHERE radicado_id = ?`,
			cause.Error(), s.clock().UTC().Format(time.RFC3339), id)
		return err
	})
}

// OCR gives what was read on a radicado's pages.
func (s *Store) OCR(ctx context.Context, number string) (OCRRecord, error) {
	var r OCRRecord
	var at string
	err := s.db.QueryRowContext(ctx, `SELECT o.text, o.pages, o.fields, o.confidence, o.created_at FROM ocr o
		JOIN radicados r ON r.id = o.radicado_id WHERE r.number = ?`, number).Scan(&r.Text, &r.Pages, &r.Fields, &r.Confidence, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s: not read yet: %w", number, ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	r.CreatedAt, _ = time.Parse(time.RFC3339, at)
	return r, nil
}

// Renditions lists the files made from a radicado's document.
func (s *Store) Renditions(ctx context.Context, number string) ([]Rendition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT d.kind, d.sha256, d.size FROM renditions d JOIN radicados r ON r.id = d.radicado_id
		WHERE r.number = ? ORDER BY d.kind`, number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Rendition
	for rows.Next() {
		var d Rendition
		if err := rows.Scan(&d.Kind, &d.SHA256, &d.Size); err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, rows.Err()
}

// TrainingExample is a letter whose type a clerk confirmed.
type TrainingExample struct {
	ID         int64
	Type, Text string
}

// TrainingSince gives the classifier's examples recorded after the one
// with id afterID, oldest first, at most limit: a model learns only what
// is new to it.
func (s *Store) TrainingSince(ctx context.Context, afterID int64, limit int) ([]TrainingExample, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, doc_type, text FROM training WHERE id > ? ORDER BY id LIMIT ?`, afterID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []TrainingExample
	for rows.Next() {
		var e TrainingExample
		if err := rows.Scan(&e.ID, &e.Type, &e.Text); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// AddTrainingBatch records confirmed examples that belong to no radicado,
// in one transaction (a classifier's corpus brought in at once).
func (s *Store) AddTrainingBatch(ctx context.Context, examples []TrainingExample) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		at := s.clock().UTC().Format(time.RFC3339)
		for _, e := range examples {
			if _, err := tx.ExecContext(ctx, `INSERT INTO training (doc_type, text, created_at) VALUES (?, ?, ?)`, e.Type, e.Text, at); err != nil {
				return err
			}
		}
		return nil
	})
}

// AddTraining records a confirmed example that belongs to no radicado (a
// correction made in the form before radicación, say).
func (s *Store) AddTraining(ctx context.Context, docType, text string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO training (doc_type, text, created_at) VALUES (?, ?, ?)`,
			docType, text, s.clock().UTC().Format(time.RFC3339))
		return err
	})
}
