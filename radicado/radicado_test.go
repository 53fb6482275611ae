package radicado

import (
	"strings"
	"testing"
)

func TestDefaultPattern(t *testing.T) {
	p := MustPattern(DefaultPattern)
	v := Parts{Year: 2026, Office: "001", Station: "01", Seq: 123, Kind: Entrada}
	got, err := p.Format(v)
	if err != nil {
		t.Fatal(err)
	}
	if got != "2026001010001232" {
		t.Errorf("Format = %s, want 2026001010001232", got)
	}
	back, err := p.Parse(got)
	if err != nil || back != v {
		t.Errorf("Parse(%s) = %+v, %v; want %+v", got, back, err, v)
	}
	if p.Len() != 16 || p.MaxSeq() != 999999 {
		t.Errorf("Len, MaxSeq = %d, %d", p.Len(), p.MaxSeq())
	}
}

func TestPatterns(t *testing.T) {
	v := Parts{Year: 2027, Office: "12", Station: "3", Seq: 45, Kind: Interna}
	for _, tc := range []struct {
		pattern, want string
	}{
		{"{year}{office:2}{station:1}{seq:4}{kind}", "202712300453"},
		{"{kind}-{year}-{office:2}{station:1}-{seq:8}", "3-2027-123-00000045"},
		{"RAD{year}/{office:2}.{station:1}_{seq:5}{kind}", "RAD2027/12.3_000453"},
	} {
		p, err := ParsePattern(tc.pattern)
		if err != nil {
			t.Errorf("ParsePattern(%q): %v", tc.pattern, err)
			continue
		}
		got, err := p.Format(v)
		if err != nil || got != tc.want {
			t.Errorf("%s: Format = %q, %v; want %q", tc.pattern, got, err, tc.want)
			continue
		}
		if back, err := p.Parse(got); err != nil || back != v {
			t.Errorf("%s: Parse(%q) = %+v, %v", tc.pattern, got, back, err)
		}
	}
}

func TestPatternRejects(t *testing.T) {
	for _, s := range []string{
		"",
		"{year}{office:3}{station:2}{seq:6}",              // no kind
		"{office:3}{station:2}{seq:6}{kind}",              // no year: numbers repeat every year
		"{year}{station:2}{seq:6}{kind}",                  // no office
		"{year}{office:3}{station:2}{seq}{kind}",          // seq without width
		"{year}{office:3}{station:2}{seq:0}{kind}",        // zero width
		"{year:2}{office:3}{station:2}{seq:6}{kind}",      // year is fixed
		"{year}{office:3}{station:2}{seq:6}{kind}{kind}",  // twice
		"{year}{office:3}{station:2}{seq:6}{kind}{month}", // unknown
		"{year}{office:3}{station:2}{seq:6}{kind",         // unclosed
		"{year} {office:3}{station:2}{seq:6}{kind}",       // space
		"{year}{office:3}{station:2}{seq:6}{kind}ñ",       // non-ASCII
		"{year}{office:3}{station:2}{seq:6}{kind}\x00",    // control
		"{year}{office:3}{station:2}{seq:13}{kind}",       // too wide
		"{year}{office:abc}{station:2}{seq:6}{kind}",      // width not a number
	} {
		if _, err := ParsePattern(s); err == nil {
			t.Errorf("ParsePattern(%q) accepted", s)
		}
	}
}

func TestFormatRejects(t *testing.T) {
	p := MustPattern(DefaultPattern)
	ok := Parts{Year: 2026, Office: "001", Station: "01", Seq: 1, Kind: Entrada}
	for name, mod := range map[string]func(*Parts){
		"seq overflow":    func(v *Parts) { v.Seq = 1000000 },
		"seq zero":        func(v *Parts) { v.Seq = 0 },
		"short office":    func(v *Parts) { v.Office = "1" },
		"letter office":   func(v *Parts) { v.Office = "0A1" },
		"long station":    func(v *Parts) { v.Station = "001" },
		"unknown kind":    func(v *Parts) { v.Kind = 4 },
		"five-digit year": func(v *Parts) { v.Year = 10000 },
	} {
		v := ok
		mod(&v)
		if n, err := p.Format(v); err == nil {
			t.Errorf("%s: Format(%+v) = %s, want an error", name, v, n)
		}
	}
}

func TestParseRejects(t *testing.T) {
	p := MustPattern(DefaultPattern)
	for _, n := range []string{"", "202600101000123", "20260010100012A2", "2026001010001234", "2026001010000002"} {
		if v, err := p.Parse(n); err == nil {
			t.Errorf("Parse(%q) = %+v, want an error", n, v)
		}
	}
}

func TestKinds(t *testing.T) {
	for _, k := range Kinds {
		back, err := ParseKind(k.String())
		if err != nil || back != k {
			t.Errorf("ParseKind(%s) = %v, %v", k, back, err)
		}
	}
	if d := map[Kind]int{Salida: 1, Entrada: 2, Interna: 3}; int(Entrada) != d[Entrada] || int(Salida) != 1 || int(Interna) != 3 {
		t.Error("kind digits differ from 1 salida, 2 entrada, 3 interna")
	}
	if _, err := ParseKind("recibida"); err == nil {
		t.Error("ParseKind accepted an unknown kind")
	}
}

func TestFindType(t *testing.T) {
	types := DefaultTypes()
	for code, days := range map[string]int{"peticion": 15, "informacion": 10, "consulta": 30, "queja_reclamo": 15, "tutela": 2, "factura": 3, "otro": 0} {
		dt, err := FindType(types, code)
		if err != nil || dt.Days != days {
			t.Errorf("FindType(%s) = %+v, %v; want %d days", code, dt, err, days)
		}
	}
	if _, err := FindType(types, "carta"); err == nil || !strings.Contains(err.Error(), "peticion") {
		t.Errorf("FindType(carta) error = %v, want one listing the known types", err)
	}
}

func TestCleanText(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"  Petición   de\tcopia ", "Petición de copia", true},
		{"Peticio\u0301n", "Petición", true}, // decomposed accent becomes one rune
		{"ok\nnext line", "ok next line", true},
		{"bad \xff byte", "", false},
		{"bell\x07", "", false},
		{strings.Repeat("a", 18), "", false},
	} {
		got, err := CleanText("subject", tc.in, 17)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("CleanText(%q) = %q, %v; want %q ok=%v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestDocumentHash(t *testing.T) {
	a := []File{{SHA256: strings.Repeat("a", 64)}, {SHA256: strings.Repeat("b", 64)}}
	b := []File{a[1], a[0]}
	if DocumentHash(a) == DocumentHash(b) {
		t.Error("page order does not change the document hash")
	}
	// sha256 of "aaaa…a\nbbbb…b\n", computed with sha256sum.
	const want = "913f9338fb6c17253f3a14816fc08d52522454bfc19a8c99538a197cfb23fb41"
	if got := DocumentHash(a); got != want {
		t.Errorf("DocumentHash = %s, want %s", got, want)
	}
}

func TestRecipientClean(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in, out Recipient
		err     string
	}{
		{name: "folded and lowered",
			in:  Recipient{Name: "  Ana   María ", Address: "Cra 7\t# 8-9", City: " Bogotá ", Email: " Ana@Example.COM ", SendBy: SendBoth},
			out: Recipient{Name: "Ana María", Address: "Cra 7 # 8-9", City: "Bogotá", Email: "ana@example.com", SendBy: SendBoth}},
		{name: "control character in the address", in: Recipient{Name: "Ana", Address: "Cra 7\x00"}, err: "address has a control character"},
		{name: "city too long", in: Recipient{Name: "Ana", City: strings.Repeat("x", 301)}, err: "city has 301 characters"},
		{name: "broken encoding in the name", in: Recipient{Name: "Ana \uFFFD"}, err: "recipient has a character lost"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Clean()
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Clean(%+v) = %v, want an error with %q", tc.in, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.out {
				t.Fatalf("Clean(%+v) = %+v, %v; want %+v", tc.in, got, err, tc.out)
			}
		})
	}
}

func TestPlainText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		max      int
		out      string
	}{
		{"as it is", "buzón lleno", 100, "buzón lleno"},
		{"controls, reordering and lost characters become spaces", "550 5.1.1\r\n user\x00unknown \u202e\uFFFD here", 100, "550 5.1.1 user unknown here"},
		{"invalid UTF-8", "caf\xe9 cerrado", 100, "caf cerrado"},
		{"decomposed made NFC", "Bogote\u0301", 100, "Bogoté"},
		{"cut without a trailing space", "uno dos tres", 8, "uno dos"},
		{"cut counts characters", "ñañaña", 4, "ñaña"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := PlainText(tc.in, tc.max)
			if got != tc.out {
				t.Fatalf("PlainText(%q, %d) = %q, want %q", tc.in, tc.max, got, tc.out)
			}
			if err := CheckClean("text", got, tc.max); err != nil {
				t.Fatalf("CleanText does not take %q as it is: %v", got, err)
			}
		})
	}
}

// TestParseDigits: a number written with its digits only, or grouped as a
// letter writes it, reads back under a pattern with literals; digits the
// pattern has as literals must be there.
func TestParseDigits(t *testing.T) {
	p := MustPattern("RAD-{year}-{office:3}-{station:2}-{seq:6}-{kind}")
	for digits, ok := range map[string]bool{"2026001010004511": true, "202600101000451": false, "20260010100045112": false, "2026001010004514": false} {
		parts, err := p.ParseDigits(digits)
		if (err == nil) != ok {
			t.Errorf("%s: %+v, %v", digits, parts, err)
		}
		if ok {
			if n, _ := p.Format(parts); n != "RAD-2026-001-01-000451-1" {
				t.Errorf("%s: %s", digits, n)
			}
		}
	}
	q := MustPattern("{year}9{office:3}{station:2}{seq:6}{kind}")
	if _, err := q.ParseDigits("20269001010004511"); err != nil {
		t.Errorf("a digit literal: %v", err)
	}
	if _, err := q.ParseDigits("20268001010004511"); err == nil {
		t.Error("a wrong digit literal was taken")
	}
}
