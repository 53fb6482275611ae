package calendar

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func colombia(t *testing.T, extra []Closure, hours Hours) *Calendar {
	t.Helper()
	c, err := New(Colombia(), extra, hours)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func d(s string) Date {
	v, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return v
}

// The official lists of Colombian public holidays, as published for each year.
var official = map[int][]string{
	2024: {"2024-01-01", "2024-01-08", "2024-03-25", "2024-03-28", "2024-03-29", "2024-05-01",
		"2024-05-13", "2024-06-03", "2024-06-10", "2024-07-01", "2024-07-20", "2024-08-07",
		"2024-08-19", "2024-10-14", "2024-11-04", "2024-11-11", "2024-12-08", "2024-12-25"},
	// 30 June 2025 is both Sagrado Corazón and San Pedro y San Pablo.
	2025: {"2025-01-01", "2025-01-06", "2025-03-24", "2025-04-17", "2025-04-18", "2025-05-01",
		"2025-06-02", "2025-06-23", "2025-06-30", "2025-06-30", "2025-07-20", "2025-08-07",
		"2025-08-18", "2025-10-13", "2025-11-03", "2025-11-17", "2025-12-08", "2025-12-25"},
	// From 2026, Ley 2578 adds the Virgen de Chiquinquirá (13 July in 2026).
	2026: {"2026-01-01", "2026-01-12", "2026-03-23", "2026-04-02", "2026-04-03", "2026-05-01",
		"2026-05-18", "2026-06-08", "2026-06-15", "2026-06-29", "2026-07-13", "2026-07-20",
		"2026-08-07", "2026-08-17", "2026-10-12", "2026-11-02", "2026-11-16", "2026-12-08",
		"2026-12-25"},
	2027: {"2027-01-01", "2027-01-11", "2027-03-22", "2027-03-25", "2027-03-26", "2027-05-01",
		"2027-05-10", "2027-05-31", "2027-06-07", "2027-07-05", "2027-07-12", "2027-07-20",
		"2027-08-07", "2027-08-16", "2027-10-18", "2027-11-01", "2027-11-15", "2027-12-08",
		"2027-12-25"},
}

func TestHolidaysOfficialLists(t *testing.T) {
	c := colombia(t, nil, Hours{})
	for year, want := range official {
		var got []string
		for _, h := range c.Holidays(year) {
			got = append(got, h.Date.String())
		}
		if !slices.Equal(got, want) {
			t.Errorf("%d holidays:\n got %v\nwant %v", year, got, want)
		}
	}
}

func TestChiquinquiraOnlyFrom2026(t *testing.T) {
	c := colombia(t, nil, Hours{})
	for _, tc := range []struct {
		day  string
		want bool
	}{
		{"2025-07-14", false}, // the Monday after 9 July 2025: no holiday yet
		{"2026-07-13", true},
		{"2027-07-12", true},
	} {
		if got := strings.Contains(c.NonWorking(d(tc.day)), "Chiquinquirá"); got != tc.want {
			t.Errorf("%s Chiquinquirá holiday = %v, want %v", tc.day, got, tc.want)
		}
	}
}

func TestTwoHolidaysOneDate(t *testing.T) {
	c := colombia(t, nil, Hours{})
	why := c.NonWorking(d("2025-06-30"))
	if !strings.Contains(why, "Sagrado Corazón") || !strings.Contains(why, "San Pedro") {
		t.Errorf("2025-06-30 = %q, want both holidays named", why)
	}
}

func TestEaster(t *testing.T) {
	for year, want := range map[int]string{
		1984: "1984-04-22", 2000: "2000-04-23", 2019: "2019-04-21", 2024: "2024-03-31",
		2025: "2025-04-20", 2026: "2026-04-05", 2027: "2027-03-28", 2038: "2038-04-25",
	} {
		if got := Easter(year).String(); got != want {
			t.Errorf("Easter(%d) = %s, want %s", year, got, want)
		}
	}
}

func TestDue(t *testing.T) {
	bogota := time.FixedZone("COT", -5*3600)
	hours := Hours{Open: 8 * time.Hour, Close: 17 * time.Hour}
	c := colombia(t, []Closure{{d("2026-12-24"), "Cierre de fin de año"}, {d("2026-12-31"), "Cierre de fin de año"}}, hours)
	at := func(s string) time.Time {
		v, err := time.ParseInLocation("2006-01-02 15:04", s, bogota)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		name     string
		received string
		days     int
		want     string
	}{
		{"petición on a plain week", "2026-11-03 10:00", 15, "2026-11-25"}, // 16 Nov is a holiday
		{"after closing counts from the next day", "2026-11-03 17:00", 15, "2026-11-26"},
		{"before opening counts that day", "2026-11-03 07:00", 15, "2026-11-25"},
		{"received on Saturday", "2026-11-07 09:00", 1, "2026-11-10"},
		{"received on a holiday", "2026-11-16 09:00", 1, "2026-11-18"},
		{"across Holy Week", "2026-03-30 09:00", 5, "2026-04-08"},
		{"across year end and closures", "2026-12-22 09:00", 10, "2027-01-12"},
		{"tutela of two days", "2026-07-10 16:59", 2, "2026-07-15"}, // 13 July: Chiquinquirá
		{"factura across 2025-06-30", "2025-06-27 09:00", 3, "2025-07-03"},
		{"no term", "2026-11-03 10:00", 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.Due(at(tc.received), tc.days)
			if err != nil {
				t.Fatal(err)
			}
			if got.String() != tc.want {
				t.Errorf("Due(%s, %d) = %s, want %s", tc.received, tc.days, got, tc.want)
			}
		})
	}
}

func TestNoBusinessDay(t *testing.T) {
	var extra []Closure
	for i := range 400 {
		extra = append(extra, Closure{Date: d("2030-01-01").AddDays(i), Reason: "cerrado"})
	}
	c := colombia(t, extra, Hours{})
	if _, err := c.AddBusinessDays(d("2029-12-31"), 1); err == nil {
		t.Fatal("a year of closures gave a business day")
	}
}

func TestParseHours(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"08:00-17:00", "08:00-17:00", true},
		{" 7:30 - 16:45 ", "07:30-16:45", true},
		{"07:30-16:45", "07:30-16:45", true},
		{"", "", true},
		{"17:00-08:00", "", false},
		{"8-17", "", false},
	} {
		h, err := ParseHours(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("ParseHours(%q) error = %v, want ok=%v", tc.in, err, tc.ok)
			continue
		}
		if err == nil && h.String() != tc.want {
			t.Errorf("ParseHours(%q) = %s, want %s", tc.in, h, tc.want)
		}
	}
}

func TestLoadRulesRejects(t *testing.T) {
	for _, js := range []string{
		`{"rules":[{"name":"x","date":"13-01","from":2000}]}`,
		`{"rules":[{"name":"x","from":2000}]}`,
		`{"rules":[{"name":"x","date":"01-01","easter":1,"from":2000}]}`,
		`{"rules":[{"name":"x","date":"01-01","move":"friday","from":2000}]}`,
		`{"rules":[{"name":"x","date":"01-01","from":2000,"until":1999}]}`,
		`{"rules":[{"name":"","date":"01-01","from":2000}]}`,
		`{"rules":[{"name":"x","date":"01-01","from":2000,"typo":1}]}`,
	} {
		if _, err := LoadRules(strings.NewReader(js)); err == nil {
			t.Errorf("LoadRules(%s) accepted", js)
		}
	}
}
