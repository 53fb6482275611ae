package station

import (
	"context"
	"image"
	_ "image/jpeg" // page images as scanners and imports deliver them
	_ "image/png"
	"os"
	"slices"
	"strings"
	"unicode/utf8"

	_ "golang.org/x/image/tiff"

	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/scan/cleanup"
)

// The numbers of ours a letter cites are read in its text (extract finds
// them, asking ours about each) and from our stickers' barcodes printed on
// it: a letter that comes back, or an answer written on our own letter.
// Searching a whole page for barcodes costs half of its OCR, so only the
// places OCR points to are searched: a wide, sparse word it was unsure of
// (bars read as letters). A letter without one costs nothing more.

// stickerSeed tells a word that may be a barcode OCR tried to read.
func stickerSeed(w ocr.Word, dpi int) bool {
	width := w.Box.Dx()
	n := utf8.RuneCountInString(w.Text)
	return width >= dpi/3 && w.Confidence < 50 && width >= n*dpi/6
}

// maxStickerAreas bounds the areas searched on one page.
const maxStickerAreas = 4

// stickerAreas gives the parts of a page worth searching for a sticker's
// barcodes: around each seed, a sticker's size on every side (a 50×25 mm
// label is two inches wide); many seeds make one area around them all.
func stickerAreas(p ocr.Page) []image.Rectangle {
	dpi := p.DPI
	if dpi <= 0 {
		dpi = 300
	}
	var out []image.Rectangle
	for _, w := range p.Words {
		if !stickerSeed(w, dpi) {
			continue
		}
		r := w.Box.Inset(-dpi * 5 / 4)
		merged := false
		for i := range out {
			if out[i].Overlaps(r) {
				out[i], merged = out[i].Union(r), true
				break
			}
		}
		if !merged {
			out = append(out, r)
		}
	}
	if len(out) > maxStickerAreas {
		all := out[0]
		for _, r := range out[1:] {
			all = all.Union(r)
		}
		out = []image.Rectangle{all}
	}
	return out
}

// stickerNumbers reads the barcodes of the areas of a page where a
// sticker may be, and gives their texts (a QR's first field: the number).
func stickerNumbers(ctx context.Context, p ocr.Page) []string {
	areas := stickerAreas(p)
	if len(areas) == 0 || ctx.Err() != nil {
		return nil
	}
	f, err := os.Open(p.Image)
	if err != nil {
		return nil
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return nil
	}
	sub, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	})
	if !ok {
		return nil
	}
	var out []string
	for _, a := range areas {
		a = a.Intersect(img.Bounds())
		if a.Empty() {
			continue
		}
		codes, err := cleanup.Barcodes(sub.SubImage(a))
		if err != nil {
			continue
		}
		for _, c := range codes {
			number, _, _ := strings.Cut(strings.TrimSpace(c.Text), "|")
			out = append(out, number)
		}
	}
	return out
}

// citesOn gives the numbers of ours on the stickers of a document's pages.
func (s *Reading) citesOn(ctx context.Context, cfg Config, pages []ocr.Page) []string {
	var out []string
	for _, p := range pages {
		if p.Err != nil {
			continue
		}
		for _, n := range stickerNumbers(ctx, p) {
			if number, ok, err := s.ours(ctx, cfg, n); err == nil && ok && !slices.Contains(out, number) {
				out = append(out, number)
			}
		}
	}
	return out
}
