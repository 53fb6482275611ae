package ui

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/capture"
	"github.com/radicador/radicador/scan"
	_ "github.com/radicador/radicador/scan/drivers" // every scanner driver of the platform
	"github.com/radicador/radicador/scan/escl/sim"
	"github.com/radicador/radicador/station"
)

// Built-in devices, offered when no scanner is found so that the whole
// loop can be tried at once.
const (
	deviceSANETest  = "sane:test"
	deviceSimulator = "escl:simulator"
)

// pages is the left half of Recepción: the scanner profile, scanning and
// importing, and the pages of the letter as thumbnails.
type pages struct {
	r        *reception
	content  fyne.CanvasObject
	profile  *widget.Select
	profiles []station.Profile
	scanBtn  *widget.Button
	cancel   *widget.Button
	progress *widget.ProgressBar         // the page under way, when the device says its size
	working  *widget.ProgressBarInfinite // when it does not
	status   *widget.Label
	grid     *widget.GridWrap
	shown    []capture.Page
	selected int // ID of the selected page, 0: none
	count    *widget.Label

	scanning   context.CancelFunc // set while a scan runs
	simulator  string             // URL of the built-in eSCL simulator, once started
	devices    []scan.Device
	pageTools  []*widget.Button
	lastScanAt time.Time
}

func newPages(r *reception) *pages {
	tr := r.w.tr
	p := &pages{r: r}
	p.profile = widget.NewSelect(nil, nil)
	p.profile.PlaceHolder = tr.T("scan.finding")
	p.scanBtn = widget.NewButtonWithIcon(tr.T("action.scan"), theme.MediaPlayIcon(), func() { p.scan(0) })
	p.scanBtn.Importance = widget.HighImportance
	p.cancel = widget.NewButtonWithIcon(tr.T("action.cancel_scan"), theme.CancelIcon(), p.stop)
	p.cancel.Disable()
	importBtn := widget.NewButtonWithIcon(tr.T("action.import"), theme.FolderOpenIcon(), p.pickFile)
	p.progress = widget.NewProgressBar()
	p.progress.Hide()
	p.working = widget.NewProgressBarInfinite()
	p.working.Stop()
	p.working.Hide()
	p.status = widget.NewLabel(tr.T("pages.hint"))
	p.status.Wrapping = fyne.TextWrapWord
	p.count = widget.NewLabel("")

	p.grid = widget.NewGridWrap(
		func() int { return len(p.shown) },
		func() fyne.CanvasObject {
			img := canvas.NewImageFromResource(nil)
			img.FillMode = canvas.ImageFillContain
			img.ScaleMode = canvas.ImageScaleFastest
			img.SetMinSize(fyne.NewSize(118, 152))
			return container.NewVBox(img, widget.NewLabelWithStyle("", fyne.TextAlignCenter, fyne.TextStyle{}))
		},
		func(i widget.GridWrapItemID, o fyne.CanvasObject) {
			box := o.(*fyne.Container)
			pg := p.shown[i]
			img := box.Objects[0].(*canvas.Image)
			if img.File != pg.Thumb {
				img.File = pg.Thumb
				img.Resource = nil
				img.Refresh()
			}
			box.Objects[1].(*widget.Label).SetText(p.pageLabel(i, pg))
		},
	)
	p.grid.OnSelected = func(i widget.GridWrapItemID) {
		if i >= 0 && i < len(p.shown) {
			p.selected = p.shown[i].ID
		}
		p.updateTools()
	}
	p.grid.OnUnselected = func(widget.GridWrapItemID) { p.selected = 0; p.updateTools() }

	tool := func(key string, icon fyne.Resource, f func(id int)) *widget.Button {
		b := widget.NewButtonWithIcon("", icon, func() {
			if p.selected != 0 {
				f(p.selected)
			}
		})
		b.Importance = widget.LowImportance
		b.SetText(tr.T(key))
		p.pageTools = append(p.pageTools, b)
		return b
	}
	tools := container.NewHBox(
		tool("page.rotate_left", theme.ContentUndoIcon(), func(id int) { p.rotate(id, -1) }),
		tool("page.rotate_right", theme.ContentRedoIcon(), func(id int) { p.rotate(id, 1) }),
		tool("page.up", theme.MoveUpIcon(), func(id int) { p.move(id, -1) }),
		tool("page.down", theme.MoveDownIcon(), func(id int) { p.move(id, 1) }),
		tool("page.delete", theme.DeleteIcon(), p.delete),
		tool("page.rescan", theme.ViewRefreshIcon(), p.scan),
	)
	p.updateTools()

	top := container.NewVBox(
		container.NewBorder(nil, nil, widget.NewLabel(tr.T("field.profile")), nil, p.profile),
		container.NewHBox(p.scanBtn, p.cancel, importBtn, layout.NewSpacer()),
		p.progress,
		p.working,
		p.status,
	)
	p.content = container.NewBorder(top, container.NewVBox(widget.NewSeparator(), p.count, tools), nil, nil, p.grid)
	p.refresh()
	if n := len(p.shown); n > 0 {
		p.status.SetText(tr.T("pages.restored", "N", n))
	}
	return p
}

func (p *pages) pageLabel(i int, pg capture.Page) string {
	tr := p.r.w.tr
	s := tr.T("page.n", "N", i+1)
	switch {
	case pg.Separator:
		s += " · " + tr.T("page.separator")
	case pg.Blank && p.r.w.cfg.Scanning.DropBlank:
		s += " · " + tr.T("page.blank_dropped")
	case pg.Blank:
		s += " · " + tr.T("page.blank")
	case pg.Radicado != "":
		s += " · " + pg.Radicado
	}
	return s
}

func (p *pages) updateTools() {
	for _, b := range p.pageTools {
		if p.selected == 0 || p.scanning != nil {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

// refresh shows the batch's pages as they are now.
func (p *pages) refresh() {
	p.shown = p.r.w.batch.Pages()
	p.grid.Refresh()
	found := false
	for i, pg := range p.shown {
		if pg.ID == p.selected {
			p.grid.Select(i)
			found = true
		}
	}
	if !found {
		p.selected = 0
		p.grid.UnselectAll()
	}
	doc, _ := p.r.w.batch.Document()
	tr := p.r.w.tr
	switch {
	case len(p.shown) == 0:
		p.count.SetText(tr.T("pages.none"))
	case len(doc) == len(p.shown):
		p.count.SetText(tr.T("pages.count", "N", len(doc)))
	default:
		p.count.SetText(tr.T("pages.count_batch", "N", len(doc), "Total", len(p.shown)))
	}
	p.updateTools()
}

// findDevices fills the profile choice: the configured profiles, the
// scanners found, SANE's test device and the built-in simulator.
func (p *pages) findDevices() {
	list := p.r.w.opt.Devices
	if list == nil {
		list = func(ctx context.Context) ([]scan.Device, error) {
			ctx, cancel := context.WithTimeout(ctx, 8*time.Second)
			defer cancel()
			return scan.Devices(ctx)
		}
	}
	p.setProfiles() // configured ones at once
	background(p.r.w, list, func(devs []scan.Device, err error) {
		p.devices = devs
		p.setProfiles()
	})
}

// setProfiles lists the profiles, keeping the choice when it is still there.
func (p *pages) setProfiles() {
	tr := p.r.w.tr
	def := scan.Settings{Source: scan.ADF, DPI: 300, Mode: scan.Gray, PageSize: scan.Carta}
	var ps []station.Profile
	ps = append(ps, p.r.w.cfg.Scanning.Profiles...)
	for _, d := range p.devices {
		if d.URI == deviceSANETest || strings.HasPrefix(d.URI, "file:") {
			continue
		}
		ps = append(ps, station.Profile{Name: d.Name, Device: d.URI, Settings: def})
	}
	ps = append(ps,
		station.Profile{Name: tr.T("scan.simulator"), Device: deviceSimulator, Settings: def},
		station.Profile{Name: tr.T("scan.sane_test"), Device: deviceSANETest, Settings: scan.Settings{Source: scan.ADF, DPI: 150, Mode: scan.Gray, PageSize: scan.Carta}},
	)
	old := p.profile.Selected
	p.profiles = ps
	names := make([]string, len(ps))
	for i, pr := range ps {
		names[i] = p.profileName(pr)
	}
	p.profile.SetOptions(names)
	p.profile.PlaceHolder = tr.T("scan.pick")
	for i, n := range names {
		if n == old {
			p.profile.SetSelectedIndex(i)
			return
		}
	}
	p.profile.SetSelectedIndex(0)
}

func (p *pages) profileName(pr station.Profile) string {
	tr := p.r.w.tr
	s := pr.Settings
	return fmt.Sprintf("%s — %s, %d dpi, %s", pr.Name, tr.T("source."+string(s.Source)), s.DPI, tr.T("mode."+string(s.Mode)))
}

// device gives the URI to open for a profile, starting the built-in
// simulator the first time it is asked for.
func (p *pages) device(pr station.Profile) (string, error) {
	if pr.Device != deviceSimulator {
		return pr.Device, nil
	}
	if p.simulator == "" {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		srv := &http.Server{Handler: sim.New(sim.Options{Sheets: 3, Delay: 150 * time.Millisecond}), ReadHeaderTimeout: 10 * time.Second}
		go srv.Serve(l)
		go func() {
			<-p.r.w.ctx.Done()
			srv.Close()
		}()
		p.simulator = "escl:http://" + l.Addr().String() + "/eSCL"
	}
	return p.simulator, nil
}

// scan runs the chosen profile. With replace set, the pages scanned take
// the place of that page (a rescan).
func (p *pages) scan(replace int) {
	w := p.r.w
	tr := w.tr
	if p.scanning != nil {
		return
	}
	i := p.profile.SelectedIndex()
	if i < 0 {
		p.status.SetText(tr.T("scan.pick"))
		return
	}
	pr := p.profiles[i]
	uri, err := p.device(pr)
	if err != nil {
		p.status.SetText(tr.T("scan.failed", "Error", w.explain(err)))
		return
	}
	target := w.batch
	if replace != 0 {
		// inside the batch's folder, so that clearing the batch clears it
		work, err := w.st.WorkDir("reception")
		var dir string
		if err == nil {
			dir, err = os.MkdirTemp(work, "rescan-")
		}
		if err == nil {
			target, err = capture.New(dir, w.batch.Options())
		}
		if err != nil {
			p.status.SetText(tr.T("scan.failed", "Error", w.explain(err)))
			return
		}
	}
	ctx, cancel := context.WithCancel(w.ctx)
	p.scanning = cancel
	p.scanBtn.Disable()
	p.cancel.Enable()
	p.updateTools()
	p.progress.SetValue(0)
	p.working.Show()
	p.working.Start()
	p.status.SetText(tr.T("scan.running", "Device", pr.Name))
	before := w.batch.Len()
	var lastPct float64 = -1
	background(w, func(context.Context) (int, error) {
		defer cancel()
		sc, err := scan.Open(ctx, uri)
		if err != nil {
			return 0, err
		}
		defer sc.Close()
		page := 0
		err = target.Scan(ctx, sc, pr.Settings, func(pg scan.Progress) {
			if pg.Page != page { // a new page: say which
				page = pg.Page
				n := before + pg.Page
				p.r.w.do(func() { p.status.SetText(tr.T("scan.page", "Device", pr.Name, "N", n)) })
			}
			if pg.Total <= 0 {
				return // the bar keeps moving without a measure
			}
			pct := float64(pg.Bytes) / float64(pg.Total)
			if pct-lastPct < 0.05 && pct < 1 {
				return
			}
			lastPct = pct
			p.r.w.do(func() {
				if p.progress.Hidden {
					p.working.Stop()
					p.working.Hide()
					p.progress.Show()
				}
				p.progress.SetValue(pct)
			})
		}, func(capture.Page) {
			if replace == 0 {
				p.r.w.do(p.refresh)
			}
		})
		if replace != 0 {
			if target.Len() == 0 {
				return 0, errors.Join(err, errors.New(tr.T("scan.nothing")))
			}
			if rerr := w.batch.Replace(replace, target); rerr != nil {
				return 0, rerr
			}
			return 1, err
		}
		return w.batch.Len() - before, err
	}, func(n int, err error) {
		p.scanning = nil
		p.scanBtn.Enable()
		p.cancel.Disable()
		p.progress.Hide()
		p.working.Stop()
		p.working.Hide()
		p.refresh()
		p.lastScanAt = time.Now()
		switch {
		case errors.Is(err, scan.ErrCancelled) || errors.Is(err, context.Canceled):
			p.status.SetText(tr.T("scan.cancelled", "N", n))
		case errors.Is(err, scan.ErrJammed):
			p.status.SetText(tr.T("scan.jammed", "N", n))
		case errors.Is(err, scan.ErrNoDocs):
			p.status.SetText(tr.T("scan.no_docs"))
		case errors.Is(err, scan.ErrCoverOpen):
			p.status.SetText(tr.T("scan.cover_open", "N", n))
		case err != nil:
			p.status.SetText(tr.T("scan.failed", "Error", w.explain(err)))
		default:
			p.status.SetText(tr.T("scan.done", "N", n))
		}
		if n > 0 {
			p.r.analyze()
		}
	})
}

// stop cancels the scan under way; the pages already scanned stay.
func (p *pages) stop() {
	if p.scanning != nil {
		p.scanning()
	}
}

func (p *pages) pickFile() {
	d := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		rc.Close()
		p.importFiles([]string{rc.URI().Path()})
	}, p.r.w.Window)
	d.SetFilter(storage.NewExtensionFileFilter([]string{".pdf", ".png", ".jpg", ".jpeg", ".tif", ".tiff"}))
	d.Resize(fyne.NewSize(900, 600))
	d.Show()
}

// importFiles adds the pages of files (dialog or drag and drop).
func (p *pages) importFiles(files []string) {
	w := p.r.w
	before := w.batch.Len()
	p.status.SetText(w.tr.T("import.running", "N", len(files)))
	background(w, func(ctx context.Context) (int, error) {
		err := w.batch.Import(ctx, files, func(capture.Page) { p.r.w.do(p.refresh) })
		return w.batch.Len() - before, err
	}, func(n int, err error) {
		p.refresh()
		if err != nil {
			p.status.SetText(w.tr.T("import.failed", "Error", w.explain(err)))
		} else {
			p.status.SetText(w.tr.T("import.done", "N", n))
		}
		if n > 0 {
			p.r.analyze()
		}
	})
}

func (p *pages) rotate(id, q int) {
	background(p.r.w, func(context.Context) (capture.Page, error) { return p.r.w.batch.Rotate(id, q) },
		func(_ capture.Page, err error) { p.done(err) })
}

func (p *pages) move(id, delta int) {
	_, err := p.r.w.batch.Move(id, delta)
	p.done(err)
}

func (p *pages) delete(id int) {
	err := p.r.w.batch.Delete(id)
	p.done(err)
}

func (p *pages) done(err error) {
	if err != nil {
		p.status.SetText(p.r.w.tr.T("page.failed", "Error", err.Error()))
	}
	p.refresh()
}

func oneLine(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }
