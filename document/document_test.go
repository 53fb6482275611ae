package document

import (
	"bytes"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/tiff"

	"github.com/radicador/radicador/internal/corpus"
	"github.com/radicador/radicador/internal/fixture"
)

func page() image.Image {
	img := image.NewGray(image.Rect(0, 0, 40, 60))
	for y := 0; y < 60; y++ {
		for x := 0; x < 40; x++ {
			img.SetGray(x, y, color.Gray{uint8(255 - (x+y)%7*20)})
		}
	}
	return img
}

func encode(t *testing.T, f func(*bytes.Buffer) error) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := f(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// twoPageTIFF writes an uncompressed 8-bit grey TIFF with pages 2×2 pixels.
func twoPageTIFF(pages int) []byte {
	le := binary.LittleEndian
	var b bytes.Buffer
	b.WriteString("II*\x00")
	binary.Write(&b, le, uint32(8))
	for p := 0; p < pages; p++ {
		start := b.Len()
		entries := [][3]uint32{ // tag, type (3 short, 4 long), value
			{256, 3, 2}, {257, 3, 2}, {258, 3, 8}, {259, 3, 1}, {262, 3, 1},
			{273, 4, 0}, {277, 3, 1}, {278, 3, 2}, {279, 4, 4},
		}
		ifdLen := 2 + len(entries)*12 + 4
		dataOff := uint32(start + ifdLen)
		binary.Write(&b, le, uint16(len(entries)))
		for _, e := range entries {
			if e[0] == 273 {
				e[2] = dataOff
			}
			binary.Write(&b, le, uint16(e[0]))
			binary.Write(&b, le, uint16(e[1]))
			binary.Write(&b, le, uint32(1))
			if e[1] == 3 {
				binary.Write(&b, le, uint16(e[2]))
				binary.Write(&b, le, uint16(0))
			} else {
				binary.Write(&b, le, e[2])
			}
		}
		next := uint32(0)
		if p < pages-1 {
			next = dataOff + 4
		}
		binary.Write(&b, le, next)
		b.Write([]byte{0, 255, 255, 0})
	}
	return b.Bytes()
}

func pdfBytes(t *testing.T, pages int) []byte {
	b, err := os.ReadFile(fixture.PDF(t, t.TempDir(), "f.pdf", pages))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestInspect(t *testing.T) {
	dir := t.TempDir()
	jpg := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, page(), nil) })
	pngData := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, page()) })
	tif := encode(t, func(b *bytes.Buffer) error { return tiff.Encode(b, page(), nil) })
	for _, tc := range []struct {
		name  string
		data  []byte
		media string
		pages int
	}{
		{"carta.jpg", jpg, JPEG, 1},
		{"carta.png", pngData, PNG, 1},
		{"carta.tif", tif, TIFF, 1},
		{"tres.tif", twoPageTIFF(3), TIFF, 3},
		{"una.pdf", pdfBytes(t, 1), PDF, 1},
		{"cuatro.pdf", pdfBytes(t, 4), PDF, 4},
		{"sin-extension", pngData, PNG, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, tc.name)
			os.WriteFile(p, tc.data, 0o600)
			info, err := Inspect(p)
			if err != nil {
				t.Fatal(err)
			}
			if info.MediaType != tc.media || info.Pages != tc.pages || info.Size != int64(len(tc.data)) {
				t.Errorf("Inspect = %+v, want %s with %d pages", info, tc.media, tc.pages)
			}
		})
	}
}

func TestInspectRejects(t *testing.T) {
	dir := t.TempDir()
	jpg := encode(t, func(b *bytes.Buffer) error { return jpeg.Encode(b, page(), nil) })
	pngData := encode(t, func(b *bytes.Buffer) error { return png.Encode(b, page()) })
	pdf := pdfBytes(t, 2)
	flipped := bytes.Clone(pngData)
	flipped[len(flipped)/2] ^= 0x40
	noEnd := bytes.Clone(jpg[:len(jpg)-2])
	// The scan of a baseline JPEG repeated fifty times: each one more is
	// decoded again over the whole image.
	sos := bytes.LastIndex(jpg, []byte{0xff, 0xda})
	scans := bytes.Clone(jpg[:len(jpg)-2])
	for range 50 {
		scans = append(scans, jpg[sos:len(jpg)-2]...)
	}
	scans = append(scans, 0xff, 0xd9)
	loop := twoPageTIFF(2)
	binary.LittleEndian.PutUint32(loop[len(loop)-8:], 8) // the last page points back to the first
	for name, data := range map[string][]byte{
		"empty.jpg":   {},
		"text.pdf":    []byte("this is not a document"),
		"cut.jpg":     jpg[:len(jpg)/2],
		"cut.png":     pngData[:len(pngData)-20],
		"cut.pdf":     pdf[:len(pdf)/2],
		"loop.tif":    loop,
		"header.tif":  []byte("II*\x00"),
		"word.docx":   []byte("PK\x03\x04 a zip file"),
		"zeros.png":   append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...),
		"flipped.png": flipped,
		"no-end.jpg":  noEnd,
		"scans.jpg":   scans,
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(dir, name)
			os.WriteFile(p, data, 0o600)
			info, err := Inspect(p)
			if err == nil {
				t.Fatalf("Inspect accepted it: %+v", info)
			}
			if !errors.Is(err, ErrUnreadable) {
				t.Errorf("error %v does not wrap ErrUnreadable", err)
			}
		})
	}
	// A TIFF whose second page announces 40,000 × 40,000 pixels (the first
	// is a small, good page).
	later := twoPageTIFF(2)
	second := 8 + 2 + 9*12 + 4 + 4 // the second page's directory
	binary.LittleEndian.PutUint16(later[second+2+8:], 40000)
	binary.LittleEndian.PutUint16(later[second+2+12+8:], 40000)
	p := filepath.Join(dir, "later-bomb.tif")
	os.WriteFile(p, later, 0o600)
	if _, err := Inspect(p); err == nil || !strings.Contains(err.Error(), "page 2") || !strings.Contains(err.Error(), "more than a scanned page") {
		t.Errorf("a TIFF whose second page is 40,000 × 40,000: %v", err)
	}
	bomb := fixture.PNGHeader(t, dir, "bomb.png", 50000, 50000)
	if _, err := Inspect(bomb); err == nil || !strings.Contains(err.Error(), "more than a scanned page") {
		t.Errorf("a 50,000 × 50,000 header: %v", err)
	}
	if _, err := Inspect(filepath.Join(dir, "missing.pdf")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Inspect(dir); err == nil {
		t.Error("a folder was accepted")
	}
}

// TestCorpus inspects the scanned letters of the shared corpus, when present.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "*.[jp][pn]g"))
	if len(files) == 0 {
		t.Fatal("the corpus has no page images")
	}
	for _, f := range files {
		info, err := Inspect(f)
		if err != nil || info.Pages != 1 {
			t.Errorf("%s: %+v, %v", f, info, err)
		}
	}
}

// FuzzInspect feeds arbitrary bytes behind each format's signature: Inspect
// must answer (accept or refuse) without panicking or looping.
func FuzzInspect(f *testing.F) {
	f.Add([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"))
	f.Add([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"))
	f.Add([]byte("II*\x00\x08\x00\x00\x00"))
	f.Add([]byte("%PDF-1.4\n%%EOF"))
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(dir, "f")
		os.WriteFile(p, data, 0o600)
		Inspect(p)
	})
}
