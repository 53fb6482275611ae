// Package pagegen draws letter-like pages: lines of text in a real font at a
// given resolution, as a scanner would deliver them. The eSCL simulator
// serves them, and tests use them as pages that OCR can read.
package pagegen

import (
	"image"
	"image/color"
	"image/draw"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	parseOnce sync.Once
	regular   *opentype.Font
)

func fontFace(dpi, points float64) font.Face {
	parseOnce.Do(func() {
		f, err := opentype.Parse(goregular.TTF)
		if err != nil {
			panic("pagegen: the Go font does not parse: " + err.Error())
		}
		regular = f
	})
	face, err := opentype.NewFace(regular, &opentype.FaceOptions{Size: points, DPI: dpi, Hinting: font.HintingFull})
	if err != nil {
		panic("pagegen: " + err.Error())
	}
	return face
}

// Spec describes a page.
type Spec struct {
	DPI           int     // resolution; 300 when zero
	Width, Height float64 // in millimetres; US Letter when zero
	Points        float64 // type size; 11 when zero
	Lines         []string
}

// Gray draws the page in grey.
func Gray(s Spec) *image.Gray {
	if s.DPI == 0 {
		s.DPI = 300
	}
	if s.Width == 0 || s.Height == 0 {
		s.Width, s.Height = 215.9, 279.4
	}
	if s.Points == 0 {
		s.Points = 11
	}
	px := func(mm float64) int { return int(mm / 25.4 * float64(s.DPI)) }
	img := image.NewGray(image.Rect(0, 0, px(s.Width), px(s.Height)))
	draw.Draw(img, img.Bounds(), image.NewUniform(color.Gray{0xff}), image.Point{}, draw.Src)
	face := fontFace(float64(s.DPI), s.Points)
	defer face.Close()
	d := font.Drawer{Dst: img, Src: image.NewUniform(color.Gray{0x10}), Face: face}
	lineHeight := face.Metrics().Height * 14 / 10
	y := fixed.I(px(25)) + face.Metrics().Ascent
	for _, l := range s.Lines {
		d.Dot = fixed.Point26_6{X: fixed.I(px(25)), Y: y}
		d.DrawString(l)
		y += lineHeight
	}
	return img
}

// RGB draws the page in colour: the text in dark blue on slightly warm paper.
func RGB(s Spec) *image.NRGBA {
	g := Gray(s)
	img := image.NewNRGBA(g.Bounds())
	for i, v := range g.Pix {
		img.Pix[4*i] = v
		img.Pix[4*i+1] = v
		img.Pix[4*i+2] = uint8(min(255, int(v)+20))
		img.Pix[4*i+3] = 0xff
		if v > 0xf0 {
			img.Pix[4*i+2] = 0xee
		}
	}
	return img
}
