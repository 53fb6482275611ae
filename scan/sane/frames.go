//go:build linux || darwin || freebsd

package sane

import (
	"fmt"
	"image"

	"github.com/radicador/radicador/scan"
)

// frame is one frame of a page as sane_read gave it.
type frame struct {
	p    params
	data []byte
}

// sample8 gives sample i of a line as 8 bits, from 1-, 8- or 16-bit data
// (16-bit samples are in the host's byte order, little-endian here).
func sample8(line []byte, depth, i int) uint8 {
	switch depth {
	case 1:
		// One bit per pixel, most significant first; a set bit is black.
		if line[i/8]&(0x80>>(i%8)) != 0 {
			return 0
		}
		return 0xff
	case 16:
		return line[2*i+1]
	}
	return line[i]
}

// assemble builds the page image from its frames: one grey or RGB frame, or
// a red, a green and a blue frame from a three-pass scanner. A black and
// white page becomes a two-colour palette image.
func assemble(frames []frame) (image.Image, error) {
	if len(frames) == 0 {
		return nil, errFormat
	}
	p := frames[0].p
	if p.depth != 1 && p.depth != 8 && p.depth != 16 {
		return nil, fmt.Errorf("%w: depth %d", errFormat, p.depth)
	}
	lines := p.lines
	if lines <= 0 && p.bytesPerLine > 0 { // hand scanner: height known at the end
		lines = len(frames[0].data) / p.bytesPerLine
	}
	w := p.pixelsPerLine
	if w <= 0 || lines <= 0 {
		return nil, fmt.Errorf("%w: %d×%d pixels", errFormat, w, lines)
	}
	for _, f := range frames {
		if len(f.data) < p.bytesPerLine*lines || f.p.bytesPerLine != p.bytesPerLine {
			return nil, fmt.Errorf("the scanner sent %d bytes for a %d×%d page", len(f.data), w, lines)
		}
	}
	rect := image.Rect(0, 0, w, lines)
	line := func(f frame, y int) []byte { return f.data[y*p.bytesPerLine : (y+1)*p.bytesPerLine] }
	switch {
	case len(frames) == 1 && p.format == frameGray && p.depth == 1:
		img := image.NewPaletted(rect, scan.BlackWhite)
		for y := range lines {
			l := line(frames[0], y)
			for x := range w {
				if sample8(l, 1, x) == 0 {
					img.Pix[y*img.Stride+x] = 1
				}
			}
		}
		return img, nil
	case len(frames) == 1 && p.format == frameGray:
		img := image.NewGray(rect)
		for y := range lines {
			l := line(frames[0], y)
			for x := range w {
				img.Pix[y*img.Stride+x] = sample8(l, p.depth, x)
			}
		}
		return img, nil
	case len(frames) == 1 && p.format == frameRGB:
		img := image.NewNRGBA(rect)
		for y := range lines {
			l := line(frames[0], y)
			for x := range w {
				o := y*img.Stride + 4*x
				img.Pix[o] = sample8(l, p.depth, 3*x)
				img.Pix[o+1] = sample8(l, p.depth, 3*x+1)
				img.Pix[o+2] = sample8(l, p.depth, 3*x+2)
				img.Pix[o+3] = 0xff
			}
		}
		return img, nil
	case len(frames) == 3:
		img := image.NewNRGBA(rect)
		for _, f := range frames {
			var c int
			switch f.p.format {
			case frameRed:
				c = 0
			case frameGreen:
				c = 1
			case frameBlue:
				c = 2
			default:
				return nil, fmt.Errorf("%w: frame %d in a three-pass page", errFormat, f.p.format)
			}
			for y := range lines {
				l := line(f, y)
				for x := range w {
					img.Pix[y*img.Stride+4*x+c] = sample8(l, p.depth, x)
				}
			}
		}
		for i := 3; i < len(img.Pix); i += 4 {
			img.Pix[i] = 0xff
		}
		return img, nil
	}
	return nil, fmt.Errorf("%w: frame format %d", errFormat, p.format)
}
