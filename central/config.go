package central

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// The organisation's configuration: set once on the server, given to every
// station at its sync (wire.OrgConfig), each change numbered by a version
// so that a station knows what it has. A station offline keeps the last it
// had. Departments, document types and terms, routes, extra non-working
// days, the number pattern, the office hours and the organisation's name.

// Settings of the organisation.
const (
	settingVersion = "config.version"
	settingOrg     = "organization"
)

// configChanged moves the configuration's version on and records the
// change in the journal, in the transaction that made it.
func (d *DB) configChanged(ctx context.Context, tx *sql.Tx, actor, action string, data any) error {
	if _, err := d.txExec(ctx, tx, `INSERT INTO settings (key, value) VALUES (?, '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(settings.value AS INTEGER) + 1 AS TEXT)`, settingVersion); err != nil {
		return err
	}
	return d.appendJournal(ctx, tx, actor, action, "", data)
}

// writeConfig runs a change of the configuration and, once it is
// committed, has the calendar read again.
func (d *DB) writeConfig(ctx context.Context, fn func(context.Context, *sql.Tx) error) error {
	err := d.write(ctx, fn)
	if err == nil {
		d.dropCalendar()
	}
	return err
}

// SetDocType adds a document type or changes its name and term (business
// days; 0: none).
func (d *DB) SetDocType(ctx context.Context, actor string, t radicado.DocType) error {
	if err := radicado.CheckTypeCode(t.Code); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := radicado.CheckClean("name", t.Name, 80); err != nil || t.Name == "" {
		return fmt.Errorf("%w: the type's name: 1 to 80 characters of plain text", ErrInvalid)
	}
	if t.Days < 0 || t.Days > 365 {
		return fmt.Errorf("%w: a term of 0 to 365 business days", ErrInvalid)
	}
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := d.txExec(ctx, tx, `INSERT INTO doc_types (code, name, days) VALUES (?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, days = excluded.days`, t.Code, t.Name, t.Days); err != nil {
			return err
		}
		return d.configChanged(ctx, tx, actor, "config.type", t)
	})
}

// SetRoute sends the letters of a document type to a department ("": to
// none, they wait to be routed).
func (d *DB) SetRoute(ctx context.Context, actor, docType, dept string) error {
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM doc_types WHERE code = ?`, []any{docType}, &n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: no document type %q", ErrInvalid, docType)
		}
		if dept == "" {
			if _, err := d.txExec(ctx, tx, `DELETE FROM routes WHERE doc_type = ?`, docType); err != nil {
				return err
			}
		} else {
			if err := d.activeDept(ctx, tx, dept); err != nil {
				return err
			}
			if _, err := d.txExec(ctx, tx, `INSERT INTO routes (doc_type, dept) VALUES (?, ?) ON CONFLICT (doc_type) DO UPDATE SET dept = excluded.dept`,
				docType, dept); err != nil {
				return err
			}
		}
		return d.configChanged(ctx, tx, actor, "config.route", map[string]string{"type": docType, "dept": dept})
	})
}

// SetClosure adds an extra non-working day with its reason, or takes it
// away (an empty reason).
func (d *DB) SetClosure(ctx context.Context, actor string, day calendar.Date, reason string) error {
	if day.IsZero() {
		return fmt.Errorf("%w: a day, YYYY-MM-DD", ErrInvalid)
	}
	if err := radicado.CheckClean("reason", reason, 200); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if reason == "" {
			if _, err := d.txExec(ctx, tx, `DELETE FROM closures WHERE day = ?`, day.String()); err != nil {
				return err
			}
		} else if _, err := d.txExec(ctx, tx, `INSERT INTO closures (day, reason) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET reason = excluded.reason`,
			day.String(), reason); err != nil {
			return err
		}
		return d.configChanged(ctx, tx, actor, "config.closure", map[string]string{"day": day.String(), "reason": reason})
	})
}

// SetOrgSetting sets the organisation's name, its office hours or its time
// zone.
func (d *DB) SetOrgSetting(ctx context.Context, actor, key, value string) error {
	switch key {
	case settingOrg:
		if err := radicado.CheckClean("organization", value, 200); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	case settingHours:
		if _, err := calendar.ParseHours(value); err != nil {
			return fmt.Errorf("%w: %v", ErrInvalid, err)
		}
	case settingZone:
		if _, err := time.LoadLocation(value); err != nil || value == "" {
			return fmt.Errorf("%w: time zone %q: an IANA name, such as America/Bogota", ErrInvalid, value)
		}
	case settingMaxFailures, settingLockMinutes, settingSessionHrs, settingIdleMinutes:
		if n, err := strconv.Atoi(value); err != nil || n < 1 || n > 10000 {
			return fmt.Errorf("%w: %s: a whole number from 1", ErrInvalid, key)
		}
		return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			if err := d.txSetSetting(ctx, tx, key, value); err != nil {
				return err
			}
			return d.appendJournal(ctx, tx, actor, "config.login", "", map[string]string{key: value})
		})
	default:
		return fmt.Errorf("%w: setting %q: organization, hours, time_zone, %s, %s, %s or %s", ErrInvalid, key,
			settingMaxFailures, settingLockMinutes, settingSessionHrs, settingIdleMinutes)
	}
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if err := d.txSetSetting(ctx, tx, key, value); err != nil {
			return err
		}
		return d.configChanged(ctx, tx, actor, "config."+key, map[string]string{key: value})
	})
}

// OrgConfig gives the organisation's configuration as stations take it.
func (d *DB) OrgConfig(ctx context.Context) (wire.OrgConfig, error) {
	c := wire.OrgConfig{Depts: map[string]string{}, Routes: map[string]string{}, Types: []wire.DocType{}, Closures: []calendar.Closure{}}
	tx, err := d.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return c, err
	}
	defer tx.Rollback()
	settings := map[string]string{}
	rows, err := tx.QueryContext(ctx, d.q(`SELECT key, value FROM settings WHERE key IN (?, ?, ?, ?)`), settingVersion, settingOrg, settingPattern, settingHours)
	if err != nil {
		return c, err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return c, err
		}
		settings[k] = v
	}
	rows.Close()
	c.Version, _ = strconv.ParseInt(settings[settingVersion], 10, 64)
	c.Organization, c.Pattern, c.Hours = settings[settingOrg], settings[settingPattern], settings[settingHours]
	if c.Hours == "" {
		c.Hours = "08:00-17:00"
	}
	each := func(query string, scan func(*sql.Rows) error) error {
		rows, err := tx.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := scan(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	if err := each(`SELECT code, name, days FROM doc_types ORDER BY code`, func(r *sql.Rows) error {
		var t wire.DocType
		err := r.Scan(&t.Code, &t.Name, &t.Days)
		c.Types = append(c.Types, t)
		return err
	}); err != nil {
		return c, err
	}
	if err := each(`SELECT code, name FROM depts WHERE disabled_at IS NULL ORDER BY code`, func(r *sql.Rows) error {
		var code, name string
		err := r.Scan(&code, &name)
		c.Depts[code] = name
		return err
	}); err != nil {
		return c, err
	}
	if err := each(`SELECT doc_type, dept FROM routes ORDER BY doc_type`, func(r *sql.Rows) error {
		var t, dept string
		err := r.Scan(&t, &dept)
		c.Routes[t] = dept
		return err
	}); err != nil {
		return c, err
	}
	if err := each(`SELECT day, reason FROM closures ORDER BY day`, func(r *sql.Rows) error {
		var day, reason string
		if err := r.Scan(&day, &reason); err != nil {
			return err
		}
		dd, err := calendar.ParseDate(day)
		c.Closures = append(c.Closures, calendar.Closure{Date: dd, Reason: reason})
		return err
	}); err != nil {
		return c, err
	}
	return c, nil
}

// closuresOf reads the extra non-working days, for the calendar.
func (d *DB) closuresOf(ctx context.Context) ([]calendar.Closure, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT day, reason FROM closures ORDER BY day`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []calendar.Closure
	for rows.Next() {
		var day, reason string
		if err := rows.Scan(&day, &reason); err != nil {
			return nil, err
		}
		dd, err := calendar.ParseDate(day)
		if err != nil {
			return nil, err
		}
		out = append(out, calendar.Closure{Date: dd, Reason: reason})
	}
	return out, rows.Err()
}
