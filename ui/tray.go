package ui

import (
	"context"
	"strconv"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// trayLimit is how many of the newest radicados the tray shows.
const trayLimit = 500

// tray lists the station's radicados with their state.
type tray struct {
	w       *Window
	content fyne.CanvasObject
	table   *widget.Table
	rows    []radicado.Record
	count   *widget.Label
}

var trayColumns = []struct {
	key   string
	width float32
}{
	{"col.number", 190}, {"col.received", 140}, {"col.kind", 80}, {"col.type", 130},
	{"col.sender", 260}, {"col.due", 100}, {"col.status", 90}, {"col.sync", 120},
}

func newTray(w *Window) *tray {
	t := &tray{w: w, count: widget.NewLabel("")}
	t.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(t.rows), len(trayColumns) },
		func() fyne.CanvasObject { return widget.NewLabel("") },
		func(id widget.TableCellID, o fyne.CanvasObject) {
			o.(*widget.Label).SetText(t.cell(t.rows[id.Row], id.Col))
		},
	)
	t.table.ShowHeaderColumn = false
	t.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	t.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(w.tr.T(trayColumns[id.Col].key))
		}
	}
	for i, c := range trayColumns {
		t.table.SetColumnWidth(i, c.width)
	}
	refresh := widget.NewButtonWithIcon(w.tr.T("action.refresh"), theme.ViewRefreshIcon(), t.refresh)
	t.content = container.NewBorder(container.NewHBox(refresh, t.count), nil, nil, nil, t.table)
	return t
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
		return r.Type
	case 4:
		return r.Sender.Name
	case 5:
		if r.Due.IsZero() {
			return "—"
		}
		return r.Due.String()
	case 6:
		return tr.T("state." + string(r.Status))
	case 7:
		return tr.T("sync." + string(r.Sync))
	}
	return ""
}

// refresh reloads the newest radicados off the UI goroutine.
func (t *tray) refresh() {
	background(t.w, func(ctx context.Context) ([]radicado.Record, error) {
		return t.w.st.List(ctx, store.Filter{Limit: trayLimit})
	}, func(rows []radicado.Record, err error) {
		if err != nil {
			t.count.SetText(err.Error())
			return
		}
		t.rows = rows
		t.count.SetText(strconv.Itoa(len(rows)))
		t.table.Refresh()
	})
}
