package central

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// The work on a radicado once it reaches the departments: where it is, in
// what state, who has it, its term and its light. Entradas and internas
// have work; a salida is the answer to one, not work of its own.

// States of a radicado in the departments.
const (
	StateNew      = "nuevo"
	StateAssigned = "asignado"
	StateWorking  = "en_tramite"
	StateAnswered = "respondido"
	StateArchived = "archivado"
	StateReturned = "devuelto"
	StateAnnulled = "anulado"
	// sent to the authority it was for (traslado por competencia, Ley 1755
	// de 2015, art. 21): its work here ends
	StateTransferred = "trasladado"
)

// Channels a radicado arrives by.
const (
	ChannelVentanilla = radicado.ChannelVentanilla
	ChannelEmail      = radicado.ChannelEmail
	ChannelWeb        = radicado.ChannelWeb
)

// openStates are those of radicados still to be answered.
var openStates = []string{StateNew, StateAssigned, StateWorking, StateReturned}

// ValidState reports whether s is a state.
func ValidState(s string) bool {
	switch s {
	case StateNew, StateAssigned, StateWorking, StateAnswered, StateArchived, StateReturned, StateAnnulled, StateTransferred:
		return true
	}
	return false
}

// hasWork reports whether radicados of kind k are worked in departments.
func hasWork(kind int) bool { return kind != int(radicado.Salida) }

// addWork gives a radicado just received its work row: in its department
// (none: it waits to be routed), new, with its term.
func (d *DB) addWork(ctx context.Context, tx *sql.Tx, r wire.Radicado, annulled bool) error {
	if !hasWork(r.Kind) {
		return nil
	}
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return err
	}
	var due calendar.Date
	if r.Due != "" {
		if due, err = calendar.ParseDate(r.Due); err != nil {
			return err
		}
	}
	t, err := termOf(cal, r.ReceivedAt, due)
	if err != nil {
		return err
	}
	state := StateNew
	if annulled {
		state = StateAnnulled
	}
	deptSince := ""
	if r.Dept != "" {
		deptSince = d.stamp()
	}
	if _, err = d.txExec(ctx, tx, `INSERT INTO work (number, dept, state, received_at, due, first_due, term_days, yellow_on, red_on, updated_at,
		received_on, office, doc_type, channel, dept_since)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (number) DO NOTHING`,
		r.Number, r.Dept, state, r.ReceivedAt.UTC().Format(time.RFC3339Nano), r.Due, r.Due, t.days, dateOrEmpty(t.yellowOn), dateOrEmpty(t.redOn), d.stamp(),
		calendar.DateOf(r.ReceivedAt.In(loc)).String(), r.Office, r.Type, channelOf(r), deptSince); err != nil {
		return err
	}
	if err := d.linkPending(ctx, tx, r.Number); err != nil {
		return err
	}
	if d.postgres { // its words, for search (SQLite keeps them in radicados_fts)
		_, err = tx.ExecContext(ctx, `UPDATE work SET search = to_tsvector('spanish', r.number || ' ' || r.sender_name || ' ' || r.sender_id || ' ' ||
			r.subject || ' ' || r.doc_type) FROM radicados r WHERE r.number = work.number AND work.number = $1`, r.Number)
	}
	return err
}

// channelOf gives the channel a radicado came in by: the ventanilla unless
// it says otherwise.
func channelOf(r wire.Radicado) string {
	if r.Channel != "" {
		return r.Channel
	}
	return ChannelVentanilla
}

func dateOrEmpty(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}

// annulWork follows an annulment that arrived from a station: the
// radicado's work ends; a salida that answered radicados no longer counts,
// and they are open again.
func (d *DB) annulWork(ctx context.Context, tx *sql.Tx, number string) error {
	if _, err := d.txExec(ctx, tx, `UPDATE work SET state = ?, updated_at = ? WHERE number = ? AND state <> ?`,
		StateAnnulled, d.stamp(), number, StateAnnulled); err != nil {
		return err
	}
	// An annulled salida is not e-mailed any more.
	if _, err := d.txExec(ctx, tx, `UPDATE outbox SET next_try = ?, last_error = 'the salida was annulled' WHERE kind = 'salida' AND number = ? AND sent_at = ''`,
		never, number); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, d.q(`SELECT number FROM work WHERE answer_by = ? AND state IN (?, ?)`), number, StateAnswered, StateArchived)
	if err != nil {
		return err
	}
	var reopened []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		reopened = append(reopened, n)
	}
	rows.Close()
	if err := d.lockAnswered(ctx, tx, reopened...); err != nil { // all at once, before linkPending takes each
		return err
	}
	for _, n := range reopened {
		if _, err := d.txExec(ctx, tx, `UPDATE work SET state = CASE WHEN assignee IS NULL THEN ? ELSE ? END, answered_at = '', answer_by = '',
			answer_channel = '', response_days = -1, on_time = 0, denied = 0, updated_at = ? WHERE number = ?`, StateNew, StateAssigned, d.stamp(), n); err != nil {
			return err
		}
		if err := d.appendJournal(ctx, tx, "sync", "radicado.answer_void", n, map[string]string{"by": number, "reason": "the answer was annulled"}); err != nil {
			return err
		}
		if err := d.linkPending(ctx, tx, n); err != nil { // another salida that answers it
			return err
		}
	}
	return nil
}

// backfillWork gives work rows to radicados received before the console
// existed.
func (d *DB) backfillWork(ctx context.Context) error {
	for {
		rows, err := d.db.QueryContext(ctx, d.q(`SELECT `+heldColumns+` FROM radicados r WHERE kind <> ?
			AND NOT EXISTS (SELECT 1 FROM work w WHERE w.number = r.number) LIMIT 500`), int(radicado.Salida))
		if err != nil {
			return err
		}
		var batch []wire.Held
		for rows.Next() {
			h, err := scanHeld(rows)
			if err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, h)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return err
		}
		if err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, h := range batch {
				if err := d.addWork(ctx, tx, h.Radicado, h.Annulled); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// fillTracking fills in what the dashboard counts for work rows made
// before the server kept it: the day of receipt, office, type, and the
// business days an answer took.
func (d *DB) fillTracking(ctx context.Context) error {
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return err
	}
	for {
		rows, err := d.db.QueryContext(ctx, `SELECT w.number, w.received_at, r.office, r.doc_type, w.due, w.answered_at
			FROM work w JOIN radicados r ON r.number = w.number WHERE w.received_on = '' LIMIT 500`)
		if err != nil {
			return err
		}
		type fill struct{ number, received, office, docType, due, answered string }
		var batch []fill
		for rows.Next() {
			var f fill
			if err := rows.Scan(&f.number, &f.received, &f.office, &f.docType, &f.due, &f.answered); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, f)
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return err
		}
		if err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, f := range batch {
				t, err := time.Parse(time.RFC3339Nano, f.received)
				if err != nil {
					return fmt.Errorf("radicado %s: %w", f.number, err)
				}
				days, onTime := -1, 0
				if f.answered != "" {
					if days, onTime, err = responseOf(cal, t.In(loc), f.due, f.answered); err != nil {
						return fmt.Errorf("radicado %s: %w", f.number, err)
					}
				}
				// The clocks of escalation start from what is known: the
				// receipt, and the work's last change for an assignment.
				if _, err := d.txExec(ctx, tx, `UPDATE work SET received_on = ?, office = ?, doc_type = ?, response_days = ?, on_time = ?,
					dept_since = CASE WHEN dept <> '' THEN received_at ELSE '' END,
					assigned_at = CASE WHEN assignee IS NOT NULL THEN updated_at ELSE '' END WHERE number = ?`,
					calendar.DateOf(t.In(loc)).String(), f.office, f.docType, days, onTime, f.number); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
	}
}

// responseOf gives the business days an answer given on answered took for
// a radicado received at received (its term counts from the filing day),
// and whether it came by the due date (a radicado without one: on time).
func responseOf(cal *calendar.Calendar, received time.Time, due, answered string) (days, onTime int, err error) {
	filed, err := cal.FilingDay(received)
	if err != nil {
		return 0, 0, err
	}
	on, err := calendar.ParseDate(answered)
	if err != nil {
		return 0, 0, err
	}
	days = max(DaysLeft(cal, filed, on), 0)
	if due == "" || answered <= due {
		onTime = 1
	}
	return days, onTime, nil
}

// Item is a radicado as the console shows it: what it says of itself and
// where it is in the departments.
type Item struct {
	Number     string    `json:"number"`
	Kind       int       `json:"kind"`
	Type       string    `json:"type"`
	SenderName string    `json:"sender_name"`
	SenderID   string    `json:"sender_id,omitempty"`
	Subject    string    `json:"subject"`
	Office     string    `json:"office"`
	Station    string    `json:"station"`
	ReceivedAt time.Time `json:"received_at"`
	Dept       string    `json:"dept"`
	State      string    `json:"state"`
	Assignee   string    `json:"assignee,omitempty"`
	Due        string    `json:"due,omitempty"`
	FirstDue   string    `json:"first_due,omitempty"`
	TermDays   int       `json:"term_days,omitempty"`
	DaysLeft   *int      `json:"days_left,omitempty"`
	Light      Light     `json:"light,omitempty"`
	Extended   bool      `json:"extended,omitempty"`
	AnswerBy   string    `json:"answer_by,omitempty"`
	AnsweredAt string    `json:"answered_at,omitempty"`
	Channel    string    `json:"answer_channel,omitempty"`
	Returned   string    `json:"return_reason,omitempty"`
	// InChannel is how it came in: ventanilla, email or web.
	InChannel   string `json:"channel"`
	SenderEmail string `json:"sender_email,omitempty"`
	Unread      bool   `json:"unread"`
	Copied      bool   `json:"copied,omitempty"` // seen through a copy (informar), not by department
	yellowOn    string
	redOn       string
}

const itemColumns = `w.number, r.kind, r.doc_type, r.sender_name, r.sender_id, r.subject, r.office, r.station, r.received_at,
	w.dept, w.state, COALESCE(a.name, ''), w.due, w.first_due, w.term_days, w.yellow_on, w.red_on, w.extended,
	w.answer_by, w.answered_at, w.answer_channel, w.return_reason, w.channel, r.sender_email`

func scanItem(row interface{ Scan(...any) error }, more ...any) (Item, error) {
	var it Item
	var received string
	var extended int
	dest := append([]any{&it.Number, &it.Kind, &it.Type, &it.SenderName, &it.SenderID, &it.Subject, &it.Office, &it.Station, &received,
		&it.Dept, &it.State, &it.Assignee, &it.Due, &it.FirstDue, &it.TermDays, &it.yellowOn, &it.redOn, &extended,
		&it.AnswerBy, &it.AnsweredAt, &it.Channel, &it.Returned, &it.InChannel, &it.SenderEmail}, more...)
	if err := row.Scan(dest...); err != nil {
		return it, err
	}
	it.Extended = extended == 1
	var err error
	it.ReceivedAt, err = time.Parse(time.RFC3339Nano, received)
	return it, err
}

// finish works out an item's days left and light on asOf.
func finish(it *Item, cal *calendar.Calendar, asOf calendar.Date) {
	if it.Due == "" || !isOpen(it.State) {
		return
	}
	if it.DaysLeft = daysLeftOf(cal, asOf, it.Due); it.DaysLeft != nil {
		it.Light = lightOn(asOf, it.yellowOn, it.redOn)
	}
}

// daysLeftOf gives the business days from asOf to the due date due
// (YYYY-MM-DD), or nil when there is none.
func daysLeftOf(cal *calendar.Calendar, asOf calendar.Date, due string) *int {
	d, err := calendar.ParseDate(due)
	if err != nil {
		return nil
	}
	n := DaysLeft(cal, asOf, d)
	return &n
}

func isOpen(state string) bool {
	for _, s := range openStates {
		if s == state {
			return true
		}
	}
	return false
}

// InboxFilter selects radicados of the inbox.
type InboxFilter struct {
	Queue  string // "" the department's (all for a supervisor), "mine", "copies" (informed), "unrouted" (no department: supervisors)
	State  string // a state, "" for those still open, "all"
	Type   string
	Light  Light
	Office string // the branch
	Dept   string // a supervisor's choice of department
	From   string // received from this day (YYYY-MM-DD)
	To     string // up to this day
	Query  string // words, searched in number, sender, ID, subject and type
	AsOf   calendar.Date
	Limit  int
	Offset int
}

// MaxQuery bounds a search.
const MaxQuery = 200

// Check validates a filter's values.
func (f InboxFilter) Check() error {
	switch f.Queue {
	case "", "mine", "copies", "unrouted":
	default:
		return fmt.Errorf("%w: queue %q", ErrInvalid, f.Queue)
	}
	if f.State != "" && f.State != "all" && !ValidState(f.State) {
		return fmt.Errorf("%w: state %q", ErrInvalid, f.State)
	}
	switch f.Light {
	case "", Green, Yellow, Red:
	default:
		return fmt.Errorf("%w: light %q: green, yellow or red", ErrInvalid, f.Light)
	}
	if f.Type != "" && radicado.CheckTypeCode(f.Type) != nil {
		return fmt.Errorf("%w: type %q", ErrInvalid, f.Type)
	}
	if f.Dept != "" && radicado.CheckDeptCode(f.Dept) != nil {
		return fmt.Errorf("%w: department %q", ErrInvalid, f.Dept)
	}
	if f.Office != "" && (len(f.Office) > 10 || strings.Trim(f.Office, "0123456789") != "") {
		return fmt.Errorf("%w: office %q", ErrInvalid, f.Office)
	}
	for _, day := range []string{f.From, f.To} {
		if day != "" {
			if d, err := calendar.ParseDate(day); err != nil || d.String() != day {
				return fmt.Errorf("%w: date %q: YYYY-MM-DD", ErrInvalid, day)
			}
		}
	}
	if len(f.Query) > MaxQuery {
		return fmt.Errorf("%w: a search has at most %d characters", ErrInvalid, MaxQuery)
	}
	if f.Limit < 0 || f.Limit > 500 || f.Offset < 0 || f.Offset > 100000 {
		return fmt.Errorf("%w: limit up to 500, offset up to 100000", ErrInvalid)
	}
	return nil
}

// words gives the words of a search: letters and digits, at most ten.
func words(q string) []string {
	w := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	if len(w) > 10 {
		w = w[:10]
	}
	return w
}

// visible is the condition on w (work) that u sees the radicado: all for a
// supervisor or admin; else its department's, or copied to them.
func visible(u User) (string, []any) {
	if u.Role.SeesAll() {
		return "1 = 1", nil
	}
	return `(w.dept = ? OR w.number IN (SELECT number FROM copies WHERE user_id = ? OR (dept = ? AND dept <> '')))`, []any{u.Dept, u.ID, u.Dept}
}

// Inbox gives the radicados of u's inbox that f selects, most urgent
// first (the nearest due date; those without a term last), then newest
// (a search: newest first); and whether there are more.
func (d *DB) Inbox(ctx context.Context, u User, f InboxFilter) ([]Item, bool, error) {
	if err := f.Check(); err != nil {
		return nil, false, err
	}
	cal, loc, today, err := d.calendarToday(ctx)
	if err != nil {
		return nil, false, err
	}
	if f.AsOf.IsZero() {
		f.AsOf = today
	}
	if err := CheckDay(today, f.AsOf); err != nil {
		return nil, false, err
	}
	if f.Limit == 0 {
		f.Limit = 50
	}
	// Each queue is a condition an index serves: a department's own
	// radicados (its copies have their queue), those assigned to the user,
	// those copied to them, those of no department.
	var where []string
	var args []any
	switch {
	case f.Queue == "mine":
		where, args = append(where, "w.assignee = ?"), append(args, u.ID)
	case f.Queue == "copies":
		where, args = append(where, "w.number IN (SELECT number FROM copies WHERE user_id = ? OR (dept = ? AND dept <> ''))"), append(args, u.ID, u.Dept)
	case f.Queue == "unrouted" && !u.Role.SeesAll():
		return nil, false, nil // routing is the supervisors'
	case f.Queue == "unrouted":
		where = append(where, "w.dept = ''")
	case !u.Role.SeesAll():
		where, args = append(where, "w.dept = ?"), append(args, u.Dept)
	}
	switch {
	case f.State == "all":
		where, args = append(where, "w.state <> ?"), append(args, StateAnnulled)
	case f.State != "":
		where, args = append(where, "w.state = ?"), append(args, f.State)
	default:
		where = append(where, "w.open = 1")
	}
	day := f.AsOf.String()
	switch f.Light {
	case Red:
		where, args = append(where, "w.red_on <> '' AND w.red_on <= ?"), append(args, day)
	case Yellow:
		where, args = append(where, "w.yellow_on <> '' AND w.yellow_on <= ? AND w.red_on > ?"), append(args, day, day)
	case Green:
		where, args = append(where, "w.yellow_on > ?"), append(args, day)
	}
	if f.Light != "" && f.State != "" { // lights are of open radicados only
		where = append(where, "w.open = 1")
	}
	if f.Type != "" {
		where, args = append(where, "r.doc_type = ?"), append(args, f.Type)
	}
	if f.Office != "" {
		where, args = append(where, "r.office = ?"), append(args, f.Office)
	}
	if f.Dept != "" {
		where, args = append(where, "w.dept = ?"), append(args, f.Dept)
	}
	// Days are the organisation's; the times kept are UTC.
	if f.From != "" {
		from, _ := calendar.ParseDate(f.From)
		where, args = append(where, "w.received_at >= ?"), append(args, from.In(loc).UTC().Format(time.RFC3339))
	}
	if f.To != "" {
		to, _ := calendar.ParseDate(f.To)
		where, args = append(where, "w.received_at < ?"), append(args, to.AddDays(1).In(loc).UTC().Format(time.RFC3339))
	}
	if len(where) == 0 {
		where = append(where, "1 = 1")
	}
	// The inbox comes most urgent first; a search, newest first: SQLite's
	// full-text index gives its matches in that order, and PostgreSQL walks
	// the radicados newest first (work_dept_recent, work_recent) or finds
	// the few that match in its index, as it judges cheaper.
	from := `work w JOIN radicados r ON r.number = w.number`
	order := `w.sort_due, w.received_at DESC`
	if w := words(f.Query); len(w) > 0 {
		terms := make([]string, len(w))
		if d.postgres {
			// Whole words but a lone one, which may be a beginning: a
			// prefix costs the index a scan of every word that begins so.
			copy(terms, w)
			if len(w) == 1 {
				terms[0] += ":*"
			}
			where, args = append(where, "w.search @@ to_tsquery('spanish', ?)"), append(args, strings.Join(terms, " & "))
			order = `w.received_at DESC`
		} else {
			for i, x := range w {
				terms[i] = `"` + x + `"*`
			}
			from = `radicados_fts f JOIN radicados r ON r.rowid = f.rowid JOIN work w ON w.number = r.number`
			where, args = append(where, "radicados_fts MATCH ?"), append(args, strings.Join(terms, " "))
			order = `f.rowid DESC`
		}
	}
	query := `SELECT ` + itemColumns + `, (rd.user_id IS NULL) FROM ` + from + `
		LEFT JOIN users a ON a.id = w.assignee LEFT JOIN work_reads rd ON rd.number = w.number AND rd.user_id = ?
		WHERE ` + strings.Join(where, " AND ") + ` ORDER BY ` + order + ` LIMIT ? OFFSET ?`
	args = append([]any{u.ID}, args...)
	args = append(args, f.Limit+1, f.Offset)
	rows, err := d.db.QueryContext(ctx, d.q(query), args...)
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []Item
	for rows.Next() {
		var unread bool
		it, err := scanItem(rows, &unread)
		if err != nil {
			return nil, false, err
		}
		it.Unread = unread
		it.Copied = !u.Role.SeesAll() && it.Dept != u.Dept
		finish(&it, cal, f.AsOf)
		out = append(out, it)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > f.Limit
	if more {
		out = out[:f.Limit]
	}
	return out, more, nil
}

// Work gives one radicado as u sees it; ErrNotFound when u may not see it.
// A salida is seen by whoever sees a radicado it answers.
func (d *DB) Work(ctx context.Context, u User, number string) (Item, error) {
	cal, _, today, err := d.calendarToday(ctx)
	if err != nil {
		return Item{}, err
	}
	cond, args := visible(u)
	var unread bool
	it, err := scanItem(d.db.QueryRowContext(ctx, d.q(`SELECT `+itemColumns+`, (rd.user_id IS NULL) FROM work w JOIN radicados r ON r.number = w.number
		LEFT JOIN users a ON a.id = w.assignee LEFT JOIN work_reads rd ON rd.number = w.number AND rd.user_id = ?
		WHERE w.number = ? AND `+cond), append([]any{u.ID, number}, args...)...), &unread)
	if err == sql.ErrNoRows {
		return d.salida(ctx, u, number)
	}
	if err != nil {
		return Item{}, err
	}
	it.Unread = unread
	it.Copied = !u.Role.SeesAll() && it.Dept != u.Dept
	finish(&it, cal, today)
	return it, nil
}

// salida gives a salida (which has no work of its own) to u when u sees a
// radicado it answers, or sees everything.
func (d *DB) salida(ctx context.Context, u User, number string) (Item, error) {
	h, err := d.Get(ctx, number)
	if errors.Is(err, ErrNotFound) || (err == nil && h.Kind != int(radicado.Salida)) {
		return Item{}, ErrNotFound
	}
	if err != nil {
		return Item{}, err
	}
	if !u.Role.SeesAll() {
		cond, args := visible(u)
		var n int
		if err := d.readScan(ctx, `SELECT COUNT(*) FROM work w WHERE w.answer_by = ? AND `+cond, append([]any{number}, args...), &n); err != nil {
			return Item{}, err
		}
		if n == 0 {
			return Item{}, ErrNotFound
		}
	}
	return Item{Number: h.Number, Kind: h.Kind, Type: h.Type, SenderName: h.SenderName, SenderID: h.SenderID, Subject: h.Subject,
		Office: h.Office, Station: h.Station, ReceivedAt: h.ReceivedAt, Dept: h.Dept, State: "salida"}, nil
}

// AnsweredBy lists the radicados a salida answers that u sees.
func (d *DB) AnsweredBy(ctx context.Context, u User, salida string) ([]string, error) {
	cond, args := visible(u)
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT w.number FROM work w WHERE w.answer_by = ? AND `+cond+` ORDER BY w.number`), append([]any{salida}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// Citations gives the numbers of the organisation a radicado cites, as
// its station sent them, and the radicados u may see that cite it (the
// answers to a salida of ours).
func (d *DB) Citations(ctx context.Context, u User, number string) (cites, citedBy []string, err error) {
	var column string
	if err := d.db.QueryRowContext(ctx, d.q(`SELECT cites FROM radicados WHERE number = ?`), number).Scan(&column); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, nil, err
	}
	if column != "" {
		cites = strings.Split(column, "\n")
	}
	cond, args := visible(u)
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT c.citing FROM cited c JOIN work w ON w.number = c.citing WHERE c.number = ? AND `+cond+` ORDER BY c.citing`),
		append([]any{number}, args...)...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, nil, err
		}
		citedBy = append(citedBy, n)
	}
	return cites, citedBy, rows.Err()
}

// MarkRead records that u opened a radicado; the assignee opening it the
// first time puts it in trámite.
func (d *DB) MarkRead(ctx context.Context, u User, number string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := d.txExec(ctx, tx, `INSERT INTO work_reads (number, user_id, at) VALUES (?, ?, ?) ON CONFLICT (number, user_id) DO NOTHING`,
			number, u.ID, d.stamp()); err != nil {
			return err
		}
		res, err := d.txExec(ctx, tx, `UPDATE work SET state = ?, updated_at = ? WHERE number = ? AND assignee = ? AND state = ?`,
			StateWorking, d.stamp(), number, u.ID, StateAssigned)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return d.appendJournal(ctx, tx, u.Name, "radicado.start", number, map[string]string{})
		}
		return nil
	})
}

// Copy is a copy of a radicado given to a user or a department (informar).
type Copy struct {
	ID     int64     `json:"id"`
	User   string    `json:"user,omitempty"`
	Dept   string    `json:"dept,omitempty"`
	By     string    `json:"by"`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
	ReadBy []string  `json:"read_by,omitempty"`
}

// Copies lists the copies of a radicado.
func (d *DB) Copies(ctx context.Context, number string) ([]Copy, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT c.id, COALESCE(u.name, ''), c.dept, b.name, c.note, c.at,
		COALESCE((SELECT `+d.groupConcat("x.name")+` FROM copy_reads cr JOIN users x ON x.id = cr.user_id WHERE cr.copy_id = c.id), '')
		FROM copies c LEFT JOIN users u ON u.id = c.user_id JOIN users b ON b.id = c.by_user WHERE c.number = ? ORDER BY c.id`), number)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Copy
	for rows.Next() {
		var c Copy
		var at, readers string
		if err := rows.Scan(&c.ID, &c.User, &c.Dept, &c.By, &c.Note, &at, &readers); err != nil {
			return nil, err
		}
		c.At, _ = time.Parse(time.RFC3339Nano, at)
		if readers != "" {
			c.ReadBy = strings.Split(readers, ",")
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// MarkCopiesRead records that u read the copies of a radicado made to them
// or their department.
func (d *DB) MarkCopiesRead(ctx context.Context, u User, number string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `INSERT INTO copy_reads (copy_id, user_id, at) SELECT id, ?, ? FROM copies
			WHERE number = ? AND (user_id = ? OR (dept = ? AND dept <> '')) ON CONFLICT (copy_id, user_id) DO NOTHING`, u.ID, d.stamp(), number, u.ID, u.Dept)
		return err
	})
}

// Action is something done to a radicado in the console, with what it
// needs: assign {user}; reassign {dept, reason}; inform {users, depts,
// note}; return {reason}; answer {by} or {channel: email, at}, and
// {denied} when it refused access to information; transfer {entity,
// reason}; extend {days, reason}; archive {note}.
type Action struct {
	Kind    string   `json:"-"`
	User    string   `json:"user,omitempty"`
	Dept    string   `json:"dept,omitempty"`
	Reason  string   `json:"reason,omitempty"`
	By      string   `json:"by,omitempty"`
	Channel string   `json:"channel,omitempty"`
	At      string   `json:"at,omitempty"`
	Days    int      `json:"days,omitempty"`
	Users   []string `json:"users,omitempty"`
	Depts   []string `json:"depts,omitempty"`
	Note    string   `json:"note,omitempty"`
	Entity  string   `json:"entity,omitempty"` // transfer: the authority it goes to
	Denied  bool     `json:"denied,omitempty"` // answer: access to information refused
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Actions are the kinds of Action.
var Actions = []string{"assign", "reassign", "inform", "return", "answer", "transfer", "extend", "archive"}

// MaxReason bounds a reason or a note.
const MaxReason = 500

// Act does an action on a radicado as u, and records it in the journal.
// ErrNotFound: u does not see the radicado; ErrForbid: u sees it but may
// not do that; ErrInvalid: the action's values are wrong; ErrConflict: not
// in this state.
func (d *DB) Act(ctx context.Context, u User, number string, a Action) (Item, error) {
	for _, t := range []struct{ field, v string }{{"reason", a.Reason}, {"note", a.Note}} {
		if err := radicado.CheckClean(t.field, t.v, MaxReason); err != nil {
			cleaned, err2 := radicado.CleanText(t.field, t.v, MaxReason)
			if err2 != nil {
				return Item{}, fmt.Errorf("%w: %v", ErrInvalid, err)
			}
			if t.field == "reason" {
				a.Reason = cleaned
			} else {
				a.Note = cleaned
			}
		}
	}
	if len(a.Users) > 50 || len(a.Depts) > 50 {
		return Item{}, fmt.Errorf("%w: at most 50 users and 50 departments", ErrInvalid)
	}
	for _, v := range append(append([]string{a.User, a.Dept, a.By, a.Channel, a.At}, a.Users...), a.Depts...) {
		if len(v) > 64 || strings.IndexFunc(v, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0 {
			return Item{}, fmt.Errorf("%w: a name, code, number or date of at most 64 characters", ErrInvalid)
		}
	}
	if a.Days < 0 || a.Days > 10000 {
		return Item{}, fmt.Errorf("%w: days", ErrInvalid)
	}
	cal, loc, today, err := d.calendarToday(ctx)
	if err != nil {
		return Item{}, err
	}
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		lock := ""
		if d.postgres {
			lock = " FOR UPDATE OF w"
		}
		cond, args := visible(u)
		it, err := scanItem(tx.QueryRowContext(ctx, d.q(`SELECT `+itemColumns+` FROM work w JOIN radicados r ON r.number = w.number
			LEFT JOIN users a ON a.id = w.assignee WHERE w.number = ? AND `+cond+lock), append([]any{number}, args...)...))
		if err == sql.ErrNoRows {
			return ErrNotFound
		}
		if err != nil {
			return err
		}
		member := u.Role.SeesAll() || it.Dept == u.Dept
		if !member && a.Kind != "inform" {
			return fmt.Errorf("%w: a copy lets you read and inform others, not act on the radicado", ErrForbid)
		}
		open := isOpen(it.State)
		now := d.stamp()
		switch a.Kind {
		case "assign":
			if !open {
				return fmt.Errorf("%w: a radicado %s is not assigned", ErrConflict, it.State)
			}
			var id int64
			var dept, role string
			if err := d.txScan(ctx, tx, `SELECT id, dept, role FROM users WHERE name = ? AND disabled_at IS NULL`, []any{a.User}, &id, &dept, &role); err != nil {
				if err == sql.ErrNoRows {
					return fmt.Errorf("%w: no active user %q", ErrInvalid, a.User)
				}
				return err
			}
			if dept != it.Dept || it.Dept == "" {
				return fmt.Errorf("%w: %s is not of the radicado's department", ErrInvalid, a.User)
			}
			if u.Role == Funcionario && id != u.ID {
				return fmt.Errorf("%w: a funcionario takes a radicado for themselves; the head assigns it to others", ErrForbid)
			}
			_, err = d.txExec(ctx, tx, `UPDATE work SET assignee = ?, state = ?, assigned_at = ?, updated_at = ? WHERE number = ?`, id, StateAssigned, now, now, number)
		case "reassign":
			if !open {
				return fmt.Errorf("%w: a radicado %s stays where it is", ErrConflict, it.State)
			}
			if a.Reason == "" {
				return fmt.Errorf("%w: a reassignment needs its reason", ErrInvalid)
			}
			if a.Dept == it.Dept {
				return fmt.Errorf("%w: the radicado is in %s already", ErrInvalid, a.Dept)
			}
			if err := d.activeDept(ctx, tx, a.Dept); err != nil {
				return err
			}
			_, err = d.txExec(ctx, tx, `UPDATE work SET dept = ?, assignee = NULL, state = ?, dept_since = ?, assigned_at = '', updated_at = ? WHERE number = ?`,
				a.Dept, StateNew, now, now, number)
		case "inform":
			if len(a.Users)+len(a.Depts) == 0 {
				return fmt.Errorf("%w: inform whom? users or departments", ErrInvalid)
			}
			for _, name := range a.Users {
				var id int64
				if err := d.txScan(ctx, tx, `SELECT id FROM users WHERE name = ? AND disabled_at IS NULL`, []any{name}, &id); err != nil {
					if err == sql.ErrNoRows {
						return fmt.Errorf("%w: no active user %q", ErrInvalid, name)
					}
					return err
				}
				if _, err := d.txExec(ctx, tx, `INSERT INTO copies (number, user_id, by_user, note, at) VALUES (?, ?, ?, ?, ?)`, number, id, u.ID, a.Note, now); err != nil {
					return err
				}
			}
			for _, code := range a.Depts {
				if err := d.activeDept(ctx, tx, code); err != nil {
					return err
				}
				if _, err := d.txExec(ctx, tx, `INSERT INTO copies (number, dept, by_user, note, at) VALUES (?, ?, ?, ?, ?)`, number, code, u.ID, a.Note, now); err != nil {
					return err
				}
			}
		case "return":
			if !open || it.State == StateReturned {
				return fmt.Errorf("%w: a radicado %s is not returned", ErrConflict, it.State)
			}
			if a.Reason == "" {
				return fmt.Errorf("%w: a return to the ventanilla needs its reason", ErrInvalid)
			}
			// Out of the department: it waits in the supervisors' queue of
			// radicados to route, and its station shows it returned.
			_, err = d.txExec(ctx, tx, `UPDATE work SET state = ?, dept = '', assignee = NULL, return_reason = ?, dept_since = '', assigned_at = '',
				updated_at = ? WHERE number = ?`, StateReturned, a.Reason, now, number)
		case "answer":
			if !open {
				return fmt.Errorf("%w: a radicado %s is not answered again", ErrConflict, it.State)
			}
			var answered calendar.Date
			switch {
			case a.By != "" && a.Channel == "":
				// A salida of the radicado's department (any, for a
				// supervisor): naming another's would show it to the
				// actor. Whatever does not qualify answers alike.
				var kind, annulled int
				var received, salidaDept string
				err := d.txScan(ctx, tx, `SELECT kind, annulled, received_at, dept FROM radicados WHERE number = ?`, []any{a.By}, &kind, &annulled, &received, &salidaDept)
				if err != nil && err != sql.ErrNoRows {
					return err
				}
				if err == sql.ErrNoRows || kind != int(radicado.Salida) || annulled == 1 || (!u.Role.SeesAll() && salidaDept != it.Dept) {
					return fmt.Errorf("%w: the server holds no salida %q of the department in force (has its station synced?)", ErrInvalid, a.By)
				}
				t, err := time.Parse(time.RFC3339Nano, received)
				if err != nil {
					return err
				}
				answered = calendar.DateOf(t.In(loc))
				a.Channel = "salida"
			case a.Channel == "email" && a.By == "":
				if answered, err = calendar.ParseDate(a.At); err != nil || answered.String() != a.At {
					return fmt.Errorf("%w: the answer's date %q: YYYY-MM-DD", ErrInvalid, a.At)
				}
				if today.Before(answered) {
					return fmt.Errorf("%w: the answer's date %s is in the future", ErrInvalid, a.At)
				}
			default:
				return fmt.Errorf("%w: answer with {\"by\": salida} or {\"channel\": \"email\", \"at\": date}", ErrInvalid)
			}
			if answered.Before(calendar.DateOf(it.ReceivedAt.In(loc))) {
				return fmt.Errorf("%w: answered on %s, before the radicado arrived", ErrInvalid, answered)
			}
			var days, onTime int
			if days, onTime, err = responseOf(cal, it.ReceivedAt.In(loc), it.Due, answered.String()); err != nil {
				return err
			}
			_, err = d.txExec(ctx, tx, `UPDATE work SET state = ?, answered_at = ?, answer_by = ?, answer_channel = ?, response_days = ?, on_time = ?,
				denied = ?, updated_at = ? WHERE number = ?`, StateAnswered, answered.String(), a.By, a.Channel, days, onTime, boolInt(a.Denied), now, number)
		case "transfer":
			// Traslado por competencia: the petition is for another
			// authority; it is sent there and its work here ends, the day
			// it went counting as its answer.
			if !open {
				return fmt.Errorf("%w: a radicado %s is not transferred", ErrConflict, it.State)
			}
			if err := radicado.CheckClean("entity", a.Entity, 200); err != nil || strings.TrimSpace(a.Entity) == "" {
				return fmt.Errorf("%w: transfer to which authority? its name, up to 200 characters", ErrInvalid)
			}
			var days, onTime int
			if days, onTime, err = responseOf(cal, it.ReceivedAt.In(loc), it.Due, today.String()); err != nil {
				return err
			}
			_, err = d.txExec(ctx, tx, `UPDATE work SET state = ?, answered_at = ?, answer_channel = 'traslado', transferred_to = ?, response_days = ?,
				on_time = ?, updated_at = ? WHERE number = ?`, StateTransferred, today.String(), a.Entity, days, onTime, now, number)
		case "extend":
			if !open || it.Due == "" {
				return fmt.Errorf("%w: only an open radicado with a term is extended", ErrConflict)
			}
			if it.Extended {
				return fmt.Errorf("%w: its term was extended already", ErrConflict)
			}
			if a.Reason == "" {
				return fmt.Errorf("%w: an extension needs its reason (it is told to the petitioner)", ErrInvalid)
			}
			due, err := calendar.ParseDate(it.Due)
			if err != nil {
				return err
			}
			if due.Before(today) {
				return fmt.Errorf("%w: the term ended on %s: an extension is given before it ends (Ley 1755, art. 14)", ErrConflict, it.Due)
			}
			if a.Days < 1 || a.Days > it.TermDays {
				return fmt.Errorf("%w: extend by 1 to %d business days: the new term is at most double the first", ErrInvalid, it.TermDays)
			}
			newDue, err := cal.AddBusinessDays(due, a.Days)
			if err != nil {
				return err
			}
			t, err := termOf(cal, it.ReceivedAt, newDue)
			if err != nil {
				return err
			}
			a.At = newDue.String()
			// (its own err: this case's shadows the one checked below)
			if _, err := d.txExec(ctx, tx, `UPDATE work SET due = ?, term_days = ?, yellow_on = ?, red_on = ?, extended = 1, updated_at = ? WHERE number = ?`,
				newDue.String(), t.days, dateOrEmpty(t.yellowOn), dateOrEmpty(t.redOn), now, number); err != nil {
				return err
			}
		case "archive":
			if it.State != StateAnswered && !(open && it.Due == "") {
				return fmt.Errorf("%w: a radicado is archived once answered (or when it has no term)", ErrConflict)
			}
			_, err = d.txExec(ctx, tx, `UPDATE work SET state = ?, updated_at = ? WHERE number = ?`, StateArchived, now, number)
		default:
			return fmt.Errorf("%w: action %q", ErrInvalid, a.Kind)
		}
		if err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, u.Name, "radicado."+a.Kind, number, a.recorded())
	})
	if err != nil {
		return Item{}, err
	}
	// As it stands now; the actor saw it a moment ago, even if a
	// reassignment or a return takes it out of their sight.
	it, err := d.Work(ctx, User{Role: Supervisor}, number)
	it.Copied = !u.Role.SeesAll() && it.Dept != u.Dept
	return it, err
}

func (d *DB) activeDept(ctx context.Context, tx *sql.Tx, code string) error {
	var n int
	if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM depts WHERE code = ? AND disabled_at IS NULL`, []any{code}, &n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: no department %q", ErrInvalid, code)
	}
	return nil
}

// groupConcat joins a column's values with commas, in the database's words.
func (d *DB) groupConcat(col string) string {
	if d.postgres {
		return "string_agg(" + col + ", ',')"
	}
	return "group_concat(" + col + ", ',')"
}

// Returned lists p's radicados that a department returned to the
// ventanilla and that nobody has routed again yet.
func (d *DB) Returned(ctx context.Context, p Principal) ([]wire.Returned, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT w.number, w.return_reason, w.updated_at,
		COALESCE((SELECT j.actor FROM journal j WHERE j.number = w.number AND j.action = 'radicado.return' ORDER BY j.id DESC LIMIT 1), '')
		FROM work w JOIN radicados r ON r.number = w.number
		WHERE w.dept = '' AND w.state = ? AND r.office = ? AND r.station = ? ORDER BY w.updated_at LIMIT 1000`), StateReturned, p.Office, p.Station)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []wire.Returned{}
	for rows.Next() {
		var x wire.Returned
		var at string
		if err := rows.Scan(&x.Number, &x.Reason, &at, &x.By); err != nil {
			return nil, err
		}
		x.At, _ = time.Parse(time.RFC3339Nano, at)
		out = append(out, x)
	}
	return out, rows.Err()
}

// recorded gives what the journal keeps of an action: the fields of its
// kind, checked.
func (a Action) recorded() Action {
	r := Action{Kind: a.Kind}
	switch a.Kind {
	case "assign":
		r.User = a.User
	case "reassign":
		r.Dept, r.Reason = a.Dept, a.Reason
	case "inform":
		r.Users, r.Depts, r.Note = a.Users, a.Depts, a.Note
	case "return":
		r.Reason = a.Reason
	case "answer":
		r.By, r.Channel, r.At, r.Denied = a.By, a.Channel, a.At, a.Denied
	case "transfer":
		r.Entity, r.Reason = a.Entity, a.Reason
	case "extend":
		r.Days, r.Reason, r.At = a.Days, a.Reason, a.At
	case "archive":
		r.Note = a.Note
	}
	return r
}
