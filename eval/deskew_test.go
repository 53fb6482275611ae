package eval

import (
	"context"
	"image"
	"math"
	"os"
	"testing"

	"github.com/radicador/radicador/internal/corpus"
	"github.com/radicador/radicador/ocr"
	_ "github.com/radicador/radicador/procenv" // OCR single-threaded
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
)

// TestDeskewOnCorpus turns letters of the shared corpus by ±3° and reads
// them as they are and straightened: the residual angle, and the character
// error rate of each, against the letters as scanned.
func TestDeskewOnCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 24 pages")
	}
	letters, err := Load(corpus.Dir(t))
	if err != nil {
		t.Fatal(err)
	}
	letters = letters[:8]
	e, err := ocr.New(ocr.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	dir := t.TempDir()
	var asScanned, turned, straightened []string
	var truths []string
	worst := 0.0
	for i, l := range letters {
		f, err := os.Open(l.Image)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		deg := 3.0
		if i%2 == 1 {
			deg = -3
		}
		tilted := cleanup.Rotate(img, deg)
		fixed, corrected := cleanup.Deskew(tilted, 0.3)
		residual := cleanup.Skew(fixed)
		worst = math.Max(worst, math.Abs(residual))
		t.Logf("%s: turned %+.0f°, measured %+.2f°, residual %+.2f°", l.File[len(l.File)-8:], deg, corrected, residual)
		tp, _ := scan.WritePage(dir, 100+i, tilted, scan.Gray, 300)
		fp, _ := scan.WritePage(dir, 200+i, fixed, scan.Gray, 300)
		asScanned, turned, straightened = append(asScanned, l.Image), append(turned, tp.Path), append(straightened, fp.Path)
		truths = append(truths, l.Text)
	}
	cer := func(paths []string) float64 {
		var errs, chars int
		for i, p := range e.ReadAll(context.Background(), t.TempDir(), paths) {
			if p.Err != nil {
				t.Fatal(p.Err)
			}
			n, c := CER(p.Text, truths[i])
			errs, chars = errs+n, chars+c
		}
		return 100 * float64(errs) / float64(chars)
	}
	a, b, c := cer(asScanned), cer(turned), cer(straightened)
	t.Logf("character error rate: as scanned %.2f%%, turned ±3° %.2f%%, straightened %.2f%%; worst residual %.2f°", a, b, c, worst)
	if worst > 0.2 {
		t.Errorf("a residual skew of %.2f°", worst)
	}
	if c > b {
		t.Errorf("straightening made reading worse: %.2f%% against %.2f%%", c, b)
	}
}
