// Package ident parses and validates Colombian identity document numbers:
// cédula de ciudadanía (CC), cédula de extranjería (CE), tarjeta de identidad
// (TI), pasaporte (PA) and NIT, whose check digit it verifies.
package ident

import (
	"errors"
	"fmt"
	"strings"
)

// Type is the kind of identity document.
type Type string

// The document types a front desk sees.
const (
	CC  Type = "CC"  // cédula de ciudadanía
	CE  Type = "CE"  // cédula de extranjería
	TI  Type = "TI"  // tarjeta de identidad
	PA  Type = "PA"  // pasaporte
	NIT Type = "NIT" // número de identificación tributaria, with its check digit
)

// Types lists the known types in the order a form offers them.
var Types = []Type{CC, NIT, CE, TI, PA}

// ID is a validated identity document number. Number holds digits only for
// CC, CE, TI and NIT (a NIT's last digit is its check digit) and upper-case
// letters and digits for PA.
type ID struct {
	Type   Type
	Number string
}

// IsZero reports whether the ID is empty (a letter without a sender ID).
func (id ID) IsZero() bool { return id.Type == "" && id.Number == "" }

// String gives the ID as TYPE:NUMBER, the form Parse reads back.
func (id ID) String() string {
	if id.IsZero() {
		return ""
	}
	return string(id.Type) + ":" + id.Number
}

// Display gives the ID as people write it: "NIT 900.123.456-7", "CC 79.845.112".
func (id ID) Display() string {
	switch {
	case id.IsZero():
		return ""
	case id.Type == NIT:
		n := len(id.Number)
		return "NIT " + groupThousands(id.Number[:n-1]) + "-" + id.Number[n-1:]
	case id.Type == PA:
		return "PA " + id.Number
	default:
		return string(id.Type) + " " + groupThousands(id.Number)
	}
}

func groupThousands(digits string) string {
	var b strings.Builder
	for i, r := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte('.')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// ErrFormat is wrapped by every error about a malformed ID.
var ErrFormat = errors.New("invalid identity number")

// Parse reads "TYPE:NUMBER" (a space also separates them). The number may be
// written with dots, spaces and, for a NIT, a hyphen before the check digit.
// An empty string gives the zero ID.
func Parse(s string) (ID, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return ID{}, nil
	}
	typ, num, ok := strings.Cut(s, ":")
	if !ok {
		typ, num, ok = strings.Cut(s, " ")
	}
	if !ok {
		return ID{}, fmt.Errorf("%w: %q: write it as TYPE:NUMBER, for example CC:79845112 or NIT:900123456-7", ErrFormat, s)
	}
	return New(Type(strings.ToUpper(strings.TrimSpace(typ))), num)
}

// New validates number as an ID of type t.
func New(t Type, number string) (ID, error) {
	number = strings.TrimSpace(number)
	switch t {
	case CC:
		return digitsID(t, number, 6, 10)
	case CE:
		return digitsID(t, number, 3, 10)
	case TI:
		return digitsID(t, number, 10, 11)
	case NIT:
		return parseNIT(number)
	case PA:
		return parsePassport(number)
	default:
		return ID{}, fmt.Errorf("%w: unknown type %q (known: CC, NIT, CE, TI, PA)", ErrFormat, t)
	}
}

// cleanDigits drops the separators people write inside numbers and checks
// that only digits remain.
func cleanDigits(t Type, s string) (string, error) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == '.' || r == ' ' || r == ',':
		default:
			return "", fmt.Errorf("%w: %s %q has %q where only digits go", ErrFormat, t, s, r)
		}
	}
	return b.String(), nil
}

func digitsID(t Type, s string, min, max int) (ID, error) {
	d, err := cleanDigits(t, s)
	if err != nil {
		return ID{}, err
	}
	if len(d) < min || len(d) > max {
		return ID{}, fmt.Errorf("%w: %s %q has %d digits; it must have %d to %d", ErrFormat, t, s, len(d), min, max)
	}
	if strings.Trim(d, "0") == "" {
		return ID{}, fmt.Errorf("%w: %s %q is all zeros", ErrFormat, t, s)
	}
	return ID{Type: t, Number: d}, nil
}

func parseNIT(s string) (ID, error) {
	base, dv, hyphen := strings.Cut(s, "-")
	digits, err := cleanDigits(NIT, base+dv)
	if err != nil {
		return ID{}, err
	}
	if hyphen && len(strings.TrimSpace(dv)) != 1 {
		return ID{}, fmt.Errorf("%w: NIT %q: the check digit after the hyphen is one digit", ErrFormat, s)
	}
	// A NIT is a base number of 6 to 15 digits (9 for companies, the cédula
	// for a person) followed by its check digit.
	if len(digits) < 7 || len(digits) > 16 {
		return ID{}, fmt.Errorf("%w: NIT %q must be its number and its check digit, for example 900123456-7", ErrFormat, s)
	}
	body, last := digits[:len(digits)-1], int(digits[len(digits)-1]-'0')
	want := CheckDigit(body)
	if last != want {
		return ID{}, fmt.Errorf("%w: NIT %s-%d: the check digit does not match (for %s it is %d)", ErrFormat, body, last, body, want)
	}
	return ID{Type: NIT, Number: digits}, nil
}

// nitWeights are the DIAN's weights, applied from the rightmost digit.
var nitWeights = [...]int{3, 7, 13, 17, 19, 23, 29, 37, 41, 43, 47, 53, 59, 67, 71}

// CheckDigit computes the NIT check digit ("dígito de verificación") of a
// base number of up to 15 digits. It panics on anything but ASCII digits.
func CheckDigit(base string) int {
	if len(base) > len(nitWeights) {
		panic("ident: NIT base longer than 15 digits")
	}
	sum := 0
	for i := 0; i < len(base); i++ {
		c := base[len(base)-1-i]
		if c < '0' || c > '9' {
			panic("ident: NIT base with a non-digit")
		}
		sum += int(c-'0') * nitWeights[i]
	}
	r := sum % 11
	if r < 2 {
		return r
	}
	return 11 - r
}

func parsePassport(s string) (ID, error) {
	var b strings.Builder
	for _, r := range strings.ToUpper(s) {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.':
		default:
			return ID{}, fmt.Errorf("%w: PA %q has %q; a passport number has letters and digits", ErrFormat, s, r)
		}
	}
	n := b.String()
	if len(n) < 4 || len(n) > 20 {
		return ID{}, fmt.Errorf("%w: PA %q must have 4 to 20 letters and digits", ErrFormat, s)
	}
	return ID{Type: PA, Number: n}, nil
}
