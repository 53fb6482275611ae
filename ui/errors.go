package ui

import (
	"errors"
	"syscall"

	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// explain says an error in the clerk's language when it is one the clerk
// can act on; others are given as they are, on one line.
func (w *Window) explain(err error) string {
	tr := w.tr
	switch {
	case errors.Is(err, store.ErrClockBehind):
		return tr.T("error.clock_behind", "Detail", oneLine(err))
	case errors.Is(err, store.ErrDiskFull), errors.Is(err, syscall.ENOSPC):
		return tr.T("error.disk_full")
	case errors.Is(err, store.ErrBusy):
		return tr.T("error.busy")
	case errors.Is(err, station.ErrNoPrinter):
		return tr.T("error.no_printer")
	}
	return oneLine(err)
}
