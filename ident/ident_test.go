package ident

import (
	"errors"
	"testing"
)

func TestCheckDigit(t *testing.T) {
	// Published NITs of well-known Colombian entities.
	for _, tc := range []struct {
		base string
		dv   int
	}{
		{"800197268", 4}, // DIAN
		{"899999068", 1}, // Ecopetrol
		{"890903938", 8}, // Bancolombia
		{"860034313", 7}, // Davivienda
	} {
		if got := CheckDigit(tc.base); got != tc.dv {
			t.Errorf("CheckDigit(%s) = %d, want %d", tc.base, got, tc.dv)
		}
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		in      string
		want    ID
		display string
	}{
		{"CC:79845112", ID{CC, "79845112"}, "CC 79.845.112"},
		{"cc 79.845.112", ID{CC, "79845112"}, "CC 79.845.112"},
		{"NIT:800197268-4", ID{NIT, "8001972684"}, "NIT 800.197.268-4"},
		{"NIT:8001972684", ID{NIT, "8001972684"}, "NIT 800.197.268-4"},
		{"NIT: 800.197.268-4", ID{NIT, "8001972684"}, "NIT 800.197.268-4"},
		{"CE:123456", ID{CE, "123456"}, "CE 123.456"},
		{"TI:1002345678", ID{TI, "1002345678"}, "TI 1.002.345.678"},
		{"PA:ab-123456", ID{PA, "AB123456"}, "PA AB123456"},
		{"", ID{}, ""},
	} {
		got, err := Parse(tc.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("Parse(%q) = %+v, want %+v", tc.in, got, tc.want)
		}
		if d := got.Display(); d != tc.display {
			t.Errorf("Parse(%q).Display() = %q, want %q", tc.in, d, tc.display)
		}
		if back, err := Parse(got.String()); err != nil || back != got {
			t.Errorf("Parse(String()) of %q = %+v, %v", tc.in, back, err)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, in := range []string{
		"79845112",          // no type
		"XX:123456",         // unknown type
		"CC:12345",          // too short
		"CC:12345678901",    // too long
		"CC:7984511A",       // letter
		"CC:000000000",      // zeros
		"NIT:800197268-5",   // wrong check digit
		"NIT:8001972685",    // wrong check digit, no hyphen
		"NIT:800197268-45",  // two check digits
		"NIT:123",           // too short
		"PA:12",             // too short
		"PA:AB#123",         // symbol
		"TI:123456789",      // too short for a TI
		"CC:7984\u00a05112", // a non-breaking space is not a separator
	} {
		if id, err := Parse(in); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", in, id)
		} else if !errors.Is(err, ErrFormat) {
			t.Errorf("Parse(%q) error %v does not wrap ErrFormat", in, err)
		}
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"CC:79845112", "NIT:800197268-4", "PA:AB123", "NIT:1-1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err != nil {
			return
		}
		back, err := Parse(id.String())
		if err != nil || back != id {
			t.Fatalf("Parse(%q) = %+v; reparse gives %+v, %v", s, id, back, err)
		}
	})
}
