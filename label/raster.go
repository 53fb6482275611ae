package label

import (
	"bytes"
	"hash/crc32"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"

	"golang.org/x/image/font"
	"golang.org/x/image/math/fixed"
)

// Image draws the layout as a label printer prints it: one bit per dot,
// black on white.
func (l *Layout) Image() (*image.Gray, error) {
	img := image.NewGray(image.Rect(0, 0, l.W, l.H))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	black := func(x, y, w, h int) {
		draw.Draw(img, image.Rect(x, y, x+w, y+h), image.Black, image.Point{}, draw.Src)
	}
	for _, it := range l.Items {
		switch it.Kind {
		case Text:
			// Drawn antialiased on a mask, then cut to one bit as the
			// print head does.
			mask := image.NewAlpha(img.Bounds())
			d := font.Drawer{Dst: mask, Src: image.Opaque, Face: face(it.Bold, it.H),
				Dot: fixed.P(it.X, it.Y+ascent(it.Bold, it.H))}
			d.DrawString(it.Text)
			for i, a := range mask.Pix {
				if a >= 0x80 {
					img.Pix[i] = 0
				}
			}
		default:
			if err := it.rects(black); err != nil {
				return nil, err
			}
		}
	}
	return img, nil
}

// rects draws the item as black rectangles, in dots: the bars of a Code
// 128, the modules of a QR, a box's four sides, a fill. Text is each
// renderer's own.
func (it Item) rects(rect func(x, y, w, h int)) error {
	switch it.Kind {
	case Bitmap:
		// Each run of black dots in a row as one rectangle.
		for y := range it.H {
			for x := 0; x < it.W; {
				if !it.Bits[y*it.W+x] {
					x++
					continue
				}
				start := x
				for x < it.W && it.Bits[y*it.W+x] {
					x++
				}
				rect(it.X+start, it.Y+y, x-start, 1)
			}
		}
	case Code128:
		c, err := encode128(it.Text)
		if err != nil {
			return err
		}
		for i, b := range c.modules() {
			if b {
				rect(it.X+i*it.Module, it.Y, it.Module, it.H)
			}
		}
	case QR:
		m, err := qrMatrix(it.Text)
		if err != nil {
			return err
		}
		for y, row := range m {
			for x, b := range row {
				if b {
					rect(it.X+x*it.Module, it.Y+y*it.Module, it.Module, it.Module)
				}
			}
		}
	case Box:
		rect(it.X, it.Y, it.W, it.Thick)
		rect(it.X, it.Y+it.H-it.Thick, it.W, it.Thick)
		rect(it.X, it.Y, it.Thick, it.H)
		rect(it.X+it.W-it.Thick, it.Y, it.Thick, it.H)
	case Fill:
		rect(it.X, it.Y, it.W, it.H)
	}
	return nil
}

// WritePNG writes the layout as a one-bit PNG that records its dpi.
func (l *Layout) WritePNG(w io.Writer) error {
	img, err := l.Image()
	if err != nil {
		return err
	}
	bw := image.NewPaletted(img.Bounds(), color.Palette{color.White, color.Black})
	for i, v := range img.Pix {
		if v < 0x80 {
			bw.Pix[i] = 1
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, bw); err != nil {
		return err
	}
	_, err = w.Write(withDPI(buf.Bytes(), l.DPI))
	return err
}

// withDPI adds a pHYs chunk after IHDR so viewers and office printers size
// the label right.
func withDPI(p []byte, dpi int) []byte {
	const ihdrEnd = 8 + 8 + 13 + 4 // signature, IHDR length+type, data, CRC
	ppm := uint32(float64(dpi)/0.0254 + 0.5)
	chunk := []byte{0, 0, 0, 9, 'p', 'H', 'Y', 's',
		byte(ppm >> 24), byte(ppm >> 16), byte(ppm >> 8), byte(ppm),
		byte(ppm >> 24), byte(ppm >> 16), byte(ppm >> 8), byte(ppm), 1}
	crc := crc32.ChecksumIEEE(chunk[4:])
	chunk = append(chunk, byte(crc>>24), byte(crc>>16), byte(crc>>8), byte(crc))
	out := make([]byte, 0, len(p)+len(chunk))
	out = append(out, p[:ihdrEnd]...)
	out = append(out, chunk...)
	return append(out, p[ihdrEnd:]...)
}
