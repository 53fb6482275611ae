package ui

import (
	"context"
	"fmt"

	"github.com/radicador/radicador/station"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// printQueue shows the jobs waiting for a printer, each with why it has
// not printed, and lets the clerk cancel one (it is kept, as cancelled).
type printQueue struct {
	t      *tray
	jobs   []station.PrintJob
	list   *widget.List
	dialog dialog.Dialog
}

func (t *tray) showPrintQueue() {
	tr := t.w.tr
	q := &printQueue{t: t}
	q.list = widget.NewList(
		func() int { return len(q.jobs) },
		func() fyne.CanvasObject {
			text := widget.NewLabel("")
			text.Wrapping = fyne.TextWrapWord
			cancel := widget.NewButtonWithIcon(tr.T("action.cancel_job"), theme.CancelIcon(), nil)
			return container.NewBorder(nil, nil, nil, cancel, text)
		},
		func(i widget.ListItemID, o fyne.CanvasObject) {
			j := q.jobs[i]
			box := o.(*fyne.Container)
			box.Objects[0].(*widget.Label).SetText(tr.T("queue.job", "Number", j.Number, "What", tr.T("queue."+j.What),
				"Printer", j.Printer, "Attempts", j.Attempts, "Error", j.LastError))
			box.Objects[1].(*widget.Button).OnTapped = func() { q.cancel(j.ID) }
		},
	)
	q.dialog = dialog.NewCustom(tr.T("queue.title"), tr.T("action.close"), container.NewStack(q.list), t.w.Window)
	q.dialog.Resize(fyne.NewSize(900, 420))
	q.load()
	q.dialog.Show()
}

// load reads the waiting jobs.
func (q *printQueue) load() {
	background(q.t.w, q.t.w.st.Printing.PrintQueue, func(jobs []station.PrintJob, err error) {
		if err != nil {
			q.t.message.SetText(q.t.w.explain(err))
			return
		}
		q.jobs = jobs
		q.list.Refresh()
	})
}

// cancel takes a job off the queue.
func (q *printQueue) cancel(id int64) {
	background(q.t.w, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, q.t.w.st.Printing.CancelPrint(ctx, id)
	}, func(_ struct{}, err error) {
		if err != nil {
			q.t.message.SetText(q.t.w.explain(err))
		} else {
			q.t.message.SetText(q.t.w.tr.T("queue.cancelled", "ID", fmt.Sprint(id)))
		}
		q.load()
		q.t.refresh()
		q.t.w.refreshFooter()
	})
}
