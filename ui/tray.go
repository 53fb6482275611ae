package ui

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radicador/radicador/station"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// trayLimit is how many radicados the tray shows at once, newest first.
const trayLimit = 1000

// tray (Bandeja) lists the station's radicados with their sync and print
// state and due date, and acts on the one selected.
type tray struct {
	w        *Window
	content  fyne.CanvasObject
	table    *widget.Table
	rows     []radicado.Record
	gen      int // of the latest refresh
	stickers map[string]string
	returned map[string]wire.Returned // by a department, as the server said at the last sync
	acuses   map[string]wire.Acuse    // sent by e-mail by the server, as it said at the last sync
	outcomes map[string]station.Outcome
	selected string
	count    *widget.Label

	period  *widget.Select
	state   *widget.Select
	sync    *widget.Select
	text    *widget.Entry
	actions []*widget.Button
	retry   *widget.Button
	message *widget.Label
	dayEnd  *widget.Button
	ready   bool // built: filters may refresh it
}

// view shows a radicado's data and pages in Buscar.
func (t *tray) view(number string) {
	t.w.tabs.SelectIndex(3)
	t.w.search.query.SetText(number)
	t.w.search.run()
}

// closeDay writes the day's planilla and checks the day with the server.
func (t *tray) closeDay() {
	t.dayEnd.Disable()
	t.message.SetText(t.w.tr.T("dayend.running"))
	background(t.w, t.w.closeDay, func(d station.DayClose, err error) {
		t.dayEnd.Enable()
		if err != nil {
			t.message.SetText("⚠ " + t.w.tr.T("dayend.failed", "Error", t.w.explain(err)))
			return
		}
		t.message.SetText(t.w.dayEndText(d))
		t.refresh()
		t.w.refreshFooter()
	})
}

var trayColumns = []struct {
	key   string
	width float32
}{
	{"col.number", 168}, {"col.received", 132}, {"col.kind", 72}, {"col.type", 150},
	{"col.sender", 190}, {"col.subject", 210}, {"col.due", 96}, {"col.status", 80},
	{"col.sticker", 96}, {"col.sync", 116}, {"col.acuse", 90}, {"col.outcome", 190},
}

// The periods the tray filters by, in days back from today (0: all).
var trayPeriods = []struct {
	key  string
	days int
}{{"period.today", 1}, {"period.week", 7}, {"period.month", 30}, {"period.all", 0}}

func newTray(w *Window) *tray {
	tr := w.tr
	t := &tray{w: w, count: widget.NewLabel(""), message: widget.NewLabel("")}
	t.message.Wrapping = fyne.TextWrapWord
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(trayColumns) },
		func() fyne.CanvasObject {
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return l
		},
		func(id widget.TableCellID, o fyne.CanvasObject) {
			if id.Row < len(t.rows) {
				o.(*widget.Label).SetText(t.cell(t.rows[id.Row], id.Col))
			}
		},
	)
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(tr.T(trayColumns[id.Col].key))
		}
	}
	for i, c := range trayColumns {
		t.table.SetColumnWidth(i, c.width)
	}
	t.table.OnSelected = func(id widget.TableCellID) {
		if id.Row >= 0 && id.Row < len(t.rows) {
			t.selected = t.rows[id.Row].Number
			if r, ok := t.returned[t.selected]; ok {
				t.message.SetText("↩ " + tr.T("tray.returned", "Number", r.Number, "By", r.By, "Reason", r.Reason))
			} else if a, ok := t.acuses[t.selected]; ok {
				t.message.SetText(tr.T("tray.acuse", "Number", a.Number, "To", a.To, "State", tr.T("acuse."+a.State), "Error", a.Error))
			}
		}
		t.updateActions()
	}

	options := func(keys ...string) []string {
		out := make([]string, len(keys))
		for i, k := range keys {
			out[i] = tr.T(k)
		}
		return out
	}
	var periods []string
	for _, p := range trayPeriods {
		periods = append(periods, p.key)
	}
	t.period = widget.NewSelect(options(periods...), func(string) { t.refresh() })
	t.period.SetSelectedIndex(0)
	t.state = widget.NewSelect(options("filter.any_state", "state.active", "state.annulled"), func(string) { t.refresh() })
	t.state.SetSelectedIndex(0)
	t.sync = widget.NewSelect(options("filter.any_sync", "sync.pending", "sync.synced", "sync.conflict"), func(string) { t.refresh() })
	t.sync.SetSelectedIndex(0)
	t.text = widget.NewEntry()
	t.text.SetPlaceHolder(tr.T("filter.text"))
	t.text.OnChanged = func(string) { t.refresh() }

	action := func(key string, icon fyne.Resource, f func(number string)) *widget.Button {
		b := widget.NewButtonWithIcon(tr.T(key), icon, func() {
			if t.selected != "" {
				f(t.selected)
			}
		})
		t.actions = append(t.actions, b)
		return b
	}
	t.retry = widget.NewButtonWithIcon(tr.T("action.retry_prints"), theme.DocumentPrintIcon(), t.retryPrints)
	queue := widget.NewButtonWithIcon(tr.T("action.print_queue"), theme.ListIcon(), t.showPrintQueue)
	syncNow := widget.NewButtonWithIcon(tr.T("action.sync_now"), theme.UploadIcon(), func() {
		w.st.Sync.Wake()
		t.message.SetText(tr.T("sync.asked"))
	})
	refresh := widget.NewButtonWithIcon(tr.T("action.refresh"), theme.ViewRefreshIcon(), t.refresh)
	t.dayEnd = widget.NewButtonWithIcon(tr.T("action.day_end"), theme.DocumentSaveIcon(), t.closeDay)
	wide := func(o fyne.CanvasObject) fyne.CanvasObject {
		return container.New(layout.NewGridWrapLayout(fyne.NewSize(210, o.MinSize().Height)), o)
	}
	filters := container.NewHBox(wide(t.period), wide(t.state), wide(t.sync), refresh, t.count)
	top := container.NewBorder(nil, nil, filters, nil, t.text)
	bottom := container.NewVBox(
		container.NewHBox(
			action("action.view", theme.VisibilityIcon(), t.view),
			action("action.reprint", theme.DocumentPrintIcon(), func(n string) { t.print("sticker", n) }),
			action("action.receipt", theme.DocumentPrintIcon(), func(n string) { t.print("receipt", n) }),
			action("action.annul", theme.DeleteIcon(), t.annul),
			t.retry, queue, syncNow, t.dayEnd,
		),
		t.message,
	)
	t.updateActions()
	t.content = container.NewBorder(top, bottom, nil, nil, t.table)
	t.ready = true
	return t
}

func (t *tray) updateActions() {
	for _, b := range t.actions {
		if t.selected == "" {
			b.Disable()
		} else {
			b.Enable()
		}
	}
}

func (t *tray) cell(r radicado.Record, col int) string {
	tr := t.w.tr
	switch col {
	case 0:
		return r.Number
	case 1:
		return r.ReceivedAt.Format("2006-01-02 15:04")
	case 2:
		return tr.T("kind." + r.Parts.Kind.String())
	case 3:
		for _, ty := range t.w.cfg.Types {
			if ty.Code == r.Type {
				return ty.Name
			}
		}
		return r.Type
	case 4:
		return r.Sender.Name
	case 5:
		return r.Subject
	case 6:
		if r.Due.IsZero() {
			return "—"
		}
		return r.Due.String()
	case 7:
		if _, ok := t.returned[r.Number]; ok && r.Status == radicado.Active {
			return "↩ " + tr.T("state.returned")
		}
		return tr.T("state." + string(r.Status))
	case 8:
		if s, ok := t.stickers[r.Number]; ok {
			return tr.T("sticker." + s)
		}
		return tr.T("sticker.none")
	case 9:
		return tr.T("sync." + string(r.Sync))
	case 10:
		if a, ok := t.acuses[r.Number]; ok {
			return tr.T("acuse." + a.State)
		}
		if r.Sender.Email != "" && r.Parts.Kind != radicado.Salida && r.Status == radicado.Active {
			return tr.T("acuse.waiting")
		}
		return tr.T("acuse.none")
	case 11:
		var parts []string
		o := t.outcomes[r.Number]
		switch {
		case o.Delivery != "":
			s := tr.T("delivery."+o.Delivery, "N", o.Attempt)
			if o.Overdue {
				s = "⚠ " + s + " · " + tr.T("delivery.overdue")
			}
			parts = append(parts, s)
		case o.AnsweredBy != "":
			parts = append(parts, tr.T("outcome.answered", "Number", o.AnsweredBy))
		}
		// The link both ways between a letter and ours it cites.
		if o.CitedBy != "" {
			parts = append(parts, tr.T("outcome.cited_by", "Number", o.CitedBy))
		}
		if len(r.Cites) > 0 {
			parts = append(parts, tr.T("outcome.cites", "Numbers", strings.Join(r.Cites, ", ")))
		}
		if len(parts) == 0 {
			return "—"
		}
		return strings.Join(parts, " · ")
	}
	return ""
}

// trayData is what one refresh reads.
type trayData struct {
	rows     []radicado.Record
	stickers map[string]string
	returned map[string]wire.Returned
	acuses   map[string]wire.Acuse
	outcomes map[string]station.Outcome
	queued   int
}

// filter gives the store filter the tray's choices make.
func (t *tray) filter() station.Filter {
	f := station.Filter{Limit: trayLimit}
	if i := t.period.SelectedIndex(); i >= 0 && trayPeriods[i].days > 0 {
		now := t.w.st.Now()
		today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, now.Location())
		f.Since = today.AddDate(0, 0, 1-trayPeriods[i].days)
	}
	switch t.state.SelectedIndex() {
	case 1:
		f.Status = radicado.Active
	case 2:
		f.Status = radicado.Annulled
	}
	switch t.sync.SelectedIndex() {
	case 1:
		f.Sync = radicado.SyncPending
	case 2:
		f.Sync = radicado.SyncDone
	case 3:
		f.Sync = radicado.SyncConflict
	}
	return f
}

// refresh reloads the radicados off the UI goroutine: the newest that
// pass the filters, or, when words are typed, those the full-text index
// finds for them (content and data), narrowed by the filters.
func (t *tray) refresh() {
	if !t.ready {
		return // still being built
	}
	f := t.filter()
	text := strings.TrimSpace(t.text.Text)
	t.gen++
	gen := t.gen
	background(t.w, func(ctx context.Context) (trayData, error) {
		var d trayData
		var err error
		if text == "" {
			d.rows, err = t.w.st.Records.List(ctx, f)
		} else {
			d.rows, err = t.w.st.Records.Search(ctx, text, trayLimit)
			d.rows = slices.DeleteFunc(d.rows, func(r radicado.Record) bool { return !passes(r, f) })
		}
		if err != nil {
			return d, err
		}
		numbers := make([]string, len(d.rows))
		for i, r := range d.rows {
			numbers[i] = r.Number
		}
		if d.stickers, err = t.w.st.Printing.StickerStates(ctx, numbers); err != nil {
			return d, err
		}
		if d.returned, err = t.w.st.Sync.Returned(ctx); err != nil {
			return d, err
		}
		if d.acuses, err = t.w.st.Sync.Acuses(ctx); err != nil {
			return d, err
		}
		if d.outcomes, err = t.w.st.Records.Outcomes(ctx, numbers); err != nil {
			return d, err
		}
		q, err := t.w.st.Printing.PrintQueue(ctx)
		d.queued = len(q)
		return d, err
	}, func(d trayData, err error) {
		if gen != t.gen {
			return // a newer refresh is on its way
		}
		if err != nil {
			t.message.SetText(err.Error())
			return
		}
		t.rows, t.stickers, t.returned, t.acuses, t.outcomes = d.rows, d.stickers, d.returned, d.acuses, d.outcomes
		t.retry.SetText(t.w.tr.T("action.retry_prints") + " (" + strconv.Itoa(d.queued) + ")")
		if d.queued == 0 {
			t.retry.Disable()
		} else {
			t.retry.Enable()
		}
		if len(t.rows) >= trayLimit {
			t.count.SetText(t.w.tr.T("tray.count_limited", "N", len(t.rows)))
		} else {
			t.count.SetText(t.w.tr.T("tray.count", "N", len(t.rows)))
		}
		t.table.UnselectAll()
		t.selected = ""
		t.updateActions()
		t.table.Refresh()
	})
}

// passes reports whether a record passes a filter's period, status and
// sync state.
func passes(r radicado.Record, f station.Filter) bool {
	return (f.Since.IsZero() || !r.ReceivedAt.Before(f.Since)) &&
		(f.Status == "" || r.Status == f.Status) && (f.Sync == "" || r.Sync == f.Sync)
}

func (t *tray) print(what, number string) {
	background(t.w, func(ctx context.Context) (station.PrintJob, error) {
		return t.w.reception.printJob(ctx, what, number)
	}, func(job station.PrintJob, err error) {
		if err != nil {
			t.message.SetText("⚠ " + t.w.tr.T("print.failed."+what, "Error", t.w.explain(err)))
		} else {
			t.message.SetText(t.w.tr.T("print.sent", "Number", number, "Printer", job.Printer))
		}
		t.refresh()
		t.w.refreshFooter()
	})
}

func (t *tray) retryPrints() {
	background(t.w, t.w.st.Printing.RetryPrints, func(n int, err error) {
		if err != nil {
			t.message.SetText("⚠ " + t.w.tr.T("print.retry_failed", "N", n, "Error", t.w.explain(err)))
		} else {
			t.message.SetText(t.w.tr.T("print.retried", "N", n))
		}
		t.refresh()
		t.w.refreshFooter()
	})
}

// annul asks for the written reason and annuls the radicado.
func (t *tray) annul(number string) {
	tr := t.w.tr
	reason := widget.NewMultiLineEntry()
	reason.SetMinRowsVisible(3)
	reason.Validator = func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errText(tr.T("annul.reason_needed"))
		}
		return nil
	}
	d := dialog.NewForm(tr.T("annul.title", "Number", number), tr.T("action.annul"), tr.T("action.cancel"),
		[]*widget.FormItem{widget.NewFormItem(tr.T("annul.reason"), reason)}, func(ok bool) {
			if !ok {
				return
			}
			text := reason.Text
			background(t.w, func(ctx context.Context) (radicado.Record, error) {
				return t.w.st.Records.Anular(ctx, number, text)
			}, func(_ radicado.Record, err error) {
				if err != nil {
					t.message.SetText(tr.T("annul.failed", "Error", t.w.explain(err)))
				} else {
					t.message.SetText(tr.T("annul.done", "Number", number))
				}
				t.refresh()
				t.w.refreshFooter()
			})
		}, t.w.Window)
	d.Resize(fyne.NewSize(520, 260))
	d.Show()
}

type errText string

func (e errText) Error() string { return string(e) }
