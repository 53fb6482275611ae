//go:build linux || freebsd

package ui

import (
	"fmt"
	"image"
	"image/color"
	"os"

	"github.com/jezek/xgb"
	"github.com/jezek/xgb/xproto"
)

// screenshot reads the screen from the X server, as the user sees it.
// Fyne's own capture reads the GL front buffer, which software GL under
// Xvfb leaves black. Without an X display it gives nil and no error.
func screenshot() (image.Image, error) {
	if os.Getenv("DISPLAY") == "" {
		return nil, nil
	}
	c, err := xgb.NewConn()
	if err != nil {
		return nil, fmt.Errorf("X display: %w", err)
	}
	defer c.Close()
	screen := xproto.Setup(c).DefaultScreen(c)
	w, h := int(screen.WidthInPixels), int(screen.HeightInPixels)
	if screen.RootDepth != 24 && screen.RootDepth != 32 {
		return nil, fmt.Errorf("X screen depth %d: only 24 and 32 bits are read", screen.RootDepth)
	}
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	// in bands, so that no reply is larger than the server allows
	const band = 128
	for y := 0; y < h; y += band {
		bh := min(band, h-y)
		r, err := xproto.GetImage(c, xproto.ImageFormatZPixmap, xproto.Drawable(screen.Root),
			0, int16(y), uint16(w), uint16(bh), 0xffffffff).Reply()
		if err != nil {
			return nil, fmt.Errorf("reading the X screen: %w", err)
		}
		if len(r.Data) < w*bh*4 {
			return nil, fmt.Errorf("reading the X screen: %d bytes for %d×%d pixels", len(r.Data), w, bh)
		}
		for i := 0; i < w*bh; i++ {
			p := r.Data[4*i:]
			img.SetRGBA(i%w, y+i/w, color.RGBA{R: p[2], G: p[1], B: p[0], A: 0xff}) // BGRX
		}
	}
	return img, nil
}
