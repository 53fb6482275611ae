package radicado

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// DefaultPattern is year(4) + office(3) + station(2) + consecutive(6) +
// kind(1), all digits: 2026 001 01 000123 2 → 2026001010001232.
const DefaultPattern = "{year}{office:3}{station:2}{seq:6}{kind}"

// Parts are the values a number is made of.
type Parts struct {
	Year    int
	Office  string
	Station string
	Seq     int
	Kind    Kind
}

// Pattern is a parsed number pattern. Its fields are fixed-width, so a number
// has one length and reads back into its parts.
//
// Placeholders: {year} (4 digits), {office:N}, {station:N}, {seq:N} (the
// consecutive, zero-padded to N digits) and {kind} (1 digit). Each appears
// exactly once; between them, literal ASCII letters, digits and - / . _ may
// appear.
type Pattern struct {
	src   string
	parts []segment
	width map[string]int
}

type segment struct {
	field   string // "" for a literal
	literal string
	width   int
}

var fieldWidth = map[string]int{"year": 4, "kind": 1}

// ErrPattern is wrapped by every error about a malformed pattern.
var ErrPattern = errors.New("invalid number pattern")

// ParsePattern reads a pattern such as DefaultPattern.
func ParsePattern(s string) (Pattern, error) {
	p := Pattern{src: s, width: make(map[string]int)}
	rest := s
	for rest != "" {
		open := strings.IndexByte(rest, '{')
		if open != 0 {
			lit := rest
			if open > 0 {
				lit = rest[:open]
			}
			for _, r := range lit {
				if !(r >= '0' && r <= '9' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || strings.ContainsRune("-/._", r)) {
					return Pattern{}, fmt.Errorf("%w %q: %q may not appear in a number", ErrPattern, s, r)
				}
			}
			p.parts = append(p.parts, segment{literal: lit})
			rest = rest[len(lit):]
			continue
		}
		end := strings.IndexByte(rest, '}')
		if end < 0 {
			return Pattern{}, fmt.Errorf("%w %q: a { is not closed", ErrPattern, s)
		}
		name, w, hasWidth := strings.Cut(rest[1:end], ":")
		rest = rest[end+1:]
		width := fieldWidth[name]
		switch name {
		case "year", "kind":
			if hasWidth {
				return Pattern{}, fmt.Errorf("%w %q: {%s} has a fixed width of %d", ErrPattern, s, name, width)
			}
		case "office", "station", "seq":
			n, err := strconv.Atoi(w)
			if !hasWidth || err != nil || n < 1 || n > 12 {
				return Pattern{}, fmt.Errorf("%w %q: write {%s:N} with N digits from 1 to 12", ErrPattern, s, name)
			}
			width = n
		default:
			return Pattern{}, fmt.Errorf("%w %q: unknown field {%s} (known: year, office, station, seq, kind)", ErrPattern, s, name)
		}
		if _, dup := p.width[name]; dup {
			return Pattern{}, fmt.Errorf("%w %q: {%s} appears twice", ErrPattern, s, name)
		}
		p.width[name] = width
		p.parts = append(p.parts, segment{field: name, width: width})
	}
	for _, f := range []string{"year", "office", "station", "seq", "kind"} {
		if _, ok := p.width[f]; !ok {
			// Every field is needed for a number to be unique: the
			// consecutive restarts each year and runs per office, station
			// and kind.
			return Pattern{}, fmt.Errorf("%w %q: {%s} is missing; year, office, station, seq and kind make a number unique", ErrPattern, s, f)
		}
	}
	return p, nil
}

// MustPattern is ParsePattern for patterns known to be valid.
func MustPattern(s string) Pattern {
	p, err := ParsePattern(s)
	if err != nil {
		panic(err)
	}
	return p
}

// String gives the pattern as written.
func (p Pattern) String() string { return p.src }

// Width gives the number of digits of field ("office", "station", "seq"…).
func (p Pattern) Width(field string) int { return p.width[field] }

// Len gives the length of every number of the pattern.
func (p Pattern) Len() int {
	n := 0
	for _, s := range p.parts {
		n += s.width + len(s.literal)
	}
	return n
}

// Widths gives the widths of the pattern's fields in order (literals
// apart): where a number written in groups may break (2026 001 01 000451
// 1 for the default pattern).
func (p Pattern) Widths() []int {
	var out []int
	for _, s := range p.parts {
		if s.field != "" {
			out = append(out, s.width)
		}
	}
	return out
}

// MaxSeq gives the largest consecutive the pattern can hold.
func (p Pattern) MaxSeq() int {
	m := 1
	for range p.width["seq"] {
		m *= 10
	}
	return m - 1
}

// CheckCode verifies that an office or station code fits the pattern: digits
// only, exactly as wide as its field.
func (p Pattern) CheckCode(field, code string) error {
	w := p.width[field]
	if len(code) != w || strings.Trim(code, "0123456789") != "" {
		return fmt.Errorf("%s code %q must be %d digits for the pattern %s", field, code, w, p.src)
	}
	return nil
}

// Format builds the number of parts.
func (p Pattern) Format(v Parts) (string, error) {
	if err := p.CheckCode("office", v.Office); err != nil {
		return "", err
	}
	if err := p.CheckCode("station", v.Station); err != nil {
		return "", err
	}
	if v.Year < 1000 || v.Year > 9999 {
		return "", fmt.Errorf("year %d does not have 4 digits", v.Year)
	}
	if v.Seq < 1 || v.Seq > p.MaxSeq() {
		return "", fmt.Errorf("consecutive %d does not fit in %d digits of the pattern %s", v.Seq, p.width["seq"], p.src)
	}
	if !v.Kind.Valid() {
		return "", fmt.Errorf("kind %d is not known", v.Kind)
	}
	var b strings.Builder
	for _, s := range p.parts {
		switch s.field {
		case "":
			b.WriteString(s.literal)
		case "year":
			fmt.Fprintf(&b, "%04d", v.Year)
		case "office":
			b.WriteString(v.Office)
		case "station":
			b.WriteString(v.Station)
		case "seq":
			fmt.Fprintf(&b, "%0*d", s.width, v.Seq)
		case "kind":
			b.WriteByte(byte('0' + v.Kind))
		}
	}
	return b.String(), nil
}

// ParseDigits reads a number written with its fields' digits only, the
// pattern's literals left out (2026-001-01-000451-1 written 2026001010004511,
// or as a letter groups it), back into its parts. Digits the pattern has
// as literals must be there.
func (p Pattern) ParseDigits(digits string) (Parts, error) {
	var b strings.Builder
	rest := digits
	for _, s := range p.parts {
		if s.field == "" {
			lit := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, s.literal)
			if !strings.HasPrefix(rest, lit) {
				return Parts{}, fmt.Errorf("number %q does not match the pattern %s", digits, p.src)
			}
			rest = rest[len(lit):]
			b.WriteString(s.literal)
			continue
		}
		if len(rest) < s.width {
			return Parts{}, fmt.Errorf("number %q is shorter than the pattern %s", digits, p.src)
		}
		b.WriteString(rest[:s.width])
		rest = rest[s.width:]
	}
	if rest != "" {
		return Parts{}, fmt.Errorf("number %q is longer than the pattern %s", digits, p.src)
	}
	return p.Parse(b.String())
}

// Parse reads a number of the pattern back into its parts.
func (p Pattern) Parse(number string) (Parts, error) {
	if len(number) != p.Len() {
		return Parts{}, fmt.Errorf("number %q does not have the %d characters of the pattern %s", number, p.Len(), p.src)
	}
	var v Parts
	rest := number
	for _, s := range p.parts {
		if s.field == "" {
			if !strings.HasPrefix(rest, s.literal) {
				return Parts{}, fmt.Errorf("number %q does not match the pattern %s", number, p.src)
			}
			rest = rest[len(s.literal):]
			continue
		}
		val := rest[:s.width]
		rest = rest[s.width:]
		if strings.Trim(val, "0123456789") != "" {
			return Parts{}, fmt.Errorf("number %q has %q where the pattern %s has digits", number, val, p.src)
		}
		n, _ := strconv.Atoi(val)
		switch s.field {
		case "year":
			v.Year = n
		case "office":
			v.Office = val
		case "station":
			v.Station = val
		case "seq":
			v.Seq = n
		case "kind":
			v.Kind = Kind(n)
		}
	}
	if !v.Kind.Valid() || v.Seq < 1 {
		return Parts{}, fmt.Errorf("number %q does not match the pattern %s", number, p.src)
	}
	return v, nil
}
