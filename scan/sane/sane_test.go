//go:build linux || darwin || freebsd

package sane

import (
	"context"
	"errors"
	"image"
	"image/color"
	_ "image/jpeg"
	_ "image/png"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/scan"
)

// These tests drive SANE's "test" backend: a real virtual scanner in
// libsane, whose feeder holds 10 pages and whose options inject faults.

func openTest(t *testing.T) *Scanner {
	t.Helper()
	sc, err := scan.Open(context.Background(), "sane:test")
	if err != nil {
		t.Fatalf("open sane:test: %v (is libsane1 installed?)", err)
	}
	t.Cleanup(func() { sc.Close() })
	s := sc.(*Scanner)
	// The test backend keeps its options from one open to the next: start
	// every test from its defaults.
	for name, v := range map[string]string{"read-return-value": "Default", "test-picture": "Solid black", "mode": "Gray", "source": "Flatbed"} {
		if err := s.setString(name, v); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"three-pass", "hand-scanner", "read-limit", "read-delay"} {
		if o, ok := find(s.opts, name); ok {
			if _, err := s.setNumber(o.name, 0); err != nil {
				t.Fatal(err)
			}
		}
	}
	return s
}

type collected struct {
	pages    []scan.Page
	progress int
}

func (c *collected) output(dir string) scan.Output {
	return scan.Output{
		Dir:      dir,
		Page:     func(p scan.Page) error { c.pages = append(c.pages, p); return nil },
		Progress: func(scan.Progress) { c.progress++ },
	}
}

func decode(t *testing.T, path string) image.Image {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return img
}

func TestCapabilities(t *testing.T) {
	caps, err := openTest(t).Capabilities(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(caps.Sources, []scan.Source{scan.Flatbed, scan.ADF}) {
		t.Errorf("sources %v", caps.Sources)
	}
	for _, m := range []scan.Mode{scan.Gray, scan.Color, scan.BW} {
		if !slices.Contains(caps.Modes, m) {
			t.Errorf("modes %v lack %s", caps.Modes, m)
		}
	}
	if !slices.Contains(caps.Resolutions, 300) || !slices.Contains(caps.Resolutions, 75) {
		t.Errorf("resolutions %v", caps.Resolutions)
	}
	if caps.MaxWidth != 200 || caps.MaxHeight != 200 {
		t.Errorf("area %g×%g mm, want 200×200", caps.MaxWidth, caps.MaxHeight)
	}
}

func TestFeederBatch(t *testing.T) {
	s := openTest(t)
	var c collected
	dir := t.TempDir()
	err := s.Scan(context.Background(), scan.Settings{Source: scan.ADF, DPI: 50, Mode: scan.Gray, PageSize: scan.A4}, c.output(dir))
	if err != nil {
		t.Fatalf("a batch that empties the feeder: %v", err)
	}
	if len(c.pages) != 10 {
		t.Fatalf("%d pages, want the feeder's 10", len(c.pages))
	}
	for i, p := range c.pages {
		if p.Index != i+1 || p.DPI != 50 || p.Format != "image/png" {
			t.Errorf("page %d: %+v", i+1, p)
		}
		img := decode(t, p.Path)
		// A4 clipped to the test scanner's 200 mm: 200 mm × 297→200 mm at 50 dpi.
		if b := img.Bounds(); b.Dx() != p.Width || b.Dy() != p.Height || b.Dx() < 390 || b.Dx() > 396 {
			t.Errorf("page %d is %v, reported %d×%d", i+1, b, p.Width, p.Height)
		}
	}
	if c.progress == 0 {
		t.Error("no progress reported")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 10 {
		t.Errorf("%d files in the output folder, want 10 (no temporaries)", len(entries))
	}
}

func TestFaults(t *testing.T) {
	for _, tc := range []struct {
		name   string
		status string
		atPage int
		want   error
		kept   int
	}{
		{"jam on page 4", "SANE_STATUS_JAMMED", 4, scan.ErrJammed, 3},
		{"cover opened on page 2", "SANE_STATUS_COVER_OPEN", 2, scan.ErrCoverOpen, 1},
		{"empty feeder", "SANE_STATUS_NO_DOCS", 1, scan.ErrNoDocs, 0},
		{"feeder empties after 5", "SANE_STATUS_NO_DOCS", 6, nil, 5},
		{"I/O error on page 3", "SANE_STATUS_IO_ERROR", 3, nil, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			s.beforePage = func(page int) error {
				if page == tc.atPage {
					return s.setString("read-return-value", tc.status)
				}
				return nil
			}
			var c collected
			err := s.Scan(context.Background(), scan.Settings{Source: scan.ADF, DPI: 50, Mode: scan.Gray}, c.output(t.TempDir()))
			switch {
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Errorf("error %v, want %v", err, tc.want)
			case tc.want == nil && tc.status == "SANE_STATUS_IO_ERROR" && err == nil:
				t.Error("an I/O error ended the batch without an error")
			case tc.want == nil && tc.status == "SANE_STATUS_NO_DOCS" && err != nil:
				t.Errorf("a feeder that ran out after pages: %v", err)
			}
			if len(c.pages) != tc.kept {
				t.Errorf("%d pages kept, want %d", len(c.pages), tc.kept)
			}
			for _, p := range c.pages {
				decode(t, p.Path) // every kept page is whole
			}
		})
	}
}

func TestCancel(t *testing.T) {
	s := openTest(t)
	// Slow reads: 100 ms per 4 KiB buffer, so a page takes a while.
	for name, v := range map[string]float64{"read-limit": 1, "read-delay": 1} {
		if _, err := s.setNumber(name, v); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.setNumber("read-limit-size", 4096); err != nil {
		t.Fatal(err)
	}
	if _, err := s.setNumber("read-delay-duration", 20000); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var c collected
	out := c.output(t.TempDir())
	out.Page = func(p scan.Page) error {
		c.pages = append(c.pages, p)
		if len(c.pages) == 2 {
			cancel()
		}
		return nil
	}
	start := time.Now()
	err := s.Scan(ctx, scan.Settings{Source: scan.ADF, DPI: 75, Mode: scan.Gray}, out)
	if !errors.Is(err, scan.ErrCancelled) {
		t.Fatalf("error %v, want ErrCancelled", err)
	}
	if len(c.pages) < 2 || len(c.pages) > 3 {
		t.Errorf("%d pages kept after a cancel at the second", len(c.pages))
	}
	if d := time.Since(start); d > 20*time.Second {
		t.Errorf("cancel took effect after %s", d)
	}
	// The device is usable again.
	if err := s.setString("read-return-value", "Default"); err != nil {
		t.Fatal(err)
	}
	c = collected{}
	if err := s.Scan(context.Background(), scan.Settings{Source: scan.Flatbed, DPI: 50, Mode: scan.Gray}, c.output(t.TempDir())); err != nil || len(c.pages) != 1 {
		t.Errorf("scan after cancel: %d pages, %v", len(c.pages), err)
	}
}

func TestModes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		mode    scan.Mode
		picture string
		extra   map[string]float64
		check   func(t *testing.T, img image.Image)
	}{
		{"black and white from depth 1", scan.BW, "Solid black", nil, func(t *testing.T, img image.Image) {
			p, ok := img.(*image.Paletted)
			if !ok || len(p.Palette) != 2 {
				t.Fatalf("a black-and-white page decodes as %T", img)
			}
			if r, _, _, _ := img.At(10, 10).RGBA(); r != 0 {
				t.Error("solid black scanned as white")
			}
		}},
		{"colour, one frame", scan.Color, "Color pattern", nil, colourful},
		{"colour, three passes", scan.Color, "Color pattern", map[string]float64{"three-pass": 1}, colourful},
		{"hand scanner of unknown height", scan.Gray, "Grid", map[string]float64{"hand-scanner": 1}, func(t *testing.T, img image.Image) {
			if img.Bounds().Dy() < 10 {
				t.Errorf("hand-scanned page is %v", img.Bounds())
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openTest(t)
			if err := s.setString("test-picture", tc.picture); err != nil {
				t.Fatal(err)
			}
			// Three-pass is only active in colour: set the mode first.
			if tc.mode == scan.Color {
				if err := s.setString("mode", "Color"); err != nil {
					t.Fatal(err)
				}
			}
			for k, v := range tc.extra {
				if _, err := s.setNumber(k, v); err != nil {
					t.Fatalf("%s: %v", k, err)
				}
			}
			var c collected
			if err := s.Scan(context.Background(), scan.Settings{Source: scan.Flatbed, DPI: 50, Mode: tc.mode}, c.output(t.TempDir())); err != nil {
				t.Fatal(err)
			}
			if len(c.pages) != 1 {
				t.Fatalf("%d pages from the flatbed", len(c.pages))
			}
			tc.check(t, decode(t, c.pages[0].Path))
		})
	}
}

func colourful(t *testing.T, img image.Image) {
	t.Helper()
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			c := color.NRGBAModel.Convert(img.At(x, y)).(color.NRGBA)
			if int(c.R)-int(c.G) > 60 || int(c.B)-int(c.R) > 60 {
				return
			}
		}
	}
	t.Error("a colour pattern has no colour")
}

func TestUnsupportedSettings(t *testing.T) {
	s := openTest(t)
	err := s.Scan(context.Background(), scan.Settings{Source: scan.Duplex, DPI: 50, Mode: scan.Gray}, scan.Output{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "no duplex source") {
		t.Errorf("duplex on a simplex scanner: %v", err)
	}
	if _, err := scan.Open(context.Background(), "sane:nosuchbackend"); err == nil {
		t.Error("opened a device that does not exist")
	}
}
