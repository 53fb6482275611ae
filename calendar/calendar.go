// Package calendar counts business days: weekends, public holidays computed
// for any year from rules kept as data (each with the year it starts and may
// end), extra non-working days an administrator adds, and office hours.
package calendar

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"time"
)

// Rule describes one public holiday. Exactly one of Date and Easter is set.
type Rule struct {
	Name string `json:"name"`
	// Date is MM-DD for a holiday on a fixed day of the year.
	Date string `json:"date,omitempty"`
	// Easter is the offset in days from Easter Sunday (Western, Gregorian).
	Easter *int `json:"easter,omitempty"`
	// Move is "monday" when the holiday is moved to the next Monday if it
	// does not fall on one; empty when it stays on its day.
	Move string `json:"move,omitempty"`
	// From is the first year the rule applies; Until, when not zero, the last.
	From  int    `json:"from"`
	Until int    `json:"until,omitempty"`
	Law   string `json:"law,omitempty"`
}

// RuleSet is the file format of a country's rules.
type RuleSet struct {
	Country string `json:"country"`
	About   string `json:"about,omitempty"`
	Rules   []Rule `json:"rules"`
}

//go:embed rules/co.json
var colombiaJSON []byte

// Colombia gives the rules of Colombian public holidays.
func Colombia() []Rule {
	rs, err := LoadRules(bytes.NewReader(colombiaJSON))
	if err != nil {
		panic("calendar: embedded Colombian rules: " + err.Error())
	}
	return rs.Rules
}

// LoadRules reads and checks a rule file.
func LoadRules(r io.Reader) (RuleSet, error) {
	var rs RuleSet
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return RuleSet{}, fmt.Errorf("holiday rules: %w", err)
	}
	for _, r := range rs.Rules {
		if _, err := compile(r); err != nil {
			return RuleSet{}, err
		}
	}
	return rs, nil
}

type rule struct {
	Rule
	month  time.Month
	day    int
	easter bool
	offset int
	monday bool
}

func compile(r Rule) (rule, error) {
	c := rule{Rule: r}
	if strings.TrimSpace(r.Name) == "" {
		return c, errors.New("holiday rule without a name")
	}
	switch {
	case r.Date != "" && r.Easter == nil:
		t, err := time.Parse("01-02", r.Date)
		if err != nil {
			return c, fmt.Errorf("holiday %q: date %q is not MM-DD", r.Name, r.Date)
		}
		c.month, c.day = t.Month(), t.Day()
	case r.Date == "" && r.Easter != nil:
		c.easter, c.offset = true, *r.Easter
	default:
		return c, fmt.Errorf("holiday %q: give either date (MM-DD) or easter (an offset in days)", r.Name)
	}
	switch r.Move {
	case "":
	case "monday":
		c.monday = true
	default:
		return c, fmt.Errorf("holiday %q: move %q is not known (only \"monday\")", r.Name, r.Move)
	}
	if r.From < 1583 || (r.Until != 0 && r.Until < r.From) {
		return c, fmt.Errorf("holiday %q: years %d to %d are not a valid range", r.Name, r.From, r.Until)
	}
	return c, nil
}

func (r rule) on(year int) (Date, bool) {
	if year < r.From || (r.Until != 0 && year > r.Until) {
		return Date{}, false
	}
	var d Date
	if r.easter {
		d = Easter(year).AddDays(r.offset)
	} else {
		d = Date{year, r.month, r.day}
	}
	if r.monday {
		d = d.AddDays((int(time.Monday) - int(d.Weekday()) + 7) % 7)
	}
	return d, true
}

// Easter gives Easter Sunday of the Gregorian calendar (the anonymous
// algorithm published by Meeus).
func Easter(year int) Date {
	a := year % 19
	b, c := year/100, year%100
	d, e := b/4, b%4
	f := (b + 8) / 25
	g := (b - f + 1) / 3
	h := (19*a + b - d - g + 15) % 30
	i, k := c/4, c%4
	l := (32 + 2*e + 2*i - h - k) % 7
	m := (a + 11*h + 22*l) / 451
	month := (h + l - 7*m + 114) / 31
	day := (h+l-7*m+114)%31 + 1
	return Date{year, time.Month(month), day}
}

// Holiday is one public holiday on one date.
type Holiday struct {
	Date Date   `json:"date"`
	Name string `json:"name"`
}

// Closure is an extra non-working day: a local holiday, a day the office
// was closed.
type Closure struct {
	Date   Date   `json:"date"`
	Reason string `json:"reason"`
}

// Hours are an office's opening hours on business days, as offsets from
// midnight. The zero Hours has no closing time.
type Hours struct {
	Open, Close time.Duration
}

// ParseHours reads "HH:MM-HH:MM"; an empty string gives the zero Hours.
func ParseHours(s string) (Hours, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return Hours{}, nil
	}
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Hours{}, fmt.Errorf("office hours %q: write them as HH:MM-HH:MM, for example 08:00-17:00", s)
	}
	open, err1 := time.Parse("15:04", strings.TrimSpace(a))
	closing, err2 := time.Parse("15:04", strings.TrimSpace(b))
	if err1 != nil || err2 != nil {
		return Hours{}, fmt.Errorf("office hours %q: write them as HH:MM-HH:MM, for example 08:00-17:00", s)
	}
	h := Hours{
		Open:  time.Duration(open.Hour())*time.Hour + time.Duration(open.Minute())*time.Minute,
		Close: time.Duration(closing.Hour())*time.Hour + time.Duration(closing.Minute())*time.Minute,
	}
	if h.Close <= h.Open {
		return Hours{}, fmt.Errorf("office hours %q: closing must come after opening", s)
	}
	return h, nil
}

// String gives "HH:MM-HH:MM", or "" for the zero Hours.
func (h Hours) String() string {
	if h == (Hours{}) {
		return ""
	}
	f := func(d time.Duration) string { return fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60) }
	return f(h.Open) + "-" + f(h.Close)
}

// Calendar answers business-day questions. It is safe for concurrent use.
type Calendar struct {
	rules []rule
	extra map[Date]string
	hours Hours

	mu    sync.Mutex
	years map[int]map[Date][]string // holiday names by date, computed once per year
}

// New builds a calendar from holiday rules, extra closures and office hours.
func New(rules []Rule, extra []Closure, hours Hours) (*Calendar, error) {
	c := &Calendar{extra: make(map[Date]string), hours: hours, years: make(map[int]map[Date][]string)}
	for _, r := range rules {
		cr, err := compile(r)
		if err != nil {
			return nil, err
		}
		c.rules = append(c.rules, cr)
	}
	for _, x := range extra {
		if x.Date.IsZero() {
			return nil, errors.New("extra non-working day without a date")
		}
		c.extra[x.Date] = x.Reason
	}
	return c, nil
}

// Hours gives the office hours the calendar was built with.
func (c *Calendar) Hours() Hours { return c.hours }

func (c *Calendar) year(y int) map[Date][]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	if m, ok := c.years[y]; ok {
		return m
	}
	m := make(map[Date][]string)
	for _, r := range c.rules {
		if d, ok := r.on(y); ok {
			m[d] = append(m[d], r.Name)
		}
	}
	c.years[y] = m
	return m
}

// Holidays lists the public holidays of year by date; two holidays may share
// a date (30 June 2025) and are then both listed.
func (c *Calendar) Holidays(year int) []Holiday {
	var hs []Holiday
	for d, names := range c.year(year) {
		for _, n := range names {
			hs = append(hs, Holiday{d, n})
		}
	}
	slices.SortFunc(hs, func(a, b Holiday) int {
		if a.Date != b.Date {
			if a.Date.Before(b.Date) {
				return -1
			}
			return 1
		}
		return strings.Compare(a.Name, b.Name)
	})
	return hs
}

// NonWorking says why d is not a business day, or "" when it is one.
func (c *Calendar) NonWorking(d Date) string {
	switch d.Weekday() {
	case time.Saturday:
		return "sábado"
	case time.Sunday:
		return "domingo"
	}
	if names := c.year(d.Year)[d]; len(names) > 0 {
		return strings.Join(names, "; ")
	}
	if reason, ok := c.extra[d]; ok {
		if reason == "" {
			return "día no hábil"
		}
		return reason
	}
	return ""
}

// IsBusinessDay reports whether d is a business day.
func (c *Calendar) IsBusinessDay(d Date) bool { return c.NonWorking(d) == "" }

// maxSearch bounds the search for a business day, so that a calendar made
// only of closures fails instead of looping.
const maxSearch = 366

// ErrNoBusinessDay is returned when no business day is found within a year.
var ErrNoBusinessDay = errors.New("no business day within a year: check the extra non-working days")

// NextBusinessDay gives the first business day after d.
func (c *Calendar) NextBusinessDay(d Date) (Date, error) {
	for range maxSearch {
		d = d.AddDays(1)
		if c.IsBusinessDay(d) {
			return d, nil
		}
	}
	return Date{}, ErrNoBusinessDay
}

// FilingDay gives the business day a letter received at t counts as filed
// on: that day when it is a business day and the office has not closed,
// otherwise the next business day.
func (c *Calendar) FilingDay(t time.Time) (Date, error) {
	d := DateOf(t)
	midnight := d.In(t.Location())
	afterClosing := c.hours.Close > 0 && t.Sub(midnight) >= c.hours.Close
	if c.IsBusinessDay(d) && !afterClosing {
		return d, nil
	}
	return c.NextBusinessDay(d)
}

// AddBusinessDays gives the n-th business day after d (n ≥ 0; d itself
// when n is 0).
func (c *Calendar) AddBusinessDays(d Date, n int) (Date, error) {
	for range n {
		var err error
		if d, err = c.NextBusinessDay(d); err != nil {
			return Date{}, err
		}
	}
	return d, nil
}

// Due gives the last day of a term of days business days for a letter
// received at t, counted from the day after its filing day. A term of zero
// days has no due date (the zero Date).
func (c *Calendar) Due(t time.Time, days int) (Date, error) {
	if days <= 0 {
		return Date{}, nil
	}
	filed, err := c.FilingDay(t)
	if err != nil {
		return Date{}, err
	}
	return c.AddBusinessDays(filed, days)
}
