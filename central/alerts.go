package central

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
)

// Alerts: a radicado reaching a level is told once to each person it
// concerns. Its assignee and its department's heads hear when it turns
// yellow, red, and overdue; the heads also of what waits unassigned and of
// what is escalated to them; the supervisors of everything overdue. An
// alert is kept (user, radicado, level, due date) the moment it is raised,
// so a restart, a second instance or a retry never raises it twice; an
// extension, with its new due date, starts the levels again. The console
// shows the new ones; once a business day, at the configured hour, those
// not yet e-mailed go out as one digest per person who chose it.

// Levels of an alert, the most urgent first.
const (
	LevelOverdue    = "overdue"
	LevelRed        = "red"
	LevelYellow     = "yellow"
	LevelEscalated  = "escalated"
	LevelUnassigned = "unassigned"
)

func levelRank(l string) int {
	return slices.Index([]string{LevelOverdue, LevelRed, LevelYellow, LevelEscalated, LevelUnassigned}, l)
}

// alertLock serialises the building of digests among instances on
// PostgreSQL.
const alertLock = 0x52414441 // "RADA"

// Settings of the alerts' days.
const (
	settingAlertsRaised = "alerts.raised" // the last day whose alerts were raised
	settingDigestsBuilt = "alerts.built"  // the last day whose digests were all built
)

// candidates gives the query of the alerts due on a day that are not
// raised yet, (user_id, number, level, due), and its arguments; for one
// user only when user is not 0.
func candidates(day string, user int64) (string, []any) {
	who, whoArgs := "", []any{}
	if user != 0 {
		who, whoArgs = " AND u.id = ?", []any{user}
	}
	level := `CASE WHEN w.due < ? THEN 'overdue' WHEN w.red_on <= ? THEN 'red' ELSE 'yellow' END`
	q := `SELECT c.user_id, c.number, c.level, c.due FROM (
	SELECT u.id AS user_id, w.number, ` + level + ` AS level, w.due
		FROM work w JOIN users u ON u.id = w.assignee AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.assignee IS NOT NULL AND w.yellow_on <> '' AND w.yellow_on <= ?` + who + `
	UNION
	SELECT u.id, w.number, ` + level + `, w.due
		FROM work w JOIN users u ON u.dept = w.dept AND u.role = 'jefe' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.dept <> '' AND w.yellow_on <> '' AND w.yellow_on <= ?` + who + `
	UNION
	SELECT u.id, w.number, 'unassigned', w.dept_since
		FROM work w JOIN users u ON u.dept = w.dept AND u.role = 'jefe' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.assignee IS NULL AND w.dept <> '' AND w.received_on <= ?` + who + `
	UNION
	SELECT u.id, w.number, 'overdue', w.due
		FROM work w JOIN users u ON u.role = 'supervisor' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.due <> '' AND w.due < ?` + who + `
) c WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.user_id = c.user_id AND a.number = c.number AND a.level = c.level AND a.due = c.due)`
	args := slices.Concat([]any{day, day, day}, whoArgs, []any{day, day, day}, whoArgs, []any{day}, whoArgs, []any{day}, whoArgs)
	return q, args
}

// stillDue is the condition that an alert a (with its user u and its
// radicado's work w) still holds: the radicado open, at that due date, and
// still the user's to mind — their assignment, their department as its
// head, or overdue for a supervisor. What no longer holds is not told.
const stillDue = `w.open = 1 AND u.disabled_at IS NULL AND (
	(a.level IN ('yellow', 'red', 'overdue') AND a.due = w.due AND (w.assignee = a.user_id OR (u.role = 'jefe' AND u.dept = w.dept AND w.dept <> '')
		OR (u.role = 'supervisor' AND a.level = 'overdue')))
	OR (a.level = 'unassigned' AND w.assignee IS NULL AND u.role = 'jefe' AND u.dept = w.dept AND a.due = w.dept_since)
	OR (a.level = 'escalated' AND u.role = 'jefe' AND u.dept = w.dept AND a.due = w.escalated))`

// RaiseAlerts raises the alerts due on day that are not raised yet, once
// a day (lights turn by the day), and gives how many it raised. They are
// looked for on the reading connections and written in small batches, so
// that the stations' writes do not wait behind them.
func (d *DB) RaiseAlerts(ctx context.Context, day calendar.Date) (int, error) {
	var raised string
	if err := d.readScan(ctx, `SELECT COALESCE(MAX(value), '') FROM settings WHERE key = ?`, []any{settingAlertsRaised}, &raised); err != nil {
		return 0, err
	}
	if raised >= day.String() {
		return 0, nil
	}
	q, args := candidates(day.String(), 0)
	rows, err := d.db.QueryContext(ctx, d.q(q), args...)
	if err != nil {
		return 0, err
	}
	type key struct {
		user               int64
		number, level, due string
	}
	var found []key
	for rows.Next() {
		var k key
		if err := rows.Scan(&k.user, &k.number, &k.level, &k.due); err != nil {
			rows.Close()
			return 0, err
		}
		found = append(found, k)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	// In one order on every instance: two inserting at once wait for each
	// other rather than deadlock.
	slices.SortFunc(found, func(a, b key) int {
		if c := cmp.Compare(a.user, b.user); c != 0 {
			return c
		}
		return strings.Compare(a.number+a.level+a.due, b.number+b.level+b.due)
	})
	n := 0
	for batch := range slices.Chunk(found, 200) {
		err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			for _, k := range batch {
				res, err := d.txExec(ctx, tx, `INSERT INTO alerts (user_id, number, level, due, day) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (user_id, number, level, due) DO NOTHING`, k.user, k.number, k.level, k.due, day.String())
				if err != nil {
					return err
				}
				if r, _ := res.RowsAffected(); r == 1 {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return n, err
		}
	}
	return n, d.setSetting(ctx, settingAlertsRaised, day.String())
}

// setSetting keeps a value in the settings.
func (d *DB) setSetting(ctx context.Context, key, value string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error { return d.txSetSetting(ctx, tx, key, value) })
}

// txSetSetting keeps a value in the settings, within tx.
func (d *DB) txSetSetting(ctx context.Context, tx *sql.Tx, key, value string) error {
	_, err := d.txExec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Alert is a radicado a user is told of.
type Alert struct {
	ID       int64  `json:"id,omitempty"`
	Number   string `json:"number"`
	Level    string `json:"level"`
	Due      string `json:"due,omitempty"`
	DaysLeft *int   `json:"days_left,omitempty"`
	Dept     string `json:"dept"`
	Subject  string `json:"subject"`
	Sender   string `json:"sender_name"`
	Day      string `json:"day,omitempty"` // the day it was raised
	Seen     bool   `json:"seen,omitempty"`
}

// Digest is what one user is told in a day's e-mail.
type Digest struct {
	User   User    `json:"-"`
	Name   string  `json:"user"`
	Email  string  `json:"email,omitempty"`
	Lang   string  `json:"lang"`
	EMail  bool    `json:"emailed"` // sent by e-mail (the user chose the digest and has an address); else only in the console
	Alerts []Alert `json:"alerts"`
}

// MaxDigestAlerts bounds the radicados one e-mail lists; the console has
// them all.
const MaxDigestAlerts = 200

// PendingDigests gives what each user would be told on day: the alerts
// raised, still holding and not yet e-mailed (for those who get e-mail),
// and those that day raises. A supervisor or an administrator sees
// everyone's; anyone else their own.
func (d *DB) PendingDigests(ctx context.Context, viewer User, day calendar.Date) ([]Digest, error) {
	cal, _, today, err := d.calendarToday(ctx)
	if err != nil {
		return nil, err
	}
	if err := CheckDay(today, day); err != nil {
		return nil, err
	}
	var only int64
	who, whoArgs := "", []any{}
	if !viewer.Role.SeesAll() {
		only, who, whoArgs = viewer.ID, " AND a.user_id = ?", []any{viewer.ID}
	}
	users, err := d.Users(ctx)
	if err != nil {
		return nil, err
	}
	byUser := map[int64][]Alert{}
	add := func(query string, args ...any) error {
		rows, err := d.db.QueryContext(ctx, d.q(query), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var uid int64
			var a Alert
			if err := rows.Scan(&uid, &a.Number, &a.Level, &a.Due, &a.Dept, &a.Subject, &a.Sender); err != nil {
				return err
			}
			byUser[uid] = append(byUser[uid], a)
		}
		return rows.Err()
	}
	// Raised and not e-mailed yet: told at the next digest.
	if err := add(`SELECT a.user_id, a.number, a.level, w.due, w.dept, r.subject, r.sender_name
		FROM alerts a JOIN users u ON u.id = a.user_id JOIN work w ON w.number = a.number JOIN radicados r ON r.number = a.number
		WHERE a.digest_id = 0 AND u.alerts <> 'none' AND u.email <> ''`+who+` AND `+stillDue, whoArgs...); err != nil {
		return nil, err
	}
	// And what the day raises.
	q, args := candidates(day.String(), only)
	if err := add(`SELECT x.user_id, x.number, x.level, w.due, w.dept, r.subject, r.sender_name FROM (`+q+`) x
		JOIN work w ON w.number = x.number JOIN radicados r ON r.number = x.number`, args...); err != nil {
		return nil, err
	}
	var out []Digest
	for _, u := range users {
		if alerts := byUser[u.ID]; len(alerts) > 0 && !u.Disabled {
			out = append(out, digestOf(u, mostUrgent(alerts), cal, day))
		}
	}
	return out, nil
}

// mostUrgent keeps one alert per radicado, its most urgent level (a
// radicado that turned red before it was told yellow is told red).
func mostUrgent(alerts []Alert) []Alert {
	best := map[string]int{}
	var out []Alert
	for _, a := range alerts {
		if i, ok := best[a.Number]; ok {
			if levelRank(a.Level) < levelRank(out[i].Level) {
				out[i] = a
			}
			continue
		}
		best[a.Number] = len(out)
		out = append(out, a)
	}
	return out
}

func digestOf(u User, alerts []Alert, cal *calendar.Calendar, day calendar.Date) Digest {
	for i := range alerts {
		alerts[i].DaysLeft = daysLeftOf(cal, day, alerts[i].Due)
	}
	slices.SortStableFunc(alerts, func(a, b Alert) int {
		if r := levelRank(a.Level) - levelRank(b.Level); r != 0 {
			return r
		}
		return strings.Compare(a.Due, b.Due)
	})
	return Digest{User: u, Name: u.Name, Email: u.Email, Lang: u.Lang, EMail: u.Alerts != AlertsNone && u.Email != "", Alerts: alerts}
}

// Render makes a digest's e-mail: its subject and text.
type Render func(Digest) (subject, body string, err error)

// BuildDigests raises the day's alerts and, once a day, puts in the
// outbox for each user who chose the digest and has an address one e-mail
// of the alerts not yet e-mailed that still hold (queue false: none, when
// no mail server is set); at most one per user and day, whatever the
// number of instances or tries. What no longer holds, and what was told
// to someone in the console only, is marked so that no later digest
// carries it. It gives how many e-mails it queued.
func (d *DB) BuildDigests(ctx context.Context, day calendar.Date, queue bool, render Render) (int, error) {
	var built string
	if err := d.readScan(ctx, `SELECT COALESCE(MAX(value), '') FROM settings WHERE key = ?`, []any{settingDigestsBuilt}, &built); err != nil {
		return 0, err
	}
	if built >= day.String() {
		return 0, nil
	}
	if _, err := d.RaiseAlerts(ctx, day); err != nil {
		return 0, err
	}
	cal, _, err := d.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	users, err := d.Users(ctx)
	if err != nil {
		return 0, err
	}
	queued := 0
	for _, u := range users {
		emailed := queue && !u.Disabled && u.Alerts != AlertsNone && u.Email != ""
		err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if d.postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, alertLock); err != nil {
					return err
				}
			}
			// Told no more: what no longer holds, and all of it for
			// someone who gets no e-mail (the console told them).
			drop := `UPDATE alerts SET digest_id = -1 WHERE user_id = ? AND digest_id = 0`
			if emailed {
				drop += ` AND NOT EXISTS (SELECT 1 FROM alerts a JOIN users u ON u.id = a.user_id JOIN work w ON w.number = a.number
					WHERE a.id = alerts.id AND ` + stillDue + `)`
			}
			if _, err := d.txExec(ctx, tx, drop, u.ID); err != nil || !emailed {
				return err
			}
			var done int
			if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM outbox WHERE kind = 'digest' AND user_id = ? AND day = ?`, []any{u.ID, day.String()}, &done); err != nil || done > 0 {
				return err
			}
			rows, err := tx.QueryContext(ctx, d.q(`SELECT a.id, a.number, a.level, w.due, w.dept, r.subject, r.sender_name
				FROM alerts a JOIN users u ON u.id = a.user_id JOIN work w ON w.number = a.number JOIN radicados r ON r.number = a.number
				WHERE a.user_id = ? AND a.digest_id = 0 ORDER BY w.due, a.number`), u.ID)
			if err != nil {
				return err
			}
			var alerts []Alert
			var ids []int64
			for rows.Next() {
				var a Alert
				if err := rows.Scan(&a.ID, &a.Number, &a.Level, &a.Due, &a.Dept, &a.Subject, &a.Sender); err != nil {
					rows.Close()
					return err
				}
				alerts, ids = append(alerts, a), append(ids, a.ID)
			}
			rows.Close()
			if err := rows.Err(); err != nil || len(alerts) == 0 {
				return err
			}
			dg := digestOf(u, mostUrgent(alerts), cal, day)
			subject, body, err := render(dg)
			if err != nil {
				return err
			}
			var id int64
			if err := d.txScan(ctx, tx, `INSERT INTO outbox (user_id, day, to_addr, subject, body, created_at, next_try) VALUES (?, ?, ?, ?, ?, ?, ?)
				RETURNING id`, []any{u.ID, day.String(), u.Email, subject, body, d.stamp(), d.stamp()}, &id); err != nil {
				return err
			}
			for chunk := range slices.Chunk(ids, 500) {
				args := []any{id}
				for _, x := range chunk {
					args = append(args, x)
				}
				if _, err := d.txExec(ctx, tx, `UPDATE alerts SET digest_id = ? WHERE id IN (?`+strings.Repeat(", ?", len(chunk)-1)+`)`, args...); err != nil {
					return err
				}
			}
			queued++
			return nil
		})
		if err != nil {
			return queued, fmt.Errorf("the digest of %s: %w", u.Name, err)
		}
	}
	return queued, d.setSetting(ctx, settingDigestsBuilt, day.String())
}

// UserAlerts gives a user's alerts that still hold, newest first, from
// the latest limit raised.
func (d *DB) UserAlerts(ctx context.Context, u User, limit int) ([]Alert, error) {
	cal, _, today, err := d.calendarToday(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT a.id, a.number, a.level, w.due, w.dept, r.subject, r.sender_name, a.day, a.seen_at <> ''
		FROM (SELECT * FROM alerts WHERE user_id = ? ORDER BY id DESC LIMIT ?) a JOIN users u ON u.id = a.user_id
		JOIN work w ON w.number = a.number JOIN radicados r ON r.number = a.number
		WHERE `+stillDue+` ORDER BY a.id DESC`), u.ID, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.Number, &a.Level, &a.Due, &a.Dept, &a.Subject, &a.Sender, &a.Day, &a.Seen); err != nil {
			return nil, err
		}
		a.DaysLeft = daysLeftOf(cal, today, a.Due)
		out = append(out, a)
	}
	return out, rows.Err()
}

// MaxUnseen bounds the count of radicados with new alerts ("99+").
const MaxUnseen = 99

// UnseenAlerts counts the radicados with alerts a user has not seen that
// still hold, up to MaxUnseen+1.
func (d *DB) UnseenAlerts(ctx context.Context, u User) (int, error) {
	var n int
	err := d.readScan(ctx, `SELECT COUNT(*) FROM (SELECT DISTINCT a.number FROM alerts a JOIN users u ON u.id = a.user_id
		JOIN work w ON w.number = a.number WHERE a.user_id = ? AND a.seen_at = '' AND `+stillDue+` LIMIT ?) x`, []any{u.ID, MaxUnseen + 1}, &n)
	return n, err
}

// SeeAlerts marks a user's alerts seen, up to the one numbered upTo (the
// newest shown).
func (d *DB) SeeAlerts(ctx context.Context, u User, upTo int64) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `UPDATE alerts SET seen_at = ? WHERE user_id = ? AND seen_at = '' AND id <= ?`, d.stamp(), u.ID, upTo)
		return err
	})
}

// Mail is an e-mail of the outbox.
type Mail struct {
	ID       int64     `json:"id"`
	Kind     string    `json:"kind"`             // digest, or acuse
	Number   string    `json:"number,omitempty"` // an acuse's radicado
	User     string    `json:"user,omitempty"`
	Day      string    `json:"day"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Body     string    `json:"-"`
	Attempts int       `json:"attempts"`
	NextTry  time.Time `json:"next_try"`
	Sent     time.Time `json:"sent_at"`
	Error    string    `json:"last_error,omitempty"`
	GaveUp   bool      `json:"gave_up,omitempty"` // not tried again: refused, or too old
	// Attached, with its name (an acuse's receipt).
	AttachmentName string `json:"attachment,omitempty"`
	Attachment     []byte `json:"-"`
	lease          string
}

// never is the next try of an e-mail given up.
const never = "9999-12-31T00:00:00Z"

// ClaimMail takes the next e-mail due to be sent, for lease: another
// instance does not take it meanwhile, and only this claim can record how
// it went. ok is false when none is due.
func (d *DB) ClaimMail(ctx context.Context, lease time.Duration) (m Mail, ok bool, err error) {
	now := d.now().UTC().Format(time.RFC3339Nano)
	for range 5 { // another instance may take the one found first
		var id int64
		err := d.readScan(ctx, `SELECT id FROM outbox WHERE sent_at = '' AND next_try <= ? AND lease_until <= ? ORDER BY next_try, id LIMIT 1`,
			[]any{now, now}, &id)
		if err == sql.ErrNoRows {
			return Mail{}, false, nil
		}
		if err != nil {
			return Mail{}, false, err
		}
		// The lease's time, and a mark of this claim after it.
		token := d.now().UTC().Add(lease).Format(time.RFC3339Nano) + "#" + randomString(8)
		claimed := false
		err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			res, err := d.txExec(ctx, tx, `UPDATE outbox SET lease_until = ? WHERE id = ? AND sent_at = '' AND lease_until <= ?`, token, id, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil
			}
			claimed = true
			return d.txScan(ctx, tx, `SELECT o.id, o.kind, o.number, COALESCE(u.name, ''), o.day, o.to_addr, o.subject, o.body, o.attempts,
				o.attachment_name, o.attachment FROM outbox o LEFT JOIN users u ON u.id = o.user_id WHERE o.id = ?`, []any{id},
				&m.ID, &m.Kind, &m.Number, &m.User, &m.Day, &m.To, &m.Subject, &m.Body, &m.Attempts, &m.AttachmentName, &m.Attachment)
		})
		if err != nil {
			return Mail{}, false, err
		}
		if claimed {
			m.lease = token
			return m, true, nil
		}
	}
	return Mail{}, false, nil
}

// MailSent records that the mail server took an e-mail; false when the
// claim had lapsed and another instance holds it now.
func (d *DB) MailSent(ctx context.Context, m Mail) (bool, error) {
	var n int64
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = '', lease_until = '' WHERE id = ? AND lease_until = ?`,
			d.stamp(), m.ID, m.lease)
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n == 1, err
}

// MailFailed records a failed try and when to try again (the zero time:
// never).
func (d *DB) MailFailed(ctx context.Context, m Mail, cause error, retry time.Time) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	next := never
	if !retry.IsZero() {
		next = retry.UTC().Format(time.RFC3339Nano)
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_try = ?, lease_until = '' WHERE id = ? AND lease_until = ?`,
			strings.ToValidUTF8(msg, "?"), next, m.ID, m.lease)
		return err
	})
}

// Outbox lists the latest e-mails, those not sent first: what the
// administrator watches.
func (d *DB) Outbox(ctx context.Context, limit int) ([]Mail, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT o.id, o.kind, o.number, COALESCE(u.name, ''), o.day, o.to_addr, o.subject, o.attempts, o.next_try,
		o.sent_at, o.last_error, o.attachment_name FROM (SELECT * FROM outbox ORDER BY id DESC LIMIT ?) o LEFT JOIN users u ON u.id = o.user_id
		ORDER BY (o.sent_at = '') DESC, o.id DESC`), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var m Mail
		var next, sent string
		if err := rows.Scan(&m.ID, &m.Kind, &m.Number, &m.User, &m.Day, &m.To, &m.Subject, &m.Attempts, &next, &sent, &m.Error, &m.AttachmentName); err != nil {
			return nil, err
		}
		m.GaveUp = sent == "" && next == never
		m.NextTry, _ = time.Parse(time.RFC3339Nano, next)
		m.Sent, _ = time.Parse(time.RFC3339Nano, sent)
		out = append(out, m)
	}
	return out, rows.Err()
}

// AcuseMail is the e-mail that carries a radicado's acuse to its sender.
type AcuseMail struct {
	Subject, Body, Name string
	PDF                 []byte
}

// queueAcuse puts an acuse in the outbox, within tx: once per radicado.
func (d *DB) queueAcuse(ctx context.Context, tx *sql.Tx, number, to string, m AcuseMail) error {
	_, err := d.txExec(ctx, tx, `INSERT INTO outbox (kind, number, day, to_addr, subject, body, attachment_name, attachment, created_at, next_try)
		VALUES ('acuse', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
		number, d.now().UTC().Format("2006-01-02"), to, m.Subject, m.Body, m.Name, m.PDF, d.stamp(), d.stamp())
	return err
}

// Prune forgets what tracking no longer needs, before keep: alerts of
// radicados no longer open (one reopened is told again), and e-mails sent
// or given up. It gives how many rows it removed.
func (d *DB) Prune(ctx context.Context, keep time.Duration) (int, error) {
	before := d.now().Add(-keep).UTC()
	var n int64
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `DELETE FROM alerts WHERE day < ? AND number IN (SELECT number FROM work WHERE open = 0)`,
			before.Format("2006-01-02"))
		if err != nil {
			return err
		}
		a, _ := res.RowsAffected()
		res, err = d.txExec(ctx, tx, `DELETE FROM outbox WHERE created_at < ? AND (sent_at <> '' OR next_try = ?)`, before.Format(time.RFC3339Nano), never)
		if err != nil {
			return err
		}
		b, _ := res.RowsAffected()
		n = a + b
		return nil
	})
	return int(n), err
}
