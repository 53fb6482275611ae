package ocr

import (
	"context"
	"image"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/radicador/radicador/internal/pagegen"
	_ "github.com/radicador/radicador/procenv"
	"github.com/radicador/radicador/scan"
)

func TestTry(t *testing.T) {
	e, err := New(Options{Workers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	page := pagegen.Gray(pagegen.Spec{DPI: 300, Lines: []string{"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "BANCO EJEMPLO S.A.", "", "Asunto: Derecho de petición - copia de extractos", "Por medio de la presente solicito copia de los extractos de mi tarjeta.", "Atentamente,", "Héctor Cárdenas"}})
	dir := t.TempDir()
	for i, img := range []image.Image{page, imaging.Rotate90(page), imaging.Rotate180(page), imaging.Rotate270(page)} {
		p, err := scan.WritePage(dir, i+1, toGray(img), scan.Gray, 300)
		if err != nil {
			t.Fatal(err)
		}
		r := e.Read(context.Background(), p.Path)
		t.Logf("page %d: orientation %d conf %.1f err %v\n%s", i, r.Orientation, r.Confidence, r.Err, r.Text)
	}
	t.Logf("omp limit %d, tesseract %s", ThreadLimit(), TesseractVersion())
}
