package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

// Draft is what a new radicado is made of before it has a number.
type Draft struct {
	Pattern radicado.Pattern
	Office  string
	Station string
	Kind    radicado.Kind
	Type    string
	Sender  radicado.Sender
	Subject string
	Dept    string
	// Files are already in the store's file folder, in page order.
	Files []radicado.File
	Actor string
	// Due gives the due date for the time of receipt, which is only known
	// inside the transaction.
	Due func(received time.Time) (calendar.Date, error)
	// Keywords are extra words for the full-text index (the type's name…).
	Keywords string
	// Channel is radicado.ChannelEmail for a message of the mailbox, ""
	// for the ventanilla.
	Channel string
	// Answers and Recipient make a salida: what it answers, who it goes
	// to.
	Answers   []string
	Recipient *radicado.Recipient
	// Cites are the numbers of this organisation the letter cites.
	Cites []string
	// Mail is the held message (MailEntry.ID) the radicado is made of, 0
	// for none: it must be waiting, and no Message-ID it has or carries may
	// have been radicated before; it ends radicated with the number, in the
	// same transaction.
	Mail int64
}

// ErrClockBehind is wrapped when the clock reads earlier than the last number
// of the same sequence.
var ErrClockBehind = errors.New("the computer's clock is behind the last radicado")

// radicarData is the audit payload of a new radicado: every field that makes
// the record, so that verify can compare the record against it.
type radicarData struct {
	Number     string          `json:"number"`
	ReceivedAt string          `json:"received_at"`
	Kind       radicado.Kind   `json:"kind"`
	Type       string          `json:"type"`
	SenderName string          `json:"sender_name"`
	SenderID   string          `json:"sender_id"`
	Subject    string          `json:"subject"`
	Dept       string          `json:"dept"`
	Due        string          `json:"due"`
	Pages      int             `json:"pages"`
	SHA256     string          `json:"sha256"`
	Files      []radicado.File `json:"files"`
	// Recorded since e-mail intake; absent for the ventanilla's letters.
	Channel     string `json:"channel,omitempty"`
	SenderEmail string `json:"sender_email,omitempty"`
	// Recorded since outgoing letters; absent for the others.
	Answers   []string            `json:"answers,omitempty"`
	Recipient *radicado.Recipient `json:"recipient,omitempty"`
	// Recorded since citations; absent when a letter cites none of ours.
	Cites []string `json:"cites,omitempty"`
}

type anularData struct {
	Number string `json:"number"`
	Reason string `json:"reason"`
}

// Radicar gives the draft its number and records it, its files, its audit
// event, its outbox entry and its index entry in one transaction: after a
// crash there is either all of it or none. The time of receipt is read from
// the store's clock once the transaction holds the write lock.
func (s *Store) Radicar(ctx context.Context, d Draft) (radicado.Record, error) {
	if len(d.Files) == 0 {
		return radicado.Record{}, errors.New("a radicado needs at least one file")
	}
	var rec radicado.Record
	err := s.write(ctx, func(tx *sql.Tx) error {
		// Under the write lock, no one removes a file (ForgetFiles) between
		// this check and the commit.
		for _, f := range d.Files {
			if !s.blobs.Has(f.SHA256) {
				return fmt.Errorf("the file %s is no longer in the data folder; radicate the letter again", f.Name)
			}
		}
		now := s.clock()
		var lastNS sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT MAX(last_ns) FROM sequences WHERE office = ? AND station = ? AND kind = ?`,
			d.Office, d.Station, int(d.Kind)).Scan(&lastNS); err != nil {
			return err
		}
		if lastNS.Valid && now.UnixNano() < lastNS.Int64 {
			last := time.Unix(0, lastNS.Int64).In(now.Location())
			return fmt.Errorf("%w: it reads %s, and the last %s radicado was given at %s; set the date and time right before radicating",
				ErrClockBehind, now.Format("2006-01-02 15:04:05"), d.Kind, last.Format("2006-01-02 15:04:05"))
		}
		parts := radicado.Parts{Year: now.Year(), Office: d.Office, Station: d.Station, Kind: d.Kind}
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(last), 0) + 1 FROM sequences WHERE year = ? AND office = ? AND station = ? AND kind = ?`,
			parts.Year, parts.Office, parts.Station, int(parts.Kind)).Scan(&parts.Seq); err != nil {
			return err
		}
		number, err := d.Pattern.Format(parts)
		if err != nil {
			return err
		}
		due, err := d.Due(now)
		if err != nil {
			return fmt.Errorf("due date: %w", err)
		}
		rec = radicado.Record{
			Number: number, Parts: parts, ReceivedAt: now, Type: d.Type, Sender: d.Sender,
			Subject: d.Subject, Dept: d.Dept, Due: due, Files: d.Files,
			SHA256: radicado.DocumentHash(d.Files), CreatedBy: d.Actor,
			Status: radicado.Active, Sync: radicado.SyncPending, Channel: d.Channel,
			Answers: d.Answers, Recipient: d.Recipient, Cites: d.Cites,
		}
		for _, f := range d.Files {
			rec.Pages += f.Pages
		}
		data := recordData(rec)
		res, err := tx.ExecContext(ctx, `INSERT INTO radicados (number, year, office, station, kind, seq, received_at, received_ns,
			doc_type, sender_name, sender_id, subject, dept, due, pages, sha256, created_by, channel, sender_email, answers, recipient, cites)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			number, parts.Year, parts.Office, parts.Station, int(parts.Kind), parts.Seq, data.ReceivedAt, now.UnixNano(),
			rec.Type, rec.Sender.Name, data.SenderID, rec.Subject, rec.Dept, data.Due, rec.Pages, rec.SHA256, rec.CreatedBy,
			rec.Channel, rec.Sender.Email, strings.Join(rec.Answers, "\n"), radicado.MarshalRecipient(rec.Recipient),
			strings.Join(rec.Cites, "\n"))
		if err != nil {
			return fmt.Errorf("recording %s: %w", number, err)
		}
		id, err := res.LastInsertId()
		if err != nil {
			return err
		}
		for i, f := range d.Files {
			if _, err := tx.ExecContext(ctx, `INSERT INTO files (radicado_id, pos, sha256, size, name, media_type, pages) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				id, i, f.SHA256, f.Size, f.Name, f.MediaType, f.Pages); err != nil {
				return err
			}
		}
		if d.Mail != 0 {
			if err := takeMail(ctx, tx, d.Mail, number, now); err != nil {
				return err
			}
		}
		for _, a := range rec.Answers {
			if _, err := tx.ExecContext(ctx, `INSERT INTO answered (number, salida) VALUES (?, ?) ON CONFLICT DO NOTHING`, a, number); err != nil {
				return err
			}
		}
		for _, c := range rec.Cites {
			if _, err := tx.ExecContext(ctx, `INSERT INTO cited (number, citing) VALUES (?, ?) ON CONFLICT DO NOTHING`, c, number); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sequences (year, office, station, kind, last, last_ns) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (year, office, station, kind) DO UPDATE SET last = excluded.last, last_ns = excluded.last_ns`,
			parts.Year, parts.Office, parts.Station, int(parts.Kind), parts.Seq, now.UnixNano()); err != nil {
			return err
		}
		if err := queueEvent(ctx, tx, id, now, d.Actor, ActionRadicar, number, data); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ocr_queue (radicado_id, updated_at) VALUES (?, ?)`, id, now.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		body := strings.Join([]string{rec.Sender.ID.Number, rec.Type, rec.Dept, parts.Kind.String(), d.Keywords}, " ")
		if _, err := tx.ExecContext(ctx, `INSERT INTO search (rowid, number, sender, subject, body, content) VALUES (?, ?, ?, ?, ?, '')`,
			id, number, rec.Sender.Name, rec.Subject, body); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return radicado.Record{}, err
	}
	return rec, nil
}

func recordData(r radicado.Record) radicarData {
	return radicarData{
		Number: r.Number, ReceivedAt: r.ReceivedAt.Format(time.RFC3339Nano), Kind: r.Parts.Kind, Type: r.Type,
		SenderName: r.Sender.Name, SenderID: r.Sender.ID.String(), Subject: r.Subject, Dept: r.Dept,
		Due: r.Due.String(), Pages: r.Pages, SHA256: r.SHA256, Files: r.Files,
		Channel: r.Channel, SenderEmail: r.Sender.Email, Answers: r.Answers, Recipient: r.Recipient,
		Cites: r.Cites,
	}
}

// CitedBy gives the radicados, active or annulled, that cite number,
// oldest first.
func (s *Store) CitedBy(ctx context.Context, number string) ([]radicado.Record, error) {
	return s.query(ctx, `SELECT `+recordColumns+` FROM cited c JOIN radicados r ON r.number = c.citing WHERE c.number = ? ORDER BY r.id`, number)
}

// AnsweredBy gives the salidas and internas, active or annulled, that
// answer number, oldest first.
func (s *Store) AnsweredBy(ctx context.Context, number string) ([]radicado.Record, error) {
	return s.query(ctx, `SELECT `+recordColumns+` FROM answered a JOIN radicados r ON r.number = a.salida WHERE a.number = ? ORDER BY r.id`, number)
}

// ErrAnnulled is returned when annulling a number that already is.
var ErrAnnulled = errors.New("already annulled")

// Anular marks number annulled by actor for reason. The number and its
// record stay; the annulment is recorded, audited and queued for the server.
func (s *Store) Anular(ctx context.Context, number, actor, reason string) (radicado.Record, error) {
	if strings.TrimFunc(reason, unicode.IsSpace) == "" {
		return radicado.Record{}, errors.New("an annulment needs a written reason")
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		var id int64
		var status string
		err := tx.QueryRowContext(ctx, `SELECT id, status FROM radicados WHERE number = ?`, number).Scan(&id, &status)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("%s: %w", number, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if status == string(radicado.Annulled) {
			return fmt.Errorf("%s: %w", number, ErrAnnulled)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE radicados SET status = 'annulled', annulled_at = ?, annulled_by = ?, annul_reason = ? WHERE id = ?`,
			now.Format(time.RFC3339Nano), actor, reason, id); err != nil {
			return err
		}
		return queueEvent(ctx, tx, id, now, actor, ActionAnular, number, anularData{Number: number, Reason: reason})
	})
	if err != nil {
		return radicado.Record{}, err
	}
	return s.Get(ctx, number)
}

// recordColumns are read by scanRecord, in its order.
const recordColumns = `r.id, r.number, r.year, r.office, r.station, r.kind, r.seq, r.received_at, r.doc_type,
	r.sender_name, r.sender_id, r.subject, r.dept, r.due, r.pages, r.sha256, r.created_by, r.status,
	r.annulled_at, r.annulled_by, r.annul_reason, r.channel, r.sender_email, r.answers, r.recipient, r.cites,
	CASE WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.radicado_id = r.id AND o.state = 'conflict') THEN 'conflict'
	     WHEN EXISTS (SELECT 1 FROM outbox o WHERE o.radicado_id = r.id AND o.state = 'pending') THEN 'pending'
	     ELSE 'synced' END`

type scanner interface{ Scan(...any) error }

func scanRecord(row scanner) (int64, radicado.Record, error) {
	var (
		r                       radicado.Record
		id                      int64
		kind                    int
		received, senderID, due string
		status, syncState       string
		answers, recipient      string
		cites                   string
		annAt, annBy, annReason sql.NullString
	)
	err := row.Scan(&id, &r.Number, &r.Parts.Year, &r.Parts.Office, &r.Parts.Station, &kind, &r.Parts.Seq, &received,
		&r.Type, &r.Sender.Name, &senderID, &r.Subject, &r.Dept, &due, &r.Pages, &r.SHA256, &r.CreatedBy, &status,
		&annAt, &annBy, &annReason, &r.Channel, &r.Sender.Email, &answers, &recipient, &cites, &syncState)
	if err != nil {
		return 0, r, err
	}
	if cites != "" {
		r.Cites = strings.Split(cites, "\n")
	}
	if answers != "" {
		r.Answers = strings.Split(answers, "\n")
	}
	if r.Recipient, err = radicado.UnmarshalRecipient(recipient); err != nil {
		return 0, r, fmt.Errorf("%s: %w", r.Number, err)
	}
	r.Parts.Kind = radicado.Kind(kind)
	r.Status, r.Sync = radicado.Status(status), radicado.SyncState(syncState)
	if r.ReceivedAt, err = time.Parse(time.RFC3339Nano, received); err != nil {
		return 0, r, fmt.Errorf("%s: time of receipt %q: %w", r.Number, received, err)
	}
	if r.Sender.ID, err = ident.Parse(senderID); err != nil {
		return 0, r, fmt.Errorf("%s: %w", r.Number, err)
	}
	if err = r.Due.UnmarshalText([]byte(due)); err != nil {
		return 0, r, fmt.Errorf("%s: %w", r.Number, err)
	}
	if annAt.Valid {
		at, err := time.Parse(time.RFC3339Nano, annAt.String)
		if err != nil {
			return 0, r, fmt.Errorf("%s: annulment time %q: %w", r.Number, annAt.String, err)
		}
		r.Annulment = &radicado.Annulment{At: at, By: annBy.String, Reason: annReason.String}
	}
	return id, r, nil
}

// Get gives the radicado with number, with its files.
func (s *Store) Get(ctx context.Context, number string) (radicado.Record, error) {
	st, err := s.prepared(ctx, `SELECT `+recordColumns+` FROM radicados r WHERE r.number = ?`)
	if err != nil {
		return radicado.Record{}, err
	}
	id, r, err := scanRecord(st.QueryRowContext(ctx, number))
	if errors.Is(err, sql.ErrNoRows) {
		return r, fmt.Errorf("%s: %w", number, ErrNotFound)
	}
	if err != nil {
		return r, err
	}
	r.Files, err = s.files(ctx, id)
	return r, err
}

func (s *Store) files(ctx context.Context, id int64) ([]radicado.File, error) {
	st, err := s.prepared(ctx, `SELECT sha256, size, name, media_type, pages FROM files WHERE radicado_id = ? ORDER BY pos`)
	if err != nil {
		return nil, err
	}
	rows, err := st.QueryContext(ctx, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var fs []radicado.File
	for rows.Next() {
		var f radicado.File
		if err := rows.Scan(&f.SHA256, &f.Size, &f.Name, &f.MediaType, &f.Pages); err != nil {
			return nil, err
		}
		fs = append(fs, f)
	}
	return fs, rows.Err()
}

// Filter selects radicados for List. Zero fields select everything.
type Filter struct {
	Since, Until time.Time // received at or after Since, before Until
	Status       radicado.Status
	Sync         radicado.SyncState // pending, synced or conflict; "" for any
	Limit        int                // at most this many, newest first; 0: no limit
}

// List gives radicados newest first, without their files.
func (s *Store) List(ctx context.Context, f Filter) ([]radicado.Record, error) {
	var where []string
	var args []any
	if !f.Since.IsZero() {
		where, args = append(where, "r.received_ns >= ?"), append(args, f.Since.UnixNano())
	}
	if !f.Until.IsZero() {
		where, args = append(where, "r.received_ns < ?"), append(args, f.Until.UnixNano())
	}
	if f.Status != "" {
		where, args = append(where, "r.status = ?"), append(args, string(f.Status))
	}
	switch f.Sync {
	case "":
	case radicado.SyncConflict, radicado.SyncPending:
		where, args = append(where, "EXISTS (SELECT 1 FROM outbox o WHERE o.radicado_id = r.id AND o.state = ?)"), append(args, string(f.Sync))
	case radicado.SyncDone:
		where = append(where, "NOT EXISTS (SELECT 1 FROM outbox o WHERE o.radicado_id = r.id AND o.state IN ('pending', 'conflict'))")
	default:
		return nil, fmt.Errorf("sync state %q is not known", f.Sync)
	}
	q := `SELECT ` + recordColumns + ` FROM radicados r`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY r.received_ns DESC, r.id DESC"
	if f.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, f.Limit)
	}
	return s.query(ctx, q, args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) ([]radicado.Record, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []radicado.Record
	for rows.Next() {
		_, r, err := scanRecord(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Search finds radicados whose number, sender, subject or content hold every
// word of text (accents and case do not matter; the last word may be the
// start of a word), newest first, at most limit.
func (s *Store) Search(ctx context.Context, text string, limit int) ([]radicado.Record, error) {
	q := matchQuery(text)
	if q == "" {
		return nil, nil
	}
	if limit <= 0 {
		limit = 100
	}
	return s.query(ctx, `SELECT `+recordColumns+` FROM search JOIN radicados r ON r.id = search.rowid
		WHERE search MATCH ? ORDER BY search.rowid DESC LIMIT ?`, q, limit)
}

// matchQuery turns what a clerk types into an FTS5 query: each word quoted
// (so that no word is read as an operator), all of them required, the last
// one as a prefix.
func matchQuery(text string) string {
	words := strings.FieldsFunc(text, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for i, w := range words {
		words[i] = `"` + w + `"`
	}
	if len(words) > 0 {
		words[len(words)-1] += "*"
	}
	return strings.Join(words, " ")
}

// PendingSync counts the radicados with changes the server has not confirmed.
func (s *Store) PendingSync(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(DISTINCT radicado_id) FROM outbox WHERE state = 'pending'`).Scan(&n)
	return n, err
}

// ForgetFiles removes from the data folder the files among sums that no
// radicado, no rendition, no held message and no envelope's proof holds: what a radicación that failed (a full
// disk at commit, say) had stored. It works under the write lock, so that a
// radicación cannot take one of them at the same moment.
func (s *Store) ForgetFiles(ctx context.Context, sums []string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		for _, sum := range sums {
			var held bool
			if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM files WHERE sha256 = ?) OR EXISTS (SELECT 1 FROM renditions WHERE sha256 = ?)
				OR EXISTS (SELECT 1 FROM mail WHERE sha256 = ?) OR EXISTS (SELECT 1 FROM envelopes WHERE instr(proof, ?) > 0)`, sum, sum, sum, sum).Scan(&held); err != nil {
				return err
			}
			if !held {
				if err := s.blobs.Remove(sum); err != nil {
					return err
				}
			}
		}
		return nil
	})
}
