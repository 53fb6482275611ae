package central

import (
	"context"
	"sync"
	"time"

	"github.com/radicador/radicador/calendar"
)

// The organisation's calendar on the server: Colombia's holiday rules, the
// extra non-working days and office hours of its settings, in its time
// zone. A radicado's light comes from it: green; yellow when 40 % of its
// term or less remains; red at 20 % or less, and overdue (Orfeo's rule),
// the days counted in business days.

// Light is a radicado's traffic light on its term.
type Light string

// The lights; an answered, archived or annulled radicado, or one without a
// term, has none.
const (
	Green  Light = "green"
	Yellow Light = "yellow"
	Red    Light = "red"
)

// Settings of the calendar.
const (
	settingHours = "hours"     // HH:MM-HH:MM
	settingZone  = "time_zone" // an IANA name
	defaultZone  = "America/Bogota"
)

type calendarCache struct {
	mu      sync.Mutex
	cal     *calendar.Calendar
	loc     *time.Location
	version string    // of the configuration it was read at
	checked time.Time // when the version was last compared
	gen     int       // moved on by each drop: a read begun before it is not kept
}

// recheck is how often the calendar's configuration version is compared
// with the database's: another process (the command line, another
// instance) may have changed it.
const recheck = 30 * time.Second

// dropCalendar makes the next Calendar read it again (after a change of
// this process's, once committed).
func (d *DB) dropCalendar() {
	d.cal.mu.Lock()
	d.cal.cal = nil
	d.cal.gen++
	d.cal.mu.Unlock()
}

// Calendar gives the organisation's calendar and time zone. The cache's
// lock is not held while the database is read: a write transaction may
// call it, and on PostgreSQL the read waits for a connection of the read
// pool, which a caller holding the lock must never wait on.
func (d *DB) Calendar(ctx context.Context) (*calendar.Calendar, *time.Location, error) {
	now := d.now()
	d.cal.mu.Lock()
	cached, cachedLoc, cachedVersion, gen := d.cal.cal, d.cal.loc, d.cal.version, d.cal.gen
	fresh := cached != nil && now.Sub(d.cal.checked) < recheck && now.Sub(d.cal.checked) >= 0
	d.cal.mu.Unlock()
	if fresh {
		return cached, cachedLoc, nil
	}
	var version string
	if err := d.readScan(ctx, `SELECT COALESCE(MAX(value), '') FROM settings WHERE key = ?`, []any{settingVersion}, &version); err != nil {
		return nil, nil, err
	}
	if cached != nil && version == cachedVersion {
		d.cal.mu.Lock()
		if d.cal.cal == cached {
			d.cal.checked = now
		}
		d.cal.mu.Unlock()
		return cached, cachedLoc, nil
	}
	cal, loc, err := d.readCalendar(ctx)
	if err != nil {
		return nil, nil, err
	}
	d.cal.mu.Lock()
	if d.cal.gen == gen {
		// Not kept when a change was committed while it was read: the next
		// call reads again.
		d.cal.cal, d.cal.loc, d.cal.version, d.cal.checked = cal, loc, version, now
	}
	d.cal.mu.Unlock()
	return cal, loc, nil
}

// readCalendar reads the calendar's configuration from the database.
func (d *DB) readCalendar(ctx context.Context) (*calendar.Calendar, *time.Location, error) {
	settings := map[string]string{}
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT key, value FROM settings WHERE key IN (?, ?)`), settingHours, settingZone)
	if err != nil {
		return nil, nil, err
	}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			rows.Close()
			return nil, nil, err
		}
		settings[k] = v
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, err
	}
	hours := "08:00-17:00"
	if v, ok := settings[settingHours]; ok {
		hours = v
	}
	h, err := calendar.ParseHours(hours)
	if err != nil {
		return nil, nil, err
	}
	closures, err := d.closuresOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	cal, err := calendar.New(calendar.Colombia(), closures, h)
	if err != nil {
		return nil, nil, err
	}
	zone := defaultZone
	if v := settings[settingZone]; v != "" {
		zone = v
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		loc = time.FixedZone("COT", -5*3600) // Colombia keeps no summer time
	}
	return cal, loc, nil
}

// Today gives the organisation's date now.
func (d *DB) Today(ctx context.Context) (calendar.Date, error) {
	_, _, today, err := d.calendarToday(ctx)
	return today, err
}

// calendarToday gives the calendar, the time zone and today's date in it.
func (d *DB) calendarToday(ctx context.Context) (*calendar.Calendar, *time.Location, calendar.Date, error) {
	cal, loc, err := d.Calendar(ctx)
	if err != nil {
		return nil, nil, calendar.Date{}, err
	}
	return cal, loc, calendar.DateOf(d.now().In(loc)), nil
}

// term is what a due date means: how many business days the term has, and
// the days its light turns yellow and red.
type term struct {
	days            int
	yellowOn, redOn calendar.Date
	noTerm          bool
}

// termOf works out the term of a radicado received at received and due on
// due (the zero Date: no term).
func termOf(cal *calendar.Calendar, received time.Time, due calendar.Date) (term, error) {
	if due.IsZero() {
		return term{noTerm: true}, nil
	}
	filed, err := cal.FilingDay(received)
	if err != nil {
		return term{}, err
	}
	var t term
	// The business days of the term: those after the filing day, up to the
	// due date.
	for d := filed; d.Before(due); {
		if d, err = cal.NextBusinessDay(d); err != nil {
			return term{}, err
		}
		if !due.Before(d) {
			t.days++
		}
	}
	t.yellowOn = turnsOn(cal, filed, due, t.days*40/100)
	t.redOn = turnsOn(cal, filed, due, t.days*20/100)
	return t, nil
}

// turnsOn gives the first day on which at most left business days remain
// before due: the (left+1)-th business day counting back from due (due
// itself the first), and never before the filing day.
func turnsOn(cal *calendar.Calendar, filed, due calendar.Date, left int) calendar.Date {
	d, n := due, 0
	for filed.Before(d) {
		if cal.IsBusinessDay(d) {
			n++
			if n == left+1 {
				return d
			}
		}
		d = d.AddDays(-1)
	}
	return filed
}

// DaysLeft gives the business days from asOf to due: those after asOf up
// to due; negative, the business days overdue.
func DaysLeft(cal *calendar.Calendar, asOf, due calendar.Date) int {
	n := 0
	switch {
	case asOf.Before(due):
		for d := asOf; d.Before(due); {
			d = d.AddDays(1)
			if cal.IsBusinessDay(d) {
				n++
			}
		}
	case due.Before(asOf):
		for d := due; d.Before(asOf); {
			d = d.AddDays(1)
			if cal.IsBusinessDay(d) {
				n--
			}
		}
	}
	return n
}

// lightOn gives the light of an open radicado on day asOf.
func lightOn(asOf calendar.Date, yellowOn, redOn string) Light {
	if redOn == "" {
		return ""
	}
	day := asOf.String()
	switch {
	case redOn <= day:
		return Red
	case yellowOn <= day:
		return Yellow
	}
	return Green
}
