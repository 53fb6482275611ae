package twain

import (
	"fmt"
	"image"

	"github.com/radicador/radicador/scan"
)

// pageImage turns the rows of a memory transfer into an image. TWAIN's
// default pixel flavour is "chocolate": a zero sample is the darkest, so in
// a black-and-white page a cleared bit is black.
func pageImage(data []byte, width, rows, bpp, pixelType int) (image.Image, error) {
	if width <= 0 || rows <= 0 {
		return nil, fmt.Errorf("TWAIN: the scanner sent a %d×%d page", width, rows)
	}
	rowBytes := (width*bpp + 7) / 8
	if len(data) < rowBytes*rows {
		return nil, fmt.Errorf("TWAIN: the scanner sent %d bytes for a %d×%d page", len(data), width, rows)
	}
	rect := image.Rect(0, 0, width, rows)
	switch {
	case pixelType == twptBW && bpp == 1:
		img := image.NewPaletted(rect, scan.BlackWhite)
		for y := range rows {
			row := data[y*rowBytes:]
			for x := range width {
				if row[x/8]&(0x80>>(x%8)) == 0 {
					img.Pix[y*img.Stride+x] = 1
				}
			}
		}
		return img, nil
	case pixelType == twptGray && bpp == 8:
		img := image.NewGray(rect)
		for y := range rows {
			copy(img.Pix[y*img.Stride:y*img.Stride+width], data[y*rowBytes:])
		}
		return img, nil
	case pixelType == twptRGB && bpp == 24:
		img := image.NewNRGBA(rect)
		for y := range rows {
			row := data[y*rowBytes:]
			for x := range width {
				o := y*img.Stride + 4*x
				copy(img.Pix[o:o+3], row[3*x:3*x+3])
				img.Pix[o+3] = 0xff
			}
		}
		return img, nil
	}
	return nil, fmt.Errorf("TWAIN: pixel type %d at %d bits per pixel is not read by this program", pixelType, bpp)
}
