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
	FromName    string    `json:"from_name"`
	From        string    `json:"from"`
	Subject     string    `json:"subject"`
	Date        time.Time `json:"date"`
	Attachments int       `json:"attachments"`
	Carried     []string  `json:"-"`                // Message-IDs of the messages it carries
	State       string    `json:"state"`            // waiting, radicated or discarded
	Number      string    `json:"number,omitempty"` // once radicated
	Reason      string    `json:"reason,omitempty"` // once discarded
	// Elsewhere is a Message-ID of it found in the mailbox's Radicados
	// folder: another station radicated it, or a message it carries.
	Elsewhere string `json:"radicated_elsewhere,omitempty"`
	// Checked says it was looked up in the Radicados folder.
	Checked   bool      `json:"-"`
	FetchedAt time.Time `json:"fetched_at"`
}

// Claim is where a copy of a held message was claimed on the mail server.
type Claim struct {
	Folder      string
	UIDValidity uint32
	UID         uint32
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
// and gives its id; claim, when not nil, is where it was claimed. The same
// original held before gives the existing entry's id (new false), with the
// claim added to it: a fetch repeated after a crash, or the same bytes
// delivered twice.
func (s *Store) AddMail(ctx context.Context, m MailEntry, claim *Claim) (id int64, new bool, err error) {
	if !s.blobs.Has(m.SHA256) {
		return 0, false, fmt.Errorf("the message %s is not in the data folder", m.SHA256)
	}
	err = s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock().UTC().Format(time.RFC3339Nano)
		err := tx.QueryRowContext(ctx, `SELECT id FROM mail WHERE sha256 = ?`, m.SHA256).Scan(&id)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			res, err := tx.ExecContext(ctx, `INSERT INTO mail (message_id, sha256, size, source, from_name, from_addr,
				subject, sent_at, attachments, carried, fetched_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				m.MessageID, m.SHA256, m.Size, m.Source, m.FromName, m.From, m.Subject,
				m.Date.UTC().Format(time.RFC3339), m.Attachments, strings.Join(m.Carried, "\n"), now, now)
			if err != nil {
				return fmt.Errorf("recording the message: %w", err)
			}
			new = true
			if id, err = res.LastInsertId(); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if claim == nil {
			return nil
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO mail_claims (folder, uidvalidity, uid, mail_id) VALUES (?, ?, ?, ?)
			ON CONFLICT (folder, uidvalidity, uid) DO NOTHING`, claim.Folder, claim.UIDValidity, claim.UID, id)
		if err != nil {
			return fmt.Errorf("recording where the message was claimed: %w", err)
		}
		return nil
	})
	return id, new, err
}

const mailColumns = `id, message_id, sha256, size, source, from_name, from_addr, subject, sent_at,
	attachments, carried, state, number, reason, fetched_at, elsewhere, checked`

func scanMail(row scanner) (MailEntry, error) {
	var m MailEntry
	var sent, fetched, carried string
	err := row.Scan(&m.ID, &m.MessageID, &m.SHA256, &m.Size, &m.Source, &m.FromName, &m.From,
		&m.Subject, &sent, &m.Attachments, &carried, &m.State, &m.Number, &m.Reason, &fetched, &m.Elsewhere, &m.Checked)
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
	if state == "" {
		return s.mailWhere(ctx, `1 = 1`)
	}
	return s.mailWhere(ctx, `state = ?`, state)
}

// mailWhere gives the held messages where cond holds, oldest first.
func (s *Store) mailWhere(ctx context.Context, cond string, args ...any) ([]MailEntry, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE `+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("the messages held: %w", err)
	}
	defer rows.Close()
	var out []MailEntry
	for rows.Next() {
		m, err := scanMail(rows)
		if err != nil {
			return nil, fmt.Errorf("the messages held: %w", err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// ClaimState is what the station knows of a copy claimed on the mail
// server.
type ClaimState struct {
	Held  bool   // the message is held
	State string // its state: waiting, radicated, discarded
	Moved bool   // the copy went on to its end folder
}

// MailClaimed says whether the copy at c is held, and how it stands.
func (s *Store) MailClaimed(ctx context.Context, c Claim) (ClaimState, error) {
	var st ClaimState
	err := s.db.QueryRowContext(ctx, `SELECT m.state, c.moved FROM mail_claims c JOIN mail m ON m.id = c.mail_id
		WHERE c.folder = ? AND c.uidvalidity = ? AND c.uid = ?`, c.Folder, c.UIDValidity, c.UID).Scan(&st.State, &st.Moved)
	if errors.Is(err, sql.ErrNoRows) {
		return st, nil
	}
	if err != nil {
		return st, fmt.Errorf("the claim %s/%d/%d: %w", c.Folder, c.UIDValidity, c.UID, err)
	}
	st.Held = true
	return st, nil
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

// waitingMail reads the held message id inside tx; an error when there is
// none, or it was radicated or discarded.
func waitingMail(ctx context.Context, tx *sql.Tx, id int64) (MailEntry, error) {
	m, err := scanMail(tx.QueryRowContext(ctx, `SELECT `+mailColumns+` FROM mail WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return m, fmt.Errorf("message %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return m, fmt.Errorf("message %d: %w", id, err)
	}
	if m.State != MailWaiting {
		return m, fmt.Errorf("message %d: %w (%s %s)", id, ErrMailDone, m.State, m.Number)
	}
	return m, nil
}

// takeMail marks the held message id radicated as number, inside the
// radicación's transaction.
func takeMail(ctx context.Context, tx *sql.Tx, id int64, number string, now time.Time) error {
	m, err := waitingMail(ctx, tx, id)
	if err != nil {
		return err
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
		if m, err = waitingMail(ctx, tx, id); err != nil {
			return err
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

// MailMoved records that the copy at c went on to its end folder.
func (s *Store) MailMoved(ctx context.Context, c Claim) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail_claims SET moved = 1 WHERE folder = ? AND uidvalidity = ? AND uid = ?`,
			c.Folder, c.UIDValidity, c.UID)
		return err
	})
}

// MailUnchecked gives the waiting messages not yet looked up in the
// mailbox's Radicados folder.
func (s *Store) MailUnchecked(ctx context.Context) ([]MailEntry, error) {
	return s.mailWhere(ctx, `state = 'waiting' AND checked = 0`)
}

// MailChecked records that the waiting message id was looked up in the
// mailbox's Radicados folder, and the Message-ID of it found there ("":
// none).
func (s *Store) MailChecked(ctx context.Context, id int64, found string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `UPDATE mail SET elsewhere = ?, checked = 1 WHERE id = ? AND state = 'waiting'`, found, id)
		return err
	})
}
