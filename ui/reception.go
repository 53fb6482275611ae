package ui

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/capture"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

// sure is the confidence from which a value read from the letter is not
// flagged for the clerk to check.
const sure = 0.8

// reception is the screen where a letter is scanned, its data filled and
// checked, and radicated: pages on the left, Datos and the result on the
// right.
type reception struct {
	w       *Window
	content fyne.CanvasObject
	pages   *pages
	mail    *mailStrip

	form     *widget.Form
	items    map[string]*widget.FormItem
	kind     *widget.Select
	docType  *widget.Select
	sender   *formEntry
	senderID *formEntry
	// senderEmail is where the acuse goes by e-mail (filled from an
	// e-mail's From; the clerk may type or clear it)
	senderEmail *formEntry
	subject     *formEntry
	// outgoing holds what a salida or interna adds: what it answers, and
	// a salida's recipient and how it is sent.
	outgoing  *fyne.Container
	answers   *formEntry
	toName    *formEntry
	toAddress *formEntry
	toCity    *formEntry
	toEmail   *formEntry
	sendBy    *widget.Select
	dept      *formEntry
	// cites are the numbers of ours the letter cites (read in it or from
	// our sticker on it); the clerk may clear or add them
	cites    *formEntry
	due      *widget.Label
	suggest  *fyne.Container
	senders  []radicado.Sender
	touched  map[string]bool // fields the clerk typed in: reading never overwrites them
	filling  bool
	reading  *widget.Label
	readGen  int
	readText string // the text read from the letter on the form
	typeGen  int    // changes of type: a due date computed for an older one is dropped

	radicar *widget.Button
	status  *widget.Label
	number  *canvas.Text
	sticker *canvas.Image
	printed *widget.Label
	receipt *widget.Button
	reprint *widget.Button
	last    string // the last number radicated here
	busy    bool
}

// Window-wide shortcuts; entries on the form let them through.
var (
	shortcutRadicar = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNew     = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutScan    = &desktop.CustomShortcut{KeyName: fyne.KeyE, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutImport  = &desktop.CustomShortcut{KeyName: fyne.KeyO, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutFind    = &desktop.CustomShortcut{KeyName: fyne.KeyF, Modifier: fyne.KeyModifierShortcutDefault}
)

func (w *Window) shortcuts() map[string]func() {
	return map[string]func(){
		shortcutRadicar.ShortcutName(): w.reception.submit,
		shortcutNew.ShortcutName():     w.reception.clear,
		shortcutScan.ShortcutName():    func() { w.tabs.SelectIndex(0); w.reception.pages.scan(0) },
		shortcutImport.ShortcutName():  func() { w.tabs.SelectIndex(0); w.reception.pages.pickFile() },
		shortcutFind.ShortcutName():    func() { w.tabs.SelectIndex(3) },
	}
}

func (w *Window) bindShortcuts() {
	all := w.shortcuts()
	for _, s := range []*desktop.CustomShortcut{shortcutRadicar, shortcutNew, shortcutScan, shortcutImport, shortcutFind} {
		f := all[s.ShortcutName()]
		w.Window.Canvas().AddShortcut(s, func(fyne.Shortcut) { f() })
	}
}

func newReception(w *Window) *reception {
	tr := w.tr
	r := &reception{w: w, touched: map[string]bool{}, items: map[string]*widget.FormItem{}}
	r.pages = newPages(r)
	r.mail = newMailStrip(r)

	kinds := make([]string, len(radicado.Kinds))
	for i, k := range radicado.Kinds {
		kinds[i] = tr.T("kind." + k.String())
	}
	r.kind = widget.NewSelect(kinds, func(string) { r.kindChanged() })
	r.kind.SetSelectedIndex(0)
	r.docType = widget.NewSelect(nil, func(string) {
		if !r.filling {
			r.touched["type"] = true
		}
		r.typeChanged()
	})
	r.docType.PlaceHolder = tr.T("hint.type")
	r.sender = r.newEntry("sender")
	r.sender.OnChanged = func(s string) {
		if !r.filling {
			r.touched["sender"] = true
			r.suggestSenders(s)
		}
	}
	r.sender.down = r.takeSuggestion
	r.suggest = container.NewHBox()
	r.senderID = r.newEntry("sender_id")
	r.senderID.SetPlaceHolder(tr.T("hint.sender_id"))
	r.senderEmail = r.newEntry("sender_email")
	r.senderEmail.SetPlaceHolder(tr.T("hint.sender_email"))
	r.subject = r.newEntry("subject")
	r.subject.MultiLine = true
	r.subject.Wrapping = fyne.TextWrapWord
	r.subject.SetMinRowsVisible(2)
	r.dept = r.newEntry("dept")
	r.cites = r.newEntry("cites")
	r.cites.SetPlaceHolder(tr.T("hint.cites"))
	r.due = widget.NewLabel("—")

	item := func(key string, o fyne.CanvasObject) *widget.FormItem {
		it := widget.NewFormItem(tr.T("field."+key), o)
		r.items[key] = it
		return it
	}
	r.form = widget.NewForm(
		item("kind", r.kind),
		item("type", r.docType),
		item("sender", container.NewVBox(r.sender, r.suggest)),
		item("sender_id", r.senderID),
		item("sender_email", r.senderEmail),
		item("subject", r.subject),
		item("dept", r.dept),
		item("cites", r.cites),
	)
	r.answers = r.newEntry("answers")
	r.answers.SetPlaceHolder(tr.T("hint.answers"))
	r.toName, r.toAddress, r.toCity, r.toEmail = r.newEntry("to_name"), r.newEntry("to_address"), r.newEntry("to_city"), r.newEntry("to_email")
	r.sendBy = widget.NewSelect([]string{tr.T("send." + radicado.SendPhysical), tr.T("send." + radicado.SendEmail), tr.T("send." + radicado.SendBoth)}, nil)
	r.sendBy.SetSelectedIndex(0)
	r.outgoing = container.NewVBox(widget.NewForm(
		widget.NewFormItem(tr.T("field.answers"), r.answers),
		widget.NewFormItem(tr.T("field.to_name"), r.toName),
		widget.NewFormItem(tr.T("field.to_address"), r.toAddress),
		widget.NewFormItem(tr.T("field.to_city"), r.toCity),
		widget.NewFormItem(tr.T("field.to_email"), r.toEmail),
		widget.NewFormItem(tr.T("field.send_by"), r.sendBy),
	))
	r.outgoing.Hide()
	r.reading = widget.NewLabel("")
	r.reading.Wrapping = fyne.TextWrapWord

	r.radicar = widget.NewButtonWithIcon(tr.T("action.radicar"), theme.ConfirmIcon(), r.submit)
	r.radicar.Importance = widget.HighImportance
	clear := widget.NewButtonWithIcon(tr.T("action.new"), theme.ContentClearIcon(), r.clear)
	r.status = widget.NewLabel(tr.T("status.ready"))
	r.status.Wrapping = fyne.TextWrapWord

	r.number = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	r.number.TextSize = 30
	r.number.TextStyle = fyne.TextStyle{Bold: true}
	r.sticker = canvas.NewImageFromResource(nil)
	r.sticker.FillMode = canvas.ImageFillContain
	r.sticker.SetMinSize(fyne.NewSize(250, 125))
	r.sticker.Hide()
	r.printed = widget.NewLabel("")
	r.printed.Wrapping = fyne.TextWrapWord
	r.receipt = widget.NewButtonWithIcon(tr.T("action.receipt"), theme.DocumentPrintIcon(), func() { r.print("receipt") })
	r.reprint = widget.NewButtonWithIcon(tr.T("action.reprint"), theme.DocumentPrintIcon(), func() { r.print("sticker") })
	r.receipt.Disable()
	r.reprint.Disable()

	result := container.NewBorder(nil, nil, nil, r.sticker, container.NewVBox(
		widget.NewLabelWithStyle(tr.T("last.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		r.number,
		r.printed,
		container.NewHBox(r.receipt, r.reprint),
	))
	right := container.NewVBox(
		widget.NewLabelWithStyle(tr.T("section.data"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		r.reading,
		r.form,
		r.outgoing,
		// The due date beside the button it follows from, so that the form
		// and the last radicado fit a 768-pixel screen.
		container.NewHBox(r.radicar, clear, widget.NewLabelWithStyle(tr.T("field.due")+":", fyne.TextAlignTrailing, fyne.TextStyle{Bold: true}), r.due),
		r.status,
		widget.NewSeparator(),
		result,
	)
	left := container.NewBorder(container.NewVBox(r.mail.content, widget.NewSeparator()), nil, nil, nil, r.pages.content)
	split := container.NewHSplit(left, container.NewVScroll(container.NewPadded(right)))
	split.SetOffset(0.45)
	r.content = split
	r.configChanged()
	return r
}

// kindChanged shows what a salida or interna adds to the form.
func (r *reception) kindChanged() {
	if r.outgoing == nil {
		return // still being built
	}
	if i := r.kind.SelectedIndex(); i >= 0 && radicado.Kinds[i] != radicado.Entrada {
		r.outgoing.Show()
	} else {
		r.outgoing.Hide()
	}
}

func (r *reception) newEntry(field string) *formEntry {
	e := &formEntry{w: r.w}
	e.ExtendBaseWidget(e)
	e.OnChanged = func(string) {
		if !r.filling {
			r.touched[field] = true
		}
	}
	return e
}

// configChanged takes a new configuration: types and departments.
func (r *reception) configChanged() {
	cfg := r.w.cfg
	names := make([]string, len(cfg.Types))
	for i, t := range cfg.Types {
		names[i] = t.Name
	}
	sel := r.docType.SelectedIndex()
	r.docType.SetOptions(names)
	if sel >= 0 && sel < len(names) {
		r.docType.SetSelectedIndex(sel)
	}
	var codes []string
	for code, name := range cfg.Depts {
		codes = append(codes, code+" "+name)
	}
	hint := r.w.tr.T("hint.dept")
	if len(codes) > 0 {
		hint = strings.Join(codes, " · ")
	}
	r.dept.SetPlaceHolder(hint)
	r.pages.setProfiles()
	r.pages.refresh()
}

// typeChanged routes the letter and shows its due date.
func (r *reception) typeChanged() {
	i := r.docType.SelectedIndex()
	if i < 0 {
		r.due.SetText("—")
		return
	}
	t := r.w.cfg.Types[i]
	if d, ok := r.w.cfg.Routes[t.Code]; ok && !r.touched["dept"] {
		r.setField(r.dept, d)
	}
	r.typeGen++
	gen := r.typeGen
	background(r.w, func(ctx context.Context) (calendar.Date, error) {
		return r.w.st.Records.DueNow(ctx, t.Code)
	}, func(d calendar.Date, err error) {
		if gen != r.typeGen {
			return // the type changed again: a newer due date is on its way
		}
		switch {
		case err != nil:
			r.due.SetText(err.Error())
		case d.IsZero():
			r.due.SetText(r.w.tr.T("due.none"))
		default:
			r.due.SetText(r.w.tr.T("due.on", "Date", d.String(), "Days", t.Days))
		}
	})
}

// setField fills a field for the clerk without counting it as typed.
func (r *reception) setField(e *formEntry, v string) {
	r.filling = true
	e.SetText(v)
	r.filling = false
}

// suggestSenders offers senders seen before whose name starts as typed.
func (r *reception) suggestSenders(prefix string) {
	if len([]rune(strings.TrimSpace(prefix))) < 2 {
		r.showSuggestions(nil)
		return
	}
	background(r.w, func(ctx context.Context) ([]radicado.Sender, error) {
		return r.w.st.Records.Senders(ctx, prefix, 4)
	}, func(ss []radicado.Sender, err error) {
		if err != nil || r.sender.Text != prefix {
			return
		}
		var keep []radicado.Sender
		for _, s := range ss {
			if s.Name != prefix {
				keep = append(keep, s)
			}
		}
		r.showSuggestions(keep)
	})
}

func (r *reception) showSuggestions(ss []radicado.Sender) {
	r.senders = ss
	r.suggest.RemoveAll()
	for i, s := range ss {
		text := s.Name
		if !s.ID.IsZero() {
			text += " · " + s.ID.String()
		}
		if i == 0 {
			text = "↓ " + text
		}
		b := widget.NewButton(text, func() { r.useSender(s) })
		b.Importance = widget.LowImportance
		r.suggest.Add(b)
	}
	r.suggest.Refresh()
}

// takeSuggestion takes the first suggestion (the Down key in the sender).
func (r *reception) takeSuggestion() {
	if len(r.senders) > 0 {
		r.useSender(r.senders[0])
	}
}

func (r *reception) useSender(s radicado.Sender) {
	r.setField(r.sender, s.Name)
	if !s.ID.IsZero() {
		r.setField(r.senderID, s.ID.String())
	}
	r.touched["sender"], r.touched["sender_id"] = true, true
	r.showSuggestions(nil)
	r.w.Window.Canvas().Focus(r.subject)
}

// analyze reads the letter on the pages in the background and fills what
// the clerk has not typed; radicación never waits for it.
func (r *reception) analyze() {
	_, files := r.w.batch.Document()
	if len(files) == 0 || r.mail.letter != nil { // a message's data come from the message
		return
	}
	r.readGen++
	gen := r.readGen
	r.reading.SetText(r.w.tr.T("read.running", "N", len(files)))
	pages, _ := r.w.batch.Document()
	background(r.w, func(ctx context.Context) (reading, error) {
		a, err := r.w.st.Reading.Analyze(ctx, files)
		if err != nil {
			return reading{}, err
		}
		// Our sticker seen when the page was scanned is cited too.
		for _, p := range pages {
			if n := p.Radicado; n != "" && !slices.Contains(a.Fields.Cites, n) {
				a.Fields.Cites = append(a.Fields.Cites, n)
			}
		}
		return reading{a, r.repliesTo(ctx, a.Fields.Cites)}, nil
	}, func(rd reading, err error) {
		if gen != r.readGen {
			if rd.a != nil {
				rd.a.Close()
			}
			return
		}
		if err != nil {
			r.reading.SetText(r.w.tr.T("read.failed", "Error", r.w.explain(err)))
			return
		}
		defer rd.a.Close()
		r.fill(rd.a)
		r.offerReply(rd.replies)
	})
}

// reading is what the station read on the letter on the form, with the
// salidas of ours it answers.
type reading struct {
	a       *station.Analysis
	replies []radicado.Record
}

// repliesTo gives the salidas of this station among the numbers a letter
// cites: the letter is offered as the reply to them.
func (r *reception) repliesTo(ctx context.Context, cites []string) []radicado.Record {
	var out []radicado.Record
	for _, n := range cites {
		if rec, err := r.w.st.Records.Get(ctx, n); err == nil && rec.Parts.Kind == radicado.Salida {
			out = append(out, rec)
		}
	}
	return out
}

// offerReply says on the form which of our salidas the letter answers.
func (r *reception) offerReply(replies []radicado.Record) {
	it := r.items["cites"]
	if len(replies) == 0 {
		return
	}
	var names []string
	for _, s := range replies {
		to := ""
		if s.Recipient != nil {
			to = s.Recipient.Name
		}
		names = append(names, r.w.tr.T("cites.reply", "Number", s.Number, "Subject", s.Subject, "To", to))
	}
	it.HintText = strings.Join(names, " · ")
	r.form.Refresh()
}

// fill puts what was read on the form and flags what is uncertain.
func (r *reception) fill(a *station.Analysis) {
	tr := r.w.tr
	r.readText = a.Text
	var unsure []string
	flag := func(key string, conf float64) {
		it := r.items[key]
		if conf < sure {
			it.HintText = tr.T("read.check", "Pct", int(conf*100+0.5))
			unsure = append(unsure, tr.T("field."+key))
		} else {
			it.HintText = ""
		}
	}
	f := a.Fields
	if v := f.SenderName; v.Value != "" && !r.touched["sender"] {
		r.setField(r.sender, v.Value)
		flag("sender", v.Confidence)
	}
	if v := f.SenderID; v.Value != "" && !r.touched["sender_id"] {
		r.setField(r.senderID, f.SenderIDType.Value+":"+v.Value)
		flag("sender_id", min(v.Confidence, f.SenderIDType.Confidence))
	}
	if v := f.Subject; v.Value != "" && !r.touched["subject"] {
		r.setField(r.subject, v.Value)
		flag("subject", v.Confidence)
	}
	if a.Type.Type != "" && !r.touched["type"] {
		for i, t := range r.w.cfg.Types {
			if t.Code == a.Type.Type {
				r.filling = true
				r.docType.SetSelectedIndex(i)
				r.filling = false
			}
		}
		flag("type", a.Type.Confidence)
	}
	if a.Dept != "" && !r.touched["dept"] {
		r.setField(r.dept, a.Dept)
		flag("dept", a.DeptScore)
	}
	if len(f.Cites) > 0 && !r.touched["cites"] {
		r.setField(r.cites, strings.Join(f.Cites, ", "))
	}
	r.form.Refresh()
	if len(unsure) == 0 {
		r.reading.SetText(tr.T("read.done", "Pages", len(a.Pages)))
	} else {
		r.reading.SetText(tr.T("read.unsure", "Pages", len(a.Pages), "Fields", strings.Join(unsure, ", ")))
	}
}

// request reads the form, checking it as the clerk would want it said.
func (r *reception) request() (station.Request, []capture.Page, string) {
	tr := r.w.tr
	pages, files := r.w.batch.Document()
	req := station.Request{
		SenderName: strings.TrimSpace(r.sender.Text), SenderID: strings.TrimSpace(r.senderID.Text), SenderEmail: strings.TrimSpace(r.senderEmail.Text),
		Subject: strings.TrimSpace(r.subject.Text), Dept: strings.TrimSpace(r.dept.Text), Files: files,
	}
	if code, _, ok := strings.Cut(req.Dept, " "); ok {
		req.Dept = code // "CODE name" as the placeholder lists them
	}
	for _, n := range strings.FieldsFunc(r.cites.Text, func(c rune) bool { return c == ',' || c == ';' }) {
		if n = strings.TrimSpace(n); n != "" {
			req.Cites = append(req.Cites, n)
		}
	}
	if i := r.kind.SelectedIndex(); i >= 0 {
		req.Kind = radicado.Kinds[i]
	}
	if i := r.docType.SelectedIndex(); i >= 0 {
		req.Type = r.w.cfg.Types[i].Code
	}
	switch {
	case r.pages.scanning != nil:
		return req, nil, tr.T("check.scanning")
	case len(files) == 0:
		return req, nil, tr.T("check.no_pages")
	case req.Type == "":
		return req, nil, tr.T("check.no_type")
	case req.SenderName == "" && req.Kind == radicado.Entrada:
		return req, nil, tr.T("check.no_sender")
	case req.Subject == "":
		return req, nil, tr.T("check.no_subject")
	}
	if req.Kind != radicado.Entrada {
		for _, a := range strings.FieldsFunc(r.answers.Text, func(c rune) bool { return c == ',' || c == ' ' || c == ';' }) {
			req.Answers = append(req.Answers, a)
		}
		to := radicado.Recipient{Name: strings.TrimSpace(r.toName.Text), Address: strings.TrimSpace(r.toAddress.Text),
			City: strings.TrimSpace(r.toCity.Text), Email: strings.TrimSpace(r.toEmail.Text),
			SendBy: []string{radicado.SendPhysical, radicado.SendEmail, radicado.SendBoth}[max(0, r.sendBy.SelectedIndex())]}
		if req.Kind == radicado.Salida && to.Name+to.Address+to.City+to.Email != "" {
			req.Recipient = &to
		}
	}
	if req.SenderID != "" {
		if _, err := ident.Parse(req.SenderID); err != nil {
			return req, nil, tr.T("check.sender_id", "Error", err.Error())
		}
	}
	return req, pages, ""
}

// outcome is what radicación and the sticker's printing came to.
type outcome struct {
	rec      radicado.Record
	job      station.PrintJob
	printErr error
	preview  []byte // the sticker as PNG, for the screen
}

// submit radicates the letter on the form, off the UI goroutine, then
// prints its sticker; a printer that fails leaves the radicado standing and
// the sticker queued.
func (r *reception) submit() {
	if r.busy {
		return
	}
	req, pages, problem := r.request()
	if problem != "" {
		r.status.SetText(problem)
		r.status.Importance = widget.DangerImportance
		r.status.Refresh()
		return
	}
	r.busy = true
	r.radicar.Disable()
	r.status.Importance = widget.MediumImportance
	r.status.SetText(r.w.tr.T("status.working"))
	letter := r.mail.letter
	background(r.w, func(ctx context.Context) (outcome, error) {
		var o outcome
		var err error
		if letter != nil {
			o.rec, err = r.w.st.Mail.RadicarLetter(ctx, letter, req)
		} else {
			o.rec, err = r.w.st.Records.Radicar(ctx, req)
		}
		if err != nil {
			return o, err
		}
		o.job, o.printErr = r.printJob(ctx, "sticker", o.rec.Number)
		o.preview, _, _ = r.w.st.Printing.Sticker(ctx, o.rec.Number, station.LabelOptions{Format: "png", DPI: 203})
		return o, nil
	}, func(o outcome, err error) {
		r.busy = false
		r.radicar.Enable()
		if err != nil {
			r.status.Importance = widget.DangerImportance
			r.status.SetText(r.w.tr.T("status.error", "Error", r.w.explain(err)))
			return
		}
		r.w.batch.Taken(pages) // for a message, the pages only shown: the radicado is made of its files
		if letter != nil {
			r.mail.close()
			r.mail.refresh()
		}
		r.showResult(o)
		r.clearForm()
		r.pages.refresh()
		r.pages.status.SetText(r.w.tr.T("pages.hint"))
		if r.w.batch.Len() > 0 {
			r.analyze() // the next letter of the batch
		}
		r.w.refreshFooter()
	})
}

// printJob prints a radicado's sticker or receipt where the station's rule
// says (Printing.Destination): the configured printer or, with none, the
// data folder's etiquetas/.
func (r *reception) printJob(ctx context.Context, what, number string) (station.PrintJob, error) {
	return r.w.st.Printing.Print(ctx, what, number, "", station.LabelOptions{})
}

func (r *reception) showResult(o outcome) {
	tr := r.w.tr
	rec := o.rec
	r.last = rec.Number
	r.number.Text = rec.Number
	r.number.Refresh()
	due := tr.T("due.none")
	if !rec.Due.IsZero() {
		due = rec.Due.String()
	}
	r.status.Importance = widget.SuccessImportance
	r.status.SetText(tr.T("status.radicado", "Number", rec.Number, "Pages", rec.Pages, "Due", due))
	if o.preview != nil {
		r.sticker.Resource = fyne.NewStaticResource(rec.Number+".png", o.preview)
		r.sticker.Refresh()
		r.sticker.Show()
	}
	r.showPrint("sticker", o.job, o.printErr)
	r.receipt.Enable()
	r.reprint.Enable()
}

// showPrint says how a print job went.
func (r *reception) showPrint(what string, job station.PrintJob, err error) {
	tr := r.w.tr
	switch {
	case err != nil:
		r.printed.Importance = widget.WarningImportance
		r.printed.SetText("⚠ " + tr.T("print.failed."+what, "Error", r.w.explain(err)))
	case isPreview(job.Printer):
		r.printed.Importance = widget.MediumImportance
		folder, _ := station.IsPreview(job.Printer)
		r.printed.SetText(tr.T("print.preview."+what, "Folder", folder))
	default:
		r.printed.Importance = widget.MediumImportance
		r.printed.SetText(tr.T("print.done."+what, "Printer", job.Printer))
	}
}

// print prints the receipt, or reprints the sticker (COPIA), of the last
// radicado.
func (r *reception) print(what string) {
	if r.last == "" {
		return
	}
	number := r.last
	background(r.w, func(ctx context.Context) (station.PrintJob, error) {
		return r.printJob(ctx, what, number)
	}, func(job station.PrintJob, err error) {
		r.showPrint(what, job, err)
		r.w.refreshFooter()
	})
}

// clearForm empties the form for the next letter, keeping the last number
// on screen.
func (r *reception) clearForm() {
	r.filling = true
	for _, e := range []*formEntry{r.sender, r.senderID, r.senderEmail, r.subject, r.dept, r.cites, r.answers, r.toName, r.toAddress, r.toCity, r.toEmail} {
		e.SetText("")
	}
	r.docType.ClearSelected()
	r.filling = false
	r.touched = map[string]bool{}
	r.readText = ""
	r.readGen++
	r.reading.SetText("")
	for _, it := range r.items {
		it.HintText = ""
	}
	r.form.Refresh()
	r.due.SetText("—")
	r.showSuggestions(nil)
	r.w.Window.Canvas().Focus(r.sender)
}

// clear starts a new letter: the form and the pages.
func (r *reception) clear() {
	r.mail.close()
	r.pages.stop()
	r.w.batch.Clear()
	r.pages.refresh()
	r.clearForm()
	r.status.Importance = widget.MediumImportance
	r.status.SetText(r.w.tr.T("status.ready"))
}

// dropped takes files dropped on the window.
func (r *reception) dropped(_ fyne.Position, uris []fyne.URI) {
	var files, messages []string
	for _, u := range uris {
		switch {
		case u.Scheme() != "file":
		case isEML(u.Path()):
			messages = append(messages, u.Path())
		default:
			files = append(files, u.Path())
		}
	}
	if len(files)+len(messages) > 0 {
		r.w.tabs.SelectIndex(0)
	}
	if len(messages) > 0 {
		r.mail.importEML(messages)
	} else if len(files) > 0 {
		r.pages.importFiles(files)
	}
}

// formEntry is an entry that lets the window's shortcuts through while it
// has the focus, so that Ctrl+Enter radicates from any field.
type formEntry struct {
	widget.Entry
	w    *Window
	down func() // the Down key, when set
}

func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if f, ok := shortcutOf(e.w, s); ok {
		f()
		return
	}
	e.Entry.TypedShortcut(s)
}

// shortcutOf gives the window's action for a shortcut, if it has one.
func shortcutOf(w *Window, s fyne.Shortcut) (func(), bool) {
	cs, ok := s.(*desktop.CustomShortcut)
	if !ok {
		return nil, false
	}
	f, ok := w.shortcuts()[cs.ShortcutName()]
	return f, ok
}

func (e *formEntry) TypedKey(k *fyne.KeyEvent) {
	if k.Name == fyne.KeyDown && e.down != nil && !e.MultiLine {
		e.down()
		return
	}
	e.Entry.TypedKey(k)
}

// String helps tests print a form entry.
func (e *formEntry) String() string { return fmt.Sprintf("entry %q", e.Text) }

// isPreview reports whether a job went to the preview folder.
func isPreview(uri string) bool {
	_, ok := station.IsPreview(uri)
	return ok
}
