//go:build linux || darwin || freebsd

// Package sane drives scanners through libsane, the SANE library of Linux
// and macOS, with a cgo binding written for this project. Devices are named
// sane:BACKEND_DEVICE (sane:test is SANE's virtual test scanner).
package sane

import (
	"context"
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/scan"
)

func init() { scan.Register(Driver{}) }

// Driver is the SANE driver.
type Driver struct{}

// Scheme gives "sane".
func (Driver) Scheme() string { return "sane" }

// Devices lists the scanners SANE finds.
func (Driver) Devices(ctx context.Context) ([]scan.Device, error) {
	type result struct {
		devs []deviceInfo
		err  error
	}
	ch := make(chan result, 1)
	go func() { // network backends may probe for a while; the caller need not wait
		d, err := getDevices()
		ch <- result{d, err}
	}()
	select {
	case <-ctx.Done():
		return nil, ctx.Err()
	case r := <-ch:
		var out []scan.Device
		for _, d := range r.devs {
			out = append(out, scan.Device{URI: "sane:" + d.name, Name: strings.TrimSpace(d.vendor + " " + d.model), Vendor: d.vendor, Model: d.model})
		}
		return out, r.err
	}
}

// Open opens sane:NAME.
func (Driver) Open(ctx context.Context, uri string) (scan.Scanner, error) {
	name, ok := strings.CutPrefix(uri, "sane:")
	if !ok || name == "" {
		return nil, fmt.Errorf("%q is not a SANE device (sane:NAME)", uri)
	}
	h, err := open(name)
	if err != nil {
		return nil, deviceError(err)
	}
	s := &Scanner{h: h, name: name}
	if s.opts, err = h.options(); err != nil {
		h.close()
		return nil, err
	}
	return s, nil
}

// Scanner is an open SANE device.
type Scanner struct {
	h    *handle
	name string
	opts []option
	// beforePage, when set, runs before each page is started; tests use
	// it to inject faults through the device's own options.
	beforePage func(page int) error
	started    time.Time // when sane_start last returned
}

// Close closes the device.
func (s *Scanner) Close() error {
	s.h.close()
	return nil
}

// Capabilities reads the sources, modes and resolutions from the device's
// option descriptors.
func (s *Scanner) Capabilities(ctx context.Context) (scan.Capabilities, error) {
	var c scan.Capabilities
	if o, ok := find(s.opts, "source"); ok {
		for _, n := range o.strings {
			if src := sourceOf(n); src != "" && !slices.Contains(c.Sources, src) {
				c.Sources = append(c.Sources, src)
			}
		}
	}
	if len(c.Sources) == 0 {
		c.Sources = []scan.Source{scan.Flatbed}
	}
	if o, ok := find(s.opts, "mode"); ok {
		for _, n := range o.strings {
			if m := modeOf(n); m != "" && !slices.Contains(c.Modes, m) {
				c.Modes = append(c.Modes, m)
			}
		}
	}
	if slices.Contains(c.Modes, scan.Gray) && !slices.Contains(c.Modes, scan.BW) {
		c.Modes = append(c.Modes, scan.BW) // by depth 1 or by thresholding grey
	}
	if o, ok := find(s.opts, "resolution"); ok {
		c.Resolutions = resolutions(o)
	}
	if o, ok := find(s.opts, "br-x"); ok && o.unit == unitMM {
		c.MaxWidth = o.max
	}
	if o, ok := find(s.opts, "br-y"); ok && o.unit == unitMM {
		c.MaxHeight = o.max
	}
	return c, nil
}

func (s *Scanner) reload() error {
	opts, err := s.h.options()
	if err != nil {
		return err
	}
	s.opts = opts
	return nil
}

// setting is how a scan was configured.
type setting struct {
	dpi       int
	threshold bool // the device gives grey; black and white is made here
}

func (s *Scanner) setString(name, value string) error {
	o, ok := find(s.opts, name)
	if !ok {
		return fmt.Errorf("the scanner has no %s option", name)
	}
	_, info, err := s.h.setString(o, value)
	if err == nil && info&infoReloadOptions != 0 {
		err = s.reload()
	}
	return err
}

func (s *Scanner) setNumber(name string, v float64) (float64, error) {
	o, ok := find(s.opts, name)
	if !ok {
		return 0, fmt.Errorf("the scanner has no %s option", name)
	}
	v = nearest(o, v)
	got, info, err := s.h.setNumber(o, v)
	if err != nil {
		return 0, err
	}
	if info&infoReloadOptions != 0 {
		if err := s.reload(); err != nil {
			return 0, err
		}
	}
	if info&infoInexact != 0 {
		// The device rounded the value; read what it holds now.
		if o, ok := find(s.opts, name); ok {
			return s.h.getNumber(o)
		}
	}
	return got, nil
}

// configure sets source, mode, depth, resolution and scan area, in that
// order: a source or a mode may change the other options' ranges.
func (s *Scanner) configure(set scan.Settings) (setting, error) {
	var cfg setting
	if o, ok := find(s.opts, "source"); ok {
		name, found := pick(o.strings, set.Source, sourceOf)
		if !found {
			return cfg, fmt.Errorf("this scanner has no %s source (it has: %s)", set.Source, strings.Join(o.strings, ", "))
		}
		if err := s.setString("source", name); err != nil {
			return cfg, err
		}
	} else if set.Source != scan.Flatbed {
		return cfg, fmt.Errorf("this scanner has no %s, only a flatbed", set.Source)
	}
	depth := 8
	if o, ok := find(s.opts, "mode"); ok {
		name, found := pick(o.strings, set.Mode, modeOf)
		if !found && set.Mode == scan.BW {
			name, found = pick(o.strings, scan.Gray, modeOf)
			depth = 1
		}
		if !found {
			return cfg, fmt.Errorf("this scanner cannot scan in %s (its modes: %s)", set.Mode, strings.Join(o.strings, ", "))
		}
		if err := s.setString("mode", name); err != nil {
			return cfg, err
		}
	}
	if o, ok := find(s.opts, "depth"); ok && o.settable() {
		if depth == 1 && !slices.Contains(o.words, 1) {
			depth, cfg.threshold = 8, true
		}
		if slices.Contains(o.words, float64(depth)) || o.constraint == constraintRange {
			if _, err := s.setNumber("depth", float64(depth)); err != nil {
				return cfg, err
			}
		}
	} else if depth == 1 {
		cfg.threshold = true
	}
	if _, ok := find(s.opts, "resolution"); ok && set.DPI > 0 {
		got, err := s.setNumber("resolution", float64(set.DPI))
		if err != nil {
			return cfg, err
		}
		cfg.dpi = int(math.Round(got))
	} else if o, ok := find(s.opts, "resolution"); ok {
		v, _ := s.h.getNumber(o)
		cfg.dpi = int(math.Round(v))
	}
	// Scan area: from the top left corner, the page size clipped to what
	// the device can (all of it for scan.Max).
	for _, corner := range []struct {
		name string
		v    float64
	}{{"tl-x", 0}, {"tl-y", 0}, {"br-x", set.PageSize.Width}, {"br-y", set.PageSize.Height}} {
		o, ok := find(s.opts, corner.name)
		if !ok || o.unit != unitMM || !o.settable() {
			continue
		}
		v := corner.v
		if strings.HasPrefix(corner.name, "br") && (v <= 0 || v > o.max) {
			v = o.max
		}
		if _, err := s.setNumber(corner.name, v); err != nil {
			return cfg, err
		}
	}
	return cfg, nil
}

// cancelGrace is how long a cancelled scan may wait for a read to return
// before the read is cancelled from outside.
const cancelGrace = 3 * time.Second

// startSettle is the least time between sane_start and sane_cancel.
const startSettle = 50 * time.Millisecond

// maxWarmUp bounds the wait for a lamp to warm up.
const maxWarmUp = 90 * time.Second

// startFrame starts a page or the next frame of one, waiting while the lamp
// warms up.
func (s *Scanner) startFrame(ctx context.Context) error {
	deadline := time.Now().Add(maxWarmUp)
	for {
		err := s.h.start()
		s.started = time.Now()
		if statusOf(err) != StatusWarmingUp {
			return err
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the scanner's lamp did not warm up in %s", maxWarmUp)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
}

// Scan runs one batch: one page from the flatbed, or pages from the feeder
// until it is empty. Pages are written to out.Dir and handed to out.Page in
// order while the next one is read.
func (s *Scanner) Scan(ctx context.Context, set scan.Settings, out scan.Output) error {
	cfg, err := s.configure(set)
	if err != nil {
		return err
	}
	// A cancelled context is seen between reads, which return as data
	// arrives. Should a read hang on a device that stopped answering, the
	// watcher cancels it from outside after a grace period, as the standard
	// allows. It is gone before Scan returns, so that a late cancel cannot
	// hit the next batch.
	done := make(chan struct{})
	var watcher sync.WaitGroup
	watcher.Add(1)
	go func() {
		defer watcher.Done()
		select {
		case <-ctx.Done():
		case <-done:
			return
		}
		select {
		case <-time.After(cancelGrace):
			s.h.cancel()
		case <-done:
		}
	}()
	defer func() {
		close(done)
		watcher.Wait()
		// Backends that read in a thread of their own (sanei_thread) can
		// hang in sane_cancel when it comes right after sane_start, before
		// the thread is under way: a fault on a page's first read does
		// that. Letting the thread start first avoids it.
		if d := time.Since(s.started); d < startSettle {
			time.Sleep(startSettle - d)
		}
		s.h.cancel() // ends the batch; the standard asks for it after the last page
	}()

	w := scan.NewPageWriter(out, set.Mode, cfg.dpi, cfg.threshold)
	n := 0
	for page := 1; ; page++ {
		if s.beforePage != nil {
			if err := s.beforePage(page); err != nil {
				return w.Finish(err)
			}
		}
		img, err := s.readPage(ctx, page, out.Progress)
		if err != nil {
			if statusOf(err) == StatusNoDocs && n > 0 {
				break // the feeder ran out after the batch: done
			}
			return w.Finish(batchError(ctx, err, n))
		}
		n++
		if err := w.Put(page, img); err != nil {
			return w.Finish(err)
		}
		if set.Source == scan.Flatbed {
			break
		}
	}
	return w.Finish(nil)
}

// batchError says how a batch ended badly, naming the pages kept.
func batchError(ctx context.Context, err error, pages int) error {
	var base error
	switch statusOf(err) {
	case StatusNoDocs:
		base = scan.ErrNoDocs
	case StatusJammed:
		base = scan.ErrJammed
	case StatusCoverOpen:
		base = scan.ErrCoverOpen
	case StatusDeviceBusy:
		base = scan.ErrBusy
	case StatusCancelled:
		base = scan.ErrCancelled
	}
	if ctx.Err() != nil {
		base = scan.ErrCancelled
	}
	if base == nil {
		return deviceError(err)
	}
	if pages > 0 {
		return fmt.Errorf("%w (%d pages scanned before were kept; SANE: %v)", base, pages, err)
	}
	return fmt.Errorf("%w (SANE: %v)", base, err)
}

// deviceError explains the errors of opening a device.
func deviceError(err error) error {
	switch statusOf(err) {
	case StatusInval:
		return fmt.Errorf("no such scanner, or it is not connected: %w", err)
	case StatusAccessDenied:
		return fmt.Errorf("permission denied: add the user to the scanner group (%w)", err)
	case StatusDeviceBusy:
		return fmt.Errorf("%w: another program is using it (%v)", scan.ErrBusy, err)
	}
	return err
}

// readBuf is the size of each sane_read.
const readBuf = 64 << 10

// readPage reads every frame of one page and assembles the image.
func (s *Scanner) readPage(ctx context.Context, page int, progress func(scan.Progress)) (image.Image, error) {
	cbuf := cmalloc(readBuf)
	defer cfree(cbuf)
	buf := make([]byte, readBuf)
	var frames []frame
	for {
		if err := s.startFrame(ctx); err != nil {
			return nil, err
		}
		p, err := s.h.parameters()
		if err != nil {
			return nil, err
		}
		total := int64(-1)
		var data []byte
		if p.lines > 0 {
			total = int64(p.bytesPerLine) * int64(p.lines)
			data = make([]byte, 0, total)
		}
		for {
			n, err := s.h.read(cbuf, buf)
			data = append(data, buf[:n]...)
			if progress != nil && n > 0 {
				progress(scan.Progress{Page: page, Bytes: int64(len(data)), Total: total})
			}
			if statusOf(err) == StatusEOF {
				break
			}
			if err != nil {
				return nil, err
			}
			if ctx.Err() != nil {
				s.h.cancel() // the next read says CANCELLED
			}
		}
		frames = append(frames, frame{p, data})
		if p.lastFrame || len(frames) == 3 {
			break
		}
	}
	return assemble(frames)
}

var errFormat = errors.New("the scanner sent an image format this program does not read")
