package ui

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// mailStrip is the Correo part of Recepción: the e-mail messages waiting
// beside the scanned letters (claimed from the mailbox, or .eml files
// dropped on the window), opened onto the form one at a time, radicated
// with the form's data, or discarded with a reason.
type mailStrip struct {
	r       *reception
	content fyne.CanvasObject
	list    *widget.Select
	waiting []station.MailEntry
	fetch   *widget.Button
	open    *widget.Button
	discard *widget.Button
	status  *widget.Label
	letter  *station.Letter // the message on the form; nil: a paper letter
	gen     int             // of the latest open: an older one's result is dropped
}

func newMailStrip(r *reception) *mailStrip {
	tr := r.w.tr
	m := &mailStrip{r: r, status: widget.NewLabel("")}
	m.status.Wrapping = fyne.TextWrapWord
	m.status.Hide() // shown when there is something to say
	m.list = widget.NewSelect(nil, func(string) { m.updateButtons() })
	m.list.PlaceHolder = tr.T("mail.none")
	m.fetch = widget.NewButtonWithIcon(tr.T("mail.fetch"), theme.MailComposeIcon(), m.fetchNow)
	m.open = widget.NewButtonWithIcon(tr.T("mail.open"), theme.MailAttachmentIcon(), m.openSelected)
	m.discard = widget.NewButtonWithIcon(tr.T("mail.discard"), theme.DeleteIcon(), m.discardSelected)
	m.content = container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(tr.T("mail.title")), container.NewHBox(m.open, m.discard, m.fetch), m.list),
		m.status,
	)
	m.updateButtons()
	m.refresh()
	return m
}

// say shows a line under the strip.
func (m *mailStrip) say(text string) {
	m.status.SetText(text)
	m.status.Show()
}

func (m *mailStrip) updateButtons() {
	if m.list.SelectedIndex() < 0 {
		m.open.Disable()
		m.discard.Disable()
	} else {
		m.open.Enable()
		m.discard.Enable()
	}
}

// label names a message in the list: who, when, about what.
func mailLabel(e station.MailEntry) string {
	from := e.FromName
	if from == "" {
		from = e.From
	}
	s := fmt.Sprintf("%d · %s — %s", e.ID, from, e.Subject)
	if !e.Date.IsZero() {
		s = fmt.Sprintf("%d · %s · %s — %s", e.ID, e.Date.Local().Format("01-02 15:04"), from, e.Subject)
	}
	if e.Attachments > 0 {
		s += fmt.Sprintf(" (%d 📎)", e.Attachments)
	}
	if e.Elsewhere != "" {
		s = "⚠ " + s
	}
	return s
}

// refresh reads the messages waiting.
func (m *mailStrip) refresh() {
	background(m.r.w, func(ctx context.Context) ([]station.MailEntry, error) {
		return m.r.w.st.Mail.List(ctx, store.MailWaiting)
	}, func(list []station.MailEntry, err error) {
		if err != nil {
			m.say(m.r.w.explain(err))
			return
		}
		m.waiting = list
		opts := make([]string, len(list))
		for i, e := range list {
			opts[i] = mailLabel(e)
		}
		m.list.ClearSelected()
		m.list.SetOptions(opts)
		m.list.PlaceHolder = m.r.w.tr.T("mail.waiting", "N", len(list))
		m.list.Refresh()
		m.updateButtons()
	})
}

// fetchNow claims new messages from the mailbox.
func (m *mailStrip) fetchNow() {
	tr := m.r.w.tr
	m.fetch.Disable()
	m.say(tr.T("mail.fetching"))
	background(m.r.w, func(ctx context.Context) (station.FetchResult, error) {
		return m.r.w.st.Mail.Fetch(ctx, 20)
	}, func(res station.FetchResult, err error) {
		m.fetch.Enable()
		m.fetched(res, err)
	})
}

// fetched says what a fetch (the button's, or the background's) did.
func (m *mailStrip) fetched(res station.FetchResult, err error) {
	tr := m.r.w.tr
	switch {
	case err != nil:
		m.say("⚠ " + tr.T("mail.fetch_failed", "Error", m.r.w.explain(err)))
	case res.TooLarge > 0:
		m.say(tr.T("mail.fetched", "N", res.New) + " " + tr.T("mail.too_large", "N", res.TooLarge))
	default:
		m.say(tr.T("mail.fetched", "N", res.New))
	}
	m.refresh()
}

func (m *mailStrip) selected() (station.MailEntry, bool) {
	i := m.list.SelectedIndex()
	if i < 0 || i >= len(m.waiting) {
		return station.MailEntry{}, false
	}
	return m.waiting[i], true
}

// opened is a message laid out, with the data read from it.
type opened struct {
	letter *station.Letter
	req    station.Request
}

// openSelected puts the selected message on the form: its pages on the
// left, its data on the right.
func (m *mailStrip) openSelected() {
	e, ok := m.selected()
	if ok {
		m.openID(e.ID)
	}
}

func (m *mailStrip) openID(id int64) {
	r := m.r
	tr := r.w.tr
	r.clear()
	r.reading.SetText(tr.T("mail.reading"))
	m.gen++
	gen := m.gen
	background(r.w, func(ctx context.Context) (opened, error) {
		l, err := r.w.st.Mail.Open(ctx, id)
		if err != nil {
			return opened{}, err
		}
		req, a, err := r.w.st.Mail.Request(ctx, l)
		if err != nil {
			l.Close()
			return opened{}, err
		}
		a.Close()
		return opened{l, req}, nil
	}, func(o opened, err error) {
		if gen != m.gen {
			if o.letter != nil {
				o.letter.Close() // another message was opened, or the form cleared, meanwhile
			}
			return
		}
		if err != nil {
			r.reading.SetText(tr.T("read.failed", "Error", r.w.explain(err)))
			return
		}
		m.letter = o.letter
		r.fillRequest(o.req)
		r.reading.SetText(tr.T("mail.opened", "From", o.letter.Message.From.String(), "Annexes", len(o.letter.Annexes)))
		r.pages.importFiles(o.letter.Documents)
	})
}

// close lets go of the message on the form, and of one being opened.
func (m *mailStrip) close() {
	m.gen++
	if m.letter != nil {
		m.letter.Close()
		m.letter = nil
	}
}

// discardSelected asks why the selected message is not correspondence and
// discards it.
func (m *mailStrip) discardSelected() {
	e, ok := m.selected()
	if !ok {
		return
	}
	tr := m.r.w.tr
	reason := widget.NewEntry()
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errText(tr.T("mail.reason_needed"))
		}
		return nil
	}
	d := dialog.NewForm(tr.T("mail.discard_title", "Subject", e.Subject), tr.T("mail.discard"), tr.T("action.cancel"),
		[]*widget.FormItem{widget.NewFormItem(tr.T("mail.reason"), reason)}, func(ok bool) {
			if !ok {
				return
			}
			text := reason.Text
			background(m.r.w, func(ctx context.Context) (station.MailEntry, error) {
				return m.r.w.st.Mail.Discard(ctx, e.ID, text)
			}, func(_ station.MailEntry, err error) {
				if err != nil {
					m.say("⚠ " + m.r.w.explain(err))
				} else {
					m.say(tr.T("mail.discarded"))
					if m.letter != nil && m.letter.Entry.ID == e.ID {
						m.r.clear()
					}
				}
				m.refresh()
			})
		}, m.r.w.Window)
	d.Resize(fyne.NewSize(520, 200))
	d.Show()
}

// importEML takes in .eml files dropped on the window and opens the first.
func (m *mailStrip) importEML(files []string) {
	tr := m.r.w.tr
	background(m.r.w, func(ctx context.Context) (int64, error) {
		var first int64
		for _, f := range files {
			e, _, err := m.r.w.st.Mail.Import(ctx, f)
			if err != nil {
				return first, err
			}
			if first == 0 && e.State == store.MailWaiting {
				first = e.ID
			}
		}
		return first, nil
	}, func(first int64, err error) {
		if err != nil {
			m.say("⚠ " + tr.T("import.failed", "Error", m.r.w.explain(err)))
		}
		m.refresh()
		if first != 0 {
			m.openID(first)
		}
	})
}

// isEML reports whether a file is an e-mail message by its name.
func isEML(path string) bool { return strings.EqualFold(filepath.Ext(path), ".eml") }

// fillRequest puts the data read from a message on the form, leaving what
// the clerk typed.
func (r *reception) fillRequest(req station.Request) {
	r.filling = true
	defer func() { r.filling = false }()
	set := func(key string, e *formEntry, v string) {
		if v != "" && !r.touched[key] {
			e.SetText(v)
		}
	}
	set("sender", r.sender, req.SenderName)
	set("sender_id", r.senderID, req.SenderID)
	set("sender_email", r.senderEmail, req.SenderEmail)
	set("subject", r.subject, req.Subject)
	set("dept", r.dept, req.Dept)
	set("cites", r.cites, strings.Join(req.Cites, ", "))
	if !r.touched["type"] {
		for i, t := range r.w.cfg.Types {
			if t.Code == req.Type {
				r.docType.SetSelectedIndex(i)
			}
		}
	}
	for i, k := range radicado.Kinds {
		if k == req.Kind {
			r.kind.SetSelectedIndex(i)
		}
	}
	r.form.Refresh()
}
