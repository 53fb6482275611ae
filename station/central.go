package station

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/wire"
)

// The organisation's configuration comes from the central server: its
// document types and terms, departments, routes, extra non-working days,
// office hours, name and number pattern. A station takes it at each sync
// round when the server has a newer version, and keeps the last it had
// while offline; those settings are then the server's, read-only here
// (scanner, printer and the station's own codes stay local).

// KeyCentralVersion is the version of the organisation's configuration the
// station has taken (absent: it has none, and sets everything itself).
const KeyCentralVersion = "central.version"

// centralKey reports whether the central configuration sets key.
func centralKey(k string) bool {
	switch k {
	case KeyOrganization, KeyPattern, KeyHours:
		return true
	}
	for _, p := range []string{prefixType, prefixTerm, prefixDept, prefixRoute, prefixClosure} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}

// CentralVersion gives the version of the organisation's configuration the
// station has, 0 when none.
func (s *Settings) CentralVersion(ctx context.Context) (int64, error) {
	settings, err := s.store.Settings(ctx)
	if err != nil {
		return 0, err
	}
	v, _ := strconv.ParseInt(settings[KeyCentralVersion], 10, 64)
	return v, nil
}

// ApplyCentral takes the organisation's configuration: its settings
// replace the station's own of those kinds, in one audited change, checked
// whole first. The number pattern is taken only when the station numbers
// with it already, or has numbered nothing; otherwise the rest is taken
// and the difference reported.
func (s *Settings) ApplyCentral(ctx context.Context, cfg wire.OrgConfig) error {
	some, err := s.store.List(ctx, store.Filter{Limit: 1})
	if err != nil {
		return err
	}
	var patternErr error
	err = s.store.UpdateSettings(ctx, "central", func(settings map[string]string) error {
		for k := range settings {
			if centralKey(k) && k != KeyPattern {
				delete(settings, k)
			}
		}
		if cfg.Organization != "" {
			settings[KeyOrganization] = cfg.Organization
		}
		if cfg.Hours != "" {
			settings[KeyHours] = cfg.Hours
		}
		if cfg.Pattern != "" {
			current := settings[KeyPattern]
			if current == "" {
				current = defaults[KeyPattern]
			}
			switch {
			case cfg.Pattern == current:
			case len(some) == 0:
				settings[KeyPattern] = cfg.Pattern
			default:
				patternErr = fmt.Errorf("the server's number pattern is %s and this station numbers with %s: ask the administrator", cfg.Pattern, current)
			}
		}
		for _, t := range cfg.Types {
			settings[prefixType+t.Code] = t.Name
			settings[prefixTerm+t.Code] = strconv.Itoa(t.Days)
		}
		for code, name := range cfg.Depts {
			settings[prefixDept+code] = name
		}
		for t, dept := range cfg.Routes {
			settings[prefixRoute+t] = dept
		}
		for _, c := range cfg.Closures {
			settings[prefixClosure+c.Date.String()] = c.Reason
		}
		// While the pattern differs, the version is not taken: the next
		// round asks again, and says so again.
		if patternErr == nil {
			settings[KeyCentralVersion] = strconv.FormatInt(cfg.Version, 10)
		}
		_, err := configFrom(settings)
		return err
	})
	if err != nil {
		return fmt.Errorf("the organisation's configuration version %d: %w", cfg.Version, err)
	}
	return patternErr
}

// takeConfig asks the server for the organisation's configuration and
// takes it when it is newer than the station's.
func (s *Syncing) takeConfig(ctx context.Context, c *client.Client) error {
	settings := &Settings{core: s.core}
	have, err := settings.CentralVersion(ctx)
	if err != nil {
		return err
	}
	cfg, changed, err := c.Config(ctx, have)
	if err != nil || !changed {
		return err
	}
	return settings.ApplyCentral(ctx, cfg)
}

// syncReturned is where the station keeps what the server last said of its
// returned radicados.
const syncReturned = "returned"

// syncAcuses keys, in the sync state, the acuses' states as last given.
const syncAcuses = "acuses"

// takeReturned asks the server which of the station's radicados a
// department returned to the ventanilla, and keeps the answer.
func (s *Syncing) takeReturned(ctx context.Context, c *client.Client) error {
	list, err := c.Returned(ctx)
	if err != nil || list == nil {
		return err
	}
	return s.store.SetSyncState(ctx, syncReturned, list)
}

// takeAcuses keeps where the acuses of the station's radicados stand: the
// server's word on each it lists, and the last word on those it no longer
// lists (it forgets them some time after they are sent or given up).
func (s *Syncing) takeAcuses(ctx context.Context, c *client.Client) error {
	list, err := c.Acuses(ctx)
	if err != nil || list == nil {
		return err
	}
	known, err := s.Acuses(ctx)
	if err != nil {
		return err
	}
	var salidas []wire.Acuse
	for i := len(list) - 1; i >= 0; i-- { // oldest first: the newest word on a number stays
		a := list[i]
		if a.Kind == "salida" {
			salidas = append(salidas, a)
			continue
		}
		known[a.Number] = a
	}
	if err := s.takeEmailed(ctx, salidas); err != nil {
		return err
	}
	merged := make([]wire.Acuse, 0, len(known))
	for _, a := range known {
		merged = append(merged, a)
	}
	slices.SortFunc(merged, func(a, b wire.Acuse) int { return strings.Compare(a.Number, b.Number) })
	return s.store.SetSyncState(ctx, syncAcuses, merged)
}

// takeEmailed records how the salidas the server sent by e-mail went: an
// attempt by e-mail the mail server took is delivered, one it refused for
// good came back; once each (an attempt that ended is left alone).
func (s *Syncing) takeEmailed(ctx context.Context, sent []wire.Acuse) error {
	var results []store.Result
	for _, a := range sent {
		env, ok, err := s.store.Delivery(ctx, a.Number)
		if err != nil {
			return err
		}
		if !ok || env.Attempt != a.Attempt || env.State != "despachado" || env.Courier != despacho.EmailCourier {
			continue
		}
		on := calendar.DateOf(a.At.Local()).String()
		switch a.State {
		case wire.AcuseSent:
			results = append(results, store.Result{Number: a.Number, Attempt: a.Attempt, State: despacho.Delivered, On: on})
		case wire.AcuseFailed:
			reason := "correo rechazado"
			if detail := radicado.PlainText(a.Error, 150); detail != "" {
				reason += ": " + detail
			}
			results = append(results, store.Result{Number: a.Number, Attempt: a.Attempt, State: despacho.Returned, Reason: reason, On: on})
		}
	}
	if len(results) == 0 {
		return nil
	}
	if _, err := s.store.RecordResults(ctx, "radicador", results); err != nil {
		return err
	}
	s.changed()
	return nil
}

// Acuses gives where the acuses of the station's radicados stand, by
// number, as the server said at the last sync round: those it sends by
// e-mail to the senders who gave an address.
func (s *Syncing) Acuses(ctx context.Context) (map[string]wire.Acuse, error) {
	var list []wire.Acuse
	if _, err := s.store.SyncState(ctx, syncAcuses, &list); err != nil {
		return nil, err
	}
	out := make(map[string]wire.Acuse, len(list))
	for _, a := range list {
		out[a.Number] = a
	}
	return out, nil
}

// Returned gives the station's radicados that a department returned to the
// ventanilla, by number, as the server said at the last sync round.
func (s *Syncing) Returned(ctx context.Context) (map[string]wire.Returned, error) {
	var list []wire.Returned
	if _, err := s.store.SyncState(ctx, syncReturned, &list); err != nil {
		return nil, err
	}
	out := make(map[string]wire.Returned, len(list))
	for _, r := range list {
		out[r.Number] = r
	}
	return out, nil
}
