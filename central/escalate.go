package central

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
)

// Escalation: what waits too long goes to the department's head. A
// radicado still unassigned so many business hours after it reached its
// department, or assigned and not yet opened by its assignee so many
// hours after, is escalated once for that stay: an event in its history
// and an alert to the heads.

// EscalationRule gives the business hours for a type and a department
// ("" matches any); 0 hours: no such escalation.
type EscalationRule struct {
	Type            string `json:"type"`
	Dept            string `json:"dept"`
	UnassignedHours int    `json:"unassigned_hours"`
	UntouchedHours  int    `json:"untouched_hours"`
}

// SetEscalationRule adds or changes a rule.
func (d *DB) SetEscalationRule(ctx context.Context, actor string, r EscalationRule) error {
	if r.Type != "" && radicado.CheckTypeCode(r.Type) != nil {
		return fmt.Errorf("%w: type %q", ErrInvalid, r.Type)
	}
	if r.Dept != "" && radicado.CheckDeptCode(r.Dept) != nil {
		return fmt.Errorf("%w: department %q", ErrInvalid, r.Dept)
	}
	if r.UnassignedHours < 0 || r.UntouchedHours < 0 || r.UnassignedHours > 2000 || r.UntouchedHours > 2000 {
		return fmt.Errorf("%w: business hours from 0 to 2000", ErrInvalid)
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM escalation_rules WHERE NOT (doc_type = ? AND dept = ?)`, []any{r.Type, r.Dept}, &n); err != nil {
			return err
		}
		if n >= maxRules {
			return fmt.Errorf("%w: at most %d escalation rules", ErrInvalid, maxRules)
		}
		if _, err := d.txExec(ctx, tx, `INSERT INTO escalation_rules (doc_type, dept, unassigned_hours, untouched_hours) VALUES (?, ?, ?, ?)
			ON CONFLICT (doc_type, dept) DO UPDATE SET unassigned_hours = excluded.unassigned_hours, untouched_hours = excluded.untouched_hours`,
			r.Type, r.Dept, r.UnassignedHours, r.UntouchedHours); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "config.escalation", "", r)
	})
}

// maxRules bounds the escalation rules.
const maxRules = 200

// EscalationRules lists the rules.
func (d *DB) EscalationRules(ctx context.Context) ([]EscalationRule, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT doc_type, dept, unassigned_hours, untouched_hours FROM escalation_rules ORDER BY doc_type, dept`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []EscalationRule
	for rows.Next() {
		var r EscalationRule
		if err := rows.Scan(&r.Type, &r.Dept, &r.UnassignedHours, &r.UntouchedHours); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ruleFor gives the most specific rule for a type and department: both
// named, then the type's, then the department's, then the default.
func ruleFor(rules []EscalationRule, docType, dept string) (EscalationRule, bool) {
	for _, want := range [][2]string{{docType, dept}, {docType, ""}, {"", dept}, {"", ""}} {
		for _, r := range rules {
			if r.Type == want[0] && r.Dept == want[1] {
				return r, true
			}
		}
	}
	return EscalationRule{}, false
}

// coveredBy gives the condition (and its arguments) that a radicado's
// type and department have a rule of kind with hours: "" when none has.
func coveredBy(rules []EscalationRule, kind string) (string, []any) {
	var or []string
	var args []any
	for _, r := range rules {
		hours := r.UnassignedHours
		if kind == "untouched" {
			hours = r.UntouchedHours
		}
		if hours == 0 {
			continue
		}
		switch {
		case r.Type == "" && r.Dept == "":
			return " AND 1 = 1", nil
		case r.Type == "":
			or, args = append(or, "dept = ?"), append(args, r.Dept)
		case r.Dept == "":
			or, args = append(or, "doc_type = ?"), append(args, r.Type)
		default:
			or, args = append(or, "(doc_type = ? AND dept = ?)"), append(args, r.Type, r.Dept)
		}
	}
	if len(or) == 0 {
		return "", nil
	}
	return " AND (" + strings.Join(or, " OR ") + ")", args
}

// BusinessHours gives the working time between from and to: the office
// hours of business days (the whole of a business day when the office has
// none set).
func BusinessHours(cal *calendar.Calendar, loc *time.Location, from, to time.Time) time.Duration {
	return businessHoursUpTo(cal, loc, from, to, to.Sub(from))
}

// businessHoursUpTo is BusinessHours, counted no further than limit.
func businessHoursUpTo(cal *calendar.Calendar, loc *time.Location, from, to time.Time, limit time.Duration) time.Duration {
	if !from.Before(to) {
		return 0
	}
	h := cal.Hours()
	if h == (calendar.Hours{}) {
		h = calendar.Hours{Open: 0, Close: 24 * time.Hour}
	}
	from, to = from.In(loc), to.In(loc)
	var total time.Duration
	for day := calendar.DateOf(from); !calendar.DateOf(to).Before(day); day = day.AddDays(1) {
		if !cal.IsBusinessDay(day) {
			continue
		}
		midnight := day.In(loc)
		open, closing := midnight.Add(h.Open), midnight.Add(h.Close)
		if from.After(open) {
			open = from
		}
		if to.Before(closing) {
			closing = to
		}
		if closing.After(open) {
			total += closing.Sub(open)
		}
		if total >= limit {
			return limit
		}
	}
	return total
}

// Escalate escalates what has waited past its rule's hours, and gives how
// many it escalated.
func (d *DB) Escalate(ctx context.Context) (int, error) {
	rules, err := d.EscalationRules(ctx)
	if err != nil || len(rules) == 0 {
		return 0, err
	}
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return 0, err
	}
	now := d.now()
	// Business hours are never more than the hours on the clock: only
	// those waiting as long on the clock as the shortest rule can be due.
	shortest := 0
	for _, r := range rules {
		for _, h := range []int{r.UnassignedHours, r.UntouchedHours} {
			if h > 0 && (shortest == 0 || h < shortest) {
				shortest = h
			}
		}
	}
	if shortest == 0 {
		return 0, nil
	}
	before := now.Add(-time.Duration(shortest) * time.Hour).UTC().Format(time.RFC3339Nano)
	type waiting struct {
		number, dept, docType, kind, since string
	}
	var due []waiting
	for _, q := range []struct{ kind, query string }{
		{"unassigned", `SELECT number, dept, doc_type, dept_since FROM work WHERE open = 1 AND state = 'nuevo' AND assignee IS NULL
			AND dept <> '' AND dept_since <> '' AND dept_since <= ? AND escalated <> 'unassigned ' || dept_since`},
		{"untouched", `SELECT number, dept, doc_type, assigned_at FROM work WHERE open = 1 AND state = 'asignado'
			AND assigned_at <> '' AND assigned_at <= ? AND escalated <> 'untouched ' || assigned_at`},
	} {
		// Only the types and departments some rule of this kind covers.
		covered, args := coveredBy(rules, q.kind)
		if covered == "" {
			continue
		}
		rows, err := d.db.QueryContext(ctx, d.q(q.query+covered), append([]any{before}, args...)...)
		if err != nil {
			return 0, err
		}
		for rows.Next() {
			w := waiting{kind: q.kind}
			if err := rows.Scan(&w.number, &w.dept, &w.docType, &w.since); err != nil {
				rows.Close()
				return 0, err
			}
			due = append(due, w)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return 0, err
		}
	}
	n := 0
	for _, w := range due {
		r, ok := ruleFor(rules, w.docType, w.dept)
		hours := r.UnassignedHours
		if w.kind == "untouched" {
			hours = r.UntouchedHours
		}
		since, err := time.Parse(time.RFC3339Nano, w.since)
		limit := time.Duration(hours) * time.Hour
		if !ok || hours == 0 || err != nil || businessHoursUpTo(cal, loc, since, now, limit) < limit {
			continue
		}
		key := w.kind + " " + w.since
		err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			// Once per stay: only if it is still waiting as it was.
			column := "dept_since"
			if w.kind == "untouched" {
				column = "assigned_at"
			}
			res, err := d.txExec(ctx, tx, `UPDATE work SET escalated = ? WHERE number = ? AND escalated <> ? AND dept = ? AND `+column+` = ?`,
				key, w.number, key, w.dept, w.since)
			if err != nil {
				return err
			}
			if k, _ := res.RowsAffected(); k == 0 {
				return nil
			}
			if _, err := d.txExec(ctx, tx, `INSERT INTO alerts (user_id, number, level, due, day) SELECT id, ?, ?, ?, ? FROM users
				WHERE dept = ? AND role = 'jefe' AND disabled_at IS NULL ON CONFLICT (user_id, number, level, due) DO NOTHING`,
				w.number, LevelEscalated, key, calendar.DateOf(now.In(loc)).String(), w.dept); err != nil {
				return err
			}
			n++
			return d.appendJournal(ctx, tx, "sistema", "radicado.escalate", w.number, map[string]any{"why": w.kind, "hours": hours, "dept": w.dept})
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
