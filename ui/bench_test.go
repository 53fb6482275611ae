package ui

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"github.com/radicador/radicador/internal/seed"
	"github.com/radicador/radicador/station"
)

// BenchmarkStartup measures the station's start to a usable window over a
// store of 100,000 radicados: opening the store, reading the
// configuration, building every screen and showing the count waiting to
// sync. Fyne's test driver stands in for the GL window (the real window
// under Xvfb is timed by cmd/radicador's BenchmarkStartupX). Beside it,
// the plain alternative: opening the store and counting what waits to
// sync, with no window.
func BenchmarkStartup(b *testing.B) {
	ctx := context.Background()
	dir := seed.Station(b, seed.Size())
	b.Run("window", func(b *testing.B) {
		a := test.NewTempApp(b)
		for b.Loop() {
			st, err := station.Open(ctx, dir, station.Options{})
			if err != nil {
				b.Fatal(err)
			}
			w, err := NewWindow(ctx, a, st, Options{Lang: "es", Devices: noDevices, handOver: true})
			if err != nil {
				b.Fatal(err)
			}
			w.wait()
			if !strings.HasPrefix(w.footer.Text, "Por sincronizar: "+strconv.Itoa(seed.Size())) {
				b.Fatalf("footer %q", w.footer.Text)
			}
			w.Close()
			w.Window.Close()
			st.Close()
		}
	})
	b.Run("store-only", func(b *testing.B) {
		for b.Loop() {
			st, err := station.Open(ctx, dir, station.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := st.Sync.Status(ctx); err != nil {
				b.Fatal(err)
			}
			st.Close()
		}
	})
	b.Run("tray", func(b *testing.B) {
		st, err := station.Open(ctx, dir, station.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		w, err := NewWindow(ctx, test.NewTempApp(b), st, Options{Lang: "es", Devices: noDevices, handOver: true})
		if err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		w.tray.period.SetSelectedIndex(len(trayPeriods) - 1) // all
		for b.Loop() {
			w.tray.refresh()
			w.wait()
			if len(w.tray.rows) != min(trayLimit, seed.Size()) {
				b.Fatalf("%d rows", len(w.tray.rows))
			}
		}
	})
}
