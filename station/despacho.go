package station

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // returned envelopes are scanned as JPEG or PNG
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
	"github.com/radicador/radicador/scan/file"
	"github.com/radicador/radicador/store"
)

// Setting keys of dispatching: a courier and its services
// (courier.NAME = "SERVICE|SERVICE…"), the business days to each zone,
// the cut-off hour, and the reasons a letter comes back
// (reason.CODE = text).
const (
	prefixCourier  = "courier."
	prefixReason   = "reason."
	KeyDeliveryDay = "delivery.days"
	KeyCutoff      = "despacho.cutoff"
)

// Courier is a courier the desk hands letters to: its services, and its
// business days to each zone when they are its own (nil: delivery.days).
type Courier struct {
	Name     string         `json:"name"`
	Services []string       `json:"services,omitempty"`
	Days     map[string]int `json:"days,omitempty"`
}

// DefaultCouriers are offered until the station sets its own.
var DefaultCouriers = []Courier{
	{Name: "4-72", Services: []string{"Correo certificado", "Correo normal"}},
	{Name: "Servientrega", Services: []string{"Documento unitario"}},
	{Name: "Mensajero propio"},
}

// Dispatching is how the station sends salidas out.
type Dispatching struct {
	Couriers []Courier         `json:"couriers"`
	Days     map[string]int    `json:"days"`   // business days by zone
	Cutoff   string            `json:"cutoff"` // HH:MM
	Reasons  []despacho.Reason `json:"reasons"`
}

func init() {
	defaults[KeyDeliveryDay] = "bogota=2,principal=3,costa=5,otras=6"
	defaults[KeyCutoff] = "15:00"
}

// dispatchingKeys describes the settings of dispatching for Keys.
func dispatchingKeys() [][2]string {
	return [][2]string{
		{prefixCourier + "NAME", "a courier and its services, SERVICE|SERVICE…[;bogota=2,principal=3,… its own days] (none set: 4-72, Servientrega, Mensajero propio)"},
		{KeyDeliveryDay, "business days to each zone: bogota=2,principal=3,costa=5,otras=6"},
		{KeyCutoff, "the courier's cut-off hour: a dispatch closed after it goes the next business day"},
		{prefixReason + "CODE", "a reason a letter comes back, with the code of the couriers' files (none set: the usual ones)"},
	}
}

var cutoffRE = regexp.MustCompile(`^([01][0-9]|2[0-3]):[0-5][0-9]$`)

func dispatchingFrom(get func(string) string, settings map[string]string) (Dispatching, error) {
	d := Dispatching{Cutoff: get(KeyCutoff)}
	if !cutoffRE.MatchString(d.Cutoff) {
		return d, fmt.Errorf("%s %q: HH:MM", KeyCutoff, d.Cutoff)
	}
	var err error
	if d.Days, err = despacho.ParseDays(get(KeyDeliveryDay)); err != nil {
		return d, err
	}
	for k, v := range settings {
		switch {
		case strings.HasPrefix(k, prefixCourier):
			c := Courier{Name: strings.TrimPrefix(k, prefixCourier)}
			services, days, hasDays := strings.Cut(v, ";")
			for _, s := range strings.Split(services, "|") {
				if s = strings.TrimSpace(s); s != "" {
					c.Services = append(c.Services, s)
				}
			}
			if hasDays {
				if c.Days, err = despacho.ParseDays(days); err != nil {
					return d, fmt.Errorf("%s: %w", k, err)
				}
			}
			d.Couriers = append(d.Couriers, c)
		case strings.HasPrefix(k, prefixReason):
			d.Reasons = append(d.Reasons, despacho.Reason{Code: strings.TrimPrefix(k, prefixReason), Text: v})
		}
	}
	if len(d.Couriers) == 0 {
		d.Couriers = append([]Courier{}, DefaultCouriers...)
	}
	if !slices.ContainsFunc(d.Couriers, func(c Courier) bool { return c.Name == despacho.EmailCourier }) {
		d.Couriers = append(d.Couriers, Courier{Name: despacho.EmailCourier}) // the server sends it
	}
	if len(d.Reasons) == 0 {
		d.Reasons = despacho.DefaultReasons
	}
	slices.SortFunc(d.Couriers, func(a, b Courier) int { return strings.Compare(a.Name, b.Name) })
	slices.SortFunc(d.Reasons, func(a, b despacho.Reason) int { return strings.Compare(a.Code, b.Code) })
	return d, nil
}

// Types of dispatching, from the store.
type (
	// Dispatch is salidas handed to a courier together.
	Dispatch = store.Dispatch
	// Envelope is one attempt at delivering a salida.
	Envelope = store.Envelope
)

// Despacho is the service of sending salidas out: dispatches for a
// courier, guide numbers, the handing over and its planilla, and how each
// envelope ended (delivered, or returned and why); each step audited and
// synced with the salida.
type Despacho struct {
	*core
	records *Records
}

// Waiting gives the salidas that go on paper and are in no dispatch, or
// came back.
func (s *Despacho) Waiting(ctx context.Context) ([]radicado.Record, error) {
	return s.store.Waiting(ctx)
}

// New puts salidas in a new dispatch for a configured courier (and one of
// its services, when given). to, when not nil, corrects where they go this
// time (an address and city; a name, or the salida's).
func (s *Despacho) New(ctx context.Context, courier, service string, numbers []string, to *radicado.Recipient) (store.Dispatch, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return store.Dispatch{}, err
	}
	var c *Courier
	for i := range cfg.Dispatching.Couriers {
		if strings.EqualFold(cfg.Dispatching.Couriers[i].Name, strings.TrimSpace(courier)) {
			c = &cfg.Dispatching.Couriers[i]
		}
	}
	if c == nil {
		var names []string
		for _, c := range cfg.Dispatching.Couriers {
			names = append(names, c.Name)
		}
		return store.Dispatch{}, fmt.Errorf("courier %q is not configured (configured: %s)", courier, strings.Join(names, ", "))
	}
	service = strings.TrimSpace(service)
	if service != "" && !slices.ContainsFunc(c.Services, func(s string) bool { return strings.EqualFold(s, service) }) {
		return store.Dispatch{}, fmt.Errorf("%s has no service %q (it has: %s)", c.Name, service, strings.Join(c.Services, ", "))
	}
	if len(numbers) == 0 {
		return store.Dispatch{}, errors.New("a dispatch needs at least one salida")
	}
	clean := make([]string, 0, len(numbers))
	for _, n := range numbers {
		if n = strings.TrimSpace(n); n != "" && !slices.Contains(clean, n) {
			clean = append(clean, n)
		}
	}
	if to != nil {
		fixed, err := to.Clean()
		if err != nil {
			return store.Dispatch{}, err
		}
		fixed.SendBy = radicado.SendPhysical
		if fixed.Email != "" {
			if err := radicado.CheckEmail(fixed.Email); err != nil {
				return store.Dispatch{}, err
			}
		}
		switch {
		case c.Name == despacho.EmailCourier && fixed.Email == "" && fixed.Address+fixed.City != "":
			return store.Dispatch{}, errors.New("an attempt by e-mail is corrected with an e-mail address, not a postal one")
		case c.Name != despacho.EmailCourier && (fixed.Address == "" || fixed.City == ""):
			return store.Dispatch{}, errors.New("a corrected recipient needs its address and city")
		}
		to = &fixed
	}
	d, err := s.store.NewDispatch(ctx, s.actor, c.Name, service, clean, to)
	if err == nil {
		s.changed()
	}
	return d, err
}

// destination gives where an envelope of a salida goes: its corrected
// recipient, or the salida's.
func destination(rec radicado.Record, e store.Envelope) radicado.Recipient {
	var to radicado.Recipient
	if rec.Recipient != nil {
		to = *rec.Recipient
	}
	if e.To != nil {
		if e.To.Email != "" {
			to.Email, to.Address, to.City = e.To.Email, e.To.Email, "(correo electrónico)"
		} else {
			to.Address, to.City = e.To.Address, e.To.City
		}
		if e.To.Name != "" {
			to.Name = e.To.Name
		}
	}
	return to
}

// guideRE is a courier's guide number: letters, digits and dashes.
var guideRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,39}$`)

// checkGuide refuses what is not a guide number.
func checkGuide(guide string) error {
	if !guideRE.MatchString(guide) {
		return fmt.Errorf("guide %q: 3 to 40 letters, digits or dashes", guide)
	}
	return nil
}

// Guide records the courier's guide number of a salida's envelope, as a
// clerk types it or a handheld scanner reads it.
func (s *Despacho) Guide(ctx context.Context, number, guide string) (store.Envelope, error) {
	guide = strings.TrimSpace(guide)
	if err := checkGuide(guide); err != nil {
		return store.Envelope{}, err
	}
	e, err := s.store.SetGuide(ctx, s.actor, strings.TrimSpace(number), guide)
	if err == nil {
		s.changed()
	}
	return e, err
}

// Guides records the guides of a courier's file (its columns number and
// guide: headers, or numbers from 1): all of them, or none.
func (s *Despacho) Guides(ctx context.Context, r io.Reader, numberCol, guideCol string) (int, error) {
	lines, err := despacho.ReadGuides(r, numberCol, guideCol)
	if err != nil {
		return 0, err
	}
	guides := make([][2]string, len(lines))
	for i, l := range lines {
		if err := checkGuide(l.Guide); err != nil {
			return 0, fmt.Errorf("line %d: %w", l.Line, err)
		}
		guides[i] = [2]string{l.Number, l.Guide}
	}
	if err := s.store.SetGuides(ctx, s.actor, guides); err != nil {
		return 0, err
	}
	s.changed()
	return len(guides), nil
}

// Close records the dispatch handed to the courier: today, or the next
// business day when closed after the cut-off hour or on a day off; each
// envelope's result is due by its destination's business days. A dispatch
// closed before is given as it is.
func (s *Despacho) Close(ctx context.Context, id int64) (store.Dispatch, error) {
	open, err := s.store.Dispatch(ctx, id)
	if err != nil || !open.ClosedAt.IsZero() {
		return open, err // closed once: closing again changes nothing
	}
	cfg, err := s.config(ctx)
	if err != nil {
		return store.Dispatch{}, err
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return store.Dispatch{}, err
	}
	now := s.store.Now()
	handed := calendar.DateOf(now)
	byEmail := open.Courier == despacho.EmailCourier
	if !byEmail && (now.Format("15:04") > cfg.Dispatching.Cutoff || !cal.IsBusinessDay(handed)) { // after the cut-off hour, not at it
		if handed, err = cal.NextBusinessDay(handed); err != nil {
			return store.Dispatch{}, err
		}
	}
	defer s.changed()
	days := cfg.Dispatching.Days
	for _, c := range cfg.Dispatching.Couriers {
		if strings.EqualFold(c.Name, open.Courier) && c.Days != nil {
			days = c.Days
		}
	}
	return s.store.CloseDispatch(ctx, s.actor, id, handed.String(), func(number string) (string, error) {
		rec, err := s.store.Get(ctx, number)
		if err != nil {
			return "", err
		}
		env, _, err := s.store.Delivery(ctx, number)
		if err != nil {
			return "", err
		}
		city := destination(rec, env).City
		n := days[despacho.Zone(city)]
		if byEmail {
			n = 1 // the server sends it at once; its result the next business day at the latest
		}
		by, err := cal.AddBusinessDays(handed, n)
		if err != nil {
			return "", err
		}
		return by.String(), nil
	})
}

// Sheet gives a closed dispatch's planilla.
func (s *Despacho) Sheet(ctx context.Context, id int64) (despacho.Sheet, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return despacho.Sheet{}, err
	}
	d, err := s.store.Dispatch(ctx, id)
	if err != nil {
		return despacho.Sheet{}, err
	}
	if d.ClosedAt.IsZero() {
		return despacho.Sheet{}, fmt.Errorf("dispatch %d is not closed: close it when the courier takes it", id)
	}
	sheet := despacho.Sheet{Organization: cfg.Organization, Office: cfg.Office, Station: cfg.Station, ID: d.ID, Courier: d.Courier,
		Service: d.Service, ClosedAt: d.ClosedAt.In(time.Local)}
	if sheet.HandedOn, err = calendar.ParseDate(d.HandedOn); err != nil {
		return sheet, err
	}
	for _, e := range d.Envelopes {
		if e.State == despacho.Pending {
			continue // not handed over (its salida was annulled)
		}
		rec, err := s.store.Get(ctx, e.Number)
		if err != nil {
			return sheet, err
		}
		env := despacho.Envelope{Number: e.Number, Attempt: e.Attempt, Guide: e.Guide}
		to := destination(rec, e)
		env.Recipient, env.Address, env.City = to.Name, to.Address, to.City
		sheet.Envelopes = append(sheet.Envelopes, env)
	}
	return sheet, nil
}

// WritePlanilla writes a closed dispatch's planilla, as pdf or csv, to
// planillas/despacho-ID.FORMAT in the data folder, and gives its path.
func (s *Despacho) WritePlanilla(ctx context.Context, id int64, format string) (string, error) {
	sheet, err := s.Sheet(ctx, id)
	if err != nil {
		return "", err
	}
	var buf bytes.Buffer
	switch format {
	case "pdf":
		err = sheet.WritePDF(&buf)
	case "csv":
		err = sheet.WriteCSV(&buf)
	default:
		return "", fmt.Errorf("planilla format %q: pdf or csv", format)
	}
	if err != nil {
		return "", err
	}
	dir := filepath.Join(s.store.Dir(), "planillas")
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("despacho-%d.%s", id, format))
	return path, atomicfile.Write(path, buf.Bytes(), 0o640)
}

// Results records the courier's results file, read through cols: every
// line must name an envelope of this station that was sent, and a return
// a known reason; otherwise nothing is recorded.
func (s *Despacho) Results(ctx context.Context, r io.Reader, cols despacho.Columns) ([]store.Envelope, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return nil, err
	}
	lines, err := despacho.ReadResults(r, cols)
	if err != nil {
		return nil, err
	}
	results := make([]store.Result, len(lines))
	for i, l := range lines {
		results[i] = store.Result{Guide: l.Guide, State: l.State, On: l.On.String()}
		if l.State == despacho.Returned {
			reason, ok := despacho.FindReason(cfg.Dispatching.Reasons, l.Reason)
			if !ok {
				return nil, fmt.Errorf("line %d: reason %q is not among the configured ones (%s)", l.Line, l.Reason, reasonCodes(cfg.Dispatching.Reasons))
			}
			results[i].Reason = reason.Text
		}
	}
	envs, err := s.store.RecordResults(ctx, s.actor, results)
	if err != nil {
		return nil, err
	}
	s.changed()
	return envs, nil
}

func reasonCodes(rs []despacho.Reason) string {
	var out []string
	for _, r := range rs {
		out = append(out, r.Code+" "+r.Text)
	}
	return strings.Join(out, ", ")
}

// Delivered records by hand that a salida's envelope was delivered on a
// day.
func (s *Despacho) Delivered(ctx context.Context, number string, on calendar.Date) (store.Envelope, error) {
	envs, err := s.store.RecordResults(ctx, s.actor, []store.Result{{Number: strings.TrimSpace(number), State: despacho.Delivered, On: on.String()}})
	if err != nil {
		return store.Envelope{}, err
	}
	s.changed()
	return envs[0], nil
}

// Return records a salida's envelope back, for a configured reason (its
// code or text), with the scans of the envelope kept as proof. With no
// number, the salida is the one whose sticker the scans show.
func (s *Despacho) Return(ctx context.Context, number, reason string, scans []string) (store.Envelope, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return store.Envelope{}, err
	}
	r, ok := despacho.FindReason(cfg.Dispatching.Reasons, reason)
	if !ok {
		return store.Envelope{}, fmt.Errorf("reason %q is not among the configured ones (%s)", reason, reasonCodes(cfg.Dispatching.Reasons))
	}
	if number = strings.TrimSpace(number); number == "" {
		if number, err = s.StickerOn(ctx, scans); err != nil {
			return store.Envelope{}, err
		}
	}
	var proof []string
	for _, p := range scans {
		if _, err := os.Stat(p); err != nil {
			return store.Envelope{}, fileError(p, err)
		}
		sum, _, err := s.store.Blobs().PutFile(ctx, p)
		if err != nil {
			return store.Envelope{}, fmt.Errorf("keeping %s: %w", p, err)
		}
		proof = append(proof, sum)
	}
	envs, err := s.store.RecordResults(ctx, s.actor, []store.Result{{Number: number, State: despacho.Returned, Reason: r.Text,
		On: calendar.DateOf(s.store.Now()).String(), Proof: proof}})
	if err != nil {
		if ferr := s.store.ForgetFiles(context.WithoutCancel(ctx), proof); ferr != nil {
			err = errors.Join(err, ferr)
		}
		return store.Envelope{}, err
	}
	s.changed()
	return envs[0], nil
}

// StickerOn reads the radicado number from the sticker on a scanned
// envelope (its Code 128): the first page that shows a number of this
// station's pattern.
func (s *Despacho) StickerOn(ctx context.Context, scans []string) (string, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return "", err
	}
	if len(scans) == 0 {
		return "", errors.New("give the salida's number, or a scan of the returned envelope with its sticker")
	}
	tmp := filepath.Join(s.store.Dir(), "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(tmp, "sticker-*")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	var pages []string
	for _, p := range scans {
		if _, err := file.Import(ctx, p, len(pages)+1, scan.Output{Dir: dir, Page: func(pg scan.Page) error {
			pages = append(pages, pg.Path)
			return nil
		}}); err != nil {
			return "", fileError(p, err)
		}
	}
	for _, p := range pages {
		f, err := os.Open(p)
		if err != nil {
			return "", err
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			continue
		}
		codes, err := cleanup.Barcodes(img)
		if err != nil {
			return "", err
		}
		for _, c := range codes {
			parts, err := cfg.ParsedPattern().Parse(c.Text)
			if err == nil && c.Format == "CODE_128" && parts.Office == cfg.Office && parts.Station == cfg.Station {
				return c.Text, nil
			}
		}
	}
	return "", errors.New("no sticker of this station could be read on the scan: give the salida's number")
}

// List gives the latest dispatches, newest first.
func (s *Despacho) List(ctx context.Context, limit int) ([]store.Dispatch, error) {
	return s.store.Dispatches(ctx, limit)
}

// Delivery gives a salida's latest envelope; false when never dispatched.
func (s *Despacho) Delivery(ctx context.Context, number string) (store.Envelope, bool, error) {
	return s.store.Delivery(ctx, strings.TrimSpace(number))
}
