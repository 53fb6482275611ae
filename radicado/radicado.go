// Package radicado holds the domain of the radicado: kinds of communication,
// the number pattern, document types with their response terms, the record
// kept for each number, and the checks its fields pass.
package radicado

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
)

// Kind is the kind of communication, written as the number's last digit.
type Kind int

// The kinds of the Acuerdo 060 de 2001, with their customary digits.
const (
	Salida  Kind = 1 // sent
	Entrada Kind = 2 // received
	Interna Kind = 3 // between departments
)

// Kinds lists the kinds in the order a form offers them.
var Kinds = []Kind{Entrada, Salida, Interna}

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k >= Salida && k <= Interna }

// String gives the kind's name: entrada, salida or interna.
func (k Kind) String() string {
	switch k {
	case Salida:
		return "salida"
	case Entrada:
		return "entrada"
	case Interna:
		return "interna"
	}
	return fmt.Sprintf("kind(%d)", int(k))
}

// ParseKind reads a kind's name or digit.
func ParseKind(s string) (Kind, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "salida", "1":
		return Salida, nil
	case "entrada", "2":
		return Entrada, nil
	case "interna", "3":
		return Interna, nil
	}
	return 0, fmt.Errorf("kind %q is not known: use entrada, salida or interna", s)
}

// MarshalText writes the kind's name.
func (k Kind) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a kind's name or digit.
func (k *Kind) UnmarshalText(b []byte) error {
	v, err := ParseKind(string(b))
	*k = v
	return err
}

// Status is whether a number stands or was annulled.
type Status string

// The statuses of a radicado.
const (
	Active   Status = "active"
	Annulled Status = "annulled"
)

// SyncState tells how far a radicado has reached the central server.
type SyncState string

// The sync states of a radicado.
const (
	SyncPending  SyncState = "pending"  // some change has not reached the server
	SyncDone     SyncState = "synced"   // the server confirmed every change
	SyncConflict SyncState = "conflict" // the server holds different content for the number
)

// Sender is who signs a received letter.
type Sender struct {
	Name string   `json:"name"`
	ID   ident.ID `json:"-"`
}

// File is one file of a radicado's document, kept by its content hash.
type File struct {
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Pages     int    `json:"pages"`
}

// DocumentHash gives the hash that identifies a document made of files: the
// SHA-256 of the files' own SHA-256 values in order, one per line.
func DocumentHash(files []File) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.SHA256 + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Annulment records who annulled a number, when and why.
type Annulment struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Reason string    `json:"reason"`
}

// Record is everything kept for one radicado.
type Record struct {
	Number     string
	Parts      Parts
	ReceivedAt time.Time
	Type       string
	Sender     Sender
	Subject    string
	Dept       string
	Due        calendar.Date
	Pages      int
	SHA256     string
	Files      []File
	CreatedBy  string
	Status     Status
	Annulment  *Annulment
	Sync       SyncState
}

// DocType is a kind of document with its response term in business days
// (zero: no term).
type DocType struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Days int    `json:"days"`
}

// DefaultTypes gives the document types of a front desk with the terms of
// Ley 1755 de 2015, art. 14 and the e-invoice rules. Codes are the ones the
// classifier and the corpus use.
func DefaultTypes() []DocType {
	return []DocType{
		{"peticion", "Derecho de petición", 15},
		{"informacion", "Solicitud de documentos o información", 10},
		{"consulta", "Consulta", 30},
		{"queja_reclamo", "Queja o reclamo", 15},
		{"tutela", "Tutela o notificación judicial", 2},
		{"factura", "Factura electrónica", 3},
		{"cuenta_cobro", "Cuenta de cobro", 0},
		{"oficio", "Oficio de otra entidad", 0},
		{"otro", "Otro", 0},
	}
}

// FindType gives the type with code in types.
func FindType(types []DocType, code string) (DocType, error) {
	for _, t := range types {
		if t.Code == code {
			return t, nil
		}
	}
	codes := make([]string, len(types))
	for i, t := range types {
		codes[i] = t.Code
	}
	return DocType{}, fmt.Errorf("document type %q is not known (known: %s)", code, strings.Join(codes, ", "))
}

// CleanText checks a text field typed by a clerk or read from a form: valid
// UTF-8, no control characters, at most max characters. It trims the ends,
// folds runs of white space to one space and normalises to NFC, so that the
// same words are stored and searched the same way.
func CleanText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	for _, r := range s {
		if unicode.IsControl(r) && !unicode.IsSpace(r) {
			return "", fmt.Errorf("%s has a control character (%U)", field, r)
		}
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if n := utf8.RuneCountInString(s); n > max {
		return "", fmt.Errorf("%s has %d characters; at most %d fit", field, n, max)
	}
	return s, nil
}
