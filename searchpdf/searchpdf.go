// Package searchpdf writes a document as one PDF: each page's image as it
// was scanned, under an invisible text layer laid on the words OCR found,
// so that any PDF viewer can search the text and select it.
package searchpdf

import (
	"bytes"
	"fmt"
	"image"
	_ "image/jpeg" // page decoders
	_ "image/png"
	"io"
	"os"
	"strconv"

	"github.com/go-pdf/fpdf"
	"golang.org/x/image/font/gofont/goregular"

	"github.com/radicador/radicador/ocr"
)

// Page is one page: its image file and what OCR read on it.
type Page struct {
	Image string // JPEG or PNG, as it will appear
	DPI   int    // 0: 300
	Words []ocr.Word
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
func Write(w io.Writer, pages []Page, info Info) error {
	if len(pages) == 0 {
		return fmt.Errorf("a document needs at least one page")
	}
	pdf := fpdf.New("P", "pt", "Letter", "")
	pdf.SetCompression(true)
	pdf.SetAutoPageBreak(false, 0)
	pdf.SetMargins(0, 0, 0)
	pdf.SetTitle(info.Title, true)
	pdf.SetSubject(info.Subject, true)
	pdf.SetAuthor(info.Author, true)
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
		pdf.Text(float64(w.Box.Min.X)*k, baseline, w.Text+" ")
	}
	return nil
}
