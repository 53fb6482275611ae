package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
)

// despachoScreen (Despacho) sends salidas out: those waiting, chosen into
// a dispatch for a courier; the open dispatch, whose guide field takes a
// stream of scans (a handheld scanner types each guide and Enter) one
// envelope after another; closing it with its planilla; the courier's
// results file; and a returned envelope, by its number or the scan of its
// sticker, with the reason.
type despachoScreen struct {
	w       *Window
	content fyne.CanvasObject

	waiting  []radicado.Record
	chosen   map[string]bool
	waitList *widget.List
	courier  *widget.Select
	service  *widget.Select
	couriers []station.Courier

	open      station.Dispatch // the dispatch being worked; ID 0: none
	selected  string           // the envelope chosen in the open dispatch
	envList   *widget.List
	guide     *formEntry
	closeBtn  *widget.Button
	reason    *widget.Select
	reasons   []despacho.Reason
	returnNum *widget.Entry
	recent    *widget.Label
	closed    *widget.Select // a closed dispatch, for its planilla again
	closedIDs []int64
	colMap    *widget.Entry // the results file's columns, when not the usual ones
	message   *widget.Label
}

func newDespacho(w *Window) *despachoScreen {
	tr := w.tr
	d := &despachoScreen{w: w, chosen: map[string]bool{}, message: widget.NewLabel(""), recent: widget.NewLabel("")}
	d.message.Wrapping = fyne.TextWrapWord
	d.recent.Wrapping = fyne.TextWrapWord
	d.waitList = widget.NewList(func() int { return len(d.waiting) },
		func() fyne.CanvasObject { return widget.NewCheck("", nil) },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			r := d.waiting[i]
			c := o.(*widget.Check)
			c.OnChanged = nil
			c.SetText(fmt.Sprintf("%s · %s · %s", r.Number, r.Recipient.Name, r.Recipient.City))
			c.SetChecked(d.chosen[r.Number])
			c.OnChanged = func(on bool) { d.chosen[r.Number] = on }
		})
	d.courier = widget.NewSelect(nil, func(name string) { d.setServices(name) })
	d.courier.PlaceHolder = tr.T("desp.courier")
	d.service = widget.NewSelect(nil, nil)
	d.service.PlaceHolder = tr.T("desp.service")
	create := widget.NewButtonWithIcon(tr.T("desp.new"), theme.ContentAddIcon(), d.create)
	create.Importance = widget.HighImportance
	left := container.NewBorder(
		widget.NewLabelWithStyle(tr.T("desp.waiting"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		container.NewVBox(d.courier, d.service, create), nil, nil, d.waitList)

	d.envList = widget.NewList(func() int { return len(d.open.Envelopes) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(i widget.ListItemID, o fyne.CanvasObject) {
			e := d.open.Envelopes[i]
			g := e.Guide
			if g == "" {
				g = "—"
			}
			o.(*widget.Label).SetText(fmt.Sprintf("%s · %s %d · %s: %s · %s", e.Number, tr.T("desp.attempt"), e.Attempt, tr.T("desp.guide"), g, e.State))
		})
	d.envList.OnSelected = func(i widget.ListItemID) {
		if i >= 0 && i < len(d.open.Envelopes) {
			d.selected = d.open.Envelopes[i].Number
		}
	}
	label := widget.NewButtonWithIcon(tr.T("desp.label"), theme.DocumentPrintIcon(), d.shippingLabel)
	d.guide = &formEntry{w: w}
	d.guide.ExtendBaseWidget(d.guide)
	d.guide.SetPlaceHolder(tr.T("desp.guide_hint"))
	d.guide.OnSubmitted = d.takeGuide
	d.closeBtn = widget.NewButtonWithIcon(tr.T("desp.close"), theme.DocumentSaveIcon(), d.closeOpen)
	results := widget.NewButtonWithIcon(tr.T("desp.results"), theme.FolderOpenIcon(), d.pickResults)
	d.colMap = widget.NewEntry()
	d.colMap.SetPlaceHolder("guide=Guía,state=Estado,reason=Causal,date=Fecha")
	d.closed = widget.NewSelect(nil, nil)
	d.closed.PlaceHolder = tr.T("desp.closed_pick")
	planilla := func(format string) *widget.Button {
		return widget.NewButtonWithIcon(tr.T("desp.planilla_"+format), theme.DocumentSaveIcon(), func() { d.planilla(format) })
	}
	d.reason = widget.NewSelect(nil, nil)
	d.reason.PlaceHolder = tr.T("desp.reason")
	d.returnNum = widget.NewEntry()
	d.returnNum.SetPlaceHolder(tr.T("desp.return_number"))
	returned := widget.NewButtonWithIcon(tr.T("desp.return"), theme.MailReplyIcon(), func() { d.recordReturn(nil) })
	delivered := widget.NewButtonWithIcon(tr.T("desp.delivered"), theme.ConfirmIcon(), d.recordDelivered)
	fromScan := widget.NewButtonWithIcon(tr.T("desp.return_scan"), theme.MediaPhotoIcon(), d.pickReturnScan)
	right := container.NewBorder(
		container.NewVBox(widget.NewLabelWithStyle(tr.T("desp.open"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), d.guide),
		container.NewVBox(container.NewHBox(d.closeBtn, label, results), widget.NewSeparator(),
			widget.NewLabelWithStyle(tr.T("desp.returns"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
			container.NewBorder(nil, nil, nil, container.NewHBox(returned, fromScan, delivered), container.NewGridWithColumns(2, d.returnNum, d.reason)),
			widget.NewSeparator(), container.NewBorder(nil, nil, nil, container.NewHBox(planilla("pdf"), planilla("csv")), d.closed),
			container.NewBorder(nil, nil, widget.NewLabel(tr.T("desp.columns")), nil, d.colMap),
			d.recent, d.message),
		nil, nil, d.envList)
	split := container.NewHSplit(container.NewPadded(left), container.NewPadded(right))
	split.SetOffset(0.4)
	d.content = split
	return d
}

func (d *despachoScreen) setServices(courier string) {
	for _, c := range d.couriers {
		if c.Name == courier {
			d.service.SetOptions(c.Services)
			d.service.ClearSelected()
		}
	}
}

func (d *despachoScreen) say(s string) { d.message.SetText(s) }

// despachoData is what one refresh reads.
type despachoData struct {
	waiting []radicado.Record
	recent  []station.Dispatch
	cfg     station.Dispatching
}

// refresh reads the salidas waiting, the configuration and the latest
// dispatches; the open dispatch is the latest not closed.
func (d *despachoScreen) refresh() {
	background(d.w, func(ctx context.Context) (despachoData, error) {
		var x despachoData
		var err error
		if x.waiting, err = d.w.st.Despacho.Waiting(ctx); err != nil {
			return x, err
		}
		if x.recent, err = d.w.st.Despacho.List(ctx, 20); err != nil {
			return x, err
		}
		cfg, err := d.w.st.Settings.Config(ctx)
		x.cfg = cfg.Dispatching
		return x, err
	}, func(x despachoData, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.waiting, d.couriers, d.reasons = x.waiting, x.cfg.Couriers, x.cfg.Reasons
		for n := range d.chosen {
			if !containsNumber(d.waiting, n) {
				delete(d.chosen, n)
			}
		}
		var names, reasons []string
		for _, c := range d.couriers {
			names = append(names, c.Name)
		}
		for _, r := range d.reasons {
			reasons = append(reasons, r.Code+" · "+r.Text)
		}
		d.courier.SetOptions(names)
		d.reason.SetOptions(reasons)
		d.open = station.Dispatch{}
		var lines []string
		for _, x := range x.recent {
			if x.ClosedAt.IsZero() && d.open.ID == 0 {
				d.open = x
			}
			lines = append(lines, d.w.tr.T("desp.line", "ID", x.ID, "Courier", x.Courier, "N", len(x.Envelopes), "On", orDash(x.HandedOn)))
		}
		d.recent.SetText(strings.Join(lines, "\n"))
		var closed []string
		d.closedIDs = nil
		for _, x := range x.recent {
			if !x.ClosedAt.IsZero() {
				closed = append(closed, d.w.tr.T("desp.line", "ID", x.ID, "Courier", x.Courier, "N", len(x.Envelopes), "On", x.HandedOn))
				d.closedIDs = append(d.closedIDs, x.ID)
			}
		}
		d.closed.SetOptions(closed)
		d.waitList.Refresh()
		d.envList.Refresh()
		if d.open.ID == 0 {
			d.closeBtn.Disable()
		} else {
			d.closeBtn.Enable()
		}
	})
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func containsNumber(rs []radicado.Record, n string) bool {
	for _, r := range rs {
		if r.Number == n {
			return true
		}
	}
	return false
}

// create makes a dispatch of the chosen salidas for the chosen courier.
func (d *despachoScreen) create() {
	var numbers []string
	for _, r := range d.waiting {
		if d.chosen[r.Number] {
			numbers = append(numbers, r.Number)
		}
	}
	if len(numbers) == 0 || d.courier.Selected == "" {
		d.say(d.w.tr.T("desp.choose"))
		return
	}
	courier, service := d.courier.Selected, d.service.Selected
	background(d.w, func(ctx context.Context) (station.Dispatch, error) {
		return d.w.st.Despacho.New(ctx, courier, service, numbers, nil)
	}, func(x station.Dispatch, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.say(d.w.tr.T("desp.created", "ID", x.ID, "N", len(x.Envelopes)))
		d.refresh()
		d.w.Window.Canvas().Focus(d.guide)
	})
}

// takeGuide gives the guide just typed or scanned to the open dispatch's
// next envelope without one, and is ready for the next.
func (d *despachoScreen) takeGuide(guide string) {
	guide = strings.TrimSpace(guide)
	d.guide.SetText("")
	if guide == "" {
		return
	}
	number := ""
	for _, e := range d.open.Envelopes {
		if e.Guide == "" {
			number = e.Number
			break
		}
	}
	if number == "" {
		d.say(d.w.tr.T("desp.all_guided"))
		return
	}
	// Marked at once, so that the next scan, arriving before the answer,
	// goes to the next envelope.
	for i := range d.open.Envelopes {
		if d.open.Envelopes[i].Number == number {
			d.open.Envelopes[i].Guide = guide
		}
	}
	d.envList.Refresh()
	background(d.w, func(ctx context.Context) (station.Envelope, error) {
		return d.w.st.Despacho.Guide(ctx, number, guide)
	}, func(_ station.Envelope, err error) {
		if err != nil {
			d.say("⚠ " + number + ": " + d.w.explain(err))
			for i := range d.open.Envelopes {
				if d.open.Envelopes[i].Number == number && d.open.Envelopes[i].Guide == guide {
					d.open.Envelopes[i].Guide = ""
				}
			}
			d.envList.Refresh()
			return
		}
		d.say(d.w.tr.T("desp.guided", "Number", number, "Guide", guide))
	})
}

// closeOpen closes the open dispatch and writes its planilla (PDF) to
// planillas/ in the data folder.
func (d *despachoScreen) closeOpen() {
	id := d.open.ID
	if id == 0 {
		return
	}
	background(d.w, func(ctx context.Context) (string, error) {
		if _, err := d.w.st.Despacho.Close(ctx, id); err != nil {
			return "", err
		}
		return d.w.st.Despacho.WritePlanilla(ctx, id, "pdf")
	}, func(path string, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.say(d.w.tr.T("desp.closed", "ID", id, "Path", path))
		d.refresh()
	})
}

// pickResults imports a courier's results file (its usual columns).
func (d *despachoScreen) pickResults() {
	dlg := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		colMap := d.colMap.Text
		background(d.w, func(ctx context.Context) ([]station.Envelope, error) {
			f, err := os.Open(path)
			if err != nil {
				return nil, err
			}
			defer f.Close()
			cols, err := despacho.ParseColumns(colMap)
			if err != nil {
				return nil, err
			}
			return d.w.st.Despacho.Results(ctx, f, cols)
		}, func(envs []station.Envelope, err error) {
			if err != nil {
				d.say("⚠ " + d.w.tr.T("desp.results_failed", "Error", d.w.explain(err)))
				return
			}
			d.say(d.w.tr.T("desp.results_done", "N", len(envs)))
			d.refresh()
		})
	}, d.w.Window)
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".csv", ".txt"}))
	dlg.Resize(fyne.NewSize(900, 600))
	dlg.Show()
}

// pickReturnScan takes the scan of a returned envelope.
func (d *despachoScreen) pickReturnScan() {
	dlg := dialog.NewFileOpen(func(rc fyne.URIReadCloser, err error) {
		if err != nil || rc == nil {
			return
		}
		path := rc.URI().Path()
		rc.Close()
		d.recordReturn([]string{path})
	}, d.w.Window)
	dlg.SetFilter(storage.NewExtensionFileFilter([]string{".png", ".jpg", ".jpeg", ".tif", ".tiff", ".pdf"}))
	dlg.Resize(fyne.NewSize(900, 600))
	dlg.Show()
}

// recordReturn records a returned envelope: the number typed (or none, and
// the sticker on the scans says it) and the reason chosen.
func (d *despachoScreen) recordReturn(scans []string) {
	i := d.reason.SelectedIndex()
	if i < 0 || i >= len(d.reasons) {
		d.say(d.w.tr.T("desp.reason_needed"))
		return
	}
	reason, number := d.reasons[i].Code, strings.TrimSpace(d.returnNum.Text)
	background(d.w, func(ctx context.Context) (station.Envelope, error) {
		return d.w.st.Despacho.Return(ctx, number, reason, scans)
	}, func(e station.Envelope, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.returnNum.SetText("")
		d.say(d.w.tr.T("desp.returned", "Number", e.Number, "Attempt", e.Attempt, "Reason", e.Reason))
		d.refresh()
	})
}

// recordDelivered records by hand that the salida typed was delivered
// today.
func (d *despachoScreen) recordDelivered() {
	number := strings.TrimSpace(d.returnNum.Text)
	if number == "" {
		d.say(d.w.tr.T("desp.number_needed"))
		return
	}
	background(d.w, func(ctx context.Context) (station.Envelope, error) {
		return d.w.st.Despacho.Delivered(ctx, number, calendar.DateOf(d.w.st.Now()))
	}, func(e station.Envelope, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.returnNum.SetText("")
		d.say(d.w.tr.T("desp.delivered_done", "Number", e.Number))
		d.refresh()
	})
}

// shippingLabel prints the chosen envelope's shipping label on the label
// printer, or, with none configured, writes it as PNG to etiquetas/.
func (d *despachoScreen) shippingLabel() {
	number := d.selected
	if number == "" {
		d.say(d.w.tr.T("desp.choose_envelope"))
		return
	}
	background(d.w, func(ctx context.Context) (string, error) {
		err := d.w.st.Printing.PrintShipping(ctx, number, "", station.LabelOptions{})
		if !errors.Is(err, station.ErrNoPrinter) {
			return "", err
		}
		png, _, err := d.w.st.Printing.Shipping(ctx, number, station.LabelOptions{Format: "png"})
		if err != nil {
			return "", err
		}
		dir := filepath.Join(d.w.st.Dir(), station.PreviewFolder)
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return "", err
		}
		path := filepath.Join(dir, "envio-"+number+".png")
		return path, atomicfile.Write(path, png, 0o640)
	}, func(path string, err error) {
		switch {
		case err != nil:
			d.say("⚠ " + d.w.explain(err))
		case path != "":
			d.say(d.w.tr.T("desp.label_file", "Number", number, "Path", path))
		default:
			d.say(d.w.tr.T("desp.label_printed", "Number", number))
		}
	})
}

// planilla writes the chosen closed dispatch's planilla again, as format.
func (d *despachoScreen) planilla(format string) {
	i := d.closed.SelectedIndex()
	if i < 0 || i >= len(d.closedIDs) {
		d.say(d.w.tr.T("desp.closed_pick"))
		return
	}
	id := d.closedIDs[i]
	background(d.w, func(ctx context.Context) (string, error) {
		return d.w.st.Despacho.WritePlanilla(ctx, id, format)
	}, func(path string, err error) {
		if err != nil {
			d.say("⚠ " + d.w.explain(err))
			return
		}
		d.say(d.w.tr.T("desp.planilla_done", "ID", id, "Path", path))
	})
}
