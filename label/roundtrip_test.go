package label

import (
	"bytes"
	"flag"
	"fmt"
	"image"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	bcode128 "github.com/boombuler/barcode/code128"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
	"github.com/makiuchi-d/gozxing/qrcode"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// decode reads the Code 128 and the QR code of a label with gozxing. The
// QR code is looked for in the whole label first; gozxing's detector loses
// its way on perfectly sharp codes of version 4 and above drawn with four or
// more dots per module, so then it reads the code's own square (with its
// quiet zone) as a pure barcode.
func decode(t *testing.T, l *Layout, img *image.Gray) (code128, qr string) {
	t.Helper()
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true}
	if r, err := oned.NewCode128Reader().Decode(bmp, hints); err == nil {
		code128 = r.GetText()
	} else {
		t.Errorf("Code 128 not read: %v", err)
	}
	if r, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
		return code128, r.GetText()
	}
	for _, it := range l.Items {
		if it.Kind != QR {
			continue
		}
		q := QuietQR * it.Module
		square := img.SubImage(image.Rect(it.X-q, it.Y-q, it.X+it.W+q, it.Y+it.H+q))
		bmp, _ := gozxing.NewBinaryBitmapFromImage(square)
		r, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true})
		if err != nil {
			t.Errorf("QR not read: %v", err)
			return code128, ""
		}
		return code128, r.GetText()
	}
	t.Error("no QR code in the layout")
	return code128, ""
}

// checkGolden compares got with the golden file testdata/name (rewritten
// with -update).
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	golden := filepath.Join("testdata", name)
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("differs from %s:\n%s", golden, got)
	}
}

// white reports whether every dot of r in img is white.
func white(img *image.Gray, r image.Rectangle) bool {
	if !r.In(img.Bounds()) {
		return false
	}
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if img.GrayAt(x, y).Y < 0x80 {
				return false
			}
		}
	}
	return true
}

// checkGeometry checks the barcodes' quiet zones and that their bars and
// modules are whole multiples of the module.
func checkGeometry(t *testing.T, l *Layout, img *image.Gray) {
	t.Helper()
	for _, it := range l.Items {
		switch it.Kind {
		case Code128:
			q := QuietCode128 * it.Module
			if !white(img, image.Rect(it.X-q, it.Y, it.X, it.Y+it.H)) || !white(img, image.Rect(it.X+it.W, it.Y, it.X+it.W+q, it.Y+it.H)) {
				t.Errorf("Code 128 at %d dpi: the 10-module quiet zones are not white", l.DPI)
			}
			// Along a row through the bars, each run is whole modules.
			y := it.Y + it.H/2
			run, last := 0, img.GrayAt(it.X, y).Y < 0x80
			for x := it.X; x <= it.X+it.W; x++ {
				cur := x < it.X+it.W && img.GrayAt(x, y).Y < 0x80
				if cur == last {
					run++
					continue
				}
				if run%it.Module != 0 {
					t.Errorf("Code 128 at %d dpi: a run of %d dots at x=%d, module %d", l.DPI, run, x, it.Module)
					return
				}
				run, last = 1, cur
			}
			if img.GrayAt(it.X, y).Y >= 0x80 || img.GrayAt(it.X+it.W-1, y).Y >= 0x80 {
				t.Errorf("Code 128 at %d dpi: the symbol does not start and end with a bar where laid out", l.DPI)
			}
		case QR:
			q := QuietQR * it.Module
			ring := []image.Rectangle{
				image.Rect(it.X-q, it.Y-q, it.X+it.W+q, it.Y),
				image.Rect(it.X-q, it.Y+it.H, it.X+it.W+q, it.Y+it.H+q),
				image.Rect(it.X-q, it.Y, it.X, it.Y+it.H),
				image.Rect(it.X+it.W, it.Y, it.X+it.W+q, it.Y+it.H),
			}
			for _, r := range ring {
				if !white(img, r) {
					t.Errorf("QR at %d dpi: the 4-module quiet zone is not white at %v", l.DPI, r)
				}
			}
			if it.W%it.Module != 0 || img.GrayAt(it.X, it.Y).Y >= 0x80 {
				t.Errorf("QR at %d dpi: not whole modules or not where laid out", l.DPI)
			}
		}
	}
}

// zone is the room an item takes: a barcode's with its quiet zones.
func zone(it Item) image.Rectangle {
	r := image.Rect(it.X, it.Y, it.X+it.W, it.Y+it.H)
	switch it.Kind {
	case Code128:
		r.Min.X -= QuietCode128 * it.Module
		r.Max.X += QuietCode128 * it.Module
	case QR:
		r = r.Inset(-QuietQR * it.Module)
	}
	return r
}

func TestStickerRoundTrip(t *testing.T) {
	for _, sz := range Presets {
		for _, dpi := range []int{203, 300, 600} {
			for _, cp := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%d/copy=%v", sz.Name, dpi, cp), func(t *testing.T) {
					c := sample
					c.Copy = cp
					l, err := Sticker(c, sz, dpi)
					if err != nil {
						t.Fatal(err)
					}
					img, err := l.Image()
					if err != nil {
						t.Fatal(err)
					}
					if w, h := dots(sz.W, dpi), dots(sz.H, dpi); l.W != w || l.H != h {
						t.Errorf("%dx%d dots, want %dx%d", l.W, l.H, w, h)
					}
					code, qr := decode(t, l, img)
					if code != c.Number {
						t.Errorf("Code 128 reads %q, want %q", code, c.Number)
					}
					if qr != c.QR() {
						t.Errorf("QR reads %q, want %q", qr, c.QR())
					}
					checkGeometry(t, l, img)
					for i, it := range l.Items {
						if it.X < 0 || it.Y < 0 || it.X+it.W > l.W || it.Y+it.H > l.H {
							t.Errorf("%v item %q leaves the label", it.Kind, it.Text)
						}
						// No two items (barcodes with their quiet zones) meet.
						for _, other := range l.Items[i+1:] {
							if it.Kind != Box && other.Kind != Box && zone(it).Overlaps(zone(other)) {
								t.Errorf("%q and %q overlap", it.Text, other.Text)
							}
						}
					}
				})
			}
		}
	}
}

func TestReceiptRoundTrip(t *testing.T) {
	for _, width := range []float64{50, 72, 101.6} {
		l, err := Receipt(sample, width, 203)
		if err != nil {
			t.Fatal(err)
		}
		img, err := l.Image()
		if err != nil {
			t.Fatal(err)
		}
		code, qr := decode(t, l, img)
		if code != sample.Number || qr != sample.QR() {
			t.Errorf("%v mm: read %q and %q", width, code, qr)
		}
		checkGeometry(t, l, img)
	}
}

// TestCode128 checks the encoder against boombuler's where both must agree
// (digits only, an even number of them), and by decoding otherwise.
func TestCode128(t *testing.T) {
	for _, s := range []string{"2026001010000012", "12", "00001234567890", "RAD-2026-0001", "ABC", "1234567", "A1234567B", "x>y 12345678 z"} {
		c, err := encode128(s)
		if err != nil {
			t.Fatal(err)
		}
		mods := c.modules()
		if digitRun(s) == len(s) && len(s)%2 == 0 && len(s) >= 4 {
			b, err := bcode128.Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			var theirs []bool
			for x := range b.Bounds().Dx() {
				r, _, _, _ := b.At(x, 0).RGBA()
				theirs = append(theirs, r < 0x8000)
			}
			if !slices.Equal(mods, theirs) {
				t.Errorf("%q: the bars differ from boombuler's", s)
			}
		}
		l := &Layout{W: (len(mods) + 2*QuietCode128) * 3, H: 60, DPI: 203,
			Items: []Item{{Kind: Code128, X: QuietCode128 * 3, Y: 5, W: len(mods) * 3, H: 50, Text: s, Module: 3}}}
		img, _ := l.Image()
		bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
		r, err := oned.NewCode128Reader().Decode(bmp, nil)
		if err != nil || r.GetText() != s {
			t.Errorf("%q reads back as %v, %v", s, r, err)
		}
	}
	if _, err := encode128("año"); err == nil {
		t.Error("a non-ASCII number was encoded")
	}
}

// TestGolden compares each printer language's bytes for a fixed sticker.
func TestGolden(t *testing.T) {
	cases := []struct {
		name   string
		size   string
		dpi    int
		copy   bool
		format string
		copies int
	}{
		{"sticker-50x25mm-203.zpl", "50x25mm", 203, false, "zpl", 1},
		{"sticker-4x2in-300-copia.zpl", "4x2in", 300, true, "zpl", 2},
		{"sticker-50x25mm-203.epl", "50x25mm", 203, false, "epl", 1},
		{"sticker-60x40mm-300.epl", "60x40mm", 300, false, "epl", 3},
		{"sticker-50x25mm-203.tspl", "50x25mm", 203, false, "tspl", 1},
		{"sticker-2x1in-300-copia.tspl", "2x1in", 300, true, "tspl", 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sz, err := ParseSize(tc.size)
			if err != nil {
				t.Fatal(err)
			}
			c := sample
			c.Copy = tc.copy
			l, err := Sticker(c, sz, tc.dpi)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if err := l.Write(&buf, tc.format, tc.copies); err != nil {
				t.Fatal(err)
			}
			checkGolden(t, tc.name, buf.Bytes())
			out := buf.String()
			switch tc.format {
			case "zpl":
				for _, want := range []string{"^CI28", "^BC", "^BQN,2,", "Ñuñoa", fmt.Sprintf("^PQ%d", tc.copies), ">;2026001010000012"} {
					if !strings.Contains(out, want) {
						t.Errorf("no %q", want)
					}
				}
			case "epl", "tspl":
				if !strings.Contains(out, "Alcald\xeda") {
					t.Error("the accents are not in Windows-1252")
				}
			}
			if tc.copy && !strings.Contains(out, "COPIA") {
				t.Error("a reprint does not say COPIA")
			}
		})
	}
}

func TestParseSize(t *testing.T) {
	cases := []struct {
		in   string
		w, h float64
		ok   bool
	}{
		{"50x25mm", 50, 25, true},
		{"2x1in", 50.8, 25.4, true},
		{"4X2IN", 101.6, 50.8, true},
		{"70x30mm", 70, 30, true},
		{"3x1.5in", 76.2, 38.1, true},
		{"70x30", 0, 0, false},
		{"10x10mm", 0, 0, false},
		{"axbmm", 0, 0, false},
	}
	for _, tc := range cases {
		s, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || (tc.ok && (s.W-tc.w > 0.01 || tc.w-s.W > 0.01 || s.H-tc.h > 0.01 || tc.h-s.H > 0.01)) {
			t.Errorf("ParseSize(%q) = %+v, %v", tc.in, s, err)
		}
	}
}
