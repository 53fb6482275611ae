package ui

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

// searchLimit is how many results a search shows.
const searchLimit = 200

// previewPages is how many pages of a result are shown.
const previewPages = 4

// search (Buscar) finds radicados by any word of their content or data and
// shows the pages of the one chosen.
type search struct {
	w       *Window
	content fyne.CanvasObject
	query   *searchEntry
	results *widget.List
	found   []radicado.Record
	info    *widget.Label
	detail  *widget.Label
	pages   *fyne.Container
	gen     int
	shown   *station.Preview // the pages on screen, removed when others replace them
}

func newSearch(w *Window) *search {
	tr := w.tr
	s := &search{w: w, info: widget.NewLabel(tr.T("search.hint")), detail: widget.NewLabel("")}
	s.detail.Wrapping = fyne.TextWrapWord
	s.query = &searchEntry{w: w}
	s.query.ExtendBaseWidget(s.query)
	s.query.SetPlaceHolder(tr.T("search.placeholder"))
	s.query.OnSubmitted = func(string) { s.run() }
	s.results = widget.NewList(
		func() int { return len(s.found) },
		func() fyne.CanvasObject {
			top := widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
			sub := widget.NewLabel("")
			sub.Truncation = fyne.TextTruncateEllipsis
			return container.NewVBox(top, sub)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := s.found[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(r.Number + "   " + r.ReceivedAt.Format("2006-01-02 15:04"))
			box.Objects[1].(*widget.Label).SetText(r.Sender.Name + " — " + r.Subject)
		},
	)
	s.results.OnSelected = func(i widget.ListItemID) { s.show(s.found[i]) }
	s.pages = container.NewGridWrap(fyne.NewSize(260, 336))
	go1 := widget.NewButtonWithIcon(tr.T("action.search"), theme.SearchIcon(), s.run)
	top := container.NewBorder(nil, s.info, nil, go1, s.query)
	right := container.NewBorder(s.detail, nil, nil, nil, container.NewVScroll(s.pages))
	split := container.NewHSplit(s.results, right)
	split.SetOffset(0.4)
	s.content = container.NewBorder(top, nil, nil, nil, split)
	return s
}

// run searches for what is typed.
func (s *search) run() {
	q := s.query.Text
	background(s.w, func(ctx context.Context) ([]radicado.Record, error) {
		return s.w.st.Records.Search(ctx, q, searchLimit)
	}, func(rs []radicado.Record, err error) {
		if err != nil {
			s.info.SetText(oneLine(err))
			return
		}
		s.found = rs
		s.results.UnselectAll()
		s.results.Refresh()
		s.info.SetText(s.w.tr.T("search.count", "N", len(rs)))
		s.detail.SetText("")
		s.pages.RemoveAll()
		if len(rs) > 0 {
			s.results.Select(0)
		}
	})
}

// show shows a result's data and its first pages.
func (s *search) show(r radicado.Record) {
	tr := s.w.tr
	text := fmt.Sprintf("%s · %s · %s\n%s %s\n%s", r.Number, r.ReceivedAt.Format("2006-01-02 15:04"),
		tr.T("state."+string(r.Status)), r.Sender.Name, r.Sender.ID.String(), r.Subject)
	if a := r.Annulment; a != nil {
		text += "\n" + tr.T("search.annulled", "By", a.By, "Time", a.At.Format("2006-01-02 15:04"), "Reason", a.Reason)
	}
	s.detail.SetText(text)
	s.gen++
	gen := s.gen
	background(s.w, func(ctx context.Context) (*station.Preview, error) {
		p, err := s.w.st.Records.Preview(ctx, r.Number, previewPages)
		if err == nil && s.w.closed.Load() {
			p.Close() // no window to show it: its pages go now
			return nil, context.Canceled
		}
		return p, err
	}, func(p *station.Preview, err error) {
		if gen != s.gen {
			p.Close()
			return
		}
		s.shown.Close()
		s.shown = p
		s.pages.RemoveAll()
		if err != nil {
			s.pages.Add(widget.NewLabel(tr.T("search.no_preview", "Error", oneLine(err))))
			return
		}
		for _, path := range p.Paths {
			img := canvas.NewImageFromFile(path)
			img.FillMode = canvas.ImageFillContain
			img.ScaleMode = canvas.ImageScaleSmooth
			s.pages.Add(img)
		}
		if p.Total > len(p.Paths) {
			s.pages.Add(widget.NewLabel(tr.T("search.more_pages", "N", p.Total-len(p.Paths))))
		}
	})
}

// searchEntry lets the window's shortcuts through.
type searchEntry struct {
	widget.Entry
	w *Window
}

func (e *searchEntry) TypedShortcut(sc fyne.Shortcut) {
	if f, ok := shortcutOf(e.w, sc); ok {
		f()
		return
	}
	e.Entry.TypedShortcut(sc)
}
