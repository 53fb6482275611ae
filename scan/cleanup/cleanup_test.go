package cleanup

import (
	"image"
	"image/color"
	"image/draw"
	"math"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/code128"
	"github.com/boombuler/barcode/qr"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/scan"
)

func letter() *image.Gray {
	return pagegen.Gray(pagegen.Spec{DPI: 150, Lines: []string{
		"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "BANCO EJEMPLO S.A.", "",
		"Asunto: Derecho de petición - solicitud de copia de extractos", "",
		"Por medio de la presente, y en ejercicio del derecho fundamental de petición,",
		"solicito copia de los extractos de mi tarjeta de crédito terminada en 5706",
		"y la relación de pagos realizados durante el año 2026.", "", "Atentamente,", "",
		"Héctor Fabio Cárdenas Jiménez", "C.C. 79.845.112",
	}})
}

// stamp draws a barcode, scaled by whole pixels, at (x, y) on a page; a
// one-row linear code is drawn 60 pixels tall.
func stamp(t *testing.T, page *image.Gray, code barcode.Barcode, scale, x, y int) {
	t.Helper()
	b := code.Bounds()
	h := b.Dy() * scale
	if b.Dy() == 1 {
		h = 60
	}
	scaled, err := barcode.Scale(code, b.Dx()*scale, h)
	if err != nil {
		t.Fatal(err)
	}
	draw.Draw(page, scaled.Bounds().Add(image.Pt(x, y)), scaled, image.Point{}, draw.Src)
}

func TestBlank(t *testing.T) {
	white := pagegen.Gray(pagegen.Spec{DPI: 150})
	dusty := pagegen.Gray(pagegen.Spec{DPI: 150})
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40 { // dust and scanner noise
		dusty.SetGray(rng.IntN(dusty.Bounds().Dx()), rng.IntN(dusty.Bounds().Dy()), color.Gray{40})
	}
	for y := range dusty.Bounds().Dy() { // a shadow along the edge, inside the margin
		for x := range 8 {
			dusty.SetGray(x, y, color.Gray{60})
		}
	}
	oneLine := pagegen.Gray(pagegen.Spec{DPI: 150, Lines: []string{"Atentamente, Ana"}})
	for _, tc := range []struct {
		name  string
		img   image.Image
		blank bool
	}{
		{"white", white, true},
		{"dust and a shadow", dusty, true},
		{"one short line", oneLine, false},
		{"a letter", letter(), false},
	} {
		if got := Blank(tc.img, 0); got != tc.blank {
			t.Errorf("%s: Blank = %v (ink %.5f), want %v", tc.name, got, Ink(tc.img), tc.blank)
		}
	}
}

func TestSkew(t *testing.T) {
	page := letter()
	for _, deg := range []float64{-3, -1.5, -0.5, 0, 0.7, 2, 3} {
		turned := Rotate(page, deg)
		got := Skew(turned)
		if math.Abs(got-deg) > 0.15 {
			t.Errorf("page turned %g°: Skew = %.2f°", deg, got)
		}
		straight, corrected := Deskew(turned, 0.2)
		residual := Skew(straight)
		t.Logf("turned %+.1f°: measured %+.2f°, corrected %+.2f°, residual %+.2f°", deg, got, corrected, residual)
		if math.Abs(residual) > 0.2 {
			t.Errorf("page turned %g°: %.2f° left after deskew", deg, residual)
		}
		if straight.Bounds() != page.Bounds() {
			t.Errorf("deskew changed the page size to %v", straight.Bounds())
		}
		if _, ok := straight.(*image.Gray); !ok {
			t.Errorf("deskew of a grey page gave %T", straight)
		}
	}
}

func TestBarcodes(t *testing.T) {
	page := letter()
	c128, err := code128.Encode("2026001010000122")
	if err != nil {
		t.Fatal(err)
	}
	q, err := qr.Encode("SEPARADOR", qr.M, qr.Auto)
	if err != nil {
		t.Fatal(err)
	}
	stamp(t, page, c128, 2, 800, 60)
	stamp(t, page, q, 4, 900, 200)
	codes, err := Barcodes(page)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"CODE_128": "2026001010000122", "QR_CODE": "SEPARADOR"}
	for _, c := range codes {
		if want[c.Format] != c.Text {
			t.Errorf("found %s %q", c.Format, c.Text)
		}
		delete(want, c.Format)
	}
	if len(want) > 0 {
		t.Errorf("not found: %v (found %v)", want, codes)
	}
	if codes, _ := Barcodes(letter()); len(codes) != 0 {
		t.Errorf("a letter without codes gave %v", codes)
	}
}

func TestBatch(t *testing.T) {
	dir := t.TempDir()
	write := func(i int, img *image.Gray) scan.Page {
		p, err := scan.WritePage(dir, i, img, scan.Gray, 150)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	sticker := letter()
	c128, _ := code128.Encode("2026001010000122")
	stamp(t, sticker, c128, 2, 800, 60)
	separator := pagegen.Gray(pagegen.Spec{DPI: 150, Lines: []string{"HOJA SEPARADORA"}})
	q, _ := qr.Encode("SEPARADOR", qr.M, qr.Auto)
	stamp(t, separator, q, 6, 400, 400)
	pages := []scan.Page{
		write(1, sticker),
		write(2, Rotate(letter(), 2).(*image.Gray)),
		write(3, pagegen.Gray(pagegen.Spec{DPI: 150})), // the blank back of page 2
		write(4, separator),
		write(5, letter()),
	}
	opt := Options{DropBlank: true, Deskew: true, Separator: "separador",
		IsRadicado: func(s string) bool { return len(s) == 16 && strings.HasPrefix(s, "2026") }}
	var reports []Report
	for _, p := range pages {
		r, err := Page(p, opt)
		if err != nil {
			t.Fatal(err)
		}
		reports = append(reports, r)
	}
	if !reports[2].Blank || !reports[3].Separator || reports[0].Radicado != "2026001010000122" || math.Abs(reports[1].Skew-2) > 0.15 {
		t.Fatalf("reports %+v", reports)
	}
	docs := Split(reports, opt)
	if len(docs) != 2 || len(docs[0].Pages) != 2 || len(docs[1].Pages) != 1 || docs[0].Radicado != "2026001010000122" || docs[1].Radicado != "" {
		t.Fatalf("documents %+v", docs)
	}
	// The straightened page replaced its file.
	f, _ := os.Open(docs[0].Pages[1].Path)
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil || math.Abs(Skew(img)) > 0.2 {
		t.Errorf("page 2 on disk: %v, skew %.2f", err, Skew(img))
	}
}
