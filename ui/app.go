// Package ui is the desktop station in Fyne: the screens a clerk works with
// all day. It calls the station services from goroutines and brings their
// results back to the UI goroutine with fyne.Do, so the window never waits
// on the disk, a scanner or the network.
package ui

import (
	"context"
	"fmt"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/assets"
	"github.com/radicador/radicador/station"
)

// AppID is the application's identifier, as in FyneApp.toml.
const AppID = "co.radicador.estacion"

// Icon is the app's icon as a Fyne resource.
var Icon = fyne.NewStaticResource("icon.png", assets.Icon)

// Run opens the station in dataDir and shows its window until it is closed.
func Run(ctx context.Context, dataDir string) error {
	st, err := station.Open(ctx, dataDir, station.Options{})
	if err != nil {
		return err
	}
	defer st.Close()
	a := app.NewWithID(AppID)
	a.SetIcon(Icon)
	w, err := NewWindow(ctx, a, st, Languages[0])
	if err != nil {
		return err
	}
	bg, stop := context.WithCancel(ctx)
	defer stop()
	go st.SyncInBackground(bg, station.SyncOptions{}, func(e station.SyncEvent) {
		fyne.Do(func() { w.showSync(e) })
	})
	w.Window.ShowAndRun()
	return nil
}

// Window is the station's main window.
type Window struct {
	Window fyne.Window
	ctx    context.Context
	st     *station.Station
	tr     *catalog

	reception *reception
	tray      *tray
	tabs      *container.AppTabs
	footer    *widget.Label
	syncText  string // how the last background sync went

	work sync.WaitGroup // background work under way
}

// NewWindow builds the main window in app a over st, in language lang.
func NewWindow(ctx context.Context, a fyne.App, st *station.Station, lang string) (*Window, error) {
	tr, err := newCatalog(lang)
	if err != nil {
		return nil, err
	}
	cfg, err := st.Config(ctx)
	if err != nil {
		return nil, err
	}
	w := &Window{ctx: ctx, st: st, tr: tr, footer: widget.NewLabel("")}
	w.Window = a.NewWindow(fmt.Sprintf("%s — %s", tr.T("app.title"), tr.T("status.station", "Office", cfg.Office, "Station", cfg.Station)))
	w.Window.SetIcon(Icon)
	w.reception = newReception(w, cfg)
	w.tray = newTray(w)
	w.tabs = container.NewAppTabs(
		container.NewTabItem(tr.T("tab.reception"), w.reception.content),
		container.NewTabItem(tr.T("tab.tray"), w.tray.content),
	)
	w.tabs.OnSelected = func(t *container.TabItem) {
		if t.Content == w.tray.content {
			w.tray.refresh()
		}
	}
	w.Window.SetContent(container.NewBorder(nil, w.footer, nil, nil, w.tabs))
	w.Window.Resize(fyne.NewSize(1280, 720))
	w.reception.bindShortcuts(w.Window.Canvas())
	w.refreshFooter()
	return w, nil
}

// background runs work off the UI goroutine and hands its result to done on
// the UI goroutine.
func background[T any](w *Window, work func(context.Context) (T, error), done func(T, error)) {
	w.work.Add(1)
	go func() {
		defer w.work.Done()
		v, err := work(w.ctx)
		fyne.DoAndWait(func() { done(v, err) })
	}()
}

// wait blocks until the background work started so far has finished and its
// results are on screen. Tests use it.
func (w *Window) wait() { w.work.Wait() }

// refreshFooter shows how many radicados wait to reach the server.
func (w *Window) refreshFooter() {
	background(w, w.st.PendingSync, func(n int, err error) {
		if err != nil {
			w.footer.SetText(err.Error())
			return
		}
		text := w.tr.T("status.pending_sync", "N", n)
		if w.syncText != "" {
			text += "   ·   " + w.syncText
		}
		w.footer.SetText(text + "   ·   " + time.Now().Format("2006-01-02 15:04"))
	})
}

// showSync shows how a round of background sync went.
func (w *Window) showSync(e station.SyncEvent) {
	switch {
	case !e.Enrolled:
		w.syncText = w.tr.T("sync.not_enrolled")
	case e.Err != nil:
		w.syncText = w.tr.T("sync.failed", "Time", time.Now().Add(e.Next).Format("15:04:05"))
	default:
		w.syncText = w.tr.T("sync.ok", "Time", time.Now().Format("15:04"))
	}
	w.refreshFooter()
}
