package ui

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/file"
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
	tmp     string // the previous preview's page files
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
		return s.w.st.Search(ctx, q, searchLimit)
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

// preview is the pages of a radicado, as image files.
type preview struct {
	paths []string
	dir   string
	total int
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
	background(s.w, func(ctx context.Context) (preview, error) {
		return s.render(ctx, r.Number)
	}, func(p preview, err error) {
		if gen != s.gen {
			os.RemoveAll(p.dir)
			return
		}
		if s.tmp != "" {
			os.RemoveAll(s.tmp)
		}
		s.tmp = p.dir
		s.pages.RemoveAll()
		if err != nil {
			s.pages.Add(widget.NewLabel(tr.T("search.no_preview", "Error", oneLine(err))))
			return
		}
		for _, path := range p.paths {
			img := canvas.NewImageFromFile(path)
			img.FillMode = canvas.ImageFillContain
			img.ScaleMode = canvas.ImageScaleSmooth
			s.pages.Add(img)
		}
		if p.total > len(p.paths) {
			s.pages.Add(widget.NewLabel(tr.T("search.more_pages", "N", p.total-len(p.paths))))
		}
	})
}

// render gives the first pages of a radicado's document as images: image
// files as they are, PDF and TIFF pages drawn to files.
func (s *search) render(ctx context.Context, number string) (preview, error) {
	var p preview
	rec, err := s.w.st.Get(ctx, number)
	if err != nil {
		return p, err
	}
	blobs := s.w.st.Store().Blobs()
	for _, f := range rec.Files {
		p.total += f.Pages
		if len(p.paths) >= previewPages {
			continue
		}
		path := blobs.Path(f.SHA256)
		if f.MediaType == document.PNG || f.MediaType == document.JPEG {
			p.paths = append(p.paths, path)
			continue
		}
		if p.dir == "" {
			if p.dir, err = os.MkdirTemp(filepath.Join(s.w.st.Store().Dir(), "tmp"), "preview-"); err != nil {
				return p, err
			}
		}
		// a copy with the right extension, for the importer
		ext := ".pdf"
		if f.MediaType == document.TIFF {
			ext = ".tif"
		}
		link := filepath.Join(p.dir, f.SHA256[:12]+ext)
		if err := os.Symlink(path, link); err != nil {
			return p, err
		}
		_, err := file.Import(ctx, link, len(p.paths)+1, scan.Output{Dir: p.dir, Page: func(pg scan.Page) error {
			if len(p.paths) < previewPages {
				p.paths = append(p.paths, pg.Path)
			}
			return nil
		}})
		if err != nil {
			return p, err
		}
	}
	return p, nil
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
