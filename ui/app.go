// Package ui is the desktop station in Fyne: the screens a clerk works with
// all day. It calls the station services from goroutines and brings their
// results back to the UI goroutine with fyne.Do, so the window never waits
// on the disk, a scanner or the network.
package ui

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"github.com/radicador/radicador/assets"
	"github.com/radicador/radicador/capture"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/station"
)

// AppID is the application's identifier, as in FyneApp.toml.
const AppID = "co.radicador.estacion"

// Icon is the app's icon as a Fyne resource.
var Icon = fyne.NewStaticResource("icon.png", assets.Icon)

// Options adjust the window.
type Options struct {
	// Lang is the language of the screens; "" takes the station's setting.
	Lang string
	// Devices lists scanners for the profile choice; nil finds them (SANE,
	// eSCL over mDNS, TWAIN), which takes a few seconds in the background.
	Devices func(context.Context) ([]scan.Device, error)

	// handOver makes background results wait for wait(), which shows them
	// on its caller's goroutine. Tests set it: Fyne's test driver would run
	// them on the background goroutine, alongside the test's own typing.
	handOver bool
}

// Run opens the station in dataDir and shows its window until it is closed.
// With RADICADOR_SCREENSHOTS set to a folder, it shows each screen, saves a
// picture of it there, and quits. With RADICADOR_SAY_READY set, it prints
// "ready" once the window is on screen with its footer filled: the startup
// benchmark times that.
func Run(ctx context.Context, dataDir string) error {
	st, err := station.Open(ctx, dataDir, station.Options{})
	if err != nil {
		return err
	}
	a := app.NewWithID(AppID)
	a.SetIcon(Icon)
	w, err := NewWindow(ctx, a, st, Options{})
	if err != nil {
		st.Close()
		return err
	}
	bg, stop := context.WithCancel(ctx)
	// shutdown stops the background work, the window's and then the
	// station's, once, whether the window was closed or a signal came.
	closeStation := sync.OnceValue(st.Close)
	shutdown := sync.OnceFunc(func() {
		stop()
		w.Close()
		closeStation()
	})
	defer shutdown()
	w.startBackground(bg, station.SyncOptions{})
	go func() { // Ctrl+C before the window is up closes it as the user would
		<-ctx.Done()
		fyne.Do(a.Quit)
	}()
	var started []func()
	// Once the window is up, a signal (Ctrl+C, a session's logout) ends the
	// program here rather than through the window's teardown: Fyne 2.7.1's
	// own handler destroys the GL window while GLFW may still deliver a
	// pointer event for it, and the program dies in processMouseMoved
	// (seen under Xvfb). The window is hidden and its work stopped on the
	// UI goroutine, the station closes as on a normal exit, and the process
	// ends; a second signal, or a close that takes more than ten seconds,
	// ends it at once.
	term := make(chan os.Signal, 1)
	defer signal.Stop(term)
	started = append(started, func() {
		signal.Reset(os.Interrupt, syscall.SIGTERM)
		signal.Notify(term, os.Interrupt, syscall.SIGTERM)
		go func() {
			if _, ok := <-term; !ok {
				return
			}
			signal.Stop(term) // a second signal has its default effect
			time.AfterFunc(10*time.Second, func() { os.Exit(1) })
			fyne.DoAndWait(func() {
				w.Window.Hide()
				stop()
				w.Close()
			})
			closeStation()
			os.Exit(0)
		}()
	})
	if dir := os.Getenv("RADICADOR_SCREENSHOTS"); dir != "" {
		w.Window.Resize(fyne.NewSize(1366, 768))
		go func() {
			if err := w.tour(bg, dir); err != nil {
				fmt.Fprintln(os.Stderr, "radicador: screenshots:", err)
				os.Exit(1)
			}
			fyne.Do(a.Quit)
		}()
	}
	if os.Getenv("RADICADOR_SAY_READY") != "" {
		started = append(started, func() {
			go func() {
				for {
					var ready bool
					fyne.DoAndWait(func() { ready = w.footer.Text != "" })
					if ready {
						break
					}
					time.Sleep(2 * time.Millisecond)
				}
				fmt.Println("ready")
			}()
		})
	}
	a.Lifecycle().SetOnStarted(func() {
		for _, f := range started {
			f()
		}
	})
	w.Window.ShowAndRun()
	w.closed.Store(true)
	return nil
}

// startBackground starts the station's background work until ctx ends:
// sync with the server, its state shown in the footer, reading radicated
// documents (OCR, searchable PDF, full-text index), and fetching the
// mailbox's messages into Correo.
func (w *Window) startBackground(ctx context.Context, opt station.SyncOptions) {
	w.st.Sync.Start(ctx, opt, func(e station.SyncEvent) {
		w.do(func() { w.showSync(e) })
	})
	w.st.Reading.Start(ctx, nil)
	w.st.Mail.Start(ctx, station.MailOptions{}, func(res station.FetchResult, err error) {
		w.do(func() { w.reception.mail.fetched(res, err) })
	})
}

// Window is the station's main window.
type Window struct {
	Window fyne.Window
	ctx    context.Context
	cancel context.CancelFunc
	st     *station.Station
	tr     *catalog
	opt    Options
	cfg    station.Config

	batch     *capture.Batch
	reception *reception
	tray      *tray
	search    *search
	settings  *settings
	despacho  *despachoScreen
	tabs      *container.AppTabs
	footer    *widget.Label
	syncText  string // how the last background sync went

	work   sync.WaitGroup // background work under way
	queue  chan func()    // results waiting for wait(), with Options.handOver
	closed atomic.Bool    // the window has closed
}

// NewWindow builds the main window in app a over st.
func NewWindow(ctx context.Context, a fyne.App, st *station.Station, opt Options) (*Window, error) {
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		return nil, err
	}
	if opt.Lang == "" {
		opt.Lang = cfg.Language
	}
	tr, err := newCatalog(opt.Lang)
	if err != nil {
		return nil, err
	}
	work, err := st.WorkDir("reception")
	if err != nil {
		return nil, err
	}
	batch, err := capture.New(work, cfg.Cleanup())
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	w := &Window{ctx: ctx, cancel: cancel, st: st, tr: tr, opt: opt, cfg: cfg, batch: batch, footer: widget.NewLabel("")}
	if opt.handOver {
		w.queue = make(chan func())
	}
	w.Window = a.NewWindow(w.title())
	w.Window.SetIcon(Icon)
	w.reception = newReception(w)
	w.tray = newTray(w)
	w.search = newSearch(w)
	w.settings = newSettings(w)
	w.despacho = newDespacho(w)
	w.tabs = container.NewAppTabs(
		container.NewTabItem(tr.T("tab.reception"), w.reception.content),
		container.NewTabItem(tr.T("tab.tray"), w.tray.content),
		container.NewTabItem(tr.T("tab.despacho"), w.despacho.content),
		container.NewTabItem(tr.T("tab.search"), w.search.content),
		container.NewTabItem(tr.T("tab.settings"), w.settings.content),
	)
	w.tabs.OnSelected = func(t *container.TabItem) {
		switch t.Content {
		case w.tray.content:
			w.tray.refresh()
		case w.despacho.content:
			w.despacho.refresh()
			w.Window.Canvas().Focus(w.despacho.guide)
		case w.search.content:
			w.Window.Canvas().Focus(w.search.query)
		case w.settings.content:
			w.settings.load()
		}
	}
	w.Window.SetContent(container.NewBorder(nil, w.footer, nil, nil, w.tabs))
	w.Window.Resize(fyne.NewSize(1366, 740))
	w.Window.SetOnDropped(w.reception.dropped)
	w.bindShortcuts()
	w.reception.pages.findDevices()
	w.refreshFooter()
	if w.batch.Len() > 0 {
		w.reception.analyze() // pages restored from the last session
	}
	return w, nil
}

func (w *Window) title() string {
	return fmt.Sprintf("%s — %s", w.tr.T("app.title"), w.tr.T("status.station", "Office", w.cfg.Office, "Station", w.cfg.Station))
}

// Close stops the window's background work (a scan under way is
// cancelled) once the window has closed. The pages of a letter not yet
// radicated stay for next time. Work that does not stop within a few
// seconds is left behind: its results have no window to go to.
func (w *Window) Close() {
	w.closed.Store(true)
	w.cancel()
	defer func() { w.search.shown.Close() }()
	if w.queue != nil {
		w.wait()
		return
	}
	stopped := make(chan struct{})
	go func() { w.work.Wait(); close(stopped) }()
	select {
	case <-stopped:
	case <-time.After(5 * time.Second):
	}
}

// background runs work off the UI goroutine and hands its result to done on
// the UI goroutine.
func background[T any](w *Window, work func(context.Context) (T, error), done func(T, error)) {
	w.work.Add(1)
	go func() {
		defer w.work.Done()
		v, err := work(w.ctx)
		w.onUI(func() { done(v, err) })
	}()
}

// onUI runs f on the UI goroutine and waits for it.
func (w *Window) onUI(f func()) {
	if w.queue == nil {
		if w.closed.Load() {
			return // the UI goroutine is gone: nobody would run f
		}
		fyne.DoAndWait(f)
		return
	}
	// (the tests' hand-over queue: once the window has closed nobody
	// drains it, and f is dropped as fyne.Do would drop it)
	ran := make(chan struct{})
	select {
	case w.queue <- func() { f(); close(ran) }:
	case <-w.ctx.Done():
		return
	}
	select {
	case <-ran:
	case <-w.ctx.Done():
	}
}

// do runs f on the UI goroutine without waiting for it. Once the window
// has closed, f is dropped: nothing is left to show it.
func (w *Window) do(f func()) {
	if w.closed.Load() {
		return
	}
	if w.queue == nil {
		fyne.Do(f)
		return
	}
	select {
	case w.queue <- f:
	case <-w.ctx.Done():
	}
}

// wait blocks until the background work started so far has finished and its
// results are on screen. Tests use it.
func (w *Window) wait() {
	if w.queue == nil {
		w.work.Wait()
		return
	}
	finished := make(chan struct{})
	go func() { w.work.Wait(); close(finished) }()
	// In tests (the hand-over queue), work that never ends is a fault to
	// show, not a test that waits until its deadline with nothing said.
	stuck := time.After(2 * time.Minute)
	for {
		select {
		case f := <-w.queue:
			f()
		case <-finished:
			return
		case <-stuck:
			buf := make([]byte, 1<<20)
			os.Stderr.Write(buf[:runtime.Stack(buf, true)])
			panic("ui: background work did not end within two minutes (goroutines above)")
		}
	}
}

// reloadConfig reads the configuration again after Ajustes changed it.
func (w *Window) reloadConfig() {
	background(w, w.st.Settings.Config, func(cfg station.Config, err error) {
		if err != nil {
			return
		}
		w.cfg = cfg
		w.batch.SetOptions(cfg.Cleanup())
		w.Window.SetTitle(w.title())
		w.reception.configChanged()
	})
}

// footerState is what the footer shows.
type footerState struct {
	sync   station.SyncStatus
	prints int
}

// refreshFooter shows how many radicados wait to reach the server, when
// the last sync was, and stickers waiting for a printer.
func (w *Window) refreshFooter() {
	background(w, func(ctx context.Context) (footerState, error) {
		var f footerState
		var err error
		if f.sync, err = w.st.Sync.Status(ctx); err != nil {
			return f, err
		}
		jobs, err := w.st.Printing.PrintQueue(ctx)
		f.prints = len(jobs)
		return f, err
	}, func(f footerState, err error) {
		if err != nil {
			w.footer.SetText(err.Error())
			return
		}
		text := w.tr.T("status.pending_sync", "N", f.sync.Pending)
		if f.sync.Conflicts > 0 {
			text += "   ·   " + w.tr.T("status.conflicts", "N", f.sync.Conflicts)
		}
		if f.sync.LastSync.IsZero() {
			text += "   ·   " + w.tr.T("status.never_synced")
		} else {
			text += "   ·   " + w.tr.T("status.last_sync", "Time", f.sync.LastSync.Local().Format("2006-01-02 15:04"))
		}
		if w.syncText != "" {
			text += "   ·   " + w.syncText
		}
		if f.prints > 0 {
			text += "   ·   ⚠ " + w.tr.T("status.print_queue", "N", f.prints)
		}
		w.footer.SetText(text)
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
		w.syncText = ""
	}
	w.refreshFooter()
	if w.tabs.Selected() != nil && w.tabs.Selected().Content == w.tray.content {
		w.tray.refresh()
	}
}
