package scan

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
)

// JPEGQuality is the quality colour pages are written with.
const JPEGQuality = 90

// PageName gives the file name of the index-th page of a batch.
func PageName(index int, ext string) string { return fmt.Sprintf("page-%04d%s", index, ext) }

// WritePage writes a scanned image as the index-th page in dir: PNG for
// grey and black-and-white pages (lossless; black and white at one bit per
// pixel), JPEG for colour. The resolution is recorded in the file, so that
// OCR and PDF sizes read it back.
func WritePage(dir string, index int, img image.Image, mode Mode, dpi int) (Page, error) {
	ext, format := ".png", "image/png"
	if mode == Color {
		ext, format = ".jpg", "image/jpeg"
	}
	final := filepath.Join(dir, PageName(index, ext))
	tmp, err := os.CreateTemp(dir, ".page-*")
	if err != nil {
		return Page{}, fmt.Errorf("page %d: %w", index, err)
	}
	w := bufio.NewWriterSize(tmp, 256<<10)
	if mode == Color {
		err = writeJPEG(w, img, dpi)
	} else {
		err = writePNG(w, img, dpi)
	}
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), final)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return Page{}, fmt.Errorf("page %d: writing %s: %w", index, final, err)
	}
	b := img.Bounds()
	return Page{Index: index, Path: final, Format: format, Width: b.Dx(), Height: b.Dy(), DPI: dpi, Mode: mode}, nil
}

// writePNG encodes fast (a page must be written while the feeder runs) and
// adds a pHYs chunk with the resolution after the header chunk.
func writePNG(w io.Writer, img image.Image, dpi int) error {
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestSpeed}
	if err := enc.Encode(&buf, img); err != nil {
		return err
	}
	b := buf.Bytes()
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, IHDR length+type, data, CRC
	if _, err := w.Write(b[:ihdrEnd]); err != nil {
		return err
	}
	if dpi > 0 {
		ppm := uint32(float64(dpi)/0.0254 + 0.5)
		var chunk [21]byte
		binary.BigEndian.PutUint32(chunk[0:], 9)
		copy(chunk[4:], "pHYs")
		binary.BigEndian.PutUint32(chunk[8:], ppm)
		binary.BigEndian.PutUint32(chunk[12:], ppm)
		chunk[16] = 1 // unit: metre
		binary.BigEndian.PutUint32(chunk[17:], crc32.ChecksumIEEE(chunk[4:17]))
		if _, err := w.Write(chunk[:]); err != nil {
			return err
		}
	}
	_, err := w.Write(b[ihdrEnd:])
	return err
}

// writeJPEG adds a JFIF segment with the resolution after the start marker.
func writeJPEG(w io.Writer, img image.Image, dpi int) error {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: JPEGQuality}); err != nil {
		return err
	}
	b := buf.Bytes()
	if _, err := w.Write(b[:2]); err != nil {
		return err
	}
	if dpi > 0 {
		app0 := []byte{0xff, 0xe0, 0, 16, 'J', 'F', 'I', 'F', 0, 1, 1, 1, byte(dpi >> 8), byte(dpi), byte(dpi >> 8), byte(dpi), 0, 0}
		if _, err := w.Write(app0); err != nil {
			return err
		}
	}
	_, err := w.Write(b[2:])
	return err
}

// BlackWhite is the palette of black-and-white pages: PNG writes an image
// with it at one bit per pixel.
var BlackWhite = color.Palette{color.Gray{0xff}, color.Gray{0}}

// Threshold turns a grey image into black and white with Otsu's threshold,
// for devices that cannot scan line art themselves.
func Threshold(g *image.Gray) *image.Paletted {
	var hist [256]int
	b := g.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := g.Pix[(y-b.Min.Y)*g.Stride:]
		for x := 0; x < b.Dx(); x++ {
			hist[row[x]]++
		}
	}
	t := otsu(hist[:], b.Dx()*b.Dy())
	out := image.NewPaletted(b, BlackWhite)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		row := g.Pix[(y-b.Min.Y)*g.Stride:]
		orow := out.Pix[(y-b.Min.Y)*out.Stride:]
		for x := 0; x < b.Dx(); x++ {
			if int(row[x]) <= t {
				orow[x] = 1
			}
		}
	}
	return out
}

// otsu gives the grey level that best splits a histogram into two classes.
func otsu(hist []int, total int) int {
	var sum float64
	for i, n := range hist {
		sum += float64(i * n)
	}
	var sumB, wB float64
	best, bestVar := 127, -1.0
	for t, n := range hist {
		wB += float64(n)
		if wB == 0 {
			continue
		}
		wF := float64(total) - wB
		if wF == 0 {
			break
		}
		sumB += float64(t * n)
		mB, mF := sumB/wB, (sum-sumB)/wF
		if v := wB * wF * (mB - mF) * (mB - mF); v > bestVar {
			best, bestVar = t, v
		}
	}
	return best
}
