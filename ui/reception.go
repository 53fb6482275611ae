package ui

import (
	"context"
	"path/filepath"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

// reception is the screen where a letter is captured and radicated.
type reception struct {
	w       *Window
	content fyne.CanvasObject

	kind     *widget.Select
	docType  *widget.Select
	sender   *formEntry
	senderID *formEntry
	subject  *formEntry
	dept     *formEntry
	files    []string
	fileList *widget.List
	filesLbl *widget.Label
	radicar  *widget.Button
	status   *widget.Label
	number   *canvas.Text
	types    []radicado.DocType
	busy     bool
}

var (
	shortcutRadicar = &desktop.CustomShortcut{KeyName: fyne.KeyReturn, Modifier: fyne.KeyModifierShortcutDefault}
	shortcutNew     = &desktop.CustomShortcut{KeyName: fyne.KeyN, Modifier: fyne.KeyModifierShortcutDefault}
)

func newReception(w *Window, cfg station.Config) *reception {
	tr := w.tr
	r := &reception{w: w, types: cfg.Types}

	kinds := make([]string, len(radicado.Kinds))
	for i, k := range radicado.Kinds {
		kinds[i] = tr.T("kind." + k.String())
	}
	r.kind = widget.NewSelect(kinds, nil)
	r.kind.SetSelectedIndex(0)
	names := make([]string, len(cfg.Types))
	for i, t := range cfg.Types {
		names[i] = t.Name
	}
	r.docType = widget.NewSelect(names, nil)
	r.docType.PlaceHolder = tr.T("hint.type")
	r.sender = newFormEntry(r)
	r.senderID = newFormEntry(r)
	r.senderID.SetPlaceHolder(tr.T("hint.sender_id"))
	r.subject = newFormEntry(r)
	r.subject.MultiLine = true
	r.subject.Wrapping = fyne.TextWrapWord
	r.subject.SetMinRowsVisible(3)
	r.dept = newFormEntry(r)
	r.dept.SetPlaceHolder(tr.T("hint.dept"))

	form := widget.NewForm(
		widget.NewFormItem(tr.T("field.kind"), r.kind),
		widget.NewFormItem(tr.T("field.type"), r.docType),
		widget.NewFormItem(tr.T("field.sender"), r.sender),
		widget.NewFormItem(tr.T("field.sender_id"), r.senderID),
		widget.NewFormItem(tr.T("field.subject"), r.subject),
		widget.NewFormItem(tr.T("field.dept"), r.dept),
	)

	r.radicar = widget.NewButtonWithIcon(tr.T("action.radicar"), theme.ConfirmIcon(), r.submit)
	r.radicar.Importance = widget.HighImportance
	clear := widget.NewButtonWithIcon(tr.T("action.new"), theme.ContentClearIcon(), r.clear)
	r.status = widget.NewLabel(tr.T("status.ready"))
	r.status.Wrapping = fyne.TextWrapWord
	r.number = canvas.NewText("", theme.Color(theme.ColorNamePrimary))
	r.number.TextSize = 34
	r.number.TextStyle = fyne.TextStyle{Bold: true}

	r.fileList = widget.NewList(
		func() int { return len(r.files) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(strconv.Itoa(i+1) + ". " + filepath.Base(r.files[i]))
		},
	)
	r.filesLbl = widget.NewLabel(tr.T("files.none"))
	r.filesLbl.Wrapping = fyne.TextWrapWord
	add := widget.NewButtonWithIcon(tr.T("action.add_files"), theme.FolderOpenIcon(), r.pickFile)
	removeAll := widget.NewButtonWithIcon(tr.T("action.clear_files"), theme.DeleteIcon(), func() { r.setFiles(nil) })
	docPanel := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(tr.T("field.files"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), r.filesLbl),
		container.NewHBox(add, removeAll), nil, nil, r.fileList)

	right := container.NewVBox(
		form,
		container.NewHBox(r.radicar, clear),
		widget.NewSeparator(),
		widget.NewLabelWithStyle(tr.T("last.title"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		r.number,
		r.status,
	)
	split := container.NewHSplit(docPanel, container.NewVScroll(container.NewPadded(right)))
	split.SetOffset(0.35)
	r.content = split
	return r
}

func (r *reception) bindShortcuts(c fyne.Canvas) {
	c.AddShortcut(shortcutRadicar, func(fyne.Shortcut) { r.submit() })
	c.AddShortcut(shortcutNew, func(fyne.Shortcut) { r.clear() })
}

func (r *reception) setFiles(files []string) {
	r.files = files
	r.fileList.Refresh()
	if len(files) == 0 {
		r.filesLbl.SetText(r.w.tr.T("files.none"))
	} else {
		r.filesLbl.SetText(r.w.tr.T("files.count", "N", len(files)))
	}
}

func (r *reception) pickFile() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		rc.Close()
		r.setFiles(append(r.files, rc.URI().Path()))
	}, r.w.Window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}))
	d.Show()
}

// request reads the form.
func (r *reception) request() station.Request {
	req := station.Request{
		SenderName: r.sender.Text, SenderID: r.senderID.Text, Subject: r.subject.Text,
		Dept: r.dept.Text, Files: append([]string(nil), r.files...),
	}
	if i := r.kind.SelectedIndex(); i >= 0 {
		req.Kind = radicado.Kinds[i]
	}
	if i := r.docType.SelectedIndex(); i >= 0 {
		req.Type = r.types[i].Code
	}
	return req
}

// submit radicates the letter on the form, off the UI goroutine.
func (r *reception) submit() {
	if r.busy {
		return
	}
	r.busy = true
	r.radicar.Disable()
	r.status.SetText(r.w.tr.T("status.working"))
	req := r.request()
	background(r.w, func(ctx context.Context) (radicado.Record, error) {
		return r.w.st.Radicar(ctx, req)
	}, func(rec radicado.Record, err error) {
		r.busy = false
		r.radicar.Enable()
		if err != nil {
			r.status.SetText(r.w.tr.T("status.error", "Error", err.Error()))
			return
		}
		due := rec.Due.String()
		if due == "" {
			due = r.w.tr.T("due.none")
		}
		r.number.Text = rec.Number
		r.number.Refresh()
		r.status.SetText(r.w.tr.T("status.radicado", "Number", rec.Number, "Pages", rec.Pages, "Due", due))
		r.clearForm()
		r.w.refreshFooter()
	})
}

// clearForm empties the form for the next letter, keeping the last number
// on screen.
func (r *reception) clearForm() {
	for _, e := range []*formEntry{r.sender, r.senderID, r.subject, r.dept} {
		e.SetText("")
	}
	r.docType.ClearSelected()
	r.setFiles(nil)
	r.w.Window.Canvas().Focus(r.sender)
}

// clear starts a new letter.
func (r *reception) clear() {
	r.clearForm()
	r.status.SetText(r.w.tr.T("status.ready"))
}

// formEntry is an entry that lets the window's shortcuts through while it
// has the focus, so that Ctrl+Enter radicates from any field.
type formEntry struct {
	widget.Entry
	r *reception
}

func newFormEntry(r *reception) *formEntry {
	e := &formEntry{r: r}
	e.ExtendBaseWidget(e)
	return e
}

func (e *formEntry) TypedShortcut(s fyne.Shortcut) {
	if cs, ok := s.(*desktop.CustomShortcut); ok {
		switch {
		case cs.ShortcutName() == shortcutRadicar.ShortcutName():
			e.r.submit()
			return
		case cs.ShortcutName() == shortcutNew.ShortcutName():
			e.r.clear()
			return
		}
	}
	e.Entry.TypedShortcut(s)
}
