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
	"time"

	"github.com/radicador/radicador/store"
)

// Station is an open data folder and the services over it, each with one
// job: Records (radicar, annul, look up, the day's sheet, previews),
// Reading (OCR, fields, type, the searchable PDF), Printing (stickers,
// receipts, the print queue), Sync (the central server), Settings (the
// configuration), Mail (the messages of the mailbox) and Despacho (sending
// salidas out by courier). Reading and Sync run background work from their Start
// until Close; Station.Close stops them, waits for them, and closes the
// store. Screens and commands talk to these services, never to the store.
type Station struct {
	Records  *Records
	Reading  *Reading
	Printing *Printing
	Sync     *Syncing
	Settings *Settings
	Mail     *Mail
	Despacho *Despacho

	core *core
}

// core is what the services share: the store, who acts, and the signals
// that wake background work.
type core struct {
	store *store.Store
	actor string
	nudge chan struct{} // a change waits for the server
	fresh chan struct{} // a radicado waits to be read
}

// changed tells background work that a radicado was made or changed.
func (c *core) changed() {
	for _, ch := range []chan struct{}{c.nudge, c.fresh} {
		select {
		case ch <- struct{}{}:
		default:
		}
	}
}

// config reads the station's configuration.
func (c *core) config(ctx context.Context) (Config, error) {
	settings, err := c.store.Settings(ctx)
	if err != nil {
		return Config{}, err
	}
	cfg, err := configFrom(settings)
	if err != nil {
		return cfg, fmt.Errorf("the stored configuration is not valid: %w", err)
	}
	return cfg, nil
}

// Options adjust a station.
type Options struct {
	// Actor names who works at the station in the audit log; empty means
	// the operating system's user.
	Actor string
	// Clock is the store's clock (nil: the system clock). Tests set it.
	Clock func() time.Time
	// ReadOnly opens the data folder without writing to it (an auditor's
	// copy, a backup mounted read-only): looking up, listing, searching,
	// verifying and the day's sheet work; anything that writes fails.
	ReadOnly bool
}

// Open opens the station whose data lives in dir.
func Open(ctx context.Context, dir string, opt Options) (*Station, error) {
	st, err := store.Open(ctx, dir, store.Options{Clock: opt.Clock, ReadOnly: opt.ReadOnly})
	if err != nil {
		return nil, err
	}
	actor := opt.Actor
	if actor == "" {
		actor = systemUser()
	}
	if !opt.ReadOnly {
		sweepTmp(dir)
	}
	c := &core{store: st, actor: actor, nudge: make(chan struct{}, 1), fresh: make(chan struct{}, 1)}
	s := &Station{core: c, Records: &Records{core: c}, Printing: &Printing{core: c}, Settings: &Settings{core: c}}
	s.Reading = newReading(c)
	s.Sync = newSyncing(c)
	s.Records.reading = s.Reading
	s.Mail = &Mail{core: c, records: s.Records, reading: s.Reading, settle: make(chan struct{}, 1)}
	s.Despacho = &Despacho{core: c, records: s.Records}
	return s, nil
}

// Writable reports whether the data folder dir can be written: a station
// opened on one that cannot must be opened ReadOnly.
func Writable(dir string) bool {
	f, err := os.CreateTemp(dir, ".writable-*")
	if err != nil {
		return false
	}
	f.Close()
	os.Remove(f.Name())
	return true
}

// Close stops the background work of Reading and Sync and waits for it,
// stops the OCR engines if they were started, and closes the database.
func (s *Station) Close() error {
	s.Mail.Close()
	s.Sync.Close()
	s.Reading.Close()
	return s.core.store.Close()
}

// Dir gives the data folder.
func (s *Station) Dir() string { return s.core.store.Dir() }

// Actor gives the name recorded in the audit log for this station's changes.
func (s *Station) Actor() string { return s.core.actor }

// Now reads the station's clock.
func (s *Station) Now() time.Time { return s.core.store.Now() }

// WorkDir gives a folder of the data folder's tmp/ for work in progress
// (the pages on the reception screen, a rescan), creating it.
func (s *Station) WorkDir(name string) (string, error) {
	dir := filepath.Join(s.core.store.Dir(), "tmp", name)
	return dir, os.MkdirAll(dir, 0o750)
}

// Types the services take and give, from the store.
type (
	// Filter selects radicados for Records.List.
	Filter = store.Filter
	// PrintJob is a sticker or receipt sent, or waiting, for a printer.
	PrintJob = store.PrintJob
	// SyncStatus is how far the station is with the server.
	SyncStatus = store.SyncStatus
	// Report is what Records.Verify found.
	Report = store.Report
)

// Errors the screens explain in the clerk's words.
var (
	ErrClockBehind = store.ErrClockBehind
	ErrDiskFull    = store.ErrDiskFull
	ErrBusy        = store.ErrBusy
	ErrNotFound    = store.ErrNotFound
	ErrReadOnly    = store.ErrReadOnly
)

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
