package label

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/png" // logos are PNG

	xdraw "golang.org/x/image/draw"
)

// logoBits lays a logo (PNG) out in dots: at most maxW × maxH, its
// proportions kept, one bit per dot (dark and opaque: black), as a label
// prints it.
func logoBits(png []byte, maxW, maxH int) (w, h int, bits []bool, err error) {
	src, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		return 0, 0, nil, fmt.Errorf("the logo: %w", err)
	}
	b := src.Bounds()
	if b.Dx() < 1 || b.Dy() < 1 {
		return 0, 0, nil, fmt.Errorf("the logo has no pixels")
	}
	w, h = maxW, b.Dy()*maxW/b.Dx()
	if h > maxH {
		w, h = b.Dx()*maxH/b.Dy(), maxH
	}
	w, h = max(w, 1), max(h, 1)
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	xdraw.Draw(dst, dst.Bounds(), image.White, image.Point{}, xdraw.Src)
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), src, b, xdraw.Over, nil)
	bits = make([]bool, w*h)
	for y := range h {
		for x := range w {
			g := color.GrayModel.Convert(dst.At(x, y)).(color.Gray)
			bits[y*w+x] = g.Y < 0x80
		}
	}
	return w, h, bits, nil
}
