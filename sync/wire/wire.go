// Package wire holds what stations and the central server say to each other
// over /api/v1: the JSON of radicados, their audit events, manifests and
// answers, and the rules both sides apply to them (what makes two copies of
// a radicado the same).
package wire

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
)

// APIPrefix is where the API lives.
const APIPrefix = "/api/v1"

// Protocol is the version of the protocol this program speaks. Version 4
// takes the numbers of the organisation a radicado cites (cites). Version 3
// takes the e-mail and outgoing fields of a radicado (channel,
// sender_email, answers, recipient) and the steps of a salida's delivery
// (Actions beyond radicar and anular). Version 2 takes a small radicado
// with its documents in one request (a multipart PUT: PartPush, then a
// PartFile for each document); version 1 (what a server that gives no
// version speaks) takes the documents apart, in pieces (PATCH), then the
// radicado (PUT of JSON). A server takes every version below its own.
const Protocol = 4

// The parts of a one-request push, in this order: the push's JSON, then
// each document not yet held by the station on the server, named by its
// SHA-256. A part may be sent with "Content-Encoding: gzip".
const (
	PartPush = "push"
	PartFile = "file"
)

// Headers of the protocol.
const (
	// HeaderStationTime carries the station's clock (RFC 3339, ns) on every
	// request, so that the server keeps each station's clock offset.
	HeaderStationTime = "X-Station-Time"
	// HeaderUploadOffset says how many bytes of a file the server holds,
	// and where a chunk starts.
	HeaderUploadOffset = "Upload-Offset"
	// HeaderUploadLength is the whole size of a file being uploaded.
	HeaderUploadLength = "Upload-Length"
)

// File is one file of a radicado's document: the station's own record of
// it, carried as it is.
type File = radicado.File

// Radicado is what makes a radicado: the fields the station fixed when it
// gave the number. They never change; annulment comes as an event.
type Radicado struct {
	Number     string    `json:"number"`
	Year       int       `json:"year"`
	Office     string    `json:"office"`
	Station    string    `json:"station"`
	Kind       int       `json:"kind"`
	Seq        int       `json:"seq"`
	ReceivedAt time.Time `json:"received_at"`
	Type       string    `json:"type"`
	SenderName string    `json:"sender_name"`
	SenderID   string    `json:"sender_id"`
	Subject    string    `json:"subject"`
	Dept       string    `json:"dept"`
	Due        string    `json:"due"`
	Pages      int       `json:"pages"`
	SHA256     string    `json:"sha256"` // the document hash
	Files      []File    `json:"files"`
	// Channel is how it came in when not at the ventanilla (email), and
	// SenderEmail where the sender can be answered; both absent from
	// stations older than e-mail intake, and from letters without them.
	Channel     string `json:"channel,omitempty"`
	SenderEmail string `json:"sender_email,omitempty"`
	// Answers and Recipient make a salida: the numbers it answers (of any
	// station) and who it goes to; absent from older stations and from
	// other letters.
	Answers   []string            `json:"answers,omitempty"`
	Recipient *radicado.Recipient `json:"recipient,omitempty"`
	// Cites are the numbers of the organisation the letter cites (an
	// answer to our salida cites it); absent from older stations and from
	// letters that cite none.
	Cites []string `json:"cites,omitempty"`
}

// Event is one audit event of the station that concerns a radicado.
type Event struct {
	ID     int64           `json:"id"` // in the station's own log
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"` // one of Actions
	Number string          `json:"number"`
	Data   json.RawMessage `json:"data"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

// NeedsV3 reports whether a push says what only a version 3 server
// understands.
func (p Push) NeedsV3() bool {
	r := p.Radicado
	if r.Channel != "" || r.SenderEmail != "" || len(r.Answers) > 0 || r.Recipient != nil {
		return true
	}
	for _, e := range p.Events {
		if e.Action != "radicar" && e.Action != "anular" {
			return true
		}
	}
	return false
}

// NeedsV4 reports whether a push says what only a version 4 server
// understands.
func (p Push) NeedsV4() bool { return len(p.Radicado.Cites) > 0 }

// Actions are the audit actions a radicado's events may have: its
// radicación and annulment, and the steps of a salida's delivery (older
// stations send only the first two).
var Actions = []string{"radicar", "anular", "despacho", "guia", "despachado", "entregado", "devuelto"}

// Push is a radicado with its events, as a station sends it.
type Push struct {
	Radicado Radicado `json:"radicado"`
	Events   []Event  `json:"events"`
}

// The outcomes of a push.
const (
	Created  = "created"  // the server did not hold it and now does
	Already  = "already"  // the server held the same radicado
	Conflict = "conflict" // the server holds the number with other content
)

// PushResult is the server's answer to a push.
type PushResult struct {
	Status        string `json:"status"`
	Number        string `json:"number"`
	ContentSHA256 string `json:"content_sha256"` // of the radicado as the server holds it
	DocumentSHA   string `json:"document_sha256"`
	Annulled      bool   `json:"annulled"`
	Message       string `json:"message,omitempty"`
}

// Content gives the hash that says whether two copies of a radicado are the
// same: SHA-256 over its fields in a fixed order. Two stations, or a retry,
// that send the same radicado send the same content hash.
func (r Radicado) Content() string {
	files := make([]string, len(r.Files))
	for i, f := range r.Files {
		files[i] = fmt.Sprintf("%s:%d:%s:%s:%d", f.SHA256, f.Size, f.Name, f.MediaType, f.Pages)
	}
	fields := []any{r.Number, r.Year, r.Office, r.Station, r.Kind, r.Seq, r.ReceivedAt.UTC().Format(time.RFC3339Nano),
		r.Type, r.SenderName, r.SenderID, r.Subject, r.Dept, r.Due, r.Pages, r.SHA256, files}
	if r.Channel != "" || r.SenderEmail != "" || len(r.Answers) > 0 || r.Recipient != nil {
		// Only then, so that the radicados of older stations keep the hash
		// they were given.
		fields = append(fields, r.Channel, r.SenderEmail)
	}
	if len(r.Answers) > 0 || r.Recipient != nil {
		fields = append(fields, r.Answers, r.Recipient)
	}
	if len(r.Cites) > 0 {
		fields = append(fields, "cites", r.Cites)
	}
	b, _ := json.Marshal(fields)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// EventHash chains an audit event to the one before it: SHA-256 over its
// fields as a JSON array, which keeps their boundaries unambiguous. The
// station computes it when it records the event, the server checks it when
// the event arrives.
func EventHash(prev string, id int64, at time.Time, actor, action, number string, data []byte) string {
	b, err := json.Marshal([]any{prev, id, at.UTC().Format(time.RFC3339Nano), actor, action, number, string(data)})
	if err != nil {
		panic(err) // strings and an integer always marshal
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var sumRE = regexp.MustCompile(`^[0-9a-f]{64}$`)

// ValidSum reports whether s is a lower-case hex SHA-256.
func ValidSum(s string) bool { return sumRE.MatchString(s) }

// mediaRE is a media type as the station records it (type/subtype).
var mediaRE = regexp.MustCompile(`^[a-z]{1,20}/[a-z0-9][a-z0-9.+-]{0,79}$`)

// Bounds of a push.
const (
	MaxFiles     = 500      // files of one radicado
	MaxEvents    = 100      // events of one radicado in one push
	MaxEventData = 64 << 10 // bytes of one event's data
	MaxActor     = 100      // characters of who did something
)

// Check verifies a push before anything is stored, against the
// organisation's number pattern: the number reads back into the office,
// station, year, consecutive and kind the radicado gives; every text is
// clean UTF-8 within its limits; the year agrees with the time of receipt;
// file names are names, not paths; the document hash matches the files; and
// every event belongs to the radicado and carries its own hash.
func (p Push) Check(pat radicado.Pattern) error {
	r := p.Radicado
	parts, err := pat.Parse(r.Number)
	if err != nil {
		return fmt.Errorf("number: %w", err)
	}
	switch {
	case parts.Office != r.Office || parts.Station != r.Station || parts.Year != r.Year || parts.Seq != r.Seq || int(parts.Kind) != r.Kind:
		return errors.New("number: its office, station, year, consecutive or kind differ from the radicado's fields")
	case r.ReceivedAt.IsZero():
		return errors.New("received_at: missing")
	case r.ReceivedAt.Year() != r.Year:
		return fmt.Errorf("received_at: %s is not in %d, the number's year", r.ReceivedAt.Format(time.RFC3339), r.Year)
	case r.Year < 2000:
		return fmt.Errorf("year %d: before any radicado this system numbered", r.Year)
	case len(r.Files) == 0 || len(r.Files) > MaxFiles:
		return fmt.Errorf("files: from 1 to %d", MaxFiles)
	case !ValidSum(r.SHA256):
		return errors.New("sha256: not a SHA-256")
	}
	if err := radicado.CheckTypeCode(r.Type); err != nil {
		return fmt.Errorf("type: %w", err)
	}
	for _, t := range []struct {
		field, value string
		max          int
	}{{"sender_name", r.SenderName, radicado.MaxSenderName}, {"subject", r.Subject, radicado.MaxSubject}} {
		if err := radicado.CheckClean(t.field, t.value, t.max); err != nil {
			return err
		}
		if t.value == "" {
			return fmt.Errorf("%s: missing", t.field)
		}
	}
	if r.SenderID != "" {
		if id, err := ident.Parse(r.SenderID); err != nil || id.String() != r.SenderID {
			return fmt.Errorf("sender_id %q: TYPE:NUMBER as the station writes it", r.SenderID)
		}
	}
	if r.Dept != "" {
		if err := radicado.CheckDeptCode(r.Dept); err != nil {
			return fmt.Errorf("dept: %w", err)
		}
	}
	if r.Channel != "" && r.Channel != radicado.ChannelEmail {
		return fmt.Errorf("channel %q: empty (the ventanilla) or %q", r.Channel, radicado.ChannelEmail)
	}
	if r.SenderEmail != "" {
		if err := radicado.CheckEmail(r.SenderEmail); err != nil {
			return fmt.Errorf("sender_email: %w", err)
		}
	}
	if len(r.Answers) > 0 {
		if r.Kind == int(radicado.Entrada) {
			return errors.New("answers: an entrada answers nothing")
		}
		if len(r.Answers) > radicado.MaxAnswers {
			return fmt.Errorf("answers: at most %d", radicado.MaxAnswers)
		}
		for _, a := range r.Answers {
			if _, err := pat.Parse(a); err != nil {
				return fmt.Errorf("answers %q: %w", a, err)
			}
		}
	}
	if len(r.Cites) > radicado.MaxCites {
		return fmt.Errorf("cites: at most %d", radicado.MaxCites)
	}
	for i, c := range r.Cites {
		if _, err := pat.Parse(c); err != nil {
			return fmt.Errorf("cites %q: %w", c, err)
		}
		if c == r.Number || slices.Contains(r.Cites[:i], c) {
			return fmt.Errorf("cites %q: itself, or twice", c)
		}
	}
	if r.Recipient != nil {
		if r.Kind == int(radicado.Entrada) {
			return errors.New("recipient: an entrada has none")
		}
		if err := r.Recipient.Check(); err != nil {
			return fmt.Errorf("recipient: %w", err)
		}
	}
	if r.Due != "" {
		due, err := calendar.ParseDate(r.Due)
		if err != nil || due.String() != r.Due {
			return fmt.Errorf("due %q: a date, YYYY-MM-DD", r.Due)
		}
		if due.Before(calendar.DateOf(r.ReceivedAt)) {
			return fmt.Errorf("due %s: before the day of receipt", r.Due)
		}
		if calendar.DateOf(r.ReceivedAt).AddDays(MaxTermDays).Before(due) {
			return fmt.Errorf("due %s: more than %d days after receipt", r.Due, MaxTermDays)
		}
	}
	pages := 0
	for i, f := range r.Files {
		switch {
		case !ValidSum(f.SHA256):
			return fmt.Errorf("file %d: sha256: not a SHA-256", i+1)
		case f.Size < 0:
			return fmt.Errorf("file %d: size %d", i+1, f.Size)
		case f.Pages < 0 || f.Pages > radicado.MaxPages:
			return fmt.Errorf("file %d: pages %d: from 0 to %d", i+1, f.Pages, radicado.MaxPages)
		case !mediaRE.MatchString(f.MediaType):
			return fmt.Errorf("file %d: media_type %q", i+1, f.MediaType)
		}
		if err := radicado.CheckFileName(f.Name); err != nil {
			return fmt.Errorf("file %d: %w", i+1, err)
		}
		pages += f.Pages
	}
	if r.Pages != pages {
		return fmt.Errorf("pages: %d, and its files have %d", r.Pages, pages)
	}
	if radicado.DocumentHash(r.Files) != r.SHA256 {
		return errors.New("sha256: the files do not make this document hash")
	}
	if len(p.Events) > MaxEvents {
		return fmt.Errorf("events: at most %d in one push", MaxEvents)
	}
	for _, e := range p.Events {
		if err := e.check(r.Number); err != nil {
			return fmt.Errorf("event %d: %w", e.ID, err)
		}
	}
	return nil
}

// check verifies one event of the radicado number.
func (e Event) check(number string) error {
	switch {
	case e.Number != number:
		return fmt.Errorf("about %q, not this radicado", e.Number)
	case !slices.Contains(Actions, e.Action):
		return fmt.Errorf("action %q: one of %s", e.Action, strings.Join(Actions, ", "))
	case e.ID < 1:
		return errors.New("id: from 1")
	case e.At.IsZero():
		return errors.New("at: missing")
	case !ValidSum(e.Prev) || !ValidSum(e.Hash):
		return errors.New("prev and hash: SHA-256")
	case len(e.Data) > MaxEventData:
		return fmt.Errorf("data: more than %d bytes", MaxEventData)
	}
	if err := radicado.CheckPlain("actor", e.Actor, MaxActor); err != nil || e.Actor == "" {
		return fmt.Errorf("actor %q: the name of who did it, as text", e.Actor)
	}
	var data map[string]any
	if err := json.Unmarshal(e.Data, &data); err != nil || data == nil {
		return errors.New("data: a JSON object")
	}
	if e.Action == "anular" {
		reason, _ := data["reason"].(string)
		if err := radicado.CheckClean("reason", reason, radicado.MaxReason); err != nil || reason == "" {
			return errors.New("an annulment needs its written reason, as clean text")
		}
	}
	if e.Action != "radicar" && e.Action != "anular" {
		if err := checkDelivery(e.Action, e.Data); err != nil {
			return fmt.Errorf("%s: %w", e.Action, err)
		}
	}
	if EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data) != e.Hash {
		return errors.New("hash: the event's fields do not make its hash")
	}
	return nil
}

// DeliveryStep is the data of a step of a salida's delivery, as a station
// records it.
type DeliveryStep struct {
	Dispatch   int64  `json:"dispatch"`
	Attempt    int    `json:"attempt"`
	Courier    string `json:"courier,omitempty"`
	Service    string `json:"service,omitempty"`
	Guide      string `json:"guide,omitempty"`
	HandedOn   string `json:"handed_on,omitempty"`
	ExpectedBy string `json:"expected_by,omitempty"`
	On         string `json:"on,omitempty"`
	Reason     string `json:"reason,omitempty"`
	// An attempt by e-mail: where the server sends it.
	Email string `json:"email,omitempty"`
	// A corrected recipient for this attempt.
	ToName    string `json:"to_name,omitempty"`
	ToAddress string `json:"to_address,omitempty"`
	ToCity    string `json:"to_city,omitempty"`
}

// MaxAttempts bounds the attempts at delivering one salida.
const MaxAttempts = 50

// checkDelivery verifies a delivery step's data: its attempt, clean short
// texts, real dates, and what each step must say.
func checkDelivery(action string, data []byte) error {
	var d DeliveryStep
	if err := json.Unmarshal(data, &d); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if d.Attempt < 1 || d.Attempt > MaxAttempts || d.Dispatch < 1 {
		return fmt.Errorf("attempt %d of dispatch %d: attempts from 1 to %d", d.Attempt, d.Dispatch, MaxAttempts)
	}
	for _, f := range []struct{ field, value string }{{"courier", d.Courier}, {"service", d.Service}, {"guide", d.Guide}, {"reason", d.Reason},
		{"to_name", d.ToName}, {"to_address", d.ToAddress}, {"to_city", d.ToCity}} {
		if err := radicado.CheckClean(f.field, f.value, 300); err != nil {
			return err
		}
	}
	for _, f := range []struct{ field, value string }{{"handed_on", d.HandedOn}, {"expected_by", d.ExpectedBy}, {"on", d.On}} {
		if f.value == "" {
			continue
		}
		if day, err := calendar.ParseDate(f.value); err != nil || day.String() != f.value {
			return fmt.Errorf("%s %q: YYYY-MM-DD", f.field, f.value)
		}
	}
	if d.Email != "" {
		if err := radicado.CheckEmail(d.Email); err != nil {
			return err
		}
	}
	switch {
	case action == "despacho" && d.Courier == "":
		return errors.New("a dispatch names its courier")
	case action == "guia" && d.Guide == "":
		return errors.New("a guide step gives the guide")
	case action == "despachado" && d.HandedOn == "":
		return errors.New("a handing over says its day")
	case (action == "entregado" || action == "devuelto") && d.On == "":
		return errors.New("a result says its day")
	case action == "devuelto" && d.Reason == "":
		return errors.New("a return says why")
	}
	return nil
}

// Annulled reports whether the events annul the radicado, and why.
func (p Push) Annulled() (bool, string) {
	for _, e := range p.Events {
		if e.Action == "anular" {
			var d struct {
				Reason string `json:"reason"`
			}
			json.Unmarshal(e.Data, &d)
			return true, d.Reason
		}
	}
	return false, ""
}

// ManifestEntry is one radicado of a day, as the station holds it.
type ManifestEntry struct {
	Number        string `json:"number"`
	ContentSHA256 string `json:"content_sha256"`
	DocumentSHA   string `json:"document_sha256"`
	Annulled      bool   `json:"annulled"`
}

// Manifest is a station's account of a day, sent at day end.
type Manifest struct {
	Office    string          `json:"office"`
	Station   string          `json:"station"`
	Day       string          `json:"day"` // YYYY-MM-DD, the station's local day
	Count     int             `json:"count"`
	Radicados []ManifestEntry `json:"radicados"`
	// Anchor is the head of the station's audit chain at the day's end, as
	// printed on its planilla; the server keeps it as a second witness
	// (absent from stations older than anchors).
	Anchor *Anchor `json:"anchor,omitempty"`
}

// Anchor is the head of a station's audit chain at a moment: the last
// event's number in the chain, its hash and time.
type Anchor struct {
	ID   int64     `json:"id"`
	Hash string    `json:"hash"`
	At   time.Time `json:"at"`
}

// MinAnchorPrefix is the fewest hexadecimal digits of an anchor's hash a
// check takes (64 bits: no one recomputing a chain can make an event with
// the same beginning).
const MinAnchorPrefix = 16

// AnchorQRPrefix begins the text of an anchor's QR code.
const AnchorQRPrefix = "RADICADOR-ANCHOR"

// ParseAnchor reads an anchor as it is printed: its hash, whole or its
// first MinAnchorPrefix digits or more (spaces allowed), or the text of its
// QR code. It gives the hash or its beginning, in lower case, and the
// event's number when the QR code's text gives it (else 0).
func ParseAnchor(s string) (hash string, event int64, err error) {
	f := strings.Fields(s)
	if len(f) == 5 && f[0] == AnchorQRPrefix {
		if event, err = strconv.ParseInt(f[2], 10, 64); err != nil || event < 1 {
			return "", 0, fmt.Errorf("anchor %q: the QR code's event number %q", s, f[2])
		}
		f = f[4:]
	}
	h := strings.ToLower(strings.Join(f, ""))
	if len(h) < MinAnchorPrefix || len(h) > 64 || strings.Trim(h, "0123456789abcdef") != "" {
		return "", 0, fmt.Errorf("anchor %q: give the hash printed on the planilla (at least %d hexadecimal digits) or its QR code's text", s, MinAnchorPrefix)
	}
	return h, event, nil
}

// QRText gives the text of an anchor's QR code: what it is, the station,
// the event, its time and its whole hash.
func (a Anchor) QRText(office, station string) string {
	return fmt.Sprintf("%s %s-%s %d %s %s", AnchorQRPrefix, office, station, a.ID, a.At.UTC().Format(time.RFC3339), a.Hash)
}

// Short gives the hash as printed for a person: its first MinAnchorPrefix
// digits in groups of four.
func (a Anchor) Short() string {
	var b strings.Builder
	for i := 0; i < MinAnchorPrefix && i < len(a.Hash); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(a.Hash[i:min(i+4, len(a.Hash))])
	}
	return b.String()
}

// HeldAnchor is an anchor as the server keeps it.
type HeldAnchor struct {
	Anchor
	Office     string    `json:"office"`
	Station    string    `json:"station"`
	Day        string    `json:"day"`
	ReceivedAt time.Time `json:"received_at"`
}

// MaxManifest bounds the radicados of one day's manifest.
const MaxManifest = 20000

// Check verifies a manifest against the number pattern: codes of the
// pattern's widths, a date, and numbers and hashes well formed.
func (m Manifest) Check(pat radicado.Pattern) error {
	if err := pat.CheckCode("office", m.Office); err != nil {
		return err
	}
	if err := pat.CheckCode("station", m.Station); err != nil {
		return err
	}
	if d, err := calendar.ParseDate(m.Day); err != nil || d.String() != m.Day {
		return fmt.Errorf("day %q: YYYY-MM-DD", m.Day)
	}
	if len(m.Radicados) > MaxManifest || m.Count < 0 || m.Count > MaxManifest {
		return fmt.Errorf("a manifest holds at most %d radicados", MaxManifest)
	}
	if a := m.Anchor; a != nil && (a.ID < 1 || !ValidSum(a.Hash) || a.At.IsZero()) {
		return errors.New("anchor: an event's id, hash and time")
	}
	for _, e := range m.Radicados {
		if _, err := pat.Parse(e.Number); err != nil {
			return fmt.Errorf("radicados: %w", err)
		}
		if !ValidSum(e.ContentSHA256) || !ValidSum(e.DocumentSHA) {
			return fmt.Errorf("radicados: %s: content_sha256 and document_sha256 are SHA-256", e.Number)
		}
	}
	return nil
}

// ManifestResult is the server's check of a manifest.
type ManifestResult struct {
	OK         bool     `json:"ok"`
	Count      int      `json:"count"`      // radicados the server holds for the day
	Missing    []string `json:"missing"`    // in the manifest, not on the server
	Mismatched []string `json:"mismatched"` // held with other content or state
	Extra      []string `json:"extra"`      // on the server, not in the manifest
	// AnchorMismatch says the server holds another hash for the anchor's
	// event (from an earlier day end, or the event itself): the station's
	// audit chain was rewritten.
	AnchorMismatch bool `json:"anchor_mismatch,omitempty"`
}

// Whoami is who a token belongs to.
type Whoami struct {
	Office  string `json:"office"`
	Station string `json:"station"`
	Admin   bool   `json:"admin"`
	// Pattern is the organisation's number pattern, set on the server:
	// a station enrols only when its own agrees (empty from servers
	// older than the pattern's check).
	Pattern string `json:"pattern,omitempty"`
	// Protocol is the protocol version the server speaks (0: 1).
	Protocol int `json:"protocol,omitempty"`
}

// Problem is an error answer (RFC 9457 style).
type Problem struct {
	Status int    `json:"status"`
	Title  string `json:"title"`
	Detail string `json:"detail,omitempty"`
}

// Held is a radicado as the server lists it.
type Held struct {
	Radicado
	ContentSHA256 string    `json:"content_sha256"`
	Annulled      bool      `json:"annulled"`
	AnnulReason   string    `json:"annul_reason,omitempty"`
	ArrivedAt     time.Time `json:"arrived_at"`
}

// MaxTermDays bounds a due date, in calendar days after receipt: a term
// of 365 business days, extended to double, fits.
const MaxTermDays = 1100

// DocType is a document type of the organisation, with its response term
// in business days (0: none).
type DocType struct {
	Code string `json:"code"`
	Name string `json:"name"`
	Days int    `json:"days"`
}

// OrgConfig is the organisation's configuration that the server gives the
// stations (GET /config): set once there, numbered by Version. A station
// that has it keeps these settings as the server's, read-only.
type OrgConfig struct {
	Version      int64              `json:"version"`
	Organization string             `json:"organization"`
	Pattern      string             `json:"pattern"`
	Hours        string             `json:"hours"`
	Types        []DocType          `json:"types"`
	Depts        map[string]string  `json:"depts"`  // code → name
	Routes       map[string]string  `json:"routes"` // document type → department code
	Closures     []calendar.Closure `json:"closures"`
}

// Acuse is where the acuse de recibo of a station's radicado stands: the
// server sends it by e-mail to the sender.
type Acuse struct {
	Number string    `json:"number"`
	To     string    `json:"to"`
	State  string    `json:"state"` // pendiente, enviado or fallido
	At     time.Time `json:"at"`    // sent, or queued
	Error  string    `json:"error,omitempty"`
	// Kind is "salida" for a salida's attempt by e-mail (that Attempt),
	// which the server sent; empty for an acuse.
	Kind    string `json:"kind,omitempty"`
	Attempt int    `json:"attempt,omitempty"`
}

// The states of an acuse.
const (
	AcusePending = "pendiente" // queued, or tried and to be tried again
	AcuseSent    = "enviado"   // the mail server took it
	AcuseFailed  = "fallido"   // refused for good, or given up
)

// Returned is a station's radicado that a department sent back to the
// ventanilla as not its own (GET /returned gives those still so).
type Returned struct {
	Number string    `json:"number"`
	Reason string    `json:"reason"`
	By     string    `json:"by"`
	At     time.Time `json:"at"`
}
