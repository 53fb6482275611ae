// Package cleanup looks at scanned pages: whether a page is blank, how far
// it is skewed (and straightens it), and which barcodes it carries, so that
// separator sheets split a batch into documents and a radicado sticker
// printed before scanning binds the pages to its number.
package cleanup

import (
	"image"
	"image/color"
	"image/draw"
	"math"

	"github.com/disintegration/imaging"
)

// gray gives img as a grey image, sharing it when it is one already.
func gray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(g, g.Bounds(), img, b.Min, draw.Src)
	return g
}

// shrink gives a grey copy of img reduced by an integer factor so that its
// longer side is about size pixels, averaging each block.
func shrink(img image.Image, size int) (*image.Gray, int) {
	g := gray(img)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	f := max(1, max(w, h)/size)
	out := image.NewGray(image.Rect(0, 0, w/f, h/f))
	for y := 0; y < h/f; y++ {
		for x := 0; x < w/f; x++ {
			sum := 0
			for dy := 0; dy < f; dy++ {
				row := g.Pix[(y*f+dy)*g.Stride+x*f:]
				for dx := 0; dx < f; dx++ {
					sum += int(row[dx])
				}
			}
			out.Pix[y*out.Stride+x] = uint8(sum / (f * f))
		}
	}
	return out, f
}

// inkThreshold is the grey level below which a pixel counts as ink.
const inkThreshold = 160

// Ink gives the share of a page covered by ink, leaving out a margin of 4%
// on each side where scanners leave shadows and punched holes.
func Ink(img image.Image) float64 {
	g, _ := shrink(img, 800)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	mx, my := w*4/100, h*4/100
	ink, all := 0, 0
	for y := my; y < h-my; y++ {
		row := g.Pix[y*g.Stride:]
		for x := mx; x < w-mx; x++ {
			all++
			if row[x] < inkThreshold {
				ink++
			}
		}
	}
	if all == 0 {
		return 0
	}
	return float64(ink) / float64(all)
}

// DefaultBlankThreshold is the share of ink below which a page is blank: a
// few specks of dust, not a line of text (a single short line covers about
// 0.1% of a letter page).
const DefaultBlankThreshold = 0.0005

// Blank reports whether a page holds less ink than threshold (0: the
// default).
func Blank(img image.Image, threshold float64) bool {
	if threshold <= 0 {
		threshold = DefaultBlankThreshold
	}
	return Ink(img) < threshold
}

// MaxSkew bounds the skew Skew looks for, in degrees.
const MaxSkew = 6.0

// Skew estimates how many degrees the text of a page is turned
// (counter-clockwise positive), from the angle at which the rows of ink line
// up best: the projection of ink on the vertical axis is sharpest when the
// lines are level.
func Skew(img image.Image) float64 {
	g, _ := shrink(img, 1000)
	w, h := g.Bounds().Dx(), g.Bounds().Dy()
	type pt struct{ x, y float64 }
	var ink []pt
	for y := 0; y < h; y++ {
		row := g.Pix[y*g.Stride:]
		for x := 0; x < w; x++ {
			if row[x] < inkThreshold {
				ink = append(ink, pt{float64(x) - float64(w)/2, float64(y)})
			}
		}
	}
	if len(ink) < 50 {
		return 0
	}
	bins := make([]float64, h*2+1)
	score := func(deg float64) float64 {
		t := math.Tan(deg * math.Pi / 180)
		clear(bins)
		for _, p := range ink {
			// A line turned by deg counter-clockwise rises to the right:
			// undo it by moving each point along that slope.
			y := int(p.y+p.x*t) + h/2
			if y >= 0 && y < len(bins) {
				bins[y]++
			}
		}
		s := 0.0
		for _, b := range bins {
			s += b * b
		}
		return s
	}
	best, bestScore := 0.0, score(0)
	for _, step := range []float64{0.5, 0.1, 0.02} {
		lo, hi := best-10*step, best+10*step
		if step == 0.5 {
			lo, hi = -MaxSkew, MaxSkew
		}
		for a := lo; a <= hi+1e-9; a += step {
			if s := score(a); s > bestScore {
				best, bestScore = a, s
			}
		}
	}
	return best
}

// Rotate turns img counter-clockwise by deg degrees about its centre,
// filling the corners with white, and keeps its size. A grey page stays
// grey.
func Rotate(img image.Image, deg float64) image.Image {
	if deg == 0 {
		return img
	}
	b := img.Bounds()
	r := imaging.Rotate(img, deg, color.White)
	r = imaging.CropCenter(r, b.Dx(), b.Dy())
	switch img.(type) {
	case *image.Gray:
		return gray(r)
	case *image.Paletted:
		return toPaletted(gray(r), img.(*image.Paletted).Palette)
	}
	return r
}

// Deskew straightens a page whose skew is at least minDeg (and at most
// MaxSkew), and gives the angle it corrected.
func Deskew(img image.Image, minDeg float64) (image.Image, float64) {
	a := Skew(img)
	if math.Abs(a) < minDeg {
		return img, 0
	}
	return Rotate(img, -a), a
}

func toPaletted(g *image.Gray, p color.Palette) *image.Paletted {
	out := image.NewPaletted(g.Bounds(), p)
	for i, v := range g.Pix {
		out.Pix[i] = uint8(p.Index(color.Gray{v}))
	}
	return out
}
