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
	"strings"
	"time"
)

// APIPrefix is where the API lives.
const APIPrefix = "/api/v1"

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

// File is one file of a radicado's document.
type File struct {
	SHA256    string `json:"sha256"`
	Size      int64  `json:"size"`
	Name      string `json:"name"`
	MediaType string `json:"media_type"`
	Pages     int    `json:"pages"`
}

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
}

// Event is one audit event of the station that concerns a radicado.
type Event struct {
	ID     int64           `json:"id"` // in the station's own log
	At     time.Time       `json:"at"`
	Actor  string          `json:"actor"`
	Action string          `json:"action"` // radicar, anular
	Number string          `json:"number"`
	Data   json.RawMessage `json:"data"`
	Prev   string          `json:"prev"`
	Hash   string          `json:"hash"`
}

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
	b, _ := json.Marshal([]any{r.Number, r.Year, r.Office, r.Station, r.Kind, r.Seq, r.ReceivedAt.UTC().Format(time.RFC3339Nano),
		r.Type, r.SenderName, r.SenderID, r.Subject, r.Dept, r.Due, r.Pages, r.SHA256, files})
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// DocumentHash gives the document hash of files, as the station computes it
// (SHA-256 of the files' SHA-256 values in order, one per line).
func DocumentHash(files []File) string {
	h := sha256.New()
	for _, f := range files {
		h.Write([]byte(f.SHA256 + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

var (
	sumRE    = regexp.MustCompile(`^[0-9a-f]{64}$`)
	codeRE   = regexp.MustCompile(`^[0-9]{1,12}$`)
	numberRE = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,60}$`)
)

// ValidSum reports whether s is a lower-case hex SHA-256.
func ValidSum(s string) bool { return sumRE.MatchString(s) }

// ValidNumber reports whether s can be a radicado number.
func ValidNumber(s string) bool { return numberRE.MatchString(s) }

// MaxFiles bounds the files of one radicado.
const MaxFiles = 500

// Check verifies a push before anything is stored: well-formed fields,
// file names without paths, a document hash that matches the files, and
// events that belong to the radicado.
func (p Push) Check() error {
	r := p.Radicado
	switch {
	case !ValidNumber(r.Number):
		return errors.New("number: not a radicado number")
	case !codeRE.MatchString(r.Office) || !codeRE.MatchString(r.Station):
		return errors.New("office and station: digits")
	case r.Kind < 1 || r.Kind > 3 || r.Seq < 1 || r.Year < 1900 || r.Year > 9999:
		return errors.New("kind, seq or year out of range")
	case r.ReceivedAt.IsZero():
		return errors.New("received_at missing")
	case len(r.Files) == 0 || len(r.Files) > MaxFiles:
		return fmt.Errorf("files: from 1 to %d", MaxFiles)
	case !ValidSum(r.SHA256):
		return errors.New("sha256: not a SHA-256")
	}
	for i, f := range r.Files {
		if !ValidSum(f.SHA256) || f.Size < 0 || f.Pages < 0 {
			return fmt.Errorf("file %d: bad hash or size", i+1)
		}
		if f.Name == "" || strings.ContainsAny(f.Name, `/\`) || f.Name == "." || f.Name == ".." || strings.ContainsRune(f.Name, 0) {
			return fmt.Errorf("file %d: name %q: a file name, not a path", i+1, f.Name)
		}
	}
	if DocumentHash(r.Files) != r.SHA256 {
		return errors.New("sha256: the files do not make this document hash")
	}
	for _, e := range p.Events {
		if e.Number != r.Number {
			return fmt.Errorf("event %d is about %q, not %q", e.ID, e.Number, r.Number)
		}
		if e.Action != "radicar" && e.Action != "anular" {
			return fmt.Errorf("event %d: action %q", e.ID, e.Action)
		}
		if !ValidSum(e.Hash) {
			return fmt.Errorf("event %d: bad hash", e.ID)
		}
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
}

// ManifestResult is the server's check of a manifest.
type ManifestResult struct {
	OK         bool     `json:"ok"`
	Count      int      `json:"count"`      // radicados the server holds for the day
	Missing    []string `json:"missing"`    // in the manifest, not on the server
	Mismatched []string `json:"mismatched"` // held with other content or state
	Extra      []string `json:"extra"`      // on the server, not in the manifest
}

// Whoami is who a token belongs to.
type Whoami struct {
	Office  string `json:"office"`
	Station string `json:"station"`
	Admin   bool   `json:"admin"`
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
