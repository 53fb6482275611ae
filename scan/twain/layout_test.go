package twain

import (
	"image"
	"reflect"
	"testing"
	"unsafe"
)

// TestLayout checks every structure against twain.h packed to 2 bytes: the
// sizes and offsets below are worked out from the specification by hand,
// for 64-bit Windows (8-byte handles) and 32-bit Windows (4-byte handles).
// Run the test with GOARCH=386 for the second (make test does).
func TestLayout(t *testing.T) {
	p := int(unsafe.Sizeof(uintptr(0))) // 4 or 8
	for _, tc := range []struct {
		v       any
		size    int
		offsets map[string]int
	}{
		{version{}, 42, map[string]int{"Info": 8}},
		{identity{}, 156, map[string]int{"Version": 4, "ProtocolMajor": 46, "ProtocolMinor": 48, "SupportedGroups": 50,
			"Manufacturer": 54, "ProductFamily": 88, "ProductName": 122}},
		{userInterface{}, 4 + p, map[string]int{"Parent": 4}},
		{capability{}, 4 + p, map[string]int{"Container": 4}},
		{oneValue{}, 6, map[string]int{"Item": 2}},
		{enumerationHeader{}, 14, map[string]int{"NumItems": 2, "CurrentIndex": 6, "DefaultIndex": 10}},
		{rangeValue{}, 22, map[string]int{"MinValue": 2, "MaxValue": 6, "StepSize": 10, "DefaultValue": 14, "CurrentValue": 18}},
		{pendingXfers{}, 6, map[string]int{"EOJ": 2}},
		{imageInfo{}, 42, map[string]int{"ImageWidth": 8, "ImageLength": 12, "SamplesPerPixel": 16, "BitsPerSample": 18,
			"BitsPerPixel": 34, "Planar": 36, "PixelType": 38, "Compression": 40}},
		{setupMemXfer{}, 12, map[string]int{"MaxBufSize": 4, "Preferred": 8}},
		{memory{}, 8 + p, map[string]int{"Length": 4, "TheMem": 8}},
		{imageMemXfer{}, 26 + 8 + p, map[string]int{"BytesPerRow": 2, "Columns": 6, "Rows": 10, "XOffset": 14,
			"YOffset": 18, "BytesWritten": 22, "Memory": 26}},
		{event{}, p + 2, map[string]int{"TWMessage": p}},
		{status{}, 4, map[string]int{"Data": 2}},
		{entryPoint{}, 4 + 5*p, map[string]int{"DSMEntry": 4, "MemAllocate": 4 + p, "MemFree": 4 + 2*p, "MemLock": 4 + 3*p, "MemUnlock": 4 + 4*p}},
		{callback2{}, 2*p + 2, map[string]int{"RefCon": p, "Message": 2 * p}},
	} {
		typ := reflect.TypeOf(tc.v)
		if got := int(typ.Size()); got != tc.size {
			t.Errorf("%s is %d bytes, twain.h packs it to %d", typ.Name(), got, tc.size)
		}
		for name, want := range tc.offsets {
			f, ok := typ.FieldByName(name)
			if !ok {
				t.Errorf("%s has no field %s", typ.Name(), name)
				continue
			}
			if int(f.Offset) != want {
				t.Errorf("%s.%s at %d, twain.h puts it at %d", typ.Name(), name, f.Offset, want)
			}
		}
	}
}

func TestValues(t *testing.T) {
	var v u32
	v.set(0xdeadbeef)
	if v.get() != 0xdeadbeef || v[0] != 0xbeef {
		t.Errorf("u32 round trip %x (%v)", v.get(), v)
	}
	var h handle
	h.set(0x12345678)
	if h.get() != 0x12345678 {
		t.Errorf("handle round trip %x", h.get())
	}
	for _, f := range []float64{300, 200.5, 0.25, 1200} {
		if got := toFix32(f).float(); got != f {
			t.Errorf("fix32(%g) = %g", f, got)
		}
	}
	if s := newStr32("Radicador"); s.String() != "Radicador" {
		t.Errorf("str32 %q", s.String())
	}
	long := newStr32("a name much longer than thirty-three characters")
	if len(long.String()) != 33 {
		t.Errorf("str32 keeps %d characters, want 33 and the terminating zero", len(long.String()))
	}
}

func TestPageImage(t *testing.T) {
	// 10×2 black-and-white: first row all white but pixel 3, second all black.
	bw := []byte{0xef, 0xc0, 0x00, 0x00}
	img, err := pageImage(bw, 10, 2, 1, twptBW)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ x, y, want int }{{0, 0, 0}, {3, 0, 1}, {9, 0, 0}, {5, 1, 1}} {
		if got := int(img.(*image.Paletted).ColorIndexAt(tc.x, tc.y)); got != tc.want {
			t.Errorf("pixel (%d,%d) = %d, want %d (1 is black)", tc.x, tc.y, got, tc.want)
		}
	}
	rgb, err := pageImage([]byte{255, 0, 0, 0, 0, 255}, 2, 1, 24, twptRGB)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, b, _ := rgb.At(1, 0).RGBA(); r != 0 || b != 0xffff {
		t.Errorf("second pixel is not blue")
	}
	if _, err := pageImage([]byte{1, 2}, 4, 4, 8, twptGray); err == nil {
		t.Error("a short page was accepted")
	}
}
