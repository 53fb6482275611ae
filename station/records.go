package station

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/planilla"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// Records is the service of the radicados themselves: numbering, annulment,
// looking up, listing, searching, due dates, verifying the record.
type Records struct {
	*core
	reading *Reading
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
	// SenderEmail is where the sender can be answered, when known.
	SenderEmail string
	// Original is the message a letter of the mailbox came as (.eml),
	// kept byte for byte as the radicado's first file; not read.
	Original string
	// Annexes are files kept with the radicado, hashed and synced, but not
	// read (a spreadsheet, a picture of the message's body, an attachment
	// that is not a readable document).
	Annexes []string
	// Mail is the held message the letter is (store.MailEntry.ID), 0 for
	// none; with it the radicado's channel is e-mail.
	Mail int64
	// Answers are the numbers of the radicados a salida or interna
	// answers (this station's or any other's); Recipient who a salida goes
	// to.
	Answers   []string
	Recipient *radicado.Recipient
	// Cites are numbers of this organisation the letter cites (read in
	// it, or from our sticker's barcode on it): each must be of the
	// organisation's pattern, and one of this station must be held here.
	Cites []string
}

// Radicar checks the request and its files, stores the files, and gives the
// letter its number. When anything is wrong nothing is recorded.
func (s *Records) Radicar(ctx context.Context, req Request) (radicado.Record, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return radicado.Record{}, err
	}
	draft, err := s.check(cfg, req)
	if err != nil {
		return radicado.Record{}, err
	}
	if draft.Cites, err = s.checkCites(ctx, cfg, req.Cites); err != nil {
		return radicado.Record{}, err
	}
	draft.Keywords += " " + strings.Join(draft.Cites, " ")
	var paths []string
	if req.Original != "" {
		paths = append(paths, req.Original)
	}
	paths = append(append(paths, req.Files...), req.Annexes...)
	infos := make([]document.Info, len(paths))
	names := make([]string, len(paths))
	for i, p := range paths {
		if names[i], err = radicado.CleanFileName(filepath.Base(p)); err != nil {
			return radicado.Record{}, fmt.Errorf("%s: %w", p, err)
		}
		switch {
		case req.Original != "" && i == 0:
			infos[i], err = keptFile(p, radicado.MediaMessage)
		case i >= len(paths)-len(req.Annexes):
			infos[i], err = keptFile(p, "")
		default:
			infos[i], err = document.Inspect(p)
		}
		if err != nil {
			return radicado.Record{}, fileError(p, err)
		}
	}
	rec, err := s.radicar(ctx, &draft, paths, names, infos)
	if err != nil {
		// What was stored for it goes, unless another radicado holds it.
		var sums []string
		for _, f := range draft.Files {
			sums = append(sums, f.SHA256)
		}
		if ferr := s.store.ForgetFiles(context.WithoutCancel(ctx), sums); ferr != nil && !errors.Is(ferr, store.ErrReadOnly) {
			err = errors.Join(err, fmt.Errorf("the files stored for it could not be removed: %w", ferr))
		}
		return radicado.Record{}, err
	}
	s.changed()
	return rec, nil
}

// radicar stores the files of a checked request and numbers it; draft.Files
// lists what was stored, even when it fails.
func (s *Records) radicar(ctx context.Context, draft *store.Draft, files, names []string, infos []document.Info) (radicado.Record, error) {
	for i, p := range files {
		sum, size, err := s.store.Blobs().PutFile(ctx, p)
		if err != nil {
			return radicado.Record{}, fmt.Errorf("keeping %s: %w", p, err)
		}
		draft.Files = append(draft.Files, radicado.File{
			SHA256: sum, Size: size, Name: names[i], MediaType: infos[i].MediaType, Pages: infos[i].Pages,
		})
		if size != infos[i].Size {
			return radicado.Record{}, fmt.Errorf("%s changed while it was being read; scan or copy it again", p)
		}
	}
	return s.store.Radicar(ctx, *draft)
}

// check validates a request against the configuration and gives the draft
// it makes, without its files.
func (s *Records) check(cfg Config, req Request) (store.Draft, error) {
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
	email := strings.ToLower(strings.TrimSpace(req.SenderEmail))
	if email != "" {
		if err := radicado.CheckEmail(email); err != nil {
			return store.Draft{}, fmt.Errorf("sender: %w", err)
		}
	}
	channel := ""
	if req.Mail != 0 {
		channel = radicado.ChannelEmail
	}
	answers, err := checkAnswers(cfg.ParsedPattern(), req.Kind, req.Answers)
	if err != nil {
		return store.Draft{}, err
	}
	var recipient *radicado.Recipient
	if r := req.Recipient; r != nil {
		if req.Kind == radicado.Entrada {
			return store.Draft{}, errors.New("an entrada has no recipient: it is the organisation")
		}
		clean, err := r.Clean()
		if err != nil {
			return store.Draft{}, err
		}
		if clean.SendBy == "" {
			clean.SendBy = radicado.SendPhysical
		}
		if err := clean.Check(); err != nil {
			return store.Draft{}, err
		}
		recipient = &clean
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return store.Draft{}, err
	}
	return store.Draft{
		Pattern: cfg.ParsedPattern(), Office: cfg.Office, Station: cfg.Station, Kind: req.Kind,
		Type: dt.Code, Sender: radicado.Sender{Name: name, ID: id, Email: email}, Subject: subject, Dept: dept,
		Actor: s.actor, Keywords: dt.Name + " " + email + " " + strings.Join(answers, " "), Channel: channel, Mail: req.Mail,
		Answers: answers, Recipient: recipient,
		Due: func(received time.Time) (calendar.Date, error) { return cal.Due(received, dt.Days) },
	}, nil
}

// checkAnswers checks the numbers a radicado of kind answers: only a
// salida or interna answers, each a number of the pattern, at most
// radicado.MaxAnswers; it gives them trimmed, each once, in order.
func checkAnswers(pat radicado.Pattern, kind radicado.Kind, numbers []string) ([]string, error) {
	var out []string
	for _, n := range numbers {
		n = strings.TrimSpace(n)
		if n == "" || slices.Contains(out, n) {
			continue
		}
		parts, err := pat.Parse(n)
		if err != nil {
			return nil, fmt.Errorf("answers %q: %w", n, err)
		}
		if parts.Kind == radicado.Salida {
			return nil, fmt.Errorf("answers %s: a salida is not answered; answer the radicado it answered", n)
		}
		out = append(out, n)
	}
	if len(out) > 0 && kind == radicado.Entrada {
		return nil, errors.New("an entrada answers nothing: radicate the answer as a salida or interna")
	}
	if len(out) > radicado.MaxAnswers {
		return nil, fmt.Errorf("a salida answers at most %d radicados", radicado.MaxAnswers)
	}
	return out, nil
}

// checkCites checks the numbers a letter cites: each one of the
// organisation's pattern (written whole, or grouped with spaces, dashes or
// dots), one of this station held here; it gives them as the pattern
// writes them, each once, in order, at most radicado.MaxCites.
func (s *Records) checkCites(ctx context.Context, cfg Config, numbers []string) ([]string, error) {
	var out []string
	for _, n := range numbers {
		if n = strings.TrimSpace(n); n == "" {
			continue
		}
		number, ok, err := s.ours(ctx, cfg, n)
		if err != nil {
			return nil, err
		}
		if !ok {
			return nil, fmt.Errorf("cites %q: not a number of this organisation (pattern %s, or this station's and not held here)", n, cfg.Pattern)
		}
		if !slices.Contains(out, number) {
			out = append(out, number)
		}
	}
	if len(out) > radicado.MaxCites {
		return nil, fmt.Errorf("a letter is recorded citing at most %d of our numbers", radicado.MaxCites)
	}
	return out, nil
}

// ours tells whether n is a number of this organisation, and gives it as
// the pattern writes it: it reads under the pattern (as written, or
// without the spaces, dashes and dots that group it), its year is not in
// the future, and a number of this station must be held here (OCR may
// make up one this station never gave).
func (s *core) ours(ctx context.Context, cfg Config, n string) (string, bool, error) {
	pat := cfg.ParsedPattern()
	parts, err := pat.Parse(n)
	if err != nil {
		// As a letter writes it: grouped, or its digits only.
		n = strings.Map(func(r rune) rune {
			if r == ' ' || r == '-' || r == '.' || r == '/' || r == '_' {
				return -1
			}
			return r
		}, n)
		if parts, err = pat.Parse(n); err != nil {
			if parts, err = pat.ParseDigits(n); err != nil {
				return "", false, nil
			}
		}
	}
	if parts.Year < 2000 || parts.Year > s.store.Now().Year()+1 {
		return "", false, nil
	}
	number, err := pat.Format(parts)
	if err != nil {
		return "", false, nil
	}
	if parts.Office == cfg.Office && parts.Station == cfg.Station {
		if _, err := s.store.Get(ctx, number); errors.Is(err, store.ErrNotFound) {
			return "", false, nil
		} else if err != nil {
			return "", false, err
		}
	}
	return number, true, nil
}

// keptFile describes a file kept but not read: its media type is
// mediaType, or the one its name says, or application/octet-stream; it has
// no pages.
func keptFile(path, mediaType string) (document.Info, error) {
	st, err := os.Stat(path)
	if err != nil {
		return document.Info{}, err
	}
	if !st.Mode().IsRegular() {
		return document.Info{}, fmt.Errorf("%s: not a regular file", path)
	}
	if mediaType == "" {
		mediaType = document.TypeByName(filepath.Base(path))
	}
	return document.Info{MediaType: mediaType, Size: st.Size()}, nil
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

// Outcome is what became of a radicado: the salida that answers it, or
// where a salida's latest envelope stands.
type Outcome = store.Outcome

// Outcomes gives the outcomes of the radicados among numbers that have
// one.
func (s *Records) Outcomes(ctx context.Context, numbers []string) (map[string]Outcome, error) {
	return s.store.Outcomes(ctx, numbers, calendar.DateOf(s.store.Now()).String())
}

// CitedBy gives the radicados that cite number (an answer to our salida
// cites it), active or annulled, oldest first.
func (s *Records) CitedBy(ctx context.Context, number string) ([]radicado.Record, error) {
	return s.store.CitedBy(ctx, number)
}

// AnsweredBy gives the salidas and internas that answer number, oldest
// first (annulled ones too: their status says they no longer count).
func (s *Records) AnsweredBy(ctx context.Context, number string) ([]radicado.Record, error) {
	return s.store.AnsweredBy(ctx, strings.TrimSpace(number))
}

// Anular annuls number for reason. The number stays, marked annulled.
func (s *Records) Anular(ctx context.Context, number, reason string) (radicado.Record, error) {
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
func (s *Records) Get(ctx context.Context, number string) (radicado.Record, error) {
	return s.store.Get(ctx, strings.TrimSpace(number))
}

// List gives radicados newest first.
func (s *Records) List(ctx context.Context, f store.Filter) ([]radicado.Record, error) {
	return s.store.List(ctx, f)
}

// Search finds radicados by any word of their number, sender, subject or
// content.
func (s *Records) Search(ctx context.Context, text string, limit int) ([]radicado.Record, error) {
	return s.store.Search(ctx, text, limit)
}

// Verify checks the audit chain, the database and every file.
func (s *Records) Verify(ctx context.Context) (store.Report, error) {
	return s.store.Verify(ctx)
}

// DueFor gives the due date of a letter of docType received on day (during
// office hours); the zero Date when the type has no term.
func (s *Records) DueFor(ctx context.Context, day calendar.Date, docType string) (calendar.Date, error) {
	cfg, cal, days, err := s.term(ctx, docType)
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.Due(day.In(time.Local).Add(cfg.hours.Open), days)
}

// DueIn gives the day a term of days business days ends for a letter
// received on day during office hours.
func (s *Records) DueIn(ctx context.Context, day calendar.Date, days int) (calendar.Date, error) {
	cfg, err := s.config(ctx)
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
func (s *Records) DueNow(ctx context.Context, docType string) (calendar.Date, error) {
	_, cal, days, err := s.term(ctx, docType)
	if err != nil {
		return calendar.Date{}, err
	}
	return cal.Due(s.store.Now(), days)
}

// term gives the configuration, its calendar and the term of docType in
// business days.
func (s *Records) term(ctx context.Context, docType string) (Config, *calendar.Calendar, int, error) {
	cfg, err := s.config(ctx)
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

// Audit gives the audit log in order, from the event after afterID, at most
// limit events (all when limit ≤ 0).
func (s *Records) Audit(ctx context.Context, afterID int64, limit int) ([]store.Event, error) {
	return s.store.Events(ctx, afterID, limit)
}

// Senders gives up to limit senders seen before whose name starts with
// prefix, most frequent first: the form suggests them.
func (s *Records) Senders(ctx context.Context, prefix string, limit int) ([]radicado.Sender, error) {
	return s.store.Senders(ctx, prefix, limit)
}

// Planilla gives the day's control sheet of this station.
func (s *Records) Planilla(ctx context.Context, day calendar.Date) (planilla.Sheet, error) {
	cfg, err := s.config(ctx)
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
			Sender: r.Sender.Name, Subject: r.Subject, Pages: r.Pages, Annulled: r.Status == radicado.Annulled})
	}
	return sheet, nil
}
