//go:build linux || darwin || freebsd

package sane

/*
#cgo LDFLAGS: -lsane
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sane/sane.h>

// A SIGPIPE caught and let go: the write that raised it fails with EPIPE.
static void radicador_sigpipe(int sig) { (void)sig; }

static int radicador_catch_sigpipe(void) {
	struct sigaction act;
	memset(&act, 0, sizeof act);
	act.sa_handler = radicador_sigpipe;
	sigemptyset(&act.sa_mask);
	act.sa_flags = SA_ONSTACK | SA_RESTART;
	return sigaction(SIGPIPE, &act, NULL);
}

static const SANE_String_Const *opt_string_list(const SANE_Option_Descriptor *d) { return d->constraint.string_list; }
static const SANE_Word *opt_word_list(const SANE_Option_Descriptor *d) { return d->constraint.word_list; }
static const SANE_Range *opt_range(const SANE_Option_Descriptor *d) { return d->constraint.range; }
static const SANE_Device *device_at(const SANE_Device **list, int i) { return list[i]; }
static SANE_String_Const string_at(const SANE_String_Const *list, int i) { return list[i]; }
*/
import "C"

import (
	"errors"
	"fmt"
	"os/signal"
	"sync"
	"syscall"
	"unsafe"
)

// SANE is not safe for concurrent calls: every call but sane_cancel, which
// the standard allows from anywhere to stop a running read, holds mu.
var (
	mu       sync.Mutex
	initOnce sync.Once
	initErr  error
)

// Status is a SANE_Status.
type Status int

// The statuses of the SANE standard.
const (
	StatusGood         Status = C.SANE_STATUS_GOOD
	StatusUnsupported  Status = C.SANE_STATUS_UNSUPPORTED
	StatusCancelled    Status = C.SANE_STATUS_CANCELLED
	StatusDeviceBusy   Status = C.SANE_STATUS_DEVICE_BUSY
	StatusInval        Status = C.SANE_STATUS_INVAL
	StatusEOF          Status = C.SANE_STATUS_EOF
	StatusJammed       Status = C.SANE_STATUS_JAMMED
	StatusNoDocs       Status = C.SANE_STATUS_NO_DOCS
	StatusCoverOpen    Status = C.SANE_STATUS_COVER_OPEN
	StatusIOError      Status = C.SANE_STATUS_IO_ERROR
	StatusNoMem        Status = C.SANE_STATUS_NO_MEM
	StatusAccessDenied Status = C.SANE_STATUS_ACCESS_DENIED
	StatusWarmingUp    Status = 12 // SANE_STATUS_WARMING_UP, newer than some headers
)

// Error is a SANE call that did not succeed.
type Error struct {
	Call   string
	Status Status
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: %s", e.Call, C.GoString(C.sane_strstatus(C.SANE_Status(e.Status))))
}

func status(call string, s C.SANE_Status) error {
	if s == C.SANE_STATUS_GOOD {
		return nil
	}
	return &Error{Call: call, Status: Status(s)}
}

func statusOf(err error) Status {
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return StatusGood
}

func initialize() error {
	initOnce.Do(func() {
		// Backends read from their device in a thread that writes into a
		// pipe; after a cancel it may write to a closed pipe. That write
		// must fail, not end the program. SIGPIPE is caught by a handler
		// that does nothing: not ignored, because SANE's thread helper
		// turns an ignored SIGPIPE back to its default when a reader thread
		// ends (sanei_thread_waitpid), after which any write to a closed
		// socket — the sync client's, a server's — would kill the program;
		// a handler of its own it leaves alone. (Not Go's signal.Notify:
		// the signal lands on the backend's own thread while sane_cancel
		// waits to join it, and that deadlocks.)
		if C.radicador_catch_sigpipe() != 0 {
			signal.Ignore(syscall.SIGPIPE)
		}
		var version C.SANE_Int
		initErr = status("sane_init", C.sane_init(&version, nil))
	})
	return initErr
}

type deviceInfo struct {
	name, vendor, model, kind string
}

func getDevices() ([]deviceInfo, error) {
	if err := initialize(); err != nil {
		return nil, err
	}
	mu.Lock()
	defer mu.Unlock()
	var list **C.SANE_Device
	if err := status("sane_get_devices", C.sane_get_devices(&list, C.SANE_FALSE)); err != nil {
		return nil, err
	}
	var out []deviceInfo
	for i := 0; ; i++ {
		d := C.device_at(list, C.int(i))
		if d == nil {
			break
		}
		out = append(out, deviceInfo{C.GoString(d.name), C.GoString(d.vendor), C.GoString(d.model), C.GoString(d._type)})
	}
	return out, nil
}

// handle is an open SANE device.
type handle struct {
	h        C.SANE_Handle
	cancelMu sync.Mutex // one sane_cancel at a time: backends are not ready for two
}

func open(name string) (*handle, error) {
	if err := initialize(); err != nil {
		return nil, err
	}
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	mu.Lock()
	defer mu.Unlock()
	var h C.SANE_Handle
	if err := status("sane_open "+name, C.sane_open(cname, &h)); err != nil {
		return nil, err
	}
	return &handle{h: h}, nil
}

func (h *handle) close() {
	mu.Lock()
	defer mu.Unlock()
	C.sane_close(h.h)
}

// The option value types and constraints of the standard.
const (
	typeBool   = C.SANE_TYPE_BOOL
	typeInt    = C.SANE_TYPE_INT
	typeFixed  = C.SANE_TYPE_FIXED
	typeString = C.SANE_TYPE_STRING
	typeButton = C.SANE_TYPE_BUTTON
	typeGroup  = C.SANE_TYPE_GROUP

	constraintNone       = C.SANE_CONSTRAINT_NONE
	constraintRange      = C.SANE_CONSTRAINT_RANGE
	constraintWordList   = C.SANE_CONSTRAINT_WORD_LIST
	constraintStringList = C.SANE_CONSTRAINT_STRING_LIST

	unitMM = C.SANE_UNIT_MM

	capSoftSelect = C.SANE_CAP_SOFT_SELECT
	capInactive   = C.SANE_CAP_INACTIVE

	infoInexact       = C.SANE_INFO_INEXACT
	infoReloadOptions = C.SANE_INFO_RELOAD_OPTIONS
	infoReloadParams  = C.SANE_INFO_RELOAD_PARAMS
)

// option is an option descriptor, read into Go.
type option struct {
	index      int
	name       string
	title      string
	typ        int
	unit       int
	size       int
	caps       int
	constraint int
	strings    []string  // string list
	words      []float64 // word list, as numbers (fixed already converted)
	min, max   float64   // range
	quant      float64
}

func (o option) active() bool   { return o.caps&capInactive == 0 }
func (o option) settable() bool { return o.caps&capSoftSelect != 0 }

const fixedScale = 1 << 16 // SANE_FIXED_SCALE_SHIFT

func (h *handle) options() ([]option, error) {
	mu.Lock()
	defer mu.Unlock()
	var count C.SANE_Int
	if err := status("option count", C.sane_control_option(h.h, 0, C.SANE_ACTION_GET_VALUE, unsafe.Pointer(&count), nil)); err != nil {
		return nil, err
	}
	var opts []option
	for i := 1; i < int(count); i++ {
		d := C.sane_get_option_descriptor(h.h, C.SANE_Int(i))
		if d == nil {
			continue
		}
		o := option{
			index: i, name: C.GoString(d.name), title: C.GoString(d.title), typ: int(d._type), unit: int(d.unit),
			size: int(d.size), caps: int(d.cap), constraint: int(d.constraint_type),
		}
		num := func(w C.SANE_Word) float64 {
			if o.typ == typeFixed {
				return float64(w) / fixedScale
			}
			return float64(w)
		}
		switch o.constraint {
		case constraintStringList:
			list := C.opt_string_list(d)
			for j := 0; list != nil; j++ {
				s := C.string_at(list, C.int(j))
				if s == nil {
					break
				}
				o.strings = append(o.strings, C.GoString(s))
			}
		case constraintWordList:
			wl := C.opt_word_list(d)
			if wl != nil {
				n := int(*wl)
				words := unsafe.Slice((*C.SANE_Word)(unsafe.Add(unsafe.Pointer(wl), unsafe.Sizeof(*wl))), n)
				for _, w := range words {
					o.words = append(o.words, num(w))
				}
			}
		case constraintRange:
			r := C.opt_range(d)
			if r != nil {
				o.min, o.max, o.quant = num(r.min), num(r.max), num(r.quant)
			}
		}
		opts = append(opts, o)
	}
	return opts, nil
}

// setValue sets a one-word option (bool, int, fixed) or a string option and
// gives back the value the device settled on and the info flags.
func (h *handle) setNumber(o option, v float64) (float64, int, error) {
	var w C.SANE_Word
	switch o.typ {
	case typeFixed:
		w = C.SANE_Word(v * fixedScale)
	case typeBool:
		if v != 0 {
			w = C.SANE_TRUE
		}
	default:
		w = C.SANE_Word(v)
	}
	mu.Lock()
	defer mu.Unlock()
	var info C.SANE_Int
	if err := status("set "+o.name, C.sane_control_option(h.h, C.SANE_Int(o.index), C.SANE_ACTION_SET_VALUE, unsafe.Pointer(&w), &info)); err != nil {
		return 0, 0, err
	}
	got := float64(w)
	if o.typ == typeFixed {
		got = float64(w) / fixedScale
	}
	return got, int(info), nil
}

func (h *handle) setString(o option, v string) (string, int, error) {
	size := max(o.size, len(v)+1)
	buf := C.malloc(C.size_t(size))
	defer C.free(buf)
	b := unsafe.Slice((*byte)(buf), size)
	clear(b)
	copy(b, v)
	mu.Lock()
	defer mu.Unlock()
	var info C.SANE_Int
	if err := status("set "+o.name, C.sane_control_option(h.h, C.SANE_Int(o.index), C.SANE_ACTION_SET_VALUE, buf, &info)); err != nil {
		return "", 0, err
	}
	return C.GoString((*C.char)(buf)), int(info), nil
}

func (h *handle) getString(o option) (string, error) {
	buf := C.malloc(C.size_t(max(o.size, 1)))
	defer C.free(buf)
	mu.Lock()
	defer mu.Unlock()
	if err := status("get "+o.name, C.sane_control_option(h.h, C.SANE_Int(o.index), C.SANE_ACTION_GET_VALUE, buf, nil)); err != nil {
		return "", err
	}
	return C.GoString((*C.char)(buf)), nil
}

func (h *handle) getNumber(o option) (float64, error) {
	var w C.SANE_Word
	mu.Lock()
	defer mu.Unlock()
	if err := status("get "+o.name, C.sane_control_option(h.h, C.SANE_Int(o.index), C.SANE_ACTION_GET_VALUE, unsafe.Pointer(&w), nil)); err != nil {
		return 0, err
	}
	if o.typ == typeFixed {
		return float64(w) / fixedScale, nil
	}
	return float64(w), nil
}

// Frame formats of the standard.
const (
	frameGray  = C.SANE_FRAME_GRAY
	frameRGB   = C.SANE_FRAME_RGB
	frameRed   = C.SANE_FRAME_RED
	frameGreen = C.SANE_FRAME_GREEN
	frameBlue  = C.SANE_FRAME_BLUE
)

type params struct {
	format        int
	lastFrame     bool
	bytesPerLine  int
	pixelsPerLine int
	lines         int // -1 when unknown (hand scanners)
	depth         int
}

func (h *handle) start() error {
	mu.Lock()
	defer mu.Unlock()
	return status("sane_start", C.sane_start(h.h))
}

func (h *handle) parameters() (params, error) {
	mu.Lock()
	defer mu.Unlock()
	var p C.SANE_Parameters
	if err := status("sane_get_parameters", C.sane_get_parameters(h.h, &p)); err != nil {
		return params{}, err
	}
	return params{int(p.format), p.last_frame != 0, int(p.bytes_per_line), int(p.pixels_per_line), int(p.lines), int(p.depth)}, nil
}

// read reads into buf from C memory of the same size, and gives the count.
func (h *handle) read(cbuf unsafe.Pointer, buf []byte) (int, error) {
	mu.Lock()
	defer mu.Unlock()
	var n C.SANE_Int
	err := status("sane_read", C.sane_read(h.h, (*C.SANE_Byte)(cbuf), C.SANE_Int(len(buf)), &n))
	copy(buf, unsafe.Slice((*byte)(cbuf), int(n)))
	return int(n), err
}

// cancel stops a scan; it may be called while a read is under way.
func (h *handle) cancel() {
	h.cancelMu.Lock()
	defer h.cancelMu.Unlock()
	C.sane_cancel(h.h)
}

func cmalloc(n int) unsafe.Pointer { return C.malloc(C.size_t(n)) }
func cfree(p unsafe.Pointer)       { C.free(p) }
