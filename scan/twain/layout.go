// Package twain drives Windows scanners through TWAIN: DSM_Entry of
// TWAINDSM.dll, called without cgo, feeder scanning without the driver's
// own window, in memory transfer. Devices are twain:PRODUCT NAME.
//
// The structures below mirror twain.h, which packs them to 2 bytes. Every
// field type here has an alignment of at most 2 (32-bit fields and handles
// are arrays of uint16), so Go lays them out exactly as pack(2) does, on
// 32-bit and 64-bit Windows alike. layout_test.go checks each size and
// offset against the specification.
package twain

import (
	"strconv"
	"unsafe"
)

// u32 is a TW_UINT32 or TW_INT32 at a 2-byte alignment.
type u32 [2]uint16

func (v u32) get() uint32   { return uint32(v[0]) | uint32(v[1])<<16 }
func (v *u32) set(x uint32) { v[0], v[1] = uint16(x), uint16(x>>16) }

// handle is a TW_HANDLE, TW_MEMREF or function pointer at a 2-byte
// alignment: 4 bytes on 32-bit Windows, 8 on 64-bit.
type handle [unsafe.Sizeof(uintptr(0)) / 2]uint16

func (h handle) get() uintptr {
	var v uintptr
	for i := len(h) - 1; i >= 0; i-- {
		v = v<<16 | uintptr(h[i])
	}
	return v
}

func (h *handle) set(p uintptr) {
	for i := range h {
		h[i] = uint16(p)
		p >>= 16
	}
}

// fix32 is a TW_FIX32.
type fix32 struct {
	Whole int16
	Frac  uint16
}

func toFix32(f float64) fix32 {
	v := int32(f*65536 + 0.5)
	return fix32{Whole: int16(v >> 16), Frac: uint16(v & 0xffff)}
}

func (f fix32) float() float64 { return float64(f.Whole) + float64(f.Frac)/65536 }

type str32 [34]byte

func (s str32) String() string {
	for i, c := range s {
		if c == 0 {
			return string(s[:i])
		}
	}
	return string(s[:])
}

func newStr32(v string) str32 {
	var s str32
	copy(s[:33], v)
	return s
}

// version is TW_VERSION.
type version struct {
	MajorNum uint16
	MinorNum uint16
	Language uint16
	Country  uint16
	Info     str32
}

// identity is TW_IDENTITY.
type identity struct {
	ID              u32
	Version         version
	ProtocolMajor   uint16
	ProtocolMinor   uint16
	SupportedGroups u32
	Manufacturer    str32
	ProductFamily   str32
	ProductName     str32
}

// userInterface is TW_USERINTERFACE.
type userInterface struct {
	ShowUI  uint16
	ModalUI uint16
	Parent  handle
}

// capability is TW_CAPABILITY.
type capability struct {
	Cap       uint16
	ConType   uint16
	Container handle
}

// oneValue is TW_ONEVALUE.
type oneValue struct {
	ItemType uint16
	Item     u32
}

// enumerationHeader is the fixed part of TW_ENUMERATION; ItemList follows.
type enumerationHeader struct {
	ItemType     uint16
	NumItems     u32
	CurrentIndex u32
	DefaultIndex u32
}

// rangeValue is TW_RANGE.
type rangeValue struct {
	ItemType     uint16
	MinValue     u32
	MaxValue     u32
	StepSize     u32
	DefaultValue u32
	CurrentValue u32
}

// pendingXfers is TW_PENDINGXFERS.
type pendingXfers struct {
	Count int16
	EOJ   u32
}

// imageInfo is TW_IMAGEINFO.
type imageInfo struct {
	XResolution     fix32
	YResolution     fix32
	ImageWidth      u32
	ImageLength     u32
	SamplesPerPixel int16
	BitsPerSample   [8]int16
	BitsPerPixel    int16
	Planar          uint16
	PixelType       int16
	Compression     uint16
}

// setupMemXfer is TW_SETUPMEMXFER.
type setupMemXfer struct {
	MinBufSize u32
	MaxBufSize u32
	Preferred  u32
}

// memory is TW_MEMORY.
type memory struct {
	Flags  u32
	Length u32
	TheMem handle
}

// imageMemXfer is TW_IMAGEMEMXFER.
type imageMemXfer struct {
	Compression  uint16
	BytesPerRow  u32
	Columns      u32
	Rows         u32
	XOffset      u32
	YOffset      u32
	BytesWritten u32
	Memory       memory
}

// event is TW_EVENT.
type event struct {
	Event     handle
	TWMessage uint16
}

// status is TW_STATUS.
type status struct {
	ConditionCode uint16
	Data          uint16
}

// entryPoint is TW_ENTRYPOINT.
type entryPoint struct {
	Size        u32
	DSMEntry    handle
	MemAllocate handle
	MemFree     handle
	MemLock     handle
	MemUnlock   handle
}

// callback2 is TW_CALLBACK2.
type callback2 struct {
	Proc    handle
	RefCon  handle
	Message int16
}

// Constants of twain.h used here.
const (
	protocolMajor = 2
	protocolMinor = 4

	dgControl = 0x0001
	dgImage   = 0x0002
	dfApp2    = 0x20000000
	dfDSM2    = 0x10000000
	dfDS2     = 0x40000000

	datCapability     = 0x0001
	datEvent          = 0x0002
	datIdentity       = 0x0003
	datParent         = 0x0004
	datPendingXfers   = 0x0005
	datSetupMemXfer   = 0x0006
	datStatus         = 0x0008
	datUserInterface  = 0x0009
	datCallback2      = 0x0012
	datImageInfo      = 0x0101
	datImageMemXfer   = 0x0103
	datImageNativeXfr = 0x0104
	datEntryPoint     = 0x0403

	msgGet              = 0x0001
	msgGetCurrent       = 0x0002
	msgGetFirst         = 0x0004
	msgGetNext          = 0x0005
	msgSet              = 0x0006
	msgReset            = 0x0007
	msgXferReady        = 0x0101
	msgCloseDSReq       = 0x0102
	msgCloseDSOK        = 0x0103
	msgOpenDSM          = 0x0301
	msgCloseDSM         = 0x0302
	msgOpenDS           = 0x0401
	msgCloseDS          = 0x0402
	msgDisableDS        = 0x0501
	msgEnableDS         = 0x0502
	msgProcessEvent     = 0x0601
	msgEndXfer          = 0x0701
	msgRegisterCallback = 0x0902

	capXferCount      = 0x0001
	icapPixelType     = 0x0101
	icapUnits         = 0x0102
	icapXferMech      = 0x0103
	capFeederEnabled  = 0x1002
	capFeederLoaded   = 0x1003
	capAutoFeed       = 0x1007
	capIndicators     = 0x100b
	capDuplex         = 0x1012
	capDuplexEnabled  = 0x1013
	icapXResolution   = 0x1118
	icapYResolution   = 0x1119
	icapBitDepth      = 0x112b
	icapPhysicalWidth = 0x1111

	twonArray       = 3
	twonEnumeration = 4
	twonOneValue    = 5
	twonRange       = 6

	twtyInt16  = 0x0001
	twtyInt32  = 0x0002
	twtyUint16 = 0x0004
	twtyUint32 = 0x0005
	twtyBool   = 0x0006
	twtyFix32  = 0x0007

	twptBW   = 0
	twptGray = 1
	twptRGB  = 2

	twsxNative = 0
	twsxMemory = 2

	twunInches = 0

	twmfAppOwns = 0x0001
	twmfPointer = 0x0008

	twrcSuccess     = 0
	twrcFailure     = 1
	twrcCheckStatus = 2
	twrcCancel      = 3
	twrcDSEvent     = 4
	twrcNotDSEvent  = 5
	twrcXferDone    = 6
	twrcEndOfList   = 7

	twccBummer       = 1
	twccLowMemory    = 2
	twccNoDS         = 3
	twccMaxConnect   = 4
	twccOperationErr = 5
	twccBadCap       = 6
	twccBadValue     = 10
	twccSeqError     = 11
	twccCapUnsupp    = 13
	twccDenied       = 16
	twccPaperJam     = 20
	twccDoubleFeed   = 21
	twccCheckOnline  = 23
	twccInterlock    = 24
	twccNoMedia      = 29
)

// conditionText explains a condition code.
func conditionText(cc uint16) string {
	switch cc {
	case twccBummer:
		return "the scanner failed"
	case twccLowMemory:
		return "not enough memory"
	case twccNoDS:
		return "no such scanner"
	case twccMaxConnect:
		return "the scanner is in use by another program"
	case twccOperationErr:
		return "the scanner reported an error"
	case twccBadCap, twccCapUnsupp, twccBadValue:
		return "the scanner does not support that setting"
	case twccSeqError:
		return "the scanner was asked out of order"
	case twccDenied:
		return "access denied"
	case twccPaperJam:
		return "paper jam"
	case twccDoubleFeed:
		return "two sheets were fed at once"
	case twccCheckOnline:
		return "the scanner is off or disconnected"
	case twccInterlock:
		return "a cover is open"
	case twccNoMedia:
		return "no paper in the feeder"
	}
	return "condition " + strconv.Itoa(int(cc))
}
