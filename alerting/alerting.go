// Package alerting runs the central server's tracking in the background:
// it escalates what waits too long, raises the alerts of the day's lights,
// builds each person's digest once a business day at the configured hour,
// and sends the outbox through the organisation's mail server, retrying
// what could not go.
package alerting

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/mailer"
)

// Service is the tracking loop of one server instance; several instances
// on one PostgreSQL database share the work and send each e-mail once.
type Service struct {
	DB    *central.DB
	Log   *slog.Logger
	URL   string        // the console's address, for links in e-mails ("": none)
	Every time.Duration // between rounds; 0: a minute
	// Config adapts the mail server's settings before a send (the tests'
	// certificate authority); nil: as they are.
	Config func(*mailer.Config)

	pruned calendar.Date // the last day pruned
}

// keepFor is how long alerts of closed radicados, and e-mails sent or
// given up, are kept.
const keepFor = 90 * 24 * time.Hour

// lease is how long an instance holds an e-mail it is sending.
const lease = 2 * time.Minute

// Run does a round every Every until ctx ends.
func (s *Service) Run(ctx context.Context) {
	every := s.Every
	if every == 0 {
		every = time.Minute
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.Round(ctx); err != nil && ctx.Err() == nil {
			s.logger().Error("tracking round", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (s *Service) logger() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

// Round escalates, raises the day's alerts, builds the digests when their
// hour has come on a business day, and sends what waits in the outbox.
func (s *Service) Round(ctx context.Context) error {
	var errs []error
	if n, err := s.DB.Escalate(ctx); err != nil {
		errs = append(errs, fmt.Errorf("escalation: %w", err))
	} else if n > 0 {
		s.logger().Info("escalated", "radicados", n)
	}
	cal, loc, err := s.DB.Calendar(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	now := s.DB.Now().In(loc)
	today := calendar.DateOf(now)
	if _, err := s.DB.RaiseAlerts(ctx, today); err != nil {
		errs = append(errs, fmt.Errorf("alerts: %w", err))
	}
	settings, err := s.DB.Mail(ctx)
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	// Without a mail server the digests are not written, but what the
	// console told is still marked told.
	if cal.IsBusinessDay(today) && !now.Before(atHour(today, settings.Hour, loc)) {
		if n, err := s.DB.BuildDigests(ctx, today, settings.Host != "", s.Render); err != nil {
			errs = append(errs, fmt.Errorf("digests: %w", err))
		} else if n > 0 {
			s.logger().Info("digests queued", "emails", n)
		}
	}
	if settings.Host != "" {
		if err := s.deliver(ctx, settings, today); err != nil {
			errs = append(errs, err)
		}
	}
	// Once a day, what is no longer needed goes.
	if s.pruned != today {
		if n, err := s.DB.Prune(ctx, keepFor); err != nil {
			errs = append(errs, fmt.Errorf("pruning: %w", err))
		} else {
			s.pruned = today
			if n > 0 {
				s.logger().Info("pruned", "rows", n)
			}
		}
	}
	return errors.Join(errs...)
}

func atHour(day calendar.Date, hour string, loc *time.Location) time.Time {
	t, err := time.Parse("15:04", hour)
	if err != nil {
		t, _ = time.Parse("15:04", "08:00")
	}
	return day.In(loc).Add(time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute)
}

// deliver sends the e-mails due — digests, and acuses of radicados to
// their senders — one at a time, each claimed just before
// it goes so that no other instance sends it meanwhile. A failure is kept
// with its reason and tried again later, a minute after the first,
// doubling to an hour; a refusal (5xx) or a digest two days old is not
// tried again, and the administrator sees why.
func (s *Service) deliver(ctx context.Context, settings central.MailSettings, today calendar.Date) error {
	cfg := s.config(settings)
	for range maxPerRound {
		m, ok, err := s.DB.ClaimMail(ctx, lease)
		if err != nil || !ok {
			return err
		}
		// How it went is recorded even when the server is stopping.
		bookkeeping := context.WithoutCancel(ctx)
		if day, err := calendar.ParseDate(m.Day); err == nil && day.AddDays(2).Before(today) {
			if err := s.DB.MailFailed(bookkeeping, m, errors.New("not sent in two days: no longer news"), time.Time{}); err != nil {
				return err
			}
			continue
		}
		msg := mailer.Message{To: m.To, Subject: m.Subject, Body: m.Body, MessageID: fmt.Sprintf("digest-%d-%s@radicador", m.ID, m.Day), Date: s.DB.Now()}
		switch m.Kind {
		case "acuse":
			msg.MessageID = "acuse-" + m.Number + "@radicador"
		case "salida":
			msg.MessageID = fmt.Sprintf("salida-%s-%d@radicador", m.Number, m.ID)
		}
		if len(m.Attachment) > 0 {
			msg.Attachments = []mailer.Attachment{{Name: m.AttachmentName, ContentType: document.Sniff(m.Attachment), Data: m.Attachment}}
			if msg.Attachments[0].ContentType == "" {
				msg.Attachments[0].ContentType = "application/octet-stream"
			}
		}
		err = mailer.Send(ctx, cfg, msg)
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err() // not tried: its lease lapses and it goes later
			}
			retry := time.Time{}
			if !errors.Is(err, mailer.ErrRefused) {
				retry = s.DB.Now().Add(min(time.Minute<<min(m.Attempts, 6), time.Hour))
			}
			s.logger().Warn("e-mail not sent", "to", m.To, "attempt", m.Attempts+1, "err", err, "again", !retry.IsZero())
			if err := s.DB.MailFailed(bookkeeping, m, err, retry); err != nil {
				return err
			}
			continue
		}
		if ok, err := s.DB.MailSent(bookkeeping, m); err != nil {
			return err
		} else if !ok {
			s.logger().Warn("e-mail sent after its claim lapsed", "to", m.To, "id", m.ID)
		}
	}
	return nil
}

// maxPerRound bounds the e-mails one round sends; the next round goes on.
const maxPerRound = 200

func (s *Service) config(m central.MailSettings) mailer.Config {
	c := mailer.Config{Host: m.Host, Port: m.Port, Security: m.Security, User: m.User, Password: m.Password, From: m.From}
	if s.Config != nil {
		s.Config(&c)
	}
	return c
}

// SendTest sends a test message to to with the mail settings as they are.
func (s *Service) SendTest(ctx context.Context, to string) error {
	settings, err := s.DB.Mail(ctx)
	if err != nil {
		return err
	}
	if settings.Host == "" {
		return errors.New("no mail server is set: radicador-server mail set --host …")
	}
	return mailer.Send(ctx, s.config(settings), mailer.Message{To: to, Subject: "Radicador: mensaje de prueba / test message",
		Body: "Este mensaje de prueba muestra que el servidor de Radicador puede enviar correo.\n" +
			"This test message shows that the Radicador server can send e-mail.\n", Date: s.DB.Now()})
}

// Render writes a digest's e-mail in its reader's language.
func (s *Service) Render(d central.Digest) (string, string, error) {
	w := words(d.Lang)
	var b strings.Builder
	name := d.User.FullName
	if name == "" {
		name = d.Name
	}
	fmt.Fprintf(&b, w.hello+"\n", name)
	shown := d.Alerts
	if len(shown) > central.MaxDigestAlerts {
		shown = shown[:central.MaxDigestAlerts]
	}
	level := ""
	for _, a := range shown {
		if a.Level != level {
			level = a.Level
			fmt.Fprintf(&b, "\n%s\n%s\n", w.levels[level], strings.Repeat("-", len([]rune(w.levels[level]))))
		}
		fmt.Fprintf(&b, "* %s  %s — %s\n", a.Number, oneLine(a.Subject, 90), oneLine(a.Sender, 60))
		dept := a.Dept
		if dept == "" {
			dept = w.noDept
		}
		if a.Due != "" && a.DaysLeft != nil {
			fmt.Fprintf(&b, "  %s %s · %s · %s\n", w.due, a.Due, w.daysLeft(*a.DaysLeft), dept)
		} else {
			fmt.Fprintf(&b, "  %s\n", dept)
		}
		if s.URL != "" {
			fmt.Fprintf(&b, "  %s/radicados/%s\n", strings.TrimRight(s.URL, "/"), a.Number)
		}
	}
	if more := len(d.Alerts) - len(shown); more > 0 {
		fmt.Fprintf(&b, "\n"+w.more+"\n", more)
	}
	b.WriteString("\n" + w.footer + "\n")
	subject := w.subject
	if len(d.Alerts) == 1 {
		subject = w.subjectOne
	}
	return fmt.Sprintf(subject, len(d.Alerts)), b.String(), nil
}

// oneLine keeps a value of a record on one line of the e-mail, cut to n
// characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

type vocabulary struct {
	hello, subject, subjectOne, due, noDept, more, footer string
	levels                                                map[string]string
	daysLeft                                              func(int) string
}

func words(lang string) vocabulary {
	if lang == "en" {
		return vocabulary{
			hello: "Hello %s,", subject: "Radicador: %d radicados need your attention", subjectOne: "Radicador: %d radicado needs your attention", due: "due", noDept: "no department",
			more:   "… and %d more: see them in the console.",
			footer: "You receive this digest once a business day. To stop it, choose \"alerts: console only\" in your account.",
			levels: map[string]string{central.LevelOverdue: "Overdue", central.LevelRed: "Turned red", central.LevelYellow: "Turned yellow",
				central.LevelEscalated: "Escalated to you", central.LevelUnassigned: "Waiting to be assigned"},
			daysLeft: func(n int) string {
				switch {
				case n < 0:
					return fmt.Sprintf("%d business days overdue", -n)
				case n == 1:
					return "1 business day left"
				}
				return fmt.Sprintf("%d business days left", n)
			},
		}
	}
	return vocabulary{
		hello: "Hola, %s:", subject: "Radicador: %d radicados requieren su atención", subjectOne: "Radicador: %d radicado requiere su atención", due: "vence", noDept: "sin dependencia",
		more:   "… y %d más: véalos en la consola.",
		footer: "Recibe este resumen una vez por día hábil. Para no recibirlo, elija «alertas: solo en la consola» en su cuenta.",
		levels: map[string]string{central.LevelOverdue: "Vencidos", central.LevelRed: "En rojo", central.LevelYellow: "En amarillo",
			central.LevelEscalated: "Escalados a usted", central.LevelUnassigned: "Sin asignar"},
		daysLeft: func(n int) string {
			switch {
			case n < 0:
				return fmt.Sprintf("vencido hace %d días hábiles", -n)
			case n == 1:
				return "queda 1 día hábil"
			}
			return fmt.Sprintf("quedan %d días hábiles", n)
		},
	}
}
