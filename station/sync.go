package station

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/planilla"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/wire"
)

// Enroll checks a token with the server and keeps it: the token must be
// this station's (its office and station codes).
func (s *Station) Enroll(ctx context.Context, server, token string) (wire.Whoami, error) {
	cfg, err := s.Config(ctx)
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
		if err := s.Set(ctx, map[string]*string{KeyPattern: &who.Pattern}); err != nil {
			return who, fmt.Errorf("taking the server's number pattern %s: %w", who.Pattern, err)
		}
	}
	return who, client.SaveCredentials(s.store.Dir(), client.Credentials{Server: server, Token: token})
}

// SyncClient gives a client of the server the station is enrolled with
// (server, when not empty, overrides the address).
func (s *Station) SyncClient(server string, opt client.Options) (*client.Client, error) {
	cred, err := client.LoadCredentials(s.store.Dir())
	if err != nil {
		return nil, err
	}
	if server != "" {
		cred.Server = server
	}
	if opt.Clock == nil {
		opt.Clock = s.store.Now
	}
	return client.New(cred.Server, cred.Token, s.store, opt)
}

// Sync sends every pending change to the server.
func (s *Station) Sync(ctx context.Context, server string) (client.Report, error) {
	c, err := s.SyncClient(server, client.Options{})
	if err != nil {
		return client.Report{}, err
	}
	return c.Sync(ctx)
}

// DayEnd syncs, then sends the day's manifest for the server to check
// against what it holds.
func (s *Station) DayEnd(ctx context.Context, server string, day calendar.Date) (client.Report, wire.ManifestResult, error) {
	c, err := s.SyncClient(server, client.Options{})
	if err != nil {
		return client.Report{}, wire.ManifestResult{}, err
	}
	rep, err := c.Sync(ctx)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	cfg, err := s.Config(ctx)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	m, err := c.Manifest(ctx, cfg.Office, cfg.Station, day, time.Local)
	if err != nil {
		return rep, wire.ManifestResult{}, err
	}
	res, err := c.CheckManifest(ctx, m)
	if err == nil {
		s.store.SetSyncState(ctx, "day_end_"+day.String(), res)
	}
	return rep, res, err
}

// SyncStatus tells how many radicados wait for the server, and since when
// it last confirmed one.
func (s *Station) SyncStatus(ctx context.Context) (store.SyncStatus, error) {
	return s.store.SyncStatus(ctx)
}

// Planilla gives the day's control sheet of this station.
func (s *Station) Planilla(ctx context.Context, day calendar.Date) (planilla.Sheet, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return planilla.Sheet{}, err
	}
	list, err := s.store.List(ctx, store.Filter{Since: day.In(time.Local), Until: day.AddDays(1).In(time.Local)})
	if err != nil {
		return planilla.Sheet{}, err
	}
	sheet := planilla.Sheet{Organization: cfg.Organization, Day: day.String(), Office: cfg.Office, Station: cfg.Station, Depts: cfg.Depts}
	for _, r := range list {
		sheet.Rows = append(sheet.Rows, planilla.Row{Dept: r.Dept, Number: r.Number, ReceivedAt: r.ReceivedAt, Type: r.Type,
			Sender: r.Sender.Name, Subject: r.Subject, Pages: r.Pages, Annulled: r.Status == "annulled"})
	}
	return sheet, nil
}
