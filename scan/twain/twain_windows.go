//go:build windows

package twain

import (
	"context"
	"errors"
	"fmt"
	"image"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"time"
	"unsafe"

	"github.com/radicador/radicador/scan"
)

func init() { scan.Register(Driver{}) }

var (
	dsm          = syscall.NewLazyDLL("TWAINDSM.dll")
	procDSMEntry = dsm.NewProc("DSM_Entry")

	user32               = syscall.NewLazyDLL("user32.dll")
	procCreateWindowExW  = user32.NewProc("CreateWindowExW")
	procDestroyWindow    = user32.NewProc("DestroyWindow")
	procPeekMessageW     = user32.NewProc("PeekMessageW")
	procTranslateMessage = user32.NewProc("TranslateMessage")
	procDispatchMessageW = user32.NewProc("DispatchMessageW")
)

// ErrNoDSM is returned when TWAINDSM.dll is not installed.
var ErrNoDSM = errors.New("TWAIN is not installed: install the TWAIN Data Source Manager (TWAINDSM.dll) and the scanner's TWAIN driver")

// thread runs every TWAIN call on one locked OS thread: the DSM and the
// driver expect their window messages on the thread that opened them.
var (
	threadOnce sync.Once
	calls      chan func()
)

func onThread(f func() error) error {
	threadOnce.Do(func() {
		calls = make(chan func())
		go func() {
			runtime.LockOSThread()
			for c := range calls {
				c()
			}
		}()
	})
	done := make(chan error, 1)
	calls <- func() { done <- f() }
	return <-done
}

// session is an open DSM with, perhaps, an open source.
type session struct {
	app    identity
	src    identity
	hwnd   uintptr
	entry  entryPoint
	open   bool // source open
	events chan uint16
}

func (s *session) call(dest *identity, dg uint32, dat, msg uint16, data unsafe.Pointer) uint16 {
	var d uintptr
	if dest != nil {
		d = uintptr(unsafe.Pointer(dest))
	}
	rc, _, _ := procDSMEntry.Call(uintptr(unsafe.Pointer(&s.app)), d, uintptr(dg), uintptr(dat), uintptr(msg), uintptr(data))
	return uint16(rc)
}

// condition reads the status after a failure.
func (s *session) condition(dest *identity) uint16 {
	var st status
	s.call(dest, dgControl, datStatus, msgGet, unsafe.Pointer(&st))
	return st.ConditionCode
}

func (s *session) fail(what string, dest *identity) error {
	cc := s.condition(dest)
	var base error
	switch cc {
	case twccPaperJam, twccDoubleFeed:
		base = scan.ErrJammed
	case twccNoMedia:
		base = scan.ErrNoDocs
	case twccInterlock:
		base = scan.ErrCoverOpen
	case twccMaxConnect:
		base = scan.ErrBusy
	}
	if base != nil {
		return fmt.Errorf("%w (TWAIN %s: %s)", base, what, conditionText(cc))
	}
	return fmt.Errorf("TWAIN %s: %s", what, conditionText(cc))
}

func openDSM() (*session, error) {
	if err := dsm.Load(); err != nil {
		return nil, ErrNoDSM
	}
	s := &session{events: make(chan uint16, 8)}
	s.app.Version = version{MajorNum: 1, MinorNum: 0, Language: 11 /* TWLG_SPA */, Country: 57 /* Colombia */, Info: newStr32("Radicador")}
	s.app.ProtocolMajor, s.app.ProtocolMinor = protocolMajor, protocolMinor
	s.app.SupportedGroups.set(dgControl | dgImage | dfApp2)
	s.app.Manufacturer = newStr32("Radicador")
	s.app.ProductFamily = newStr32("Radicador")
	s.app.ProductName = newStr32("Radicador")
	// A hidden window is the parent the DSM asks for.
	static, _ := syscall.UTF16PtrFromString("STATIC")
	s.hwnd, _, _ = procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(static)), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	if rc := s.call(nil, dgControl, datParent, msgOpenDSM, unsafe.Pointer(&s.hwnd)); rc != twrcSuccess {
		procDestroyWindow.Call(s.hwnd)
		return nil, fmt.Errorf("TWAIN: the Data Source Manager did not open (return code %d)", rc)
	}
	if s.app.SupportedGroups.get()&dfDSM2 != 0 {
		s.entry.Size.set(uint32(unsafe.Sizeof(s.entry)))
		s.call(nil, dgControl, datEntryPoint, msgGet, unsafe.Pointer(&s.entry))
	}
	return s, nil
}

func (s *session) close() {
	if s.open {
		s.call(nil, dgControl, datIdentity, msgCloseDS, unsafe.Pointer(&s.src))
		s.open = false
	}
	s.call(nil, dgControl, datParent, msgCloseDSM, unsafe.Pointer(&s.hwnd))
	procDestroyWindow.Call(s.hwnd)
}

func (s *session) sources() []identity {
	var out []identity
	var id identity
	for rc := s.call(nil, dgControl, datIdentity, msgGetFirst, unsafe.Pointer(&id)); rc == twrcSuccess; rc = s.call(nil, dgControl, datIdentity, msgGetNext, unsafe.Pointer(&id)) {
		out = append(out, id)
		id = identity{}
	}
	return out
}

func (s *session) openSource(name string) error {
	for _, id := range s.sources() {
		if id.ProductName.String() == name {
			s.src = id
			if rc := s.call(nil, dgControl, datIdentity, msgOpenDS, unsafe.Pointer(&s.src)); rc != twrcSuccess {
				return s.fail("opening "+name, nil)
			}
			s.open = true
			return nil
		}
	}
	return fmt.Errorf("no TWAIN scanner named %q", name)
}

// setOne sets a capability to one value.
func (s *session) setOne(cap, itemType uint16, value uint32) error {
	h := globalAlloc(unsafe.Sizeof(oneValue{}))
	if h == 0 {
		return errors.New("TWAIN: out of memory")
	}
	defer globalFree(h)
	ov := (*oneValue)(unsafe.Pointer(globalLock(h)))
	ov.ItemType = itemType
	ov.Item.set(value)
	globalUnlock(h)
	c := capability{Cap: cap, ConType: twonOneValue}
	c.Container.set(h)
	if rc := s.call(&s.src, dgControl, datCapability, msgSet, unsafe.Pointer(&c)); rc != twrcSuccess && rc != twrcCheckStatus {
		return s.fail(fmt.Sprintf("setting capability %#x", cap), &s.src)
	}
	return nil
}

// values reads the values a capability allows: the items of an enumeration,
// the common steps of a range, or its one value.
func (s *session) values(cap uint16) ([]float64, error) {
	c := capability{Cap: cap}
	if rc := s.call(&s.src, dgControl, datCapability, msgGet, unsafe.Pointer(&c)); rc != twrcSuccess {
		return nil, s.fail(fmt.Sprintf("reading capability %#x", cap), &s.src)
	}
	h := c.Container.get()
	defer globalFree(h)
	p := globalLock(h)
	defer globalUnlock(h)
	item := func(typ uint16, at unsafe.Pointer) float64 {
		switch typ {
		case twtyFix32:
			return (*fix32)(at).float()
		case twtyInt16:
			return float64(*(*int16)(at))
		case twtyInt32, twtyUint32:
			return float64((*u32)(at).get())
		case twtyBool, twtyUint16:
			return float64(*(*uint16)(at))
		}
		return 0
	}
	size := map[uint16]uintptr{twtyFix32: 4, twtyInt16: 2, twtyInt32: 4, twtyUint32: 4, twtyBool: 2, twtyUint16: 2}
	var out []float64
	switch c.ConType {
	case twonOneValue:
		ov := (*oneValue)(p)
		out = append(out, item(ov.ItemType, unsafe.Pointer(&ov.Item)))
	case twonEnumeration:
		e := (*enumerationHeader)(p)
		base := unsafe.Add(p, unsafe.Sizeof(*e))
		for i := uintptr(0); i < uintptr(e.NumItems.get()); i++ {
			out = append(out, item(e.ItemType, unsafe.Add(base, i*size[e.ItemType])))
		}
	case twonRange:
		r := (*rangeValue)(p)
		lo, hi := item(r.ItemType, unsafe.Pointer(&r.MinValue)), item(r.ItemType, unsafe.Pointer(&r.MaxValue))
		for _, d := range []float64{75, 100, 150, 200, 300, 400, 600} {
			if d >= lo && d <= hi {
				out = append(out, d)
			}
		}
	}
	return out, nil
}

// Driver is the TWAIN driver: devices are twain:PRODUCT NAME.
type Driver struct{}

// Scheme gives "twain".
func (Driver) Scheme() string { return "twain" }

// Devices lists the TWAIN sources installed.
func (Driver) Devices(context.Context) ([]scan.Device, error) {
	var devs []scan.Device
	err := onThread(func() error {
		s, err := openDSM()
		if err != nil {
			return err
		}
		defer s.close()
		for _, id := range s.sources() {
			name := id.ProductName.String()
			devs = append(devs, scan.Device{URI: "twain:" + name, Name: name, Vendor: id.Manufacturer.String(), Model: name})
		}
		return nil
	})
	return devs, err
}

// Open names a TWAIN source; it is opened for each scan.
func (Driver) Open(_ context.Context, uri string) (scan.Scanner, error) {
	name, ok := strings.CutPrefix(uri, "twain:")
	if !ok || name == "" {
		return nil, fmt.Errorf("%q is not a TWAIN device (twain:NAME)", uri)
	}
	return &Scanner{name: name}, nil
}

// Scanner is a TWAIN source.
type Scanner struct{ name string }

// Close does nothing: each scan opens and closes the source.
func (*Scanner) Close() error { return nil }

// Capabilities asks the source for its feeder, duplex, pixel types and
// resolutions.
func (sc *Scanner) Capabilities(context.Context) (scan.Capabilities, error) {
	var c scan.Capabilities
	err := onThread(func() error {
		s, err := openDSM()
		if err != nil {
			return err
		}
		defer s.close()
		if err := s.openSource(sc.name); err != nil {
			return err
		}
		c.Sources = []scan.Source{scan.Flatbed}
		if v, err := s.values(capFeederEnabled); err == nil && len(v) > 0 {
			c.Sources = append([]scan.Source{scan.ADF}, c.Sources...)
			if d, err := s.values(capDuplex); err == nil && len(d) > 0 && d[0] != 0 {
				c.Sources = append([]scan.Source{scan.ADF, scan.Duplex}, c.Sources[1:]...)
			}
		}
		if v, err := s.values(icapPixelType); err == nil {
			for _, pt := range v {
				switch int(pt) {
				case twptBW:
					c.Modes = append(c.Modes, scan.BW)
				case twptGray:
					c.Modes = append(c.Modes, scan.Gray)
				case twptRGB:
					c.Modes = append(c.Modes, scan.Color)
				}
			}
		}
		if v, err := s.values(icapXResolution); err == nil {
			for _, d := range v {
				c.Resolutions = append(c.Resolutions, int(d+0.5))
			}
		}
		return nil
	})
	return c, err
}

// Scan runs one batch without the driver's window, in memory transfer.
func (sc *Scanner) Scan(ctx context.Context, set scan.Settings, out scan.Output) error {
	return onThread(func() error {
		s, err := openDSM()
		if err != nil {
			return err
		}
		defer s.close()
		if err := s.openSource(sc.name); err != nil {
			return err
		}
		if err := s.negotiate(set); err != nil {
			return err
		}
		if s.src.SupportedGroups.get()&dfDS2 != 0 {
			s.registerCallback()
		}
		ui := userInterface{ShowUI: 0, ModalUI: 0}
		ui.Parent.set(s.hwnd)
		if rc := s.call(&s.src, dgControl, datUserInterface, msgEnableDS, unsafe.Pointer(&ui)); rc != twrcSuccess && rc != twrcCheckStatus {
			return s.fail("starting the scan", &s.src)
		}
		defer s.call(&s.src, dgControl, datUserInterface, msgDisableDS, unsafe.Pointer(&ui))
		if err := s.waitReady(ctx); err != nil {
			return err
		}
		w := scan.NewPageWriter(out, set.Mode, set.DPI, false)
		n, err := s.transfer(ctx, w)
		if err != nil && n > 0 {
			err = fmt.Errorf("%w (%d pages scanned before were kept)", err, n)
		}
		return w.Finish(err)
	})
}

func (s *session) negotiate(set scan.Settings) error {
	feeder := set.Source != scan.Flatbed
	if err := s.setOne(capFeederEnabled, twtyBool, boolValue(feeder)); err != nil && feeder {
		return fmt.Errorf("this scanner has no feeder: %w", err)
	}
	if feeder {
		s.setOne(capAutoFeed, twtyBool, 1)
		if err := s.setOne(capDuplexEnabled, twtyBool, boolValue(set.Source == scan.Duplex)); err != nil && set.Source == scan.Duplex {
			return fmt.Errorf("this scanner does not scan both sides: %w", err)
		}
	}
	pt := map[scan.Mode]uint32{scan.BW: twptBW, scan.Gray: twptGray, scan.Color: twptRGB}[set.Mode]
	if err := s.setOne(icapPixelType, twtyUint16, pt); err != nil {
		return err
	}
	s.setOne(icapUnits, twtyUint16, twunInches)
	if set.DPI > 0 {
		f := toFix32(float64(set.DPI))
		v := uint32(uint16(f.Whole)) | uint32(f.Frac)<<16
		if err := s.setOne(icapXResolution, twtyFix32, v); err != nil {
			return err
		}
		s.setOne(icapYResolution, twtyFix32, v)
	}
	s.setOne(capIndicators, twtyBool, 0) // no progress window of the driver's own
	s.setOne(capXferCount, twtyInt16, 0xffff)
	return s.setOne(icapXferMech, twtyUint16, twsxMemory)
}

func boolValue(b bool) uint32 {
	if b {
		return 1
	}
	return 0
}

// registerCallback asks a TWAIN 2 source to announce its events through a
// callback instead of window messages.
func (s *session) registerCallback() {
	cb := callback2{}
	cb.Proc.set(syscall.NewCallback(func(origin, dest uintptr, dg uintptr, dat, msg uintptr, data uintptr) uintptr {
		select {
		case s.events <- uint16(msg):
		default:
		}
		return twrcSuccess
	}))
	s.call(nil, dgControl, datCallback2, msgRegisterCallback, unsafe.Pointer(&cb))
}

// msg is the Windows MSG structure.
type msg struct {
	Hwnd    uintptr
	Message uint32
	WParam  uintptr
	LParam  uintptr
	Time    uint32
	Pt      [2]int32
	Private uint32
}

// waitReady pumps window messages until the source has a page ready, or
// asks to be closed.
func (s *session) waitReady(ctx context.Context) error {
	for {
		select {
		case m := <-s.events:
			if done, err := s.event(m); done {
				return err
			}
			continue
		default:
		}
		var m msg
		if r, _, _ := procPeekMessageW.Call(uintptr(unsafe.Pointer(&m)), 0, 0, 0, 1 /* PM_REMOVE */); r != 0 {
			ev := event{TWMessage: 0}
			ev.Event.set(uintptr(unsafe.Pointer(&m)))
			if rc := s.call(&s.src, dgControl, datEvent, msgProcessEvent, unsafe.Pointer(&ev)); rc == twrcDSEvent {
				if done, err := s.event(ev.TWMessage); done {
					return err
				}
				continue
			}
			procTranslateMessage.Call(uintptr(unsafe.Pointer(&m)))
			procDispatchMessageW.Call(uintptr(unsafe.Pointer(&m)))
			continue
		}
		select {
		case <-ctx.Done():
			return scan.ErrCancelled
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *session) event(m uint16) (bool, error) {
	switch m {
	case msgXferReady:
		return true, nil
	case msgCloseDSReq, msgCloseDSOK:
		return true, scan.ErrCancelled
	}
	return false, nil
}

// transfer takes every pending page by memory transfer.
func (s *session) transfer(ctx context.Context, w *scan.PageWriter) (int, error) {
	pages := 0
	for {
		img, err := s.memoryTransfer(ctx)
		var pend pendingXfers
		if err != nil {
			s.call(&s.src, dgControl, datPendingXfers, msgReset, unsafe.Pointer(&pend))
			return pages, err
		}
		pages++
		if err := w.Put(pages, img); err != nil {
			s.call(&s.src, dgControl, datPendingXfers, msgReset, unsafe.Pointer(&pend))
			return pages, err
		}
		if rc := s.call(&s.src, dgControl, datPendingXfers, msgEndXfer, unsafe.Pointer(&pend)); rc != twrcSuccess {
			return pages, s.fail("ending a page", &s.src)
		}
		if pend.Count == 0 {
			return pages, nil
		}
		if ctx.Err() != nil {
			s.call(&s.src, dgControl, datPendingXfers, msgReset, unsafe.Pointer(&pend))
			return pages, scan.ErrCancelled
		}
	}
}

// memoryTransfer reads one page in strips into an image.
func (s *session) memoryTransfer(ctx context.Context) (image.Image, error) {
	var info imageInfo
	if rc := s.call(&s.src, dgImage, datImageInfo, msgGet, unsafe.Pointer(&info)); rc != twrcSuccess {
		return nil, s.fail("reading the page's size", &s.src)
	}
	var setup setupMemXfer
	if rc := s.call(&s.src, dgControl, datSetupMemXfer, msgGet, unsafe.Pointer(&setup)); rc != twrcSuccess {
		return nil, s.fail("setting up the transfer", &s.src)
	}
	size := setup.Preferred.get()
	if size == 0 || size == 0xffffffff {
		size = max(setup.MinBufSize.get(), 64<<10)
	}
	buf := make([]byte, size)
	var pin runtime.Pinner
	pin.Pin(&buf[0])
	defer pin.Unpin()

	width := int(int32(info.ImageWidth.get()))
	bpp := int(info.BitsPerPixel)
	rowBytes := (width*bpp + 7) / 8
	var page []byte
	rows := 0
	for {
		var x imageMemXfer
		x.Memory.Flags.set(twmfAppOwns | twmfPointer)
		x.Memory.Length.set(size)
		x.Memory.TheMem.set(uintptr(unsafe.Pointer(&buf[0])))
		rc := s.call(&s.src, dgImage, datImageMemXfer, msgGet, unsafe.Pointer(&x))
		switch rc {
		case twrcSuccess, twrcXferDone:
			stripRows, bpr := int(x.Rows.get()), int(x.BytesPerRow.get())
			y := int(x.YOffset.get())
			for r := range stripRows {
				if need := (y + r + 1) * rowBytes; len(page) < need {
					page = append(page, make([]byte, need-len(page))...)
				}
				copy(page[(y+r)*rowBytes:(y+r+1)*rowBytes], buf[r*bpr:r*bpr+min(bpr, rowBytes)])
			}
			rows = max(rows, y+stripRows)
			if rc == twrcXferDone {
				return pageImage(page, width, rows, bpp, int(info.PixelType))
			}
		case twrcCancel:
			return nil, scan.ErrCancelled
		default:
			return nil, s.fail("transferring the page", &s.src)
		}
		if ctx.Err() != nil {
			return nil, scan.ErrCancelled
		}
	}
}

var (
	kernel32         = syscall.NewLazyDLL("kernel32.dll")
	procGlobalAlloc  = kernel32.NewProc("GlobalAlloc")
	procGlobalLock   = kernel32.NewProc("GlobalLock")
	procGlobalUnlock = kernel32.NewProc("GlobalUnlock")
	procGlobalFree   = kernel32.NewProc("GlobalFree")
)

func globalAlloc(n uintptr) uintptr {
	h, _, _ := procGlobalAlloc.Call(0x0042 /* GHND */, n)
	return h
}
func globalLock(h uintptr) unsafe.Pointer {
	p, _, _ := procGlobalLock.Call(h)
	return unsafe.Pointer(p)
}
func globalUnlock(h uintptr) { procGlobalUnlock.Call(h) }
func globalFree(h uintptr)   { procGlobalFree.Call(h) }
