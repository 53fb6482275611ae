package station

import (
	"context"
	"errors"
	"math/rand/v2"
	"time"

	"github.com/radicador/radicador/sync/client"
)

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

// changed tells background sync that something waits for the server.
func (s *Station) changed() {
	for _, c := range []chan struct{}{s.nudge, s.fresh} {
		select {
		case c <- struct{}{}:
		default:
		}
	}
}

// SyncNow asks background sync for a round now, even while it waits
// longer after failures: the clerk knows the network is back.
func (s *Station) SyncNow() {
	select {
	case s.retry <- struct{}{}:
	default:
	}
}

// Server gives the address of the server the station is enrolled with, or
// "" when it is not enrolled.
func (s *Station) Server() string {
	cred, err := client.LoadCredentials(s.store.Dir())
	if err != nil {
		return ""
	}
	return cred.Server
}

// ReadInBackground reads radicados whose document has not been read yet
// (OCR, searchable PDF with its stamp, full-text index) until ctx ends: at
// once, soon after each radicación, and every few minutes for any that
// failed. Each round that read something, or failed, is told to report
// (which may be nil).
func (s *Station) ReadInBackground(ctx context.Context, report func(read int, err error)) {
	for {
		n, err := s.ReadPending(ctx)
		if ctx.Err() != nil {
			return
		}
		if report != nil && (n > 0 || err != nil) {
			report(n, err)
		}
		select {
		case <-ctx.Done():
			return
		case <-s.fresh:
		case <-time.After(5 * time.Minute):
		}
	}
}

// SyncInBackground syncs until ctx ends: at once, soon after each
// radicación or annulment, and every opt.Every. While the server cannot be
// reached it waits longer after each failure (with jitter, up to opt.Max)
// and changes do not hurry it (SyncNow does). A station that is not enrolled yet is
// checked again every round, so enrolling needs no restart. Each round is
// told to report (which may be nil), from this goroutine.
func (s *Station) SyncInBackground(ctx context.Context, opt SyncOptions, report func(SyncEvent)) {
	if opt.Every <= 0 {
		opt.Every = time.Minute
	}
	if opt.Max <= 0 {
		opt.Max = 10 * time.Minute
	}
	failures := 0
	for {
		ev := SyncEvent{Enrolled: true}
		c, err := s.SyncClient("", client.Options{Retries: 2, MaxWait: 5 * time.Second})
		switch {
		case errors.Is(err, client.ErrNotEnrolled):
			ev.Enrolled = false
		case err != nil:
			ev.Err = err
		default:
			ev.Report, ev.Err = c.Sync(ctx)
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
