package printer

import (
	"context"
	"fmt"
	"syscall"
	"unsafe"
)

var (
	winspool             = syscall.NewLazyDLL("winspool.drv")
	procOpenPrinter      = winspool.NewProc("OpenPrinterW")
	procClosePrinter     = winspool.NewProc("ClosePrinter")
	procStartDocPrinter  = winspool.NewProc("StartDocPrinterW")
	procEndDocPrinter    = winspool.NewProc("EndDocPrinter")
	procStartPagePrinter = winspool.NewProc("StartPagePrinter")
	procEndPagePrinter   = winspool.NewProc("EndPagePrinter")
	procWritePrinter     = winspool.NewProc("WritePrinter")
)

// docInfo1 is DOC_INFO_1.
type docInfo1 struct {
	docName, outputFile, datatype *uint16
}

// Print hands the job to the spooler with the RAW datatype: the driver
// does not touch the bytes.
func (p *Spooler) Print(ctx context.Context, job Job) error {
	if len(job.Data) == 0 {
		return &Error{Printer: p.Name, Reason: "an empty job"}
	}
	name, err := syscall.UTF16PtrFromString(p.Name)
	if err != nil {
		return &Error{Printer: p.Name, Reason: "a printer name with a NUL", Err: err}
	}
	var h syscall.Handle
	if r, _, err := procOpenPrinter.Call(uintptr(unsafe.Pointer(name)), uintptr(unsafe.Pointer(&h)), 0); r == 0 {
		return &Error{Printer: p.Name, Reason: "Windows does not know this printer", Err: err}
	}
	defer procClosePrinter.Call(uintptr(h))
	title := job.Title
	if title == "" {
		title = "Radicador"
	}
	doc, _ := syscall.UTF16PtrFromString(title)
	raw, _ := syscall.UTF16PtrFromString("RAW")
	info := docInfo1{docName: doc, datatype: raw}
	if r, _, err := procStartDocPrinter.Call(uintptr(h), 1, uintptr(unsafe.Pointer(&info))); r == 0 {
		return &Error{Printer: p.Name, Reason: "the spooler refused the job", Err: err}
	}
	defer procEndDocPrinter.Call(uintptr(h))
	if r, _, err := procStartPagePrinter.Call(uintptr(h)); r == 0 {
		return &Error{Printer: p.Name, Reason: "the spooler refused the page", Err: err}
	}
	var written uint32
	r, _, err := procWritePrinter.Call(uintptr(h), uintptr(unsafe.Pointer(&job.Data[0])), uintptr(len(job.Data)), uintptr(unsafe.Pointer(&written)))
	procEndPagePrinter.Call(uintptr(h))
	if r == 0 || int(written) != len(job.Data) {
		return &Error{Printer: p.Name, Reason: fmt.Sprintf("the spooler took %d of %d bytes", written, len(job.Data)), Err: err}
	}
	return ctx.Err()
}
