// Package searchpdf writes a document as one PDF: each page's image as it
// was scanned, under an invisible text layer laid on the words OCR found,
// so that any PDF viewer can search the text and select it.
package searchpdf

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	_ "image/jpeg" // page decoders
	_ "image/png"
	"io"
	"os"
	"strconv"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/radicador/radicador/internal/pdftext"
)

// Page is one page: its image file and the words read on it.
type Page struct {
	Image string // JPEG or PNG, as it will appear
	DPI   int    // 0: 300
	Words []Word
	Stamp *Stamp // the radicado's stamp, on the first page
}

// Word is a word read on a page, with its box in the image's pixels.
type Word struct {
	Text string
	Box  image.Rectangle
}

// Stamp is the radicado's mark on a page: the sticker's image at its size,
// with its text searchable under it.
type Stamp struct {
	PNG  []byte
	W, H float64 // millimetres
	Text string
}

// Info describes the document in the PDF's metadata.
type Info struct {
	Title   string
	Subject string
	Author  string
}

const fontName = "go"

// Write writes the pages as a PDF to w. JPEG pages are embedded as they are
// and PNG pages keep their compressed data, so a black-and-white scan stays
// as small as its file.
func Write(w io.Writer, pages []Page, info Info) (err error) {
	defer pdftext.Recover(&err)
	if len(pages) == 0 {
		return fmt.Errorf("a document needs at least one page")
	}
	pdf := fpdf.New("P", "pt", "Letter", "")
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetTitle(pdftext.Safe(info.Title), true)
	pdf.SetSubject(pdftext.Safe(info.Subject), true)
	pdf.SetAuthor(pdftext.Safe(info.Author), true)
	pdf.SetCreator("Radicador", true)
	pdf.AddUTF8FontFromBytes(fontName, "", goregular.TTF)
	for i, p := range pages {
		if err := addPage(pdf, i, p); err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("page %d: %w", i+1, err)
		}
	}
	return pdf.Output(w)
}

// Place finds where a stamp of w×h pixels goes on a page: in a corner or
// along the top or bottom margin, a centimetre in, where it covers no word
// OCR found and almost no ink. It reports false, and gives the top right
// corner, when every place covers something.
func Place(page image.Image, words []Word, w, h, dpi int) (image.Point, bool) {
	b := page.Bounds()
	margin := dpi * 100 / 254 // 1 cm
	pad := dpi * 20 / 254     // 2 mm kept clear around
	left, right := b.Min.X+margin, b.Max.X-margin-w
	top, bottom := b.Min.Y+margin, b.Max.Y-margin-h
	if right < left || bottom < top {
		return image.Pt(max(b.Min.X, b.Max.X-w), b.Min.Y), false
	}
	center := (left + right) / 2
	candidates := []image.Point{{right, top}, {left, top}, {center, top}, {right, bottom}, {left, bottom}, {center, bottom}}
	step := dpi * 50 / 254 // then down the right and left margins, 5 mm at a time
	for y := top + step; y < bottom; y += step {
		candidates = append(candidates, image.Pt(right, y), image.Pt(left, y))
	}
	gray := image.NewGray(b)
	draw.Draw(gray, b, page, b.Min, draw.Src)
	for _, at := range candidates {
		r := image.Rect(at.X-pad, at.Y-pad, at.X+w+pad, at.Y+h+pad)
		clear := true
		for _, word := range words {
			if word.Box.Overlaps(r) {
				clear = false
				break
			}
		}
		if clear && ink(gray, r) < 0.005 {
			return at, true
		}
	}
	return candidates[0], false
}

// ink is the share of dark pixels in r, sampling every other one.
func ink(g *image.Gray, r image.Rectangle) float64 {
	r = r.Intersect(g.Bounds())
	dark, all := 0, 0
	for y := r.Min.Y; y < r.Max.Y; y += 2 {
		row := g.Pix[(y-g.Rect.Min.Y)*g.Stride:]
		for x := r.Min.X; x < r.Max.X; x += 2 {
			all++
			if row[x-g.Rect.Min.X] < 128 {
				dark++
			}
		}
	}
	if all == 0 {
		return 1
	}
	return float64(dark) / float64(all)
}

func addPage(pdf *fpdf.Fpdf, i int, p Page) error {
	data, err := os.ReadFile(p.Image)
	if err != nil {
		return err
	}
	cfg, format, err := image.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("%s: %w", p.Image, err)
	}
	kind := map[string]string{"jpeg": "JPG", "png": "PNG"}[format]
	if kind == "" {
		return fmt.Errorf("%s: a %s image cannot go in the PDF; pages are JPEG or PNG", p.Image, format)
	}
	dpi := float64(p.DPI)
	if dpi <= 0 {
		dpi = 300
	}
	k := 72 / dpi // points per pixel
	wPt, hPt := float64(cfg.Width)*k, float64(cfg.Height)*k
	pdf.AddPageFormat("P", fpdf.SizeType{Wd: wPt, Ht: hPt})
	name := "page" + strconv.Itoa(i)
	pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: kind}, bytes.NewReader(data))
	pdf.ImageOptions(name, 0, 0, wPt, hPt, false, fpdf.ImageOptions{ImageType: kind}, 0, "")
	if p.Stamp != nil {
		img, _, err := image.Decode(bytes.NewReader(data))
		if err != nil {
			return fmt.Errorf("%s: %w", p.Image, err)
		}
		w := int(p.Stamp.W / 25.4 * dpi)
		h := int(p.Stamp.H / 25.4 * dpi)
		at, _ := Place(img, p.Words, w, h, int(dpi))
		stampName := "stamp" + strconv.Itoa(i)
		pdf.RegisterImageOptionsReader(stampName, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(p.Stamp.PNG))
		x, y, sw, sh := float64(at.X)*k, float64(at.Y)*k, float64(w)*k, float64(h)*k
		pad := 2.0
		pdf.SetFillColor(255, 255, 255)
		pdf.SetDrawColor(0, 0, 0)
		pdf.SetLineWidth(0.6)
		pdf.Rect(x-pad, y-pad, sw+2*pad, sh+2*pad, "FD")
		pdf.ImageOptions(stampName, x, y, sw, sh, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
		if p.Stamp.Text != "" {
			pdf.SetTextRenderingMode(3)
			pdf.SetFont(fontName, "", 8)
			pdf.Text(x, y+sh/2, pdftext.Safe(p.Stamp.Text))
			pdf.SetTextRenderingMode(0)
		}
	}

	// The text layer: each word, invisible (rendering mode 3), sized so
	// that it spans its box.
	pdf.SetTextRenderingMode(3)
	defer pdf.SetTextRenderingMode(0)
	for _, w := range p.Words {
		bw, bh := float64(w.Box.Dx())*k, float64(w.Box.Dy())*k
		if bw <= 0 || bh <= 0 || w.Text == "" {
			continue
		}
		pdf.SetFont(fontName, "", 10)
		natural := pdf.GetStringWidth(w.Text) / 10 // width at size 1
		if natural <= 0 {
			continue
		}
		size := bw / natural
		size = max(1, min(size, bh*2))
		pdf.SetFontSize(size)
		baseline := float64(w.Box.Max.Y)*k - 0.2*bh
		// A space after each word lets text extraction tell the words
		// apart even where the boxes touch.
		pdf.Text(float64(w.Box.Min.X)*k, baseline, pdftext.Safe(w.Text)+" ")
	}
	return nil
}
