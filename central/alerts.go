package central

import (
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

// candidates is the query of the alerts due on a day (the ? are that day)
// that are not raised yet: (user_id, number, level, due).
const candidates = `SELECT c.user_id, c.number, c.level, c.due FROM (
	SELECT w.assignee AS user_id, w.number, CASE WHEN w.due < ? THEN 'overdue' WHEN w.red_on <= ? THEN 'red' ELSE 'yellow' END AS level, w.due
		FROM work w JOIN users u ON u.id = w.assignee AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.assignee IS NOT NULL AND w.yellow_on <> '' AND w.yellow_on <= ?
	UNION
	SELECT u.id, w.number, CASE WHEN w.due < ? THEN 'overdue' WHEN w.red_on <= ? THEN 'red' ELSE 'yellow' END, w.due
		FROM work w JOIN users u ON u.dept = w.dept AND u.role = 'jefe' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.dept <> '' AND w.yellow_on <> '' AND w.yellow_on <= ?
	UNION
	SELECT u.id, w.number, 'unassigned', w.dept_since
		FROM work w JOIN users u ON u.dept = w.dept AND u.role = 'jefe' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.assignee IS NULL AND w.dept <> '' AND w.received_on <= ?
	UNION
	SELECT u.id, w.number, 'overdue', w.due
		FROM work w JOIN users u ON u.role = 'supervisor' AND u.disabled_at IS NULL
		WHERE w.open = 1 AND w.due <> '' AND w.due < ?
) c WHERE NOT EXISTS (SELECT 1 FROM alerts a WHERE a.user_id = c.user_id AND a.number = c.number AND a.level = c.level AND a.due = c.due)`

func candidateArgs(day string) []any {
	return []any{day, day, day, day, day, day, day, day}
}

// RaiseAlerts raises the alerts due on day that are not raised yet, and
// gives how many it raised.
func (d *DB) RaiseAlerts(ctx context.Context, day calendar.Date) (int, error) {
	var n int64
	err := d.write(ctx, func(tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `INSERT INTO alerts (user_id, number, level, due, day) SELECT c.user_id, c.number, c.level, c.due, ?
			FROM (`+candidates+`) c WHERE 1 = 1 ON CONFLICT (user_id, number, level, due) DO NOTHING`, append([]any{day.String()}, candidateArgs(day.String())...)...)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), err
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
// raised and not yet e-mailed, and those that day raises. A supervisor or
// an administrator sees everyone's; anyone else their own.
func (d *DB) PendingDigests(ctx context.Context, viewer User, day calendar.Date) ([]Digest, error) {
	cal, _, err := d.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	who, whoArgs := "", []any{}
	if !viewer.Role.SeesAll() {
		who, whoArgs = " AND x.user_id = ?", []any{viewer.ID}
	}
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT x.user_id, x.number, x.level, w.due, w.dept, r.subject, r.sender_name, x.raised FROM (
		SELECT user_id, number, level, due, 1 AS raised FROM alerts WHERE digest_id = 0
		UNION SELECT k.user_id, k.number, k.level, k.due, 0 FROM (`+candidates+`) k) x
		JOIN work w ON w.number = x.number JOIN radicados r ON r.number = x.number
		WHERE 1 = 1`+who+` ORDER BY x.user_id, w.due, x.number`), append(candidateArgs(day.String()), whoArgs...)...)
	if err != nil {
		return nil, err
	}
	type pending struct {
		Alert
		raised bool
	}
	byUser := map[int64][]pending{}
	for rows.Next() {
		var uid int64
		var p pending
		if err := rows.Scan(&uid, &p.Number, &p.Level, &p.Due, &p.Dept, &p.Subject, &p.Sender, &p.raised); err != nil {
			rows.Close()
			return nil, err
		}
		byUser[uid] = append(byUser[uid], p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	users, err := d.Users(ctx)
	if err != nil {
		return nil, err
	}
	var out []Digest
	for _, u := range users {
		if u.Disabled {
			continue
		}
		// Someone told in the console only was told of what is raised
		// already; the day's new ones are still to tell.
		emailed := u.Alerts != AlertsNone && u.Email != ""
		var alerts []Alert
		for _, p := range byUser[u.ID] {
			if emailed || !p.raised {
				alerts = append(alerts, p.Alert)
			}
		}
		if len(alerts) > 0 {
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
		if due, err := calendar.ParseDate(alerts[i].Due); err == nil && alerts[i].Due != "" {
			n := DaysLeft(cal, day, due)
			alerts[i].DaysLeft = &n
		}
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

// BuildDigests raises the day's alerts and puts in the outbox, for each
// user who chose the digest and has an address, one e-mail of the alerts
// not yet e-mailed to them; at most one per user and day, whatever the
// number of instances or tries. It gives how many e-mails it queued.
func (d *DB) BuildDigests(ctx context.Context, day calendar.Date, render Render) (int, error) {
	// Once a day: what is raised later in the day waits for tomorrow's.
	var built string
	if err := d.readScan(ctx, `SELECT COALESCE(MAX(value), '') FROM settings WHERE key = ?`, []any{settingDigestsBuilt}, &built); err != nil {
		return 0, err
	}
	if built == day.String() {
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
		if u.Disabled || u.Alerts == AlertsNone || u.Email == "" {
			continue
		}
		err := d.write(ctx, func(tx *sql.Tx) error {
			if d.postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1)`, alertLock); err != nil {
					return err
				}
			}
			var done int
			if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM outbox WHERE user_id = ? AND day = ?`, []any{u.ID, day.String()}, &done); err != nil || done > 0 {
				return err
			}
			rows, err := tx.QueryContext(ctx, d.q(`SELECT a.id, a.number, a.level, a.due, w.due, w.dept, r.subject, r.sender_name
				FROM alerts a JOIN work w ON w.number = a.number JOIN radicados r ON r.number = a.number
				WHERE a.user_id = ? AND a.digest_id = 0 ORDER BY w.due, a.number`), u.ID)
			if err != nil {
				return err
			}
			var alerts []Alert
			var ids []int64
			for rows.Next() {
				var a Alert
				var key string
				if err := rows.Scan(&a.ID, &a.Number, &a.Level, &key, &a.Due, &a.Dept, &a.Subject, &a.Sender); err != nil {
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
	return queued, d.write(ctx, func(tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			settingDigestsBuilt, day.String())
		return err
	})
}

// settingDigestsBuilt is the last day whose digests were all built.
const settingDigestsBuilt = "alerts.built"

// UserAlerts gives a user's alerts, newest first, at most limit, and how
// many they have not seen.
func (d *DB) UserAlerts(ctx context.Context, u User, limit int) ([]Alert, int, error) {
	unseen, err := d.UnseenAlerts(ctx, u)
	if err != nil {
		return nil, 0, err
	}
	cal, _, today, err := d.calendarToday(ctx)
	if err != nil {
		return nil, 0, err
	}
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT a.id, a.number, a.level, w.due, w.dept, r.subject, r.sender_name, a.day, a.seen_at <> ''
		FROM alerts a JOIN work w ON w.number = a.number JOIN radicados r ON r.number = a.number
		WHERE a.user_id = ? ORDER BY a.id DESC LIMIT ?`), u.ID, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []Alert
	for rows.Next() {
		var a Alert
		if err := rows.Scan(&a.ID, &a.Number, &a.Level, &a.Due, &a.Dept, &a.Subject, &a.Sender, &a.Day, &a.Seen); err != nil {
			return nil, 0, err
		}
		if due, err := calendar.ParseDate(a.Due); err == nil && a.Due != "" {
			n := DaysLeft(cal, today, due)
			a.DaysLeft = &n
		}
		out = append(out, a)
	}
	return out, unseen, rows.Err()
}

// UnseenAlerts counts the radicados with alerts a user has not seen.
func (d *DB) UnseenAlerts(ctx context.Context, u User) (int, error) {
	var n int
	err := d.readScan(ctx, `SELECT COUNT(DISTINCT number) FROM alerts WHERE user_id = ? AND seen_at = ''`, []any{u.ID}, &n)
	return n, err
}

// SeeAlerts marks a user's alerts seen.
func (d *DB) SeeAlerts(ctx context.Context, u User) error {
	return d.write(ctx, func(tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `UPDATE alerts SET seen_at = ? WHERE user_id = ? AND seen_at = ''`, d.stamp(), u.ID)
		return err
	})
}

// Mail is an e-mail of the outbox.
type Mail struct {
	ID       int64     `json:"id"`
	User     string    `json:"user"`
	Day      string    `json:"day"`
	To       string    `json:"to"`
	Subject  string    `json:"subject"`
	Body     string    `json:"-"`
	Attempts int       `json:"attempts"`
	NextTry  time.Time `json:"next_try"`
	Sent     time.Time `json:"sent_at"`
	Error    string    `json:"last_error,omitempty"`
}

// ClaimMail takes up to limit e-mails due to be sent, each for lease: no
// other instance takes them meanwhile.
func (d *DB) ClaimMail(ctx context.Context, limit int, lease time.Duration) ([]Mail, error) {
	now := d.now().UTC()
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT id FROM outbox WHERE sent_at = '' AND next_try <= ? AND lease_until <= ? ORDER BY next_try LIMIT ?`),
		now.Format(time.RFC3339Nano), now.Format(time.RFC3339Nano), limit)
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
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Mail
	for _, id := range ids {
		var m Mail
		var claimed bool
		err := d.write(ctx, func(tx *sql.Tx) error {
			res, err := d.txExec(ctx, tx, `UPDATE outbox SET lease_until = ? WHERE id = ? AND sent_at = '' AND lease_until <= ?`,
				now.Add(lease).Format(time.RFC3339Nano), id, now.Format(time.RFC3339Nano))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return nil // another instance has it
			}
			claimed = true
			return d.txScan(ctx, tx, `SELECT o.id, u.name, o.day, o.to_addr, o.subject, o.body, o.attempts FROM outbox o JOIN users u ON u.id = o.user_id
				WHERE o.id = ?`, []any{id}, &m.ID, &m.User, &m.Day, &m.To, &m.Subject, &m.Body, &m.Attempts)
		})
		if err != nil {
			return out, err
		}
		if claimed {
			out = append(out, m)
		}
	}
	return out, nil
}

// MailSent records that an e-mail was accepted by the mail server.
func (d *DB) MailSent(ctx context.Context, id int64) error {
	return d.write(ctx, func(tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `UPDATE outbox SET sent_at = ?, attempts = attempts + 1, last_error = '', lease_until = '' WHERE id = ?`, d.stamp(), id)
		return err
	})
}

// MailFailed records a failed try and when to try again.
func (d *DB) MailFailed(ctx context.Context, id int64, cause error, retry time.Time) error {
	msg := cause.Error()
	if len(msg) > 500 {
		msg = msg[:500]
	}
	return d.write(ctx, func(tx *sql.Tx) error {
		_, err := d.txExec(ctx, tx, `UPDATE outbox SET attempts = attempts + 1, last_error = ?, next_try = ?, lease_until = '' WHERE id = ?`,
			strings.ToValidUTF8(msg, "?"), retry.UTC().Format(time.RFC3339Nano), id)
		return err
	})
}

// Outbox lists the e-mails not sent yet and the latest sent, newest first:
// what the administrator watches.
func (d *DB) Outbox(ctx context.Context, limit int) ([]Mail, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT o.id, u.name, o.day, o.to_addr, o.subject, o.attempts, o.next_try, o.sent_at, o.last_error
		FROM outbox o JOIN users u ON u.id = o.user_id ORDER BY (o.sent_at = '') DESC, o.id DESC LIMIT ?`), limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Mail
	for rows.Next() {
		var m Mail
		var next, sent string
		if err := rows.Scan(&m.ID, &m.User, &m.Day, &m.To, &m.Subject, &m.Attempts, &next, &sent, &m.Error); err != nil {
			return nil, err
		}
		m.NextTry, _ = time.Parse(time.RFC3339Nano, next)
		m.Sent, _ = time.Parse(time.RFC3339Nano, sent)
		out = append(out, m)
	}
	return out, rows.Err()
}
