package station

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
	"unicode/utf8"

	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/email"
	"github.com/radicador/radicador/mailbox"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// Mail is the service of the e-mail the ventanilla takes in: messages
// claimed from the institutional mailbox or imported from .eml files wait
// here beside the scanned letters, until a clerk radicates each (its
// original as the radicado's first file, the message as pages, its
// attachments read or kept) or discards it as not correspondence.
type Mail struct {
	*core
	records *Records
	reading *Reading
	settle  chan struct{} // a message was radicated or discarded: move it on
	bg      background
}

// MailEntry is a message the station holds.
type MailEntry = store.MailEntry

// Import takes in the message of an .eml file. The same message held
// before gives its entry again (added false). A file that is not a
// readable message is refused, and nothing is kept.
func (s *Mail) Import(ctx context.Context, path string) (_ MailEntry, added bool, err error) {
	raw, err := readUpTo(path, email.MaxSize)
	if err != nil {
		return MailEntry{}, false, fileError(path, err)
	}
	m, err := email.Parse(raw)
	if err != nil {
		return MailEntry{}, false, fmt.Errorf("%s: %w", path, err)
	}
	return s.hold(ctx, raw, m, MailEntry{Source: "import"}, nil)
}

// readUpTo reads a whole file of at most max bytes.
func readUpTo(path string, max int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(raw)) > max {
		return nil, fmt.Errorf("%s: %w: more than the %d MB a message may have", path, email.ErrMalformed, max>>20)
	}
	return raw, nil
}

// hold keeps the original and records the message; m is nil for one that
// could not be read (claimed from the mailbox, it is kept all the same).
func (s *Mail) hold(ctx context.Context, raw []byte, m *email.Message, e MailEntry, claim *store.Claim) (MailEntry, bool, error) {
	sum, size, err := s.store.Blobs().Put(ctx, bytes.NewReader(raw))
	if err != nil {
		return MailEntry{}, false, fmt.Errorf("keeping the message: %w", err)
	}
	e.SHA256, e.Size = sum, size
	if m != nil {
		e.MessageID, e.FromName, e.From, e.Date, e.Carried = m.ID, clip(m.From.Name, radicado.MaxSenderName), m.From.Addr, m.Date, m.Carried
		e.Subject = clip(m.Subject, radicado.MaxSubject)
		for _, a := range m.Attachments {
			if !a.Inline {
				e.Attachments++
			}
		}
	} else {
		e.Subject = "(mensaje ilegible)"
	}
	id, added, err := s.store.AddMail(ctx, e, claim)
	if err != nil {
		return MailEntry{}, false, err
	}
	held, err := s.store.Mail(ctx, id)
	return held, added, err
}

// clip cuts s to at most n characters.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

// List gives the held messages in state (store.MailWaiting…; all when
// empty), oldest first.
func (s *Mail) List(ctx context.Context, state string) ([]MailEntry, error) {
	return s.store.MailIn(ctx, state)
}

// Get gives one held message.
func (s *Mail) Get(ctx context.Context, id int64) (MailEntry, error) { return s.store.Mail(ctx, id) }

// Discard marks a waiting message as not correspondence (spam, an
// auto-reply), with the reason, in the audit log. Its claim on the mail
// server moves to the Descartados folder at the next Fetch.
func (s *Mail) Discard(ctx context.Context, id int64, reason string) (MailEntry, error) {
	reason, err := radicado.CleanText("reason", reason, radicado.MaxReason)
	if err != nil {
		return MailEntry{}, err
	}
	if reason == "" {
		return MailEntry{}, errors.New("discarding a message needs a written reason")
	}
	e, err := s.store.DiscardMail(ctx, id, s.actor, reason)
	if err == nil {
		s.nudge()
	}
	return e, err
}

// nudge asks the background work to move what was radicated or discarded
// on to its folder.
func (s *Mail) nudge() {
	select {
	case s.settle <- struct{}{}:
	default:
	}
}

// Letter is a held message laid out as the files of a radicado: the
// original, the message as pages, the attachments that are documents, and
// the files only kept. Close removes them.
type Letter struct {
	Entry     MailEntry
	Message   *email.Message
	Original  string   // the .eml
	Documents []string // the message's PDF first, then the attachments read as documents
	Annexes   []string // attachments kept, not read
	dir       string
}

// Close removes the letter's working files.
func (l *Letter) Close() {
	if l.dir != "" {
		os.RemoveAll(l.dir)
	}
}

// Open lays out the held message id for radicación.
func (s *Mail) Open(ctx context.Context, id int64) (*Letter, error) {
	e, err := s.store.Mail(ctx, id)
	if err != nil {
		return nil, err
	}
	raw, err := os.ReadFile(s.store.Blobs().Path(e.SHA256))
	if err != nil {
		return nil, fmt.Errorf("message %d: its original: %w", id, err)
	}
	m, err := email.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("message %d: %w; discard it, or radicate it from a printout", id, err)
	}
	tmp := filepath.Join(s.store.Dir(), "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tmp, "mail-*")
	if err != nil {
		return nil, err
	}
	l := &Letter{Entry: e, Message: m, dir: dir}
	fail := func(err error) (*Letter, error) {
		l.Close()
		return nil, err
	}
	l.Original = filepath.Join(dir, "mensaje.eml")
	if err := os.WriteFile(l.Original, raw, 0o600); err != nil {
		return fail(err)
	}
	pdf, err := email.Render(m, e.FetchedAt.In(time.Local).Format("2006-01-02 15:04"))
	if err != nil {
		return fail(fmt.Errorf("message %d as pages: %w", id, err))
	}
	page := filepath.Join(dir, "mensaje.pdf")
	if err := os.WriteFile(page, pdf, 0o600); err != nil {
		return fail(err)
	}
	l.Documents = append(l.Documents, page)
	for i, a := range m.Attachments {
		// Each in a folder of its own: two attachments may share a name.
		sub := filepath.Join(dir, fmt.Sprintf("%03d", i+1))
		if err := os.Mkdir(sub, 0o700); err != nil {
			return fail(err)
		}
		name, err := radicado.CleanFileName(a.Name)
		if err != nil {
			name = fmt.Sprintf("adjunto-%d", i+1)
		}
		p := filepath.Join(sub, name)
		if err := os.WriteFile(p, a.Data, 0o600); err != nil {
			return fail(err)
		}
		if !a.Inline && a.MediaType != radicado.MediaMessage {
			// A PDF that runs code or carries files is kept, not opened.
			if info, err := document.Inspect(p); err == nil && (info.MediaType != document.PDF || document.CheckPassive(p) == nil) {
				l.Documents = append(l.Documents, p)
				continue
			}
		}
		l.Annexes = append(l.Annexes, p)
	}
	return l, nil
}

// Request gives what radicating the letter takes, filled from the message
// and its reading: the sender (name, address, ID found in the text), the
// subject, the type the classifier gives and the department it routes to.
// The message's text is read as it is; only attached documents go to OCR.
func (s *Mail) Request(ctx context.Context, l *Letter) (Request, *Analysis, error) {
	known := l.Message.Subject + "\n" + l.Message.Text
	a, err := s.reading.analyze(ctx, known, l.Documents[1:])
	if err != nil && ctx.Err() == nil {
		// The attachments could not be read (no OCR here, a broken scan):
		// the message's own text still fills the form.
		a, err = s.reading.analyze(ctx, known, nil)
	}
	if err != nil {
		return Request{}, nil, err
	}
	m := l.Message
	// A header may carry what a broken encoding lost: the form gets text
	// that radicación takes.
	name := radicado.PlainText(m.From.Name, radicado.MaxSenderName)
	if name == "" {
		name = radicado.PlainText(a.Fields.SenderName.Value, radicado.MaxSenderName)
	}
	if name == "" {
		name = radicado.PlainText(m.From.Addr, radicado.MaxSenderName)
	}
	subject := radicado.PlainText(m.Subject, radicado.MaxSubject)
	if subject == "" {
		subject = radicado.PlainText(a.Fields.Subject.Value, radicado.MaxSubject)
	}
	if subject == "" {
		subject = "(sin asunto)"
	}
	req := Request{
		Kind: radicado.Entrada, Type: a.Type.Type, SenderName: name,
		Subject: subject, Dept: a.Dept, Files: l.Documents, Original: l.Original,
		Annexes: l.Annexes, Mail: l.Entry.ID, Cites: a.Fields.Cites,
	}
	if radicado.CheckEmail(m.From.Addr) == nil {
		req.SenderEmail = m.From.Addr
	}
	if f := a.Fields; f.SenderID.Value != "" && f.SenderIDType.Value != "" {
		req.SenderID = f.SenderIDType.Value + ":" + f.SenderID.Value
	}
	return req, a, nil
}

// Radicar radicates the held message id: the request is filled from the
// message (Request), then adjust (which may be nil) changes what the clerk
// chose otherwise. The message ends radicated with the number in the same
// transaction; a message, or one it carries, radicated before is refused.
func (s *Mail) Radicar(ctx context.Context, id int64, adjust func(*Request)) (radicado.Record, error) {
	if err := s.radicable(ctx, id); err != nil {
		return radicado.Record{}, err
	}
	l, err := s.Open(ctx, id)
	if err != nil {
		return radicado.Record{}, err
	}
	defer l.Close()
	req, a, err := s.Request(ctx, l)
	if err != nil {
		return radicado.Record{}, err
	}
	a.Close()
	if adjust != nil {
		adjust(&req)
	}
	return s.RadicarLetter(ctx, l, req)
}

// RadicarLetter radicates an opened message with req, the form as the
// clerk left it (from Request): its files are the letter's.
func (s *Mail) RadicarLetter(ctx context.Context, l *Letter, req Request) (radicado.Record, error) {
	if err := s.radicable(ctx, l.Entry.ID); err != nil {
		return radicado.Record{}, err
	}
	req.Mail, req.Original, req.Files, req.Annexes = l.Entry.ID, l.Original, l.Documents, l.Annexes
	rec, err := s.records.Radicar(ctx, req)
	if err == nil {
		s.nudge()
	}
	return rec, err
}

// radicable says why the held message id cannot be radicated, if it
// cannot: dealt with already, or radicated before, here or at another
// station.
func (s *Mail) radicable(ctx context.Context, id int64) error {
	e, err := s.store.Mail(ctx, id)
	if err != nil {
		return err
	}
	if e.State != store.MailWaiting {
		return fmt.Errorf("message %d: %w (%s %s)", id, store.ErrMailDone, e.State, e.Number)
	}
	if e.Elsewhere != "" {
		return fmt.Errorf("message %d: %w by another station (%s is in the mailbox's Radicados folder); discard it as a copy",
			id, store.ErrMailRadicated, e.Elsewhere)
	}
	prior, err := s.store.RadicatedAs(ctx, append([]string{e.MessageID}, e.Carried...))
	if err != nil {
		return err
	}
	if prior != "" {
		return fmt.Errorf("message %d: %w as %s; discard it as a copy", id, store.ErrMailRadicated, prior)
	}
	return nil
}

// FetchResult says what a Fetch did.
type FetchResult struct {
	Claimed  int `json:"claimed"`   // moved from the inbox to this station's folder
	New      int `json:"new"`       // messages now held that were not before
	Finished int `json:"finished"`  // radicated or discarded messages moved on
	TooLarge int `json:"too_large"` // left in the inbox for being larger than a message may be
}

// mailboxConfig gives the mailbox's configuration with its password, or
// an error saying what is missing.
func (s *Mail) mailboxConfig(ctx context.Context) (mailbox.Config, error) {
	cfg, err := s.config(ctx)
	if err != nil {
		return mailbox.Config{}, err
	}
	m := cfg.Mail
	if m.Host == "" {
		return mailbox.Config{}, fmt.Errorf("no mailbox is configured (%s); .eml files can be imported", KeyMailHost)
	}
	pw, err := s.mailPassword()
	if err != nil {
		return mailbox.Config{}, fmt.Errorf("the mailbox's password: %w", err)
	}
	return mailbox.Config{Host: m.Host, Port: m.Port, Security: m.Security, User: m.User, Password: pw,
		Inbox: m.Inbox, Claimed: m.Claimed, Done: m.Done, Discarded: m.Discarded, Mine: cfg.Office + "-" + cfg.Station}, nil
}

// Check logs in to the mailbox as configured and makes the folders the
// station uses, without claiming anything.
func (s *Mail) Check(ctx context.Context) error {
	cfg, err := s.mailboxConfig(ctx)
	if err != nil {
		return err
	}
	box, err := mailbox.Dial(ctx, cfg)
	if err != nil {
		return err
	}
	return box.Close()
}

// Fetch claims up to n new messages from the mailbox into this station's
// folder and takes in every message of that folder it does not hold yet
// (those a station stopped mid-way claimed before), moves the messages
// radicated or discarded since to their end folders, and looks the new
// ones up in the Radicados folder. One message that fails does not stop
// the others: the errors come together.
func (s *Mail) Fetch(ctx context.Context, n int) (FetchResult, error) {
	cfg, err := s.mailboxConfig(ctx)
	if err != nil {
		return FetchResult{}, err
	}
	return s.fetch(ctx, cfg, n)
}

func (s *Mail) fetch(ctx context.Context, cfg mailbox.Config, n int) (FetchResult, error) {
	var res FetchResult
	box, err := mailbox.Dial(ctx, cfg)
	if err != nil {
		return res, err
	}
	defer box.Close()
	var errs []error
	if n > 0 {
		if res.Claimed, res.TooLarge, err = box.Claim(n, email.MaxSize); err != nil {
			errs = append(errs, err) // what the station holds is still taken in and moved on
		}
	}
	held, err := box.Held()
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	for _, h := range held {
		if err := ctx.Err(); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		if err := s.takeCopy(ctx, box, h, &res); err != nil {
			errs = append(errs, err)
		}
	}
	// A message another station radicated (the same one delivered twice,
	// or forwarded back to the mailbox) is in the Radicados folder.
	unchecked, err := s.store.MailUnchecked(ctx)
	if err != nil {
		return res, errors.Join(append(errs, err)...)
	}
	for _, e := range unchecked {
		found, err := box.Radicated(append([]string{e.MessageID}, e.Carried...))
		if err != nil {
			errs = append(errs, err)
			break
		}
		elsewhere := ""
		if len(found) > 0 {
			elsewhere = found[0]
		}
		if err := s.store.MailChecked(ctx, e.ID, elsewhere); err != nil {
			errs = append(errs, err)
		}
	}
	return res, errors.Join(errs...)
}

// takeCopy deals with one copy in this station's folder: taken in when
// not held, moved on when its message was radicated or discarded.
func (s *Mail) takeCopy(ctx context.Context, box *mailbox.Box, h mailbox.Held, res *FetchResult) error {
	c := store.Claim{Folder: box.Mine(), UIDValidity: h.UIDValidity, UID: h.UID}
	st, err := s.store.MailClaimed(ctx, c)
	if err != nil {
		return err
	}
	if st.Held {
		if st.State == store.MailWaiting || st.Moved {
			return nil
		}
		if err := box.Finish(h.UIDValidity, h.UID, st.State == store.MailRadicated); err != nil {
			return err
		}
		res.Finished++
		return s.store.MailMoved(ctx, c)
	}
	raw, err := box.Download(h.UID)
	if errors.Is(err, mailbox.ErrGone) {
		return nil
	}
	if err != nil {
		return err
	}
	m, perr := email.Parse(raw)
	if perr != nil {
		m = nil // kept all the same: it was claimed, and is never lost
	}
	_, added, err := s.hold(ctx, raw, m, MailEntry{Source: "imap"}, &c)
	if err != nil {
		return err
	}
	if added {
		res.New++
	}
	return nil
}

// MailOptions say how often the background work fetches.
type MailOptions struct {
	Every time.Duration // between fetches; 2 minutes when zero
	Limit int           // new messages claimed at each; 20 when zero
}

// Start fetches from the mailbox, until Close, at once and every
// opt.Every, and soon after each radicación or discard (to move the
// message on to its folder, so that other stations see it radicated).
// Each round that took something in, or failed, is told to report (which
// may be nil). With no mailbox configured it only waits.
func (s *Mail) Start(ctx context.Context, opt MailOptions, report func(FetchResult, error)) {
	if opt.Every <= 0 {
		opt.Every = 2 * time.Minute
	}
	if opt.Limit <= 0 {
		opt.Limit = 20
	}
	s.bg.start(ctx, func(ctx context.Context) {
		n := opt.Limit
		for {
			cfg, err := s.mailboxConfig(ctx)
			if err == nil {
				res, err := s.fetch(ctx, cfg, n)
				if ctx.Err() != nil {
					return
				}
				if report != nil && (err != nil || res.New > 0 || res.Finished > 0) {
					report(res, err)
				}
			}
			select {
			case <-ctx.Done():
				return
			case <-s.settle:
				n = 0 // only move on what was done
			case <-time.After(opt.Every):
				n = opt.Limit
			}
		}
	})
}

// Close stops the background fetching and waits for it.
func (s *Mail) Close() { s.bg.stop() }
