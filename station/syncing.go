package station

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/wire"
)

// Syncing is the service of the central server: enrolment, sync rounds
// (now, or in the background from Start until Close), the day-end
// manifest and the server's planilla. It keeps one client, with its
// connections, as long as the credentials do not change.
type Syncing struct {
	*core
	retry chan struct{} // the clerk asks for a round now

	mu     sync.Mutex
	client *client.Client
	cred   client.Credentials
	opt    client.Options // the options of every client: Options, unless a test sets them

	bg background
}

func newSyncing(c *core) *Syncing {
	return &Syncing{core: c, retry: make(chan struct{}, 1), opt: clientOptions}
}

// clientOptions pace the client's retries within a sync round: a few, not
// long (the round is tried again later, in the background or by hand).
var clientOptions = client.Options{Retries: 3, MaxWait: 10 * time.Second}

// SyncEvent is what one round of background sync did.
type SyncEvent struct {
	Report   client.Report
	Err      error
	Enrolled bool          // false: the station has no server yet
	Next     time.Duration // when the next round comes, unless a change comes first
}

// SyncOptions pace background sync.
type SyncOptions struct {
	Every time.Duration // between rounds while all is well (default 1 min)
	Max   time.Duration // the longest wait after failures (default 10 min)
}

// Report is what a sync round did.
type SyncReport = client.Report

// Enroll checks a token with the server and keeps it: the token must be
// this station's (its office and station codes), and the station must
// number with the server's pattern (taking it when it has numbered
// nothing yet).
func (s *Syncing) Enroll(ctx context.Context, server, token string) (wire.Whoami, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return wire.Whoami{}, err
	}
	c, err := client.New(server, token, s.store, client.Options{Retries: 2, Timeout: 30 * time.Second, Clock: s.store.Now})
	if err != nil {
		return wire.Whoami{}, err
	}
	who, err := c.Whoami(ctx)
	if err != nil {
		return who, err
	}
	if who.Admin {
		return who, errors.New("that is an administrator's token; a station needs its own (radicador-server station add)")
	}
	if who.Office != cfg.Office || who.Station != cfg.Station {
		return who, fmt.Errorf("that token is for office %s station %s, and this station is office %s station %s (radicador config)",
			who.Office, who.Station, cfg.Office, cfg.Station)
	}
	if who.Pattern != "" && who.Pattern != cfg.Pattern {
		// The server numbers the organisation: a station that has not
		// numbered anything yet takes its pattern; one that has cannot.
		some, err := s.store.List(ctx, store.Filter{Limit: 1})
		if err != nil {
			return who, err
		}
		if len(some) > 0 {
			return who, fmt.Errorf("the server's number pattern is %s and this station has numbered with %s; the server would refuse its radicados: ask the administrator",
				who.Pattern, cfg.Pattern)
		}
		settings := &Settings{core: s.core}
		if err := settings.Set(ctx, map[string]*string{KeyPattern: &who.Pattern}); err != nil {
			return who, fmt.Errorf("taking the server's number pattern %s: %w", who.Pattern, err)
		}
	}
	return who, client.SaveCredentials(s.store.Dir(), client.Credentials{Server: server, Token: token})
}

// Server gives the address of the server the station is enrolled with, or
// "" when it is not enrolled.
func (s *Syncing) Server() string {
	cred, err := client.LoadCredentials(s.store.Dir())
	if err != nil {
		return ""
	}
	return cred.Server
}

// clientFor gives the client of the server the station is enrolled with
// (server, when not empty, overrides the address): the same one, with its
// connections, while the credentials are the same.
func (s *Syncing) clientFor(server string) (*client.Client, error) {
	cred, err := client.LoadCredentials(s.store.Dir())
	if err != nil {
		return nil, err
	}
	if server != "" {
		cred.Server = server
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil && s.cred == cred {
		return s.client, nil
	}
	opt := s.opt
	opt.Clock = s.store.Now
	c, err := client.New(cred.Server, cred.Token, s.store, opt)
	if err != nil {
		return nil, err
	}
	if s.client != nil {
		s.client.Close()
	}
	s.client, s.cred = c, cred
	return c, nil
}

// Once runs a sync round now, in this goroutine: every pending change goes
// to the server (server, when not empty, overrides its address).
func (s *Syncing) Once(ctx context.Context, server string) (client.Report, error) {
	c, err := s.clientFor(server)
	if err != nil {
		return client.Report{}, err
	}
	return s.round(ctx, c)
}

// round sends what is pending, then takes the organisation's configuration
// when the server has a newer one, and what the departments returned.
func (s *Syncing) round(ctx context.Context, c *client.Client) (client.Report, error) {
	rep, err := c.Sync(ctx)
	var refused *client.StatusError
	if err != nil && !(errors.As(err, &refused) && refused.Status < 500) {
		return rep, err // the server or the network failed: nothing more now
	}
	// A radicado the server refused does not keep the rest from coming:
	// the configuration may be what it needs.
	if cerr := s.takeConfig(ctx, c); cerr != nil {
		return rep, errors.Join(err, cerr)
	}
	return rep, errors.Join(err, s.takeReturned(ctx, c), s.takeAcuses(ctx, c))
}

// DayEnd syncs, then sends the day's manifest, with the head of the audit
// chain (anchor; nil: as it stands at the day's end, or now), for the
// server to check against what it holds.
func (s *Syncing) DayEnd(ctx context.Context, server string, day calendar.Date, anchor *store.Anchor) (client.Report, wire.ManifestResult, error) {
	c, err := s.clientFor(server)
	if err != nil {
		return client.Report{}, wire.ManifestResult{}, err
	}
	rep, err := c.Sync(ctx)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	cfg, err := s.config(ctx)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	m, err := c.Manifest(ctx, cfg.Office, cfg.Station, day, time.Local)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	if anchor == nil {
		records := &Records{core: s.core}
		if a, err := records.Anchor(ctx, day); err == nil {
			anchor = &a
		} else if !errors.Is(err, store.ErrNoEvents) {
			return rep, wire.ManifestResult{}, err
		}
	}
	m.Anchor = anchor
	res, err := c.CheckManifest(ctx, m)
	if err == nil {
		if serr := s.store.SetSyncState(ctx, "day_end_"+day.String(), res); serr != nil {
			return rep, res, serr
		}
	}
	return rep, res, err
}

// ServerPlanilla writes the server's planilla of a day (format csv or pdf)
// to w.
func (s *Syncing) ServerPlanilla(ctx context.Context, day calendar.Date, format string, w io.Writer) error {
	c, err := s.clientFor("")
	if err != nil {
		return err
	}
	return c.Planilla(ctx, day.String(), format, w)
}

// Status tells how many radicados wait for the server, and since when it
// last confirmed one.
func (s *Syncing) Status(ctx context.Context) (store.SyncStatus, error) {
	return s.store.SyncStatus(ctx)
}

// Wake asks background sync for a round now, even while it waits longer
// after failures: the clerk knows the network is back.
func (s *Syncing) Wake() {
	select {
	case s.retry <- struct{}{}:
	default:
	}
}

// Start syncs in the background until Close: at once, soon after each
// radicación or annulment, and every opt.Every. While the server cannot be
// reached it waits longer after each failure (with jitter, up to opt.Max)
// and changes do not hurry it (Wake does). A station that is not enrolled
// yet is checked again every round, so enrolling needs no restart. Each
// round is told to report (which may be nil), from the background
// goroutine.
func (s *Syncing) Start(ctx context.Context, opt SyncOptions, report func(SyncEvent)) {
	if opt.Every <= 0 {
		opt.Every = time.Minute
	}
	if opt.Max <= 0 {
		opt.Max = 10 * time.Minute
	}
	s.bg.start(ctx, func(ctx context.Context) { s.loop(ctx, opt, report) })
}

// Close stops background sync, waits for it, and lets go of the client's
// connections.
func (s *Syncing) Close() {
	s.bg.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.client != nil {
		s.client.Close()
		s.client = nil
	}
}

func (s *Syncing) loop(ctx context.Context, opt SyncOptions, report func(SyncEvent)) {
	failures := 0
	for {
		ev := SyncEvent{Enrolled: true}
		c, err := s.clientFor("")
		switch {
		case errors.Is(err, client.ErrNotEnrolled):
			ev.Enrolled = false
		case err != nil:
			ev.Err = err
		default:
			ev.Report, ev.Err = s.round(ctx, c)
		}
		if ctx.Err() != nil {
			return
		}
		wait := opt.Every
		if ev.Err != nil {
			failures++
			wait = min(opt.Every<<min(failures, 10), opt.Max)
			wait = wait/2 + rand.N(wait/2+1)
		} else {
			failures = 0
		}
		ev.Next = wait
		if report != nil {
			report(ev)
		}
		timer := time.NewTimer(wait)
		nudge := s.nudge
		if failures > 0 {
			nudge = nil // the server is down: a change does not hurry the next try
		}
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-nudge:
			timer.Stop()
		case <-s.retry:
			timer.Stop()
			failures = 0
		}
	}
}
