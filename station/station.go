// Package station is the station's service layer: the operations that the
// desktop screens and the command line share (radicar, annul, look up, list,
// search, verify, configure), over the store, the calendar and the number
// pattern. Nothing here knows about Fyne.
package station

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// Station is an open data folder with its configuration.
type Station struct {
	store *store.Store
	actor string
	read  reader
	nudge chan struct{} // a change waits for the server
	fresh chan struct{} // a radicado waits to be read
	retry chan struct{} // the clerk asks for a sync round now
}

// Options adjust a station.
type Options struct {
	// Actor names who works at the station in the audit log; empty means
	// the operating system's user.
	Actor string
	// Clock is the store's clock (nil: the system clock). Tests set it.
	Clock func() time.Time
}

// Open opens the station whose data lives in dir.
func Open(ctx context.Context, dir string, opt Options) (*Station, error) {
	st, err := store.Open(ctx, dir, store.Options{Clock: opt.Clock})
	if err != nil {
		return nil, err
	}
	actor := opt.Actor
	if actor == "" {
		actor = systemUser()
	}
	return &Station{store: st, actor: actor, nudge: make(chan struct{}, 1), fresh: make(chan struct{}, 1), retry: make(chan struct{}, 1)}, nil
}

// Close stops the OCR engines, if they were started, and closes the
// station's database.
func (s *Station) Close() error {
	if s.read.engine != nil {
		s.read.engine.Close()
	}
	return s.store.Close()
}

// Store gives the station's store, for the services built on it.
func (s *Station) Store() *store.Store { return s.store }

// Actor gives the name recorded in the audit log for this station's changes.
func (s *Station) Actor() string { return s.actor }

func systemUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	for _, k := range []string{"USER", "USERNAME"} {
		if v := os.Getenv(k); v != "" {
			return v
		}
	}
	return "desconocido"
}

// DefaultDataDir gives the folder where a station keeps its data when none
// is given: $RADICADOR_DATA, else the user's data folder (XDG_DATA_HOME or
// ~/.local/share on Linux, %LocalAppData% on Windows, Application Support on
// macOS) followed by "radicador".
func DefaultDataDir() (string, error) {
	if d := os.Getenv("RADICADOR_DATA"); d != "" {
		return d, nil
	}
	switch runtime.GOOS {
	case "windows":
		if d := os.Getenv("LocalAppData"); d != "" {
			return filepath.Join(d, "Radicador"), nil
		}
	case "darwin":
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, "Library", "Application Support", "Radicador"), nil
		}
	default:
		if d := os.Getenv("XDG_DATA_HOME"); d != "" {
			return filepath.Join(d, "radicador"), nil
		}
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, ".local", "share", "radicador"), nil
		}
	}
	return "", errors.New("no data folder: set RADICADOR_DATA or give --data")
}

// Request is what the clerk gives to radicar a letter. The time of receipt
// is not part of it: it comes from the clock.
type Request struct {
	Kind       radicado.Kind
	Type       string
	SenderName string
	SenderID   string // TYPE:NUMBER, e.g. CC:79845112; may be empty
	Subject    string
	Dept       string
	Files      []string // the document's files in page order
}

// Radicar checks the request and its files, stores the files, and gives the
// letter its number. When anything is wrong nothing is recorded.
func (s *Station) Radicar(ctx context.Context, req Request) (radicado.Record, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return radicado.Record{}, err
	}
	draft, err := s.check(cfg, req)
	if err != nil {
		return radicado.Record{}, err
	}
	infos := make([]document.Info, len(req.Files))
	names := make([]string, len(req.Files))
	for i, p := range req.Files {
		if names[i], err = radicado.CleanFileName(filepath.Base(p)); err != nil {
			return radicado.Record{}, fmt.Errorf("%s: %w", p, err)
		}
		if infos[i], err = document.Inspect(p); err != nil {
			return radicado.Record{}, fileError(p, err)
		}
	}
	for i, p := range req.Files {
		sum, size, err := s.store.Blobs().PutFile(ctx, p)
		if err != nil {
			return radicado.Record{}, fmt.Errorf("keeping %s: %w", p, err)
		}
		if size != infos[i].Size {
			return radicado.Record{}, fmt.Errorf("%s changed while it was being read; scan or copy it again", p)
		}
		draft.Files = append(draft.Files, radicado.File{
			SHA256: sum, Size: size, Name: names[i], MediaType: infos[i].MediaType, Pages: infos[i].Pages,
		})
	}
	rec, err := s.store.Radicar(ctx, draft)
	if err == nil {
		s.changed()
	}
	return rec, err
}

// check validates a request against the configuration and gives the draft
// it makes, without its files.
func (s *Station) check(cfg Config, req Request) (store.Draft, error) {
	if !req.Kind.Valid() {
		return store.Draft{}, errors.New("choose the kind: entrada, salida or interna")
	}
	dt, err := radicado.FindType(cfg.Types, req.Type)
	if err != nil {
		return store.Draft{}, err
	}
	name, err := radicado.CleanText("sender", req.SenderName, radicado.MaxSenderName)
	if err != nil {
		return store.Draft{}, err
	}
	if name == "" {
		return store.Draft{}, errors.New("the sender's name is missing")
	}
	subject, err := radicado.CleanText("subject", req.Subject, radicado.MaxSubject)
	if err != nil {
		return store.Draft{}, err
	}
	if subject == "" {
		return store.Draft{}, errors.New("the subject is missing")
	}
	id, err := ident.Parse(req.SenderID)
	if err != nil {
		return store.Draft{}, fmt.Errorf("sender ID: %w", err)
	}
	dept := strings.TrimSpace(req.Dept)
	if dept != "" {
		if err := radicado.CheckDeptCode(dept); err != nil {
			return store.Draft{}, err
		}
	}
	if len(req.Files) == 0 {
		return store.Draft{}, errors.New("no document: give at least one scanned page or file")
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return store.Draft{}, err
	}
	return store.Draft{
		Pattern: cfg.ParsedPattern(), Office: cfg.Office, Station: cfg.Station, Kind: req.Kind,
		Type: dt.Code, Sender: radicado.Sender{Name: name, ID: id}, Subject: subject, Dept: dept,
		Actor: s.actor, Keywords: dt.Name,
		Due: func(received time.Time) (calendar.Date, error) { return cal.Due(received, dt.Days) },
	}, nil
}

func fileError(path string, err error) error {
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("file %s does not exist", path)
	case errors.Is(err, os.ErrPermission):
		return fmt.Errorf("file %s cannot be read: permission denied", path)
	}
	return err
}

// Anular annuls number for reason. The number stays, marked annulled.
func (s *Station) Anular(ctx context.Context, number, reason string) (radicado.Record, error) {
	reason, err := radicado.CleanText("reason", reason, radicado.MaxReason)
	if err != nil {
		return radicado.Record{}, err
	}
	if reason == "" {
		return radicado.Record{}, errors.New("an annulment needs a written reason")
	}
	rec, err := s.store.Anular(ctx, strings.TrimSpace(number), s.actor, reason)
	if err == nil {
		s.changed()
	}
	return rec, err
}

// Get gives one radicado with its files.
func (s *Station) Get(ctx context.Context, number string) (radicado.Record, error) {
	return s.store.Get(ctx, strings.TrimSpace(number))
}

// List gives radicados newest first.
func (s *Station) List(ctx context.Context, f store.Filter) ([]radicado.Record, error) {
	return s.store.List(ctx, f)
}

// Search finds radicados by any word of their number, sender, subject or
// content.
func (s *Station) Search(ctx context.Context, text string, limit int) ([]radicado.Record, error) {
	return s.store.Search(ctx, text, limit)
}

// Verify checks the audit chain, the database and every file.
func (s *Station) Verify(ctx context.Context) (store.Report, error) {
	return s.store.Verify(ctx)
}

// DueFor gives the due date of a letter of docType received on day (during
// office hours); the zero Date when the type has no term.
func (s *Station) DueFor(ctx context.Context, day calendar.Date, docType string) (calendar.Date, error) {
	cfg, cal, days, err := s.term(ctx, docType)
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.Due(day.In(time.Local).Add(cfg.hours.Open), days)
}

// DueIn gives the day a term of days business days ends for a letter
// received on day during office hours.
func (s *Station) DueIn(ctx context.Context, day calendar.Date, days int) (calendar.Date, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return calendar.Date{}, err
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.Due(day.In(time.Local).Add(cfg.hours.Open), days)
}

// DueNow gives the due date a letter of docType radicated now would get:
// after closing time its term counts from the next business day. The zero
// Date when the type has no term.
func (s *Station) DueNow(ctx context.Context, docType string) (calendar.Date, error) {
	_, cal, days, err := s.term(ctx, docType)
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.Due(s.store.Now(), days)
}

// term gives the configuration, its calendar and the term of docType in
// business days.
func (s *Station) term(ctx context.Context, docType string) (Config, *calendar.Calendar, int, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return cfg, nil, 0, err
	}
	dt, err := radicado.FindType(cfg.Types, docType)
	if err != nil {
		return cfg, nil, 0, err
	}
	cal, err := cfg.Calendar()
	return cfg, cal, dt.Days, err
}

// PendingSync counts the radicados waiting to reach the central server.
func (s *Station) PendingSync(ctx context.Context) (int, error) {
	return s.store.PendingSync(ctx)
}
