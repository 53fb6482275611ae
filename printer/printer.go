// Package printer sends finished print jobs to the printer a URI names:
// tcp://host[:9100] (raw socket, as label printers listen), cups://QUEUE
// or cups://server:631/QUEUE (a raw CUPS queue, through lp), windows://NAME
// (the Windows spooler, RAW datatype), usb:///dev/usb/lp0 (a USB printer's
// device file) and file:///path (a folder when it ends in "/": one file per
// job there, named after it, as the on-screen preview printer does).
package printer

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/internal/fileuri"
)

// Job is what goes to a printer.
type Job struct {
	Data     []byte
	Language string // zpl, epl, tspl, pdf or png: how to ask the printer how it is
	Title    string // the job's name in spoolers
}

// Printer prints jobs.
type Printer interface {
	Print(ctx context.Context, job Job) error
	String() string
}

// Timeouts bound each step with a printer: connecting, writing a job and
// waiting for a status answer.
type Timeouts struct {
	Connect, Write, Status time.Duration
}

// DefaultTimeouts keep a radicación from waiting on a printer for long.
var DefaultTimeouts = Timeouts{Connect: 3 * time.Second, Write: 10 * time.Second, Status: 3 * time.Second}

// Error is a job that did not print, and why, in words for the front desk.
type Error struct {
	Printer string
	Reason  string
	Err     error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("printer %s: %s (%v)", e.Printer, e.Reason, e.Err)
	}
	return fmt.Sprintf("printer %s: %s", e.Printer, e.Reason)
}

func (e *Error) Unwrap() error { return e.Err }

// Open gives the printer uri names.
func Open(uri string, t Timeouts) (Printer, error) {
	if name, ok := strings.CutPrefix(uri, "windows://"); ok {
		// Printer names have spaces and anything else: taken as they are,
		// or decoded when written as a URL.
		if dec, err := url.PathUnescape(name); err == nil {
			name = dec
		}
		if name == "" {
			return nil, fmt.Errorf("printer %q: no printer name", uri)
		}
		return &Spooler{Name: name}, nil
	}
	u, err := url.Parse(uri)
	if err != nil || u.Scheme == "" {
		return nil, fmt.Errorf("printer %q: give it as tcp://host:9100, cups://QUEUE, windows://NAME, usb:///dev/usb/lp0 or file:///path", uri)
	}
	switch u.Scheme {
	case "tcp":
		host := u.Host
		if host == "" {
			return nil, fmt.Errorf("printer %q: no host", uri)
		}
		if u.Port() == "" {
			host += ":9100"
		}
		return &TCP{Addr: host, Timeouts: t}, nil
	case "cups":
		queue := strings.Trim(u.Path, "/")
		server := u.Host
		if queue == "" {
			queue, server = u.Host, ""
		}
		if queue == "" {
			return nil, fmt.Errorf("printer %q: no queue", uri)
		}
		return &CUPS{Queue: queue, Server: server, Timeout: t.Write}, nil
	case "usb", "file":
		if u.Path == "" {
			return nil, fmt.Errorf("printer %q: no path", uri)
		}
		return &File{Path: fileuri.ToPath(u.Path), Device: u.Scheme == "usb", Timeout: t.Write}, nil
	}
	return nil, fmt.Errorf("printer %q: unknown kind %q (tcp, cups, windows, usb, file)", uri, u.Scheme)
}

// File writes jobs to a file, or to a USB printer's device file.
type File struct {
	Path    string
	Device  bool // a device: opened as it is, never created
	Timeout time.Duration
}

func (f *File) String() string { return f.Path }

// Print writes the job. A device that does not take it within the timeout
// (a printer that is off or out of paper blocks its device file) is an
// error; the write goes on in the background until the device gives up.
func (f *File) Print(ctx context.Context, job Job) error {
	done := make(chan error, 1)
	go func() {
		if !f.Device && strings.HasSuffix(f.Path, "/") {
			done <- writeInFolder(f.Path, job)
			return
		}
		flags := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
		if f.Device {
			flags = os.O_WRONLY
		}
		file, err := os.OpenFile(f.Path, flags, 0o644)
		if err != nil {
			done <- err
			return
		}
		_, err = file.Write(job.Data)
		if err == nil && !f.Device {
			err = file.Sync()
		}
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		done <- err
	}()
	timeout := f.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeouts.Write
	}
	select {
	case err := <-done:
		if err != nil {
			reason := "could not write the job"
			if errors.Is(err, os.ErrNotExist) && f.Device {
				reason = "the printer is not connected (no device file)"
			}
			return &Error{Printer: f.Path, Reason: reason, Err: err}
		}
		return nil
	case <-time.After(timeout):
		return &Error{Printer: f.Path, Reason: fmt.Sprintf("did not take the job in %v: is it on, with labels?", timeout)}
	case <-ctx.Done():
		return ctx.Err()
	}
}

// writeInFolder writes a job as its own file in dir, named after its title
// with the extension of its language, replacing it whole or not at all.
func writeInFolder(dir string, job Job) error {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return err
	}
	name := strings.Map(func(r rune) rune {
		if r == '/' || r == '\\' || r == 0 || r == ':' {
			return '_'
		}
		return r
	}, job.Title)
	if name == "" || name == "." || name == ".." {
		name = "job"
	}
	ext := ".prn"
	switch job.Language {
	case "zpl", "epl", "tspl", "pdf", "png":
		ext = "." + job.Language
	}
	return atomicfile.Write(filepath.Join(dir, name+ext), job.Data, 0o644)
}
