package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// MailEntry is a message the station holds: fetched from the mailbox or
// imported from a file, waiting to be radicated or discarded, or done.
type MailEntry struct {
	ID          int64     `json:"id"`
	MessageID   string    `json:"message_id"`
	SHA256      string    `json:"sha256"` // of the original, in the file folder
	Size        int64     `json:"size"`
	Source      string    `json:"source"` // imap or import
	Folder      string    `json:"-"`      // where it was claimed, on the mail server
	UIDValidity uint32    `json:"-"`
	UID         uint32    `json:"-"`
	FromName    string    `json:"from_name"`
	From        string    `json:"from"`
	Subject     string    `json:"subject"`
	Date        time.Time `json:"date"`
	Attachments int       `json:"attachments"`
	Carried     []string  `json:"-"`                // Message-IDs of the messages it carries
	State       string    `json:"state"`            // waiting, radicated or discarded
	Number      string    `json:"number,omitempty"` // once radicated
	Reason      string    `json:"reason,omitempty"` // once discarded
	Moved       bool      `json:"-"`                // its end folder reached on the mail server
	// Elsewhere is a Message-ID of it found in the mailbox's Radicados
	// folder: another station radicated it, or a message it carries.
	Elsewhere string `json:"radicated_elsewhere,omitempty"`
	FetchedAt   time.Time `json:"fetched_at"`
}

// The states of a held message.
const (
	MailWaiting   = "waiting"
	MailRadicated = "radicated"
	MailDiscarded = "discarded"
)

// ActionDiscardMail is the audit action of a message discarded as not
// correspondence.
const ActionDiscardMail = "descartar_correo"

// ErrMailDone is wrapped when a message that was radicated or discarded is
// used again.
var ErrMailDone = errors.New("the message was already dealt with")

// ErrMailRadicated is wrapped when a message, or one it carries, was
// radicated before.
var ErrMailRadicated = errors.New("the message was radicated before")

// AddMail records a message whose original is already in the file folder
// and gives its id. The same original held before gives the existing
// entry's id, unchanged (a fetch repeated after a crash); new is false then.
func (s *Store) AddMail(ctx context.Context, m MailEntry) (id int64, new bool, err error) {
	if !s.blobs.Has(m.SHA256) {
		return 0, false, fmt.Errorf("the message %s is not in the data folder", m.SHA256)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM mail WHERE sha256 = ?`, m.SHA256).Scan(&id)
		if err == nil {
			// Held already: it may have been claimed again under a new uid.
			if m.Source == "imap" {
				_, err = tx.ExecContext(ctx, `UPDATE mail SET folder = ?, uidvalidity = ?, uid = ?, done_moved = 0 WHERE id = ? AND source = 'imap'`,
					m.Folder, m.UIDValidity, m.UID, id)
			}
			return err
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		now := s.clock().UTC().Format(time.RFC3339Nano)
		res, err := tx.ExecContext(ctx, `INSERT INTO mail (message_id, sha256, size, source, folder, uidvalidity, uid, from_name, from_addr,
			subject, sent_at, attachments, carried, fetched_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			m.MessageID, m.SHA256, m.Size, m.Source, m.Folder, m.UIDValidity, m.UID, m.FromName, m.From, m.Subject,
			m.Date.UTC().Format(time.RFC3339), m.Attachments, strings.Join(m.Carried, "\n"), now, now)
		if err != nil {
			return err
		}
		new = true
		id, err = res.LastInsertId()
		return err
	})
	return id, new, err
}

const mailColumns = `id, message_id, sha256, size, source, folder, uidvalidity, uid, from_name, from_addr, subject, sent_at,
	attachments, carried, state, number, reason, done_moved, fetched_at, elsewhere`

func scanMail(row scanner) (MailEntry, error) {
	var m MailEntry
	var sent, fetched, carried string
	err := row.Scan(&m.ID, &m.MessageID, &m.SHA256, &m.Size, &m.Source, &m.Folder, &m.UIDValidity, &m.UID, &m.FromName, &m.From,
		&m.Subject, &sent, &m.Attachments, &carried, &m.State, &m.Number, &m.Reason, &m.Moved, &fetched, &m.Elsewhere)
	if err != nil {
		return m, err
	}
	m.Date, _ = time.Parse(time.RFC3339, sent)
	m.FetchedAt, _ = time.Parse(time.RFC3339Nano, fetched)
	if carried != "" {
		m.Carried = strings.Split(carried, "\n")
	}
	return m, nil
}

// Mail gives one held message.
func (s *Store) Mail(ctx context.Context, id int64) (MailEntry, error) {
	m, err := scanMail(s.db.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	return m, err
}

// MailIn gives the held messages in state (all when empty), oldest first.
func (s *Store) MailIn(ctx context.Context, state string) ([]MailEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE ? = '' OR state = ? ORDER BY id`, state, state)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MailEntry
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailClaimed gives the held message claimed at folder/uidvalidity/uid, if
// any.
func (s *Store) MailClaimed(ctx context.Context, folder string, uidValidity, uid uint32) (MailEntry, bool, error) {
	m, err := scanMail(s.db.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail
		WHERE source = 'imap' AND folder = ? AND uidvalidity = ? AND uid = ?`, folder, uidValidity, uid))
	if errors.Is(err, sql.ErrNoRows) {
		return m, false, nil
	}
	return m, err == nil, err
}

// RadicatedAs gives the number a message with one of ids was radicated
// as, or "".
func (s *Store) RadicatedAs(ctx context.Context, ids []string) (string, error) {
	return radicatedAs(ctx, s.db, ids)
}

// rowQuerier is a database or a transaction, for one-row reads.
type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func radicatedAs(ctx context.Context, q rowQuerier, ids []string) (string, error) {
	for _, id := range ids {
		if id == "" {
			continue
		}
		var number string
		err := q.QueryRowContext(ctx, `SELECT number FROM mail_ids WHERE message_id = ?`, id).Scan(&number)
		if err == nil {
			return number, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
	}
	return "", nil
}

// takeMail marks the held message id radicated as number, inside the
// radicación's transaction.
func takeMail(ctx context.Context, tx *sql.Tx, id int64, number string, now time.Time) error {
	m, err := scanMail(tx.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if m.State != MailWaiting {
		return fmt.Errorf("message %d: %w (%s %s)", id, ErrMailDone, m.State, m.Number)
	}
	if m.Elsewhere != "" {
		return fmt.Errorf("message %d: %w by another station (%s is in the mailbox's Radicados folder); discard it as a copy", id, ErrMailRadicated, m.Elsewhere)
	}
	ids := append([]string{m.MessageID}, m.Carried...)
	if prior, err := radicatedAs(ctx, tx, ids); err != nil {
		return err
	} else if prior != "" {
		return fmt.Errorf("message %d: %w as %s; discard it as a copy", id, ErrMailRadicated, prior)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE mail SET state = 'radicated', number = ?, updated_at = ? WHERE id = ?`,
		number, now.UTC().Format(time.RFC3339Nano), id); err != nil {
		return err
	}
	for _, mid := range ids {
		if mid == "" {
			continue
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO mail_ids (message_id, number) VALUES (?, ?) ON CONFLICT DO NOTHING`, mid, number); err != nil {
			return err
		}
	}
	return nil
}

// DiscardMail marks a waiting message as not correspondence, with the
// reason, and records it in the audit log.
func (s *Store) DiscardMail(ctx context.Context, id int64, actor, reason string) (MailEntry, error) {
	var m MailEntry
	err := s.write(ctx, func(tx *sql.Tx) error {
		var err error
		m, err = scanMail(tx.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("message %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if m.State != MailWaiting {
			return fmt.Errorf("message %d: %w (%s %s)", id, ErrMailDone, m.State, m.Number)
		}
		now := s.clock()
		if _, err := tx.ExecContext(ctx, `UPDATE mail SET state = 'discarded', reason = ?, updated_at = ? WHERE id = ?`,
			reason, now.UTC().Format(time.RFC3339Nano), id); err != nil {
			return err
		}
		m.State, m.Reason = MailDiscarded, reason
		_, err = appendEvent(ctx, tx, now, actor, ActionDiscardMail, "", map[string]any{
			"message_id": m.MessageID, "sha256": m.SHA256, "from": m.From, "subject": m.Subject, "reason": reason})
		return err
	})
	return m, err
}

// MailToMove gives the messages radicated or discarded whose claim on the
// mail server has not yet been moved to its end folder.
func (s *Store) MailToMove(ctx context.Context) ([]MailEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail
		WHERE source = 'imap' AND state <> 'waiting' AND done_moved = 0 ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MailEntry
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// MailElsewhere records that a Message-ID of the waiting message id is in
// the mailbox's Radicados folder.
func (s *Store) MailElsewhere(ctx context.Context, id int64, messageID string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail SET elsewhere = ? WHERE id = ? AND state = 'waiting'`, messageID, id)
		return err
	})
}

// MailMoved records that the message id reached its end folder.
func (s *Store) MailMoved(ctx context.Context, id int64) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail SET done_moved = 1 WHERE id = ?`, id)
		return err
	})
}
