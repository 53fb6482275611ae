package searchpdf

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/scan"
)

func blankPage(w, h int) *image.Gray {
	g := image.NewGray(image.Rect(0, 0, w, h))
	for i := range g.Pix {
		g.Pix[i] = 255
	}
	return g
}

func TestPlace(t *testing.T) {
	const dpi = 300
	w, h := 590, 295 // 50×25 mm at 300 dpi
	page := blankPage(2550, 3300)
	word := func(x0, y0, x1, y1 int) Word { return Word{Text: "x", Box: image.Rect(x0, y0, x1, y1)} }

	at, ok := Place(page, nil, w, h, dpi)
	if !ok || at != image.Pt(2550-118-w, 118) {
		t.Errorf("a blank page: %v %v, want the top right corner", at, ok)
	}
	// A date in the top right corner: the top left is free.
	at, ok = Place(page, []Word{word(1900, 150, 2400, 220)}, w, h, dpi)
	if !ok || at != image.Pt(118, 118) {
		t.Errorf("a date top right: %v %v", at, ok)
	}
	// Ink that OCR did not read (a logo) counts too.
	for y := 100; y < 500; y++ {
		for x := 100; x < 700; x++ {
			page.SetGray(x, y, color.Gray{0})
		}
	}
	at, ok = Place(page, []Word{word(1900, 150, 2400, 220)}, w, h, dpi)
	if !ok || at.Y != 118 || at.X == 118 || at.X == 2550-118-w {
		t.Errorf("a logo top left and a date top right: %v %v, want the top centre", at, ok)
	}
	// Text everywhere: no clear place.
	if _, ok := Place(page, []Word{word(0, 0, 2550, 3300)}, w, h, dpi); ok {
		t.Error("a page full of text had a clear place")
	}
}

// TestStampedPDF stamps the first page of a letter and reads the stamp
// back from the PDF as rendered by pdftoppm: the QR code with gozxing, the
// number with pdftotext.
func TestStampedPDF(t *testing.T) {
	need(t, "pdftoppm")
	need(t, "pdftotext")
	dir := t.TempDir()
	gray := pagegen.Gray(pagegen.Spec{DPI: 300, Lines: lines})
	pg, err := scan.WritePage(dir, 1, scan.Threshold(gray), scan.BW, 300)
	if err != nil {
		t.Fatal(err)
	}
	e, err := ocr.New(ocr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	read := e.ReadAll(context.Background(), "", []string{pg.Path})
	if read[0].Err != nil {
		t.Fatal(read[0].Err)
	}
	c := label.Content{Number: "2026001010000012", ReceivedAt: time.Date(2026, 11, 23, 10, 15, 0, 0, time.Local), Organization: "Alcaldía",
		Office: "001", Kind: "entrada", Pages: 1, DocSHA256: strings.Repeat("ab", 32)}
	size, _ := label.ParseSize("50x25mm")
	l, err := label.Sticker(c, size, 300)
	if err != nil {
		t.Fatal(err)
	}
	var stampPNG bytes.Buffer
	l.WritePNG(&stampPNG)
	page := Page{Image: read[0].Image, DPI: 300, Words: wordsOf(read[0].Words), Stamp: &Stamp{PNG: stampPNG.Bytes(), W: size.W, H: size.H, Text: "Radicado " + c.Number}}
	var buf bytes.Buffer
	if err := Write(&buf, []Page{page}, Info{}); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "doc.pdf")
	os.WriteFile(out, buf.Bytes(), 0o644)
	if keep := os.Getenv("RADICADOR_PREVIEW"); keep != "" {
		os.WriteFile(filepath.Join(keep, "stamped.pdf"), buf.Bytes(), 0o644)
	}

	// Where it went: clear of every word.
	f, _ := os.Open(read[0].Image)
	img, _, _ := image.Decode(f)
	f.Close()
	at, clear := Place(img, wordsOf(read[0].Words), l.W, l.H, 300)
	if !clear {
		t.Error("no clear place on a letter with wide margins")
	}
	for _, w := range read[0].Words {
		if w.Box.Overlaps(image.Rect(at.X, at.Y, at.X+l.W, at.Y+l.H)) {
			t.Errorf("the stamp covers %q", w.Text)
		}
	}

	if out, err := exec.Command("pdftoppm", "-r", "200", "-png", "-singlefile", out, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	rf, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	rendered, err := png.Decode(rf)
	rf.Close()
	if err != nil {
		t.Fatal(err)
	}
	bmp, _ := gozxing.NewBinaryBitmapFromImage(rendered)
	res, err := qrcode.NewQRCodeReader().Decode(bmp, map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_TRY_HARDER: true})
	if err != nil || res.GetText() != c.QR() {
		t.Errorf("the stamp's QR code on the rendered page reads %v, %v; want %q", res, err, c.QR())
	}
	text, _ := exec.Command("pdftotext", out, "-").Output()
	if !strings.Contains(string(text), "Radicado "+c.Number) || !strings.Contains(string(text), "petición") {
		t.Errorf("pdftotext:\n%s", text)
	}
}
