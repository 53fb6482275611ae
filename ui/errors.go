package ui

import (
	"errors"
	"syscall"

	"github.com/radicador/radicador/station"
)

// explain says an error in the clerk's language when it is one the clerk
// can act on; others are given as they are, on one line.
func (w *Window) explain(err error) string {
	tr := w.tr
	switch {
	case errors.Is(err, station.ErrClockBehind):
		return tr.T("error.clock_behind", "Detail", oneLine(err))
	case errors.Is(err, station.ErrDiskFull), errors.Is(err, syscall.ENOSPC):
		return tr.T("error.disk_full")
	case errors.Is(err, station.ErrBusy):
		return tr.T("error.busy")
	case errors.Is(err, station.ErrNoPrinter):
		return tr.T("error.no_printer")
	}
	return oneLine(err)
}
