// Package radicado holds the domain of the radicado: kinds of communication,
// the number pattern, document types with their response terms, the record
// kept for each number, and the checks its fields pass.
package radicado

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/mail"
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
	// Email is where the sender can be answered, when the letter gave it
	// (an e-mail's From); empty otherwise.
	Email string `json:"email,omitempty"`
}

// The channels a radicado came in by. A record keeps "" for the ventanilla,
// the channel of every radicado made before channels were recorded.
const (
	ChannelVentanilla = "ventanilla" // paper or files handed in at the desk
	ChannelEmail      = "email"      // a message of the institutional mailbox
	ChannelWeb        = "web"        // the central server's public Buzón
)

// Recipient is who a salida goes to and how.
type Recipient struct {
	Name    string `json:"name"`
	Address string `json:"address,omitempty"`
	City    string `json:"city,omitempty"`
	Email   string `json:"email,omitempty"`
	SendBy  string `json:"send_by"` // fisico, email or ambos
}

// The ways a salida is sent.
const (
	SendPhysical = "fisico"
	SendEmail    = "email"
	SendBoth     = "ambos"
)

// MarshalRecipient writes a recipient as kept in a database column, ""
// for none.
func MarshalRecipient(r *Recipient) string {
	if r == nil {
		return ""
	}
	b, _ := json.Marshal(r)
	return string(b)
}

// UnmarshalRecipient reads a recipient as kept, nil for "".
func UnmarshalRecipient(s string) (*Recipient, error) {
	if s == "" {
		return nil, nil
	}
	r := &Recipient{}
	if err := json.Unmarshal([]byte(s), r); err != nil {
		return nil, fmt.Errorf("recipient: %w", err)
	}
	return r, nil
}

// MaxAnswers is how many radicados one salida may answer.
const MaxAnswers = 50

// MaxCites is how many of our numbers one letter may be recorded citing.
const MaxCites = 20

// Clean gives r as typed made clean (CleanText on its name, address and
// city, each at most 300 characters, the bound a delivery step carries)
// and its e-mail address trimmed and in lower case; the rules of where it
// goes are Check's and the caller's.
func (r Recipient) Clean() (Recipient, error) {
	for _, f := range []struct {
		field string
		value *string
	}{{"recipient", &r.Name}, {"address", &r.Address}, {"city", &r.City}} {
		v, err := CleanText(f.field, *f.value, 300)
		if err != nil {
			return Recipient{}, err
		}
		*f.value = v
	}
	r.Email = strings.ToLower(strings.TrimSpace(r.Email))
	return r, nil
}

// Check verifies a recipient: a name; an address and city when it goes on
// paper, an e-mail when it goes by e-mail; clean text within bounds.
func (r Recipient) Check() error {
	for _, f := range []struct {
		field, value string
		max          int
	}{{"recipient's name", r.Name, MaxSenderName}, {"recipient's address", r.Address, 300}, {"recipient's city", r.City, 100}} {
		if err := CheckClean(f.field, f.value, f.max); err != nil {
			return err
		}
	}
	if r.Name == "" {
		return errors.New("the recipient's name is missing")
	}
	switch r.SendBy {
	case SendPhysical, SendEmail, SendBoth:
	default:
		return fmt.Errorf("send by %q: %s, %s or %s", r.SendBy, SendPhysical, SendEmail, SendBoth)
	}
	if r.SendBy != SendEmail && (r.Address == "" || r.City == "") {
		return errors.New("a salida on paper needs the recipient's address and city")
	}
	if r.Email != "" {
		if err := CheckEmail(r.Email); err != nil {
			return fmt.Errorf("recipient: %w", err)
		}
	} else if r.SendBy != SendPhysical {
		return errors.New("a salida by e-mail needs the recipient's e-mail")
	}
	return nil
}

// MediaMessage is the media type of an e-mail's original, kept as the
// first file of the radicado made of it.
const MediaMessage = "message/rfc822"

// MaxEmail is the longest e-mail address kept (RFC 5321's path limit).
const MaxEmail = 254

// CheckEmail verifies an e-mail address as kept: a bare local@domain,
// nothing around it, clean text within MaxEmail bytes.
func CheckEmail(addr string) error {
	if err := CheckPlain("e-mail", addr, MaxEmail); err != nil {
		return err
	}
	a, err := mail.ParseAddress(addr)
	if err != nil || a.Address != addr || len(addr) > MaxEmail || strings.ContainsAny(addr, " <>\"") {
		return fmt.Errorf("e-mail %q: a plain address, name@domain", addr)
	}
	return nil
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
	// Channel is how the letter came in: "" (the ventanilla) or
	// ChannelEmail.
	Channel string
	// Answers lists the radicados a salida or interna answers, as given.
	Answers []string
	// Recipient is who a salida goes to; nil for an entrada.
	Recipient *Recipient
	// Cites are the numbers of this organisation the letter cites (an
	// answer to our salida cites it), as given at radicación: read from
	// the letter and shown to the clerk, or typed.
	Cites     []string
	Status    Status
	Annulment *Annulment
	Sync      SyncState
}

// DocType is a kind of document with its response term in business days
// (zero: no term).
type DocType struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Days int    `json:"days"`
}

// DefaultTypes gives the document types of a front desk with the terms of
// Ley 1755 de 2015 (art. 14: petitions 15 business days, documents and
// information 10, consultations 30; art. 21: a petition forwarded to us by
// competence runs its term from our receipt), of the CPACA for a
// notification (art. 76: ten days to appeal) and the e-invoice rules.
// Codes are the ones the classifier and the corpus use.
func DefaultTypes() []DocType {
	return []DocType{
		{"peticion", "Derecho de petición", 15},
		{"peticion_general", "Derecho de petición de interés general", 15},
		{"informacion", "Solicitud de documentos o información", 10},
		{"consulta", "Consulta", 30},
		{"queja_reclamo", "Queja o reclamo", 15},
		{"traslado", "Traslado por competencia (Ley 1755, art. 21)", 15},
		{"tutela", "Tutela o notificación judicial", 2},
		{"notificacion", "Notificación de acto administrativo", 10},
		{"citacion", "Citación a audiencia o diligencia", 0},
		{"respuesta", "Respuesta a una comunicación nuestra", 0},
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

// Limits of a radicado's text fields, the same on the station that types
// them and on the server that receives them.
const (
	MaxSenderName = 200
	MaxSubject    = 500
	MaxReason     = 1000
	MaxFileName   = 255 // bytes, as file systems count
	MaxPages      = 10000
)

// CleanText checks a text field typed by a clerk or read from a form: valid
// UTF-8, no control characters, no characters that reorder text on screen
// (bidirectional overrides), no U+FFFD left by a broken encoding, at most max
// characters. It trims the ends, folds runs of white space to one space and
// normalises to NFC, so that the same words are stored and searched the same
// way.
func CleanText(field, s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	for _, r := range s {
		if why := refused(r); why != "" {
			return "", fmt.Errorf("%s has %s", field, why)
		}
	}
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if n := utf8.RuneCountInString(s); n > max {
		return "", fmt.Errorf("%s has %d characters; at most %d fit", field, n, max)
	}
	return s, nil
}

// refused says why CleanText refuses r, "" when it takes it.
func refused(r rune) string {
	switch {
	case unicode.IsControl(r) && !unicode.IsSpace(r):
		return fmt.Sprintf("a control character (%U)", r)
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
		return fmt.Sprintf("a character that reorders text (%U)", r)
	case r == utf8.RuneError:
		return "a character lost to a broken encoding (U+FFFD)"
	}
	return ""
}

// PlainText makes any text, such as a header of a message from outside or
// a remote server's error, one that CleanText takes as it is: what
// CleanText refuses becomes a space, white space is folded, the text is
// normalised to NFC and cut to at most max characters.
func PlainText(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if refused(r) != "" {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, " "))
	s = strings.Join(strings.Fields(norm.NFC.String(s)), " ")
	if r := []rune(s); len(r) > max {
		s = norm.NFC.String(strings.TrimSpace(string(r[:max])))
	}
	return s
}

// CheckClean verifies that s is already in the form CleanText gives: what
// a station stored, as the server receives it.
func CheckClean(field, s string, max int) error {
	clean, err := CleanText(field, s, max)
	if err != nil {
		return err
	}
	if clean != s {
		return fmt.Errorf("%s has white space at its ends, doubled or not a plain space, or is not in Unicode NFC", field)
	}
	return nil
}

// CleanFileName gives the name a file is kept under in a radicado: the last
// element of a path, as clean text (no line breaks or control characters),
// at most MaxFileName bytes (shortened before its extension).
func CleanFileName(name string) (string, error) {
	name = strings.TrimRight(name, `/\`)
	if i := strings.LastIndexAny(name, `/\`); i >= 0 {
		name = name[i+1:]
	}
	clean, err := CleanText("file name", name, MaxFileName)
	if err != nil {
		return "", err
	}
	if clean == "" || clean == "." || clean == ".." {
		return "", fmt.Errorf("file name %q: a file needs a name", name)
	}
	if len(clean) > MaxFileName {
		ext := ""
		if i := strings.LastIndexByte(clean, '.'); i > 0 && len(clean)-i <= 10 {
			ext = clean[i:]
		}
		cut := MaxFileName - len(ext)
		for cut > 0 && !utf8.RuneStart(clean[cut]) {
			cut--
		}
		clean = clean[:cut] + ext
	}
	return clean, nil
}

// CheckFileName verifies a file name as a station may have kept it: a
// plain name, not a path, with no line breaks or other control characters
// and nothing that reorders text, at most MaxFileName bytes. Names kept
// before CleanFileName was written may have doubled spaces or decomposed
// accents, and pass.
func CheckFileName(name string) error {
	if err := CheckPlain("file name", name, MaxFileName); err != nil {
		return err
	}
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, `/\`) || len(name) > MaxFileName {
		return fmt.Errorf("file name %q: a plain name, not a path, at most %d bytes", name, MaxFileName)
	}
	return nil
}

// CheckPlain verifies a text that need not be in CleanText's form (a
// name the operating system gave): valid UTF-8, no control characters,
// nothing that reorders text, at most max characters.
func CheckPlain(field, s string, max int) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s is not valid UTF-8 text", field)
	}
	for _, r := range s {
		switch {
		case unicode.IsControl(r):
			return fmt.Errorf("%s has a control character (%U)", field, r)
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return fmt.Errorf("%s has a character that reorders text (%U)", field, r)
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return fmt.Errorf("%s has %d characters; at most %d fit", field, n, max)
	}
	return nil
}

// CheckTypeCode checks a document type's code: 1 to 30 lower-case letters,
// digits or _.
func CheckTypeCode(code string) error {
	if code == "" || len(code) > 30 || strings.Trim(code, "abcdefghijklmnopqrstuvwxyz0123456789_") != "" {
		return fmt.Errorf("type code %q: use 1 to 30 lower-case letters, digits or _", code)
	}
	return nil
}

// CheckDeptCode checks a department code: 1 to 20 letters, digits, - _ or .
func CheckDeptCode(code string) error {
	if code == "" || len(code) > 20 || strings.Trim(code, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.") != "" {
		return fmt.Errorf("department code %q: use up to 20 letters, digits, - _ or .", code)
	}
	return nil
}
