package file

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/go-pdf/fpdf"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/scan"
)

type got []scan.Page

func (g *got) out(dir string) scan.Output {
	return scan.Output{Dir: dir, Page: func(p scan.Page) error { *g = append(*g, p); return nil }}
}

func letter(dpi int, text string) *image.Gray {
	return pagegen.Gray(pagegen.Spec{DPI: dpi, Lines: []string{text}})
}

func write(t *testing.T, dir, name string, enc func(*bytes.Buffer) error) string {
	t.Helper()
	var b bytes.Buffer
	if err := enc(&b); err != nil {
		t.Fatal(err)
	}
	return fixture.Write(t, dir, name, b.Bytes())
}

func TestImport(t *testing.T) {
	src := t.TempDir()
	// A 100 dpi page written by the station itself carries its resolution.
	withDPI, err := scan.WritePage(src, 1, letter(100, "Bogotá"), scan.Gray, 100)
	if err != nil {
		t.Fatal(err)
	}
	jpg := write(t, src, "carta.jpg", func(b *bytes.Buffer) error { return jpeg.Encode(b, pagegen.RGB(pagegen.Spec{DPI: 72}), nil) })
	pngPlain := write(t, src, "sin-dpi.png", func(b *bytes.Buffer) error { return png.Encode(b, letter(72, "x")) })
	tif := fixture.TIFF(t, src, "fax.tif", 200, letter(50, "uno"), letter(50, "dos"), letter(50, "tres"))
	pdf := fixture.ScannedPDF(t, src, "scan.pdf", jpg, withDPI.Path)
	// One image object drawn on three pages, between two others.
	shared := fixture.ScannedPDF(t, src, "compartida.pdf", withDPI.Path, jpg, jpg, jpg, withDPI.Path)
	for _, tc := range []struct {
		name   string
		path   string
		pages  int
		format string
		dpi    int
		mode   scan.Mode
	}{
		{"PNG with its resolution", withDPI.Path, 1, "image/png", 100, scan.Gray},
		{"PNG without one", pngPlain, 1, "image/png", 0, scan.Gray},
		{"JPEG", jpg, 1, "image/jpeg", 0, scan.Color},
		{"three-page TIFF", tif, 3, "image/png", 200, scan.Gray},
		{"scanned PDF keeps its images", pdf, 2, "image/jpeg", 72, scan.Color},
		{"an image on three pages", shared, 5, "image/png", 100, scan.Color},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var g got
			n, err := Import(context.Background(), tc.path, 5, g.out(t.TempDir()))
			if err != nil {
				t.Fatal(err)
			}
			if n != tc.pages || len(g) != tc.pages {
				t.Fatalf("%d pages (%d handed over), want %d", n, len(g), tc.pages)
			}
			p := g[0]
			if p.Index != 5 || p.Format != tc.format || p.DPI != tc.dpi || p.Mode != tc.mode {
				t.Errorf("first page %+v, want %s at %d dpi in %s", p, tc.format, tc.dpi, tc.mode)
			}
			if tc.path == shared {
				// Each page has its own image: the PNG, the JPEG thrice,
				// the PNG.
				var formats []string
				for _, p := range g {
					formats = append(formats, p.Format)
				}
				if fmt.Sprint(formats) != "[image/png image/jpeg image/jpeg image/jpeg image/png]" {
					t.Errorf("the pages' images: %v", formats)
				}
			}
			for _, p := range g {
				f, _ := os.Open(p.Path)
				img, _, err := image.Decode(f)
				f.Close()
				if err != nil || img.Bounds().Dx() != p.Width {
					t.Errorf("page %d: %v, %v", p.Index, err, img.Bounds())
				}
			}
		})
	}
}

func TestImportTextPDF(t *testing.T) {
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatal("pdftoppm is not installed (make test installs poppler-utils)")
		}
		t.Skip("pdftoppm is not installed")
	}
	p := fixture.TextPDF(t, t.TempDir(), "factura.pdf", "FACTURA ELECTRONICA FV-1234")
	var g got
	if _, err := Import(context.Background(), p, 1, g.out(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if len(g) != 1 || g[0].DPI != 300 || g[0].Width < 2500 {
		t.Errorf("a PDF without images drew as %+v", g)
	}
	// A page a few hundred bytes long that says it is two and a half
	// metres wide is not drawn (at 300 dpi: 30,000 pixels wide).
	wide := fpdf.NewCustom(&fpdf.InitType{UnitStr: "pt", Size: fpdf.SizeType{Wd: 7300, Ht: 200}})
	wide.AddPage()
	wide.SetFont("Helvetica", "", 14)
	wide.Text(20, 40, "ancha")
	wp := filepath.Join(t.TempDir(), "ancha.pdf")
	if err := wide.OutputFileAndClose(wp); err != nil {
		t.Fatal(err)
	}
	g = nil
	start := time.Now()
	if _, err := Import(context.Background(), wp, 1, g.out(t.TempDir())); err == nil || !strings.Contains(err.Error(), "more than a scanned page") {
		t.Errorf("a page 7,300 points wide: %v", err)
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("refusing it took %v", took)
	}
}

func TestImportRejects(t *testing.T) {
	dir := t.TempDir()
	good := write(t, dir, "ok.png", func(b *bytes.Buffer) error { return png.Encode(b, letter(50, "x")) })
	data, _ := os.ReadFile(good)
	for _, tc := range []struct {
		name, path, want string
	}{
		{"empty", fixture.Write(t, dir, "empty.png", nil), "empty"},
		{"truncated", fixture.Write(t, dir, "cut.png", data[:len(data)/2]), "damaged"},
		{"not an image", fixture.Write(t, dir, "notes.txt", []byte("hola")), "not a JPEG, PNG, TIFF or PDF"},
		{"decompression bomb", fixture.PNGHeader(t, dir, "bomb.png", 50000, 50000), "more than a scanned page can be"},
		{"missing", filepath.Join(dir, "nope.png"), "no such file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := t.TempDir()
			var g got
			n, err := Import(context.Background(), tc.path, 1, g.out(out))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Import = %d, %v; want an error saying %q", n, err, tc.want)
			}
			if entries, _ := os.ReadDir(out); len(entries) != 0 || len(g) != 0 {
				t.Errorf("a refused file left %d files and %d pages", len(entries), len(g))
			}
		})
	}
}

func TestFolderDevice(t *testing.T) {
	src := t.TempDir()
	fixture.PNG(t, src, "b.png", "segunda")
	fixture.PNG(t, src, "a.png", "primera")
	fixture.Write(t, src, ".~lock", []byte("ignored"))
	sc, err := scan.Open(context.Background(), "file:"+src)
	if err != nil {
		t.Fatal(err)
	}
	var g got
	if err := sc.Scan(context.Background(), scan.Settings{}, g.out(t.TempDir())); err != nil {
		t.Fatal(err)
	}
	if len(g) != 2 || g[0].Index != 1 || g[1].Index != 2 {
		t.Fatalf("pages %+v", g)
	}
}

func FuzzImport(f *testing.F) {
	var b bytes.Buffer
	png.Encode(&b, letter(20, "x"))
	f.Add(b.Bytes())
	f.Add([]byte("II*\x00\x08\x00\x00\x00\x01\x00\x00\x01\x04\x00\x01\x00\x00\x00\x10\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		p := filepath.Join(dir, "in")
		os.WriteFile(p, data, 0o600)
		Import(context.Background(), p, 1, scan.Output{Dir: dir})
	})
}

// TestImportSharedImage: a PDF that draws one large image on forty pages
// (a small file) is read keeping the image once: importing it allocates
// about what importing one page does, not forty times it.
func TestImportSharedImage(t *testing.T) {
	src := t.TempDir()
	noise := image.NewGray(image.Rect(0, 0, 1500, 1500))
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range noise.Pix {
		noise.Pix[i] = uint8(rng.Uint32())
	}
	jpg := write(t, src, "ruido.jpg", func(b *bytes.Buffer) error { return jpeg.Encode(b, noise, &jpeg.Options{Quality: 95}) })
	allocated := func(pages int) uint64 {
		paths := make([]string, pages)
		for i := range paths {
			paths[i] = jpg
		}
		pdf := fixture.ScannedPDF(t, src, fmt.Sprintf("compartida-%d.pdf", pages), paths...)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		var g got
		if n, err := Import(context.Background(), pdf, 1, g.out(t.TempDir())); err != nil || n != pages {
			t.Fatalf("%d pages: %d, %v", pages, n, err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	one, forty := allocated(1), allocated(40)
	if forty > 3*one {
		t.Errorf("one page allocated %d MB, forty pages of the same image %d MB", one>>20, forty>>20)
	}
}
