// Package scan is the one interface the station scans through, whatever the
// device: SANE, eSCL network scanners, TWAIN, or files. A driver hands over
// each page as soon as it is complete, already written to disk, so that
// memory stays flat however long a feeder batch runs.
package scan

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Source is where the paper is: the glass or the feeder.
type Source string

// The sources a profile can ask for.
const (
	Flatbed Source = "flatbed"
	ADF     Source = "adf"    // automatic document feeder, front side
	Duplex  Source = "duplex" // feeder, both sides
)

// Mode is the colour of the scan.
type Mode string

// The colour modes.
const (
	Color Mode = "color"
	Gray  Mode = "gray"
	BW    Mode = "bw" // black and white (line art)
)

// Sources and Modes list the values in the order a form offers them.
var (
	Sources = []Source{ADF, Duplex, Flatbed}
	Modes   = []Mode{Gray, BW, Color}
)

// ParseSource reads a source's name.
func ParseSource(s string) (Source, error) {
	v := Source(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Sources, v) {
		return "", fmt.Errorf("source %q is not known: use flatbed, adf or duplex", s)
	}
	return v, nil
}

// ParseMode reads a mode's name.
func ParseMode(s string) (Mode, error) {
	v := Mode(strings.ToLower(strings.TrimSpace(s)))
	if !slices.Contains(Modes, v) {
		return "", fmt.Errorf("mode %q is not known: use gray, bw or color", s)
	}
	return v, nil
}

// PageSize is the size of the area to scan, in millimetres.
type PageSize struct {
	Name          string  `json:"name"`
	Width, Height float64 `json:"-"`
}

// The page sizes of a Colombian front desk. Max scans all the device can.
var (
	Carta  = PageSize{"carta", 215.9, 279.4} // US Letter
	Oficio = PageSize{"oficio", 215.9, 330.2}
	A4     = PageSize{"a4", 210, 297}
	Legal  = PageSize{"legal", 215.9, 355.6}
	Max    = PageSize{Name: "max"}
)

// PageSizes lists the named sizes.
var PageSizes = []PageSize{Carta, Oficio, A4, Legal, Max}

// ParsePageSize reads a named size or WIDTHxHEIGHT in millimetres.
func ParsePageSize(s string) (PageSize, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range PageSizes {
		if p.Name == s {
			return p, nil
		}
	}
	var w, h float64
	if _, err := fmt.Sscanf(strings.TrimSuffix(s, "mm"), "%gx%g", &w, &h); err == nil && w > 0 && h > 0 && w <= 1000 && h <= 5000 {
		return PageSize{Name: s, Width: w, Height: h}, nil
	}
	return PageSize{}, fmt.Errorf("page size %q: use carta, oficio, a4, legal, max or WIDTHxHEIGHT in mm", s)
}

// Device is a scanner the station can use.
type Device struct {
	URI    string `json:"uri"` // sane:NAME, escl:URL, twain:NAME, file:PATH
	Name   string `json:"name"`
	Vendor string `json:"vendor,omitempty"`
	Model  string `json:"model,omitempty"`
}

// Capabilities are what a device can do.
type Capabilities struct {
	Sources     []Source `json:"sources"`
	Resolutions []int    `json:"resolutions"` // the dpi a form offers; a device with a range lists the usual steps in it
	Modes       []Mode   `json:"modes"`
	// MaxWidth and MaxHeight are the largest area, in millimetres (0: unknown).
	MaxWidth  float64 `json:"max_width_mm,omitempty"`
	MaxHeight float64 `json:"max_height_mm,omitempty"`
}

// Settings are what a scan asks for.
type Settings struct {
	Source   Source
	DPI      int
	Mode     Mode
	PageSize PageSize
}

// Page is one scanned side, written to disk.
type Page struct {
	Index  int    `json:"index"` // 1-based, in the order the pages arrived
	Path   string `json:"path"`
	Format string `json:"format"` // media type of the file: image/png, image/jpeg
	Width  int    `json:"width"`
	Height int    `json:"height"`
	DPI    int    `json:"dpi"`
	Mode   Mode   `json:"mode"`
}

// Progress reports a page under way.
type Progress struct {
	Page  int   // 1-based index of the page being read
	Bytes int64 // bytes of it read so far
	Total int64 // expected bytes of the page, or -1 when unknown
}

// Output is where a scan puts its pages.
type Output struct {
	// Dir is where page files are written; it must exist.
	Dir string
	// Page is called for each page once its file is complete. An error
	// stops the batch.
	Page func(Page) error
	// Progress, when set, is called as data arrives.
	Progress func(Progress)
}

// Scanner is an opened device. Its methods are not safe for concurrent use.
type Scanner interface {
	Capabilities(ctx context.Context) (Capabilities, error)
	// Scan runs one batch. It returns nil when the batch ended normally,
	// including a feeder that ran out of paper after at least one page.
	// Pages handed to Output.Page before an error stay valid.
	Scan(ctx context.Context, s Settings, out Output) error
	Close() error
}

// Driver is a family of devices: one per URI scheme.
type Driver interface {
	Scheme() string
	// Devices lists the devices the driver finds now.
	Devices(ctx context.Context) ([]Device, error)
	Open(ctx context.Context, uri string) (Scanner, error)
}

// The errors a batch can end with. They are wrapped with what the device
// said; test them with errors.Is.
var (
	ErrNoDocs    = errors.New("the feeder is empty: put the pages in the feeder")
	ErrJammed    = errors.New("the paper jammed: clear the feeder and scan the remaining pages")
	ErrCoverOpen = errors.New("the scanner's cover is open: close it and scan again")
	ErrBusy      = errors.New("the scanner is busy")
	ErrCancelled = errors.New("scan cancelled")
)

var (
	driversMu sync.RWMutex
	drivers   = map[string]Driver{}
)

// Register makes a driver available to Open and Devices. Drivers register
// themselves when their package is imported.
func Register(d Driver) {
	driversMu.Lock()
	defer driversMu.Unlock()
	drivers[d.Scheme()] = d
}

// Drivers lists the registered schemes.
func Drivers() []string {
	driversMu.RLock()
	defer driversMu.RUnlock()
	var s []string
	for k := range drivers {
		s = append(s, k)
	}
	slices.Sort(s)
	return s
}

// Open opens the device at uri (scheme:rest) with its driver.
func Open(ctx context.Context, uri string) (Scanner, error) {
	scheme, _, ok := strings.Cut(uri, ":")
	driversMu.RLock()
	d, found := drivers[scheme]
	driversMu.RUnlock()
	if !ok || !found {
		return nil, fmt.Errorf("device %q: no driver for it (known: %s)", uri, strings.Join(Drivers(), ", "))
	}
	return d.Open(ctx, uri)
}

// Devices lists the devices of every driver. A driver that fails does not
// hide the others; its error is joined to the result.
func Devices(ctx context.Context) ([]Device, error) {
	driversMu.RLock()
	ds := make([]Driver, 0, len(drivers))
	for _, d := range drivers {
		ds = append(ds, d)
	}
	driversMu.RUnlock()
	slices.SortFunc(ds, func(a, b Driver) int { return strings.Compare(a.Scheme(), b.Scheme()) })
	var all []Device
	var errs []error
	for _, d := range ds {
		devs, err := d.Devices(ctx)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", d.Scheme(), err))
		}
		all = append(all, devs...)
	}
	return all, errors.Join(errs...)
}
