package central

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// linkAnswers follows a salida just received that answers radicados: each
// one held and still open counts as answered on the salida's day (late or
// not, as its term says); every answer is kept in pending_answers, so that
// a radicado not held yet is linked when it arrives, and one reopened by
// an annulled answer finds its other answers.
func (d *DB) linkAnswers(ctx context.Context, tx *sql.Tx, salida wire.Radicado) error {
	if err := d.lockAnswered(ctx, tx, salida.Answers...); err != nil {
		return err
	}
	for _, n := range salida.Answers {
		// Kept whether or not it answers now: the radicado may arrive
		// later, or be reopened when another answer is annulled.
		if _, err := d.txExec(ctx, tx, `INSERT INTO pending_answers (number, salida) VALUES (?, ?) ON CONFLICT DO NOTHING`, n, salida.Number); err != nil {
			return err
		}
		if _, err := d.answerWith(ctx, tx, n, salida.Number, salida.ReceivedAt); err != nil {
			return err
		}
	}
	return nil
}

// answerLock is the first key of the locks of answered radicados
// (PostgreSQL's advisory locks of two keys; the second is the number's
// hash).
const answerLock = 7262203

// lockAnswered makes the transactions that link a radicado and its
// answers take turns, until tx ends: on PostgreSQL an entrada and the
// salida that answers it, pushed at the same moment, would each not see
// the other's row and leave the entrada open. SQLite's writes take turns
// already.
//
// The locks of several numbers are taken in one order, so that two
// transactions locking the same numbers do not wait on each other; a
// transaction that takes more later has taken them all at once first.
func (d *DB) lockAnswered(ctx context.Context, tx *sql.Tx, numbers ...string) error {
	if !d.postgres {
		return nil
	}
	for _, n := range slices.Compact(slices.Sorted(slices.Values(numbers))) {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, hashtext($2))`, answerLock, n); err != nil {
			return fmt.Errorf("the lock of %s's answers: %w", n, err)
		}
	}
	return nil
}

// linkPending links, when the radicado number arrives or is reopened, the
// salidas held that answer it: the first not annulled answers it.
func (d *DB) linkPending(ctx context.Context, tx *sql.Tx, number string) error {
	if err := d.lockAnswered(ctx, tx, number); err != nil {
		return err
	}
	rows, err := d.txQuery(ctx, tx, `SELECT r.number, r.received_at FROM pending_answers p JOIN radicados r ON r.number = p.salida
		WHERE p.number = ? AND r.annulled = 0 ORDER BY r.received_at`, number)
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

// Delivery is where one attempt at delivering a salida stands.
type Delivery struct {
	Number     string `json:"number"`
	Attempt    int    `json:"attempt"`
	Courier    string `json:"courier"`
	Service    string `json:"service,omitempty"`
	Guide      string `json:"guide,omitempty"`
	State      string `json:"state"`
	Reason     string `json:"reason,omitempty"`
	HandedOn   string `json:"handed_on,omitempty"`
	ExpectedBy string `json:"expected_by,omitempty"`
	ResultOn   string `json:"result_on,omitempty"`
	// Where this attempt went when it corrected the salida's recipient.
	ToAddress string `json:"to_address,omitempty"`
	ToCity    string `json:"to_city,omitempty"`
}

// applyDelivery follows a step of a salida's delivery that its station
// sent (an event just recorded, its data checked by wire): each attempt
// goes pendiente → despachado → entregado or devuelto, and a step out of
// that order changes nothing (it stays an event).
func (d *DB) applyDelivery(ctx context.Context, tx *sql.Tx, kind int, annulled bool, e wire.Event) error {
	if kind != int(radicado.Salida) {
		return nil
	}
	var f wire.DeliveryStep
	if err := json.Unmarshal(e.Data, &f); err != nil {
		return nil
	}
	now := d.stamp()
	var err error
	switch e.Action {
	case "despacho":
		_, err = d.txExec(ctx, tx, `INSERT INTO deliveries (number, attempt, courier, service, state, to_address, to_city, to_email, updated_at)
			VALUES (?, ?, ?, ?, 'pendiente', ?, ?, ?, ?) ON CONFLICT (number, attempt) DO NOTHING`, e.Number, f.Attempt, f.Courier, f.Service,
			f.ToAddress, f.ToCity, f.Email, now)
	case "guia":
		_, err = d.txExec(ctx, tx, `UPDATE deliveries SET guide = ?, updated_at = ? WHERE number = ? AND attempt = ? AND state IN ('pendiente', 'despachado')`,
			f.Guide, now, e.Number, f.Attempt)
	case "despachado":
		var courier, email string
		switch err = d.txScan(ctx, tx, `SELECT courier, to_email FROM deliveries WHERE number = ? AND attempt = ? AND state = 'pendiente'`,
			[]any{e.Number, f.Attempt}, &courier, &email); {
		case err == sql.ErrNoRows:
			return nil // not in order: kept as an event
		case err != nil:
			return err
		}
		if _, err = d.txExec(ctx, tx, `UPDATE deliveries SET state = 'despachado', handed_on = ?, expected_by = ?, updated_at = ?
			WHERE number = ? AND attempt = ?`, f.HandedOn, f.ExpectedBy, now, e.Number, f.Attempt); err != nil {
			return err
		}
		// Sent by the server only for an attempt by e-mail, to the address
		// its dispatch named, and never for a salida annulled meanwhile.
		if courier == despacho.EmailCourier && email != "" && f.Email == email && !annulled {
			err = d.queueSalida(ctx, tx, e.Number, f.Attempt, email)
		}
	case "entregado", "devuelto":
		_, err = d.txExec(ctx, tx, `UPDATE deliveries SET state = ?, reason = ?, result_on = ?, updated_at = ?
			WHERE number = ? AND attempt = ? AND state = 'despachado'`, e.Action, f.Reason, f.On, now, e.Number, f.Attempt)
	}
	return err
}

// maxSalidaAttachment bounds the document an e-mailed salida carries.
const maxSalidaAttachment = 10 << 20

// queueSalida puts in the outbox, within tx, the e-mail that carries a
// salida to to: its first document attached (when within bounds), its
// number and subject in the text. Sent once, like an acuse.
func (d *DB) queueSalida(ctx context.Context, tx *sql.Tx, number string, attempt int, to string) error {
	var subject, files string
	if err := d.txScan(ctx, tx, `SELECT subject, files FROM radicados WHERE number = ?`, []any{number}, &subject, &files); err != nil {
		return err
	}
	var fs []wire.File
	json.Unmarshal([]byte(files), &fs)
	cfg, err := d.OrgConfig(ctx)
	if err != nil {
		return err
	}
	org := cfg.Organization
	if org == "" {
		org = "la entidad"
	}
	var name string
	var attachment []byte
	for _, f := range fs {
		if f.Pages > 0 && f.Size <= maxSalidaAttachment && (f.MediaType == "application/pdf" || f.MediaType == "image/jpeg" || f.MediaType == "image/png") {
			file, err := d.files.open(f.SHA256)
			if err != nil {
				return err
			}
			attachment, err = io.ReadAll(io.LimitReader(file, maxSalidaAttachment+1))
			file.Close()
			if err != nil {
				return err
			}
			name = f.Name
			break
		}
	}
	body := fmt.Sprintf("%s le envía la comunicación radicada con el número %s.\n\nAsunto: %s\n\n", org, number, subject)
	if attachment != nil {
		body += "La comunicación va adjunta.\n"
	} else {
		body += "Su documento es demasiado grande para el correo: solicítelo citando el número.\n"
	}
	_, err = d.txExec(ctx, tx, `INSERT INTO outbox (kind, number, attempt, day, to_addr, subject, body, attachment_name, attachment, created_at, next_try)
		VALUES ('salida', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, number, attempt, d.now().UTC().Format("2006-01-02"), to,
		"Radicado "+number+": "+subject, body, name, attachment, d.stamp(), d.stamp())
	return err
}

// Deliveries gives the attempts at delivering a salida, in order.
func (d *DB) Deliveries(ctx context.Context, number string) ([]Delivery, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT number, attempt, courier, service, guide, state, reason, handed_on, expected_by, result_on,
		to_address, to_city FROM deliveries WHERE number = ? ORDER BY attempt`), number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Delivery
	for rows.Next() {
		var x Delivery
		if err := rows.Scan(&x.Number, &x.Attempt, &x.Courier, &x.Service, &x.Guide, &x.State, &x.Reason, &x.HandedOn, &x.ExpectedBy, &x.ResultOn,
			&x.ToAddress, &x.ToCity); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
