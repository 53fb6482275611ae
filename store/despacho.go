package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/radicado"
)

// The audit actions of sending a salida out; each is synced with the
// salida, like its radicación.
const (
	ActionDispatch  = "despacho"   // put in a dispatch for a courier (an attempt)
	ActionGuide     = "guia"       // its guide number, given by the courier
	ActionSent      = "despachado" // the dispatch handed over
	ActionDelivered = "entregado"
	ActionReturned  = "devuelto"
)

// syncedActions are the audit actions a radicado's push carries.
const syncedActions = `'radicar', 'anular', 'despacho', 'guia', 'despachado', 'entregado', 'devuelto'`

// Dispatch is salidas handed to a courier together.
type Dispatch struct {
	ID        int64      `json:"id"`
	Courier   string     `json:"courier"`
	Service   string     `json:"service,omitempty"`
	CreatedAt time.Time  `json:"created_at"`
	CreatedBy string     `json:"created_by"`
	ClosedAt  time.Time  `json:"closed_at,omitzero"`
	HandedOn  string     `json:"handed_on,omitempty"` // the day the courier took it
	Envelopes []Envelope `json:"envelopes"`
}

// Envelope is one attempt at delivering a salida.
type Envelope struct {
	Dispatch   int64    `json:"dispatch"`
	Courier    string   `json:"courier"`
	Number     string   `json:"number"`
	Attempt    int      `json:"attempt"`
	Guide      string   `json:"guide,omitempty"`
	State      string   `json:"state"`
	Reason     string   `json:"reason,omitempty"`
	ResultOn   string   `json:"result_on,omitempty"`
	Proof      []string `json:"proof,omitempty"` // SHA-256 of the files kept as proof
	ExpectedBy string   `json:"expected_by,omitempty"`
	// To is where this attempt goes when it corrects the salida's
	// recipient (a letter returned for a wrong address); nil: the salida's.
	To        *radicado.Recipient `json:"to,omitempty"`
	UpdatedAt time.Time           `json:"updated_at"`
}

// Overdue reports whether the envelope was sent and its result is past
// due on today (YYYY-MM-DD).
func (e Envelope) Overdue(today string) bool {
	return e.State == "despachado" && e.ExpectedBy != "" && e.ExpectedBy < today
}

// ErrDispatch is wrapped by what a dispatch's rules refuse.
var ErrDispatch = errors.New("not possible in this dispatch")

// changed records, inside tx, an audit event about the radicado number and
// queues it for the server.
func changed(ctx context.Context, tx *sql.Tx, now time.Time, actor, action, number string, data any) error {
	var id int64
	if err := tx.QueryRowContext(ctx, `SELECT id FROM radicados WHERE number = ?`, number).Scan(&id); err != nil {
		return fmt.Errorf("%s: %w", number, err)
	}
	return queueEvent(ctx, tx, id, now, actor, action, number, data)
}

// NewDispatch puts salidas in a new dispatch for courier: each must be an
// active salida not in a dispatch still open for it, nor delivered; a
// returned one goes as its next attempt. to, when not nil, is where they
// go this time (a corrected address).
func (s *Store) NewDispatch(ctx context.Context, actor, courier, service string, numbers []string, to *radicado.Recipient) (Dispatch, error) {
	var d Dispatch
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		res, err := tx.ExecContext(ctx, `INSERT INTO dispatches (courier, service, created_at, created_by) VALUES (?, ?, ?, ?)`,
			courier, service, now.UTC().Format(time.RFC3339Nano), actor)
		if err != nil {
			return err
		}
		if d.ID, err = res.LastInsertId(); err != nil {
			return err
		}
		for _, n := range numbers {
			var kind int
			var status, email string
			var onPaper bool
			err := tx.QueryRowContext(ctx, `SELECT kind, status, recipient <> '' AND json_extract(recipient, '$.send_by') <> 'email',
				COALESCE(json_extract(recipient, '$.email'), '') FROM radicados WHERE number = ?`, n).Scan(&kind, &status, &onPaper, &email)
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("%s: %w", n, ErrNotFound)
			}
			if err != nil {
				return err
			}
			if radicado.Kind(kind) != radicado.Salida || status != string(radicado.Active) {
				return fmt.Errorf("%s: %w: only an active salida is dispatched", n, ErrDispatch)
			}
			if to != nil && to.Email != "" {
				email = to.Email
			}
			switch {
			case courier == despacho.EmailCourier && email == "":
				return fmt.Errorf("%s: %w: it has no e-mail address to send it to", n, ErrDispatch)
			case courier != despacho.EmailCourier && !onPaper && (to == nil || to.Address == ""):
				return fmt.Errorf("%s: %w: it has no recipient to send it to on paper", n, ErrDispatch)
			}
			last, _, err := latestEnvelope(ctx, tx, n)
			if err != nil {
				return err
			}
			switch last.State {
			case "", "devuelto":
			case "entregado":
				return fmt.Errorf("%s: %w: it was delivered", n, ErrDispatch)
			default:
				return fmt.Errorf("%s: %w: it is in dispatch %d (%s)", n, ErrDispatch, last.Dispatch, last.State)
			}
			attempt := last.Attempt + 1
			var name, address, city, toEmail string
			if to != nil {
				name, address, city = to.Name, to.Address, to.City
			}
			if courier == despacho.EmailCourier {
				toEmail = email
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO envelopes (dispatch_id, number, attempt, to_name, to_address, to_city, to_email, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, d.ID, n, attempt, name, address, city, toEmail, now.UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
			data := map[string]any{"dispatch": d.ID, "courier": courier, "service": service, "attempt": attempt}
			if to != nil {
				data["to_name"], data["to_address"], data["to_city"] = name, address, city
			}
			if toEmail != "" {
				data["email"] = toEmail
			}
			if err := changed(ctx, tx, now, actor, ActionDispatch, n, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Dispatch{}, err
	}
	return s.Dispatch(ctx, d.ID)
}

// SetGuide records the courier's guide number of the salida's current
// envelope (before its result), once; a guide is one envelope's only.
func (s *Store) SetGuide(ctx context.Context, actor, number, guide string) (Envelope, error) {
	if err := s.SetGuides(ctx, actor, [][2]string{{number, guide}}); err != nil {
		return Envelope{}, err
	}
	return s.envelope(ctx, number)
}

// SetGuides records guides, each a [number, guide], as SetGuide does: all
// of them or none.
func (s *Store) SetGuides(ctx context.Context, actor string, guides [][2]string) error {
	return s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		for _, g := range guides {
			if err := setGuide(ctx, tx, now, actor, g[0], g[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

func setGuide(ctx context.Context, tx *sql.Tx, now time.Time, actor, number, guide string) error {
	e, _, err := latestEnvelope(ctx, tx, number)
	if err != nil {
		return fmt.Errorf("%s: %w", number, err)
	}
	if e.State != "pendiente" && e.State != "despachado" {
		return fmt.Errorf("%s: %w: it is not in a dispatch awaiting its result", number, ErrDispatch)
	}
	if e.Guide != "" {
		return fmt.Errorf("%s: %w: its envelope has guide %s already", number, ErrDispatch, e.Guide)
	}
	var other string
	var otherAttempt int
	err = tx.QueryRowContext(ctx, `SELECT number, attempt FROM envelopes WHERE guide = ?`, guide).Scan(&other, &otherAttempt)
	switch {
	case err == nil:
		return fmt.Errorf("guide %s: %w: it is the guide of %s, attempt %d", guide, ErrDispatch, other, otherAttempt)
	case !errors.Is(err, sql.ErrNoRows):
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE envelopes SET guide = ?, updated_at = ? WHERE number = ? AND attempt = ?`,
		guide, now.UTC().Format(time.RFC3339Nano), number, e.Attempt); err != nil {
		return err
	}
	return changed(ctx, tx, now, actor, ActionGuide, number, map[string]any{"dispatch": e.Dispatch, "attempt": e.Attempt, "guide": guide})
}

// CloseDispatch records the dispatch handed over on handedOn (a day;
// when the courier took it), each envelope sent, due back by expected(its
// number).
func (s *Store) CloseDispatch(ctx context.Context, actor string, id int64, handedOn string, expected func(number string) (string, error)) (Dispatch, error) {
	err := s.write(ctx, func(tx *sql.Tx) error {
		var closed string
		err := tx.QueryRowContext(ctx, `SELECT closed_at FROM dispatches WHERE id = ?`, id).Scan(&closed)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("dispatch %d: %w", id, ErrNotFound)
		}
		if err != nil {
			return err
		}
		if closed != "" {
			return fmt.Errorf("dispatch %d: %w: closed on %s", id, ErrDispatch, closed)
		}
		now := s.clock()
		stamp := now.UTC().Format(time.RFC3339Nano)
		if _, err := tx.ExecContext(ctx, `UPDATE dispatches SET closed_at = ?, handed_on = ?, closed_by = ? WHERE id = ?`, stamp, handedOn, actor, id); err != nil {
			return err
		}
		// An envelope of a salida annulled since it was put in is not handed
		// over: it stays pending, off the planilla.
		rows, err := tx.QueryContext(ctx, `SELECT e.number, e.attempt, e.to_email FROM envelopes e JOIN radicados r ON r.number = e.number
			WHERE e.dispatch_id = ? AND e.state = 'pendiente' AND r.status = 'active' ORDER BY e.id`, id)
		if err != nil {
			return err
		}
		type env struct {
			number  string
			attempt int
			email   string
		}
		var envs []env
		for rows.Next() {
			var e env
			if err := rows.Scan(&e.number, &e.attempt, &e.email); err != nil {
				rows.Close()
				return err
			}
			envs = append(envs, e)
		}
		rows.Close()
		if len(envs) == 0 {
			return fmt.Errorf("dispatch %d: %w: it has no envelopes", id, ErrDispatch)
		}
		for _, e := range envs {
			by, err := expected(e.number)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE envelopes SET state = 'despachado', expected_by = ?, updated_at = ? WHERE number = ? AND attempt = ?`,
				by, stamp, e.number, e.attempt); err != nil {
				return err
			}
			data := map[string]any{"dispatch": id, "attempt": e.attempt, "handed_on": handedOn, "expected_by": by}
			if e.email != "" {
				data["email"] = e.email // the server sends it there
			}
			if err := changed(ctx, tx, now, actor, ActionSent, e.number, data); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return Dispatch{}, err
	}
	return s.Dispatch(ctx, id)
}

// Result is how an envelope ended.
type Result struct {
	Number  string
	Attempt int    // with Number: that attempt (0: the latest)
	Guide   string // instead of Number: the envelope with this guide
	State   string // entregado or devuelto
	Reason  string // why it came back
	On      string // the day, YYYY-MM-DD
	Proof   []string
}

// RecordResults records how envelopes ended, all or none: each must be
// sent (or pending, for a return by hand), and end once.
func (s *Store) RecordResults(ctx context.Context, actor string, results []Result) ([]Envelope, error) {
	var numbers []string
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := s.clock()
		for _, r := range results {
			number := r.Number
			var attempt int
			var state, reason string
			var dispatch int64
			if r.Guide != "" {
				// The envelope with that guide, whichever attempt it is.
				err := tx.QueryRowContext(ctx, `SELECT number, attempt, state, reason, dispatch_id FROM envelopes WHERE guide = ?`, r.Guide).
					Scan(&number, &attempt, &state, &reason, &dispatch)
				if errors.Is(err, sql.ErrNoRows) {
					return fmt.Errorf("guide %s: %w: no envelope of this station has it", r.Guide, ErrNotFound)
				}
				if err != nil {
					return fmt.Errorf("guide %s: %w", r.Guide, err)
				}
				if state == r.State && reason == r.Reason {
					continue // recorded already: a courier's file is cumulative
				}
			} else if r.Attempt > 0 {
				err := tx.QueryRowContext(ctx, `SELECT attempt, state, reason, dispatch_id FROM envelopes WHERE number = ? AND attempt = ?`,
					number, r.Attempt).Scan(&attempt, &state, &reason, &dispatch)
				if err != nil {
					return fmt.Errorf("%s attempt %d: %w", number, r.Attempt, err)
				}
			} else {
				last, _, err := latestEnvelope(ctx, tx, number)
				if err != nil {
					return fmt.Errorf("%s: %w", number, err)
				}
				attempt, state, dispatch = last.Attempt, last.State, last.Dispatch
			}
			if state != "despachado" {
				switch state {
				case "":
					return fmt.Errorf("%s: %w: it was never dispatched", number, ErrDispatch)
				case "pendiente":
					return fmt.Errorf("%s: %w: its dispatch was not handed over yet", number, ErrDispatch)
				}
				return fmt.Errorf("%s: %w: its envelope (attempt %d) is %s", number, ErrDispatch, attempt, state)
			}
			if r.State != "entregado" && r.State != "devuelto" {
				return fmt.Errorf("%s: state %q: entregado or devuelto", number, r.State)
			}
			if _, err := tx.ExecContext(ctx, `UPDATE envelopes SET state = ?, reason = ?, result_on = ?, proof = ?, updated_at = ?
				WHERE number = ? AND attempt = ?`, r.State, r.Reason, r.On, strings.Join(r.Proof, "\n"), now.UTC().Format(time.RFC3339Nano),
				number, attempt); err != nil {
				return err
			}
			action := ActionDelivered
			if r.State == "devuelto" {
				action = ActionReturned
			}
			data := map[string]any{"dispatch": dispatch, "attempt": attempt, "on": r.On}
			if r.Reason != "" {
				data["reason"] = r.Reason
			}
			if len(r.Proof) > 0 {
				data["proof"] = r.Proof
			}
			if err := changed(ctx, tx, now, actor, action, number, data); err != nil {
				return err
			}
			numbers = append(numbers, number)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Envelope, 0, len(numbers))
	for _, n := range numbers {
		e, err := s.envelope(ctx, n)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

const envelopeColumns = `dispatch_id, (SELECT d.courier FROM dispatches d WHERE d.id = dispatch_id), number, attempt, guide, state, reason,
	result_on, proof, expected_by, to_name, to_address, to_city, to_email, updated_at`

func scanEnvelope(row scanner) (Envelope, error) {
	var e Envelope
	var proof, updated, name, address, city, email string
	if err := row.Scan(&e.Dispatch, &e.Courier, &e.Number, &e.Attempt, &e.Guide, &e.State, &e.Reason, &e.ResultOn, &proof, &e.ExpectedBy,
		&name, &address, &city, &email, &updated); err != nil {
		return e, err
	}
	if name+address+city+email != "" {
		e.To = &radicado.Recipient{Name: name, Address: address, City: city, Email: email, SendBy: radicado.SendPhysical}
		if email != "" {
			e.To.SendBy = radicado.SendEmail
		}
	}
	if proof != "" {
		e.Proof = strings.Split(proof, "\n")
	}
	e.UpdatedAt, _ = time.Parse(time.RFC3339Nano, updated)
	return e, nil
}

// latestEnvelope gives the salida's latest envelope; false (and the zero
// Envelope) when it was never dispatched.
func latestEnvelope(ctx context.Context, q rowQuerier, number string) (Envelope, bool, error) {
	e, err := scanEnvelope(q.QueryRowContext(ctx, `SELECT `+envelopeColumns+` FROM envelopes WHERE number = ? ORDER BY attempt DESC LIMIT 1`, number))
	if errors.Is(err, sql.ErrNoRows) {
		return Envelope{}, false, nil
	}
	return e, err == nil, err
}

// envelope gives the salida's latest envelope, ErrNotFound when it was
// never dispatched.
func (s *Store) envelope(ctx context.Context, number string) (Envelope, error) {
	e, ok, err := latestEnvelope(ctx, s.db, number)
	if err == nil && !ok {
		err = fmt.Errorf("%s: %w: never dispatched", number, ErrNotFound)
	}
	return e, err
}

// Delivery gives the salida's latest envelope; false when it was never
// dispatched.
func (s *Store) Delivery(ctx context.Context, number string) (Envelope, bool, error) {
	return latestEnvelope(ctx, s.db, number)
}

// Dispatch gives a dispatch with its envelopes.
func (s *Store) Dispatch(ctx context.Context, id int64) (Dispatch, error) {
	var d Dispatch
	var created, closed string
	err := s.db.QueryRowContext(ctx, `SELECT id, courier, service, created_at, created_by, closed_at, handed_on FROM dispatches WHERE id = ?`, id).
		Scan(&d.ID, &d.Courier, &d.Service, &created, &d.CreatedBy, &closed, &d.HandedOn)
	if errors.Is(err, sql.ErrNoRows) {
		return d, fmt.Errorf("dispatch %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return d, err
	}
	d.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
	if closed != "" {
		d.ClosedAt, _ = time.Parse(time.RFC3339Nano, closed)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT `+envelopeColumns+` FROM envelopes WHERE dispatch_id = ? ORDER BY id`, id)
	if err != nil {
		return d, err
	}
	defer rows.Close()
	for rows.Next() {
		e, err := scanEnvelope(rows)
		if err != nil {
			return d, err
		}
		d.Envelopes = append(d.Envelopes, e)
	}
	return d, rows.Err()
}

// Dispatches gives the dispatches, newest first, at most limit.
func (s *Store) Dispatches(ctx context.Context, limit int) ([]Dispatch, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id FROM dispatches ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := make([]Dispatch, 0, len(ids))
	for _, id := range ids {
		d, err := s.Dispatch(ctx, id)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

// Waiting gives the active salidas with a recipient that are in no
// dispatch (or came back), oldest first: what the desk has to send, by
// courier or by e-mail.
func (s *Store) Waiting(ctx context.Context) ([]radicado.Record, error) {
	return s.query(ctx, `SELECT `+recordColumns+` FROM radicados r WHERE r.kind = ? AND r.status = 'active'
		AND r.recipient <> ''
		AND COALESCE((SELECT e.state FROM envelopes e WHERE e.number = r.number ORDER BY e.attempt DESC LIMIT 1), 'devuelto') = 'devuelto'
		ORDER BY r.id`, int(radicado.Salida))
}

// Outcome is what became of a radicado: the salida that answers it (an
// entrada) or where its latest envelope stands (a salida).
type Outcome struct {
	AnsweredBy string // an active salida
	CitedBy    string // an active letter that cites it (an answer to our salida)
	Delivery   string // pendiente, despachado, entregado, devuelto
	Attempt    int
	Overdue    bool // sent, and its result past due on today
}

// Outcomes gives the outcomes of the radicados among numbers that have
// one, as of today (YYYY-MM-DD).
func (s *Store) Outcomes(ctx context.Context, numbers []string, today string) (map[string]Outcome, error) {
	out := map[string]Outcome{}
	for start := 0; start < len(numbers); start += 500 {
		chunk := numbers[start:min(start+500, len(numbers))]
		in := strings.Repeat("?,", len(chunk)-1) + "?"
		args := make([]any, len(chunk))
		for i, n := range chunk {
			args[i] = n
		}
		// Who answers each, and which letter cites it: a pair of numbers
		// per row, each put in its place.
		for _, q := range []struct {
			sql string
			set func(*Outcome, string)
		}{
			{`SELECT a.number, (SELECT x.salida FROM answered x JOIN radicados y ON y.number = x.salida
				WHERE x.number = a.number AND y.status = 'active' ORDER BY y.id LIMIT 1) FROM answered a JOIN radicados r ON r.number = a.salida
				WHERE r.status = 'active' AND a.number IN (` + in + `) GROUP BY a.number`, func(o *Outcome, by string) { o.AnsweredBy = by }},
			{`SELECT c.number, MIN(c.citing) FROM cited c JOIN radicados r ON r.number = c.citing
				WHERE r.status = 'active' AND c.number IN (` + in + `) GROUP BY c.number`, func(o *Outcome, by string) { o.CitedBy = by }},
		} {
			rows, err := s.db.QueryContext(ctx, q.sql, args...)
			if err != nil {
				return nil, err
			}
			for rows.Next() {
				var n, by string
				if err := rows.Scan(&n, &by); err != nil {
					rows.Close()
					return nil, err
				}
				o := out[n]
				q.set(&o, by)
				out[n] = o
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return nil, err
			}
		}
		rows, err := s.db.QueryContext(ctx, `SELECT e.number, e.state, e.attempt, e.expected_by FROM envelopes e
			WHERE e.number IN (`+in+`) AND e.attempt = (SELECT MAX(x.attempt) FROM envelopes x WHERE x.number = e.number)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var n, state, expected string
			var attempt int
			if err := rows.Scan(&n, &state, &attempt, &expected); err != nil {
				rows.Close()
				return nil, err
			}
			o := out[n]
			o.Delivery, o.Attempt = state, attempt
			o.Overdue = Envelope{State: state, ExpectedBy: expected}.Overdue(today)
			out[n] = o
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// verifyEnvelopes replays the audit log's delivery steps and compares
// what they leave with each envelope: its guide, state, reason and day.
func (s *Store) verifyEnvelopes(ctx context.Context, r *Report) error {
	type key struct {
		number  string
		attempt int
	}
	want := map[key]*Envelope{}
	rows, err := s.db.QueryContext(ctx, `SELECT action, number, data FROM audit WHERE action IN ('despacho', 'guia', 'despachado', 'entregado', 'devuelto') ORDER BY id`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var action, number, data string
		if err := rows.Scan(&action, &number, &data); err != nil {
			rows.Close()
			return err
		}
		var d struct {
			Attempt int    `json:"attempt"`
			Guide   string `json:"guide"`
			On      string `json:"on"`
			Reason  string `json:"reason"`
		}
		if err := json.Unmarshal([]byte(data), &d); err != nil {
			r.addf("%s: a delivery step (%s) that does not read: %v", number, action, err)
			continue
		}
		k := key{number, d.Attempt}
		e := want[k]
		if e == nil {
			e = &Envelope{Number: number, Attempt: d.Attempt}
			want[k] = e
		}
		switch action {
		case ActionDispatch:
			e.State = "pendiente"
		case ActionGuide:
			e.Guide = d.Guide
		case ActionSent:
			e.State = "despachado"
		case ActionDelivered, ActionReturned:
			e.State, e.Reason, e.ResultOn = action, d.Reason, d.On
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = s.db.QueryContext(ctx, `SELECT number, attempt, guide, state, reason, result_on FROM envelopes`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var got Envelope
		if err := rows.Scan(&got.Number, &got.Attempt, &got.Guide, &got.State, &got.Reason, &got.ResultOn); err != nil {
			return err
		}
		k := key{got.Number, got.Attempt}
		e := want[k]
		delete(want, k)
		switch {
		case e == nil:
			r.addf("%s attempt %d: an envelope the audit log never dispatched", got.Number, got.Attempt)
		case e.State != got.State || e.Guide != got.Guide || e.Reason != got.Reason || e.ResultOn != got.ResultOn:
			r.addf("%s attempt %d: the envelope says %s %s %s %s, the audit log %s %s %s %s", got.Number, got.Attempt,
				got.State, got.Guide, got.Reason, got.ResultOn, e.State, e.Guide, e.Reason, e.ResultOn)
		}
	}
	for k := range want {
		r.addf("%s attempt %d: dispatched in the audit log, with no envelope", k.number, k.attempt)
	}
	return rows.Err()
}
