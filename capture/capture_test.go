package capture

import (
	"context"
	"errors"
	"image"
	"image/color"
	"image/draw"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
	_ "github.com/radicador/radicador/scan/escl"
	"github.com/radicador/radicador/scan/escl/sim"
)

func simScanner(t *testing.T, o sim.Options) scan.Scanner {
	t.Helper()
	srv := httptest.NewServer(sim.New(o))
	t.Cleanup(srv.Close)
	sc, err := scan.Open(context.Background(), "escl:"+srv.URL+"/eSCL")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sc.Close() })
	return sc
}

var letterSettings = scan.Settings{Source: scan.ADF, DPI: 150, Mode: scan.Gray, PageSize: scan.Carta}

func ids(ps []Page) []int {
	var out []int
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

func TestScanEditAndTake(t *testing.T) {
	ctx := context.Background()
	b, err := New(t.TempDir(), cleanup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var seen []int
	if err := b.Scan(ctx, simScanner(t, sim.Options{Sheets: 4}), letterSettings, nil, func(p Page) { seen = append(seen, p.ID) }); err != nil {
		t.Fatal(err)
	}
	pages := b.Pages()
	if len(pages) != 4 || len(seen) != 4 {
		t.Fatalf("%d pages, %d reported", len(pages), len(seen))
	}
	for _, p := range pages {
		th, err := decode(p.Thumb)
		if err != nil {
			t.Fatal(err)
		}
		if th.Bounds().Dx() != ThumbWidth || p.Blank || p.Separator {
			t.Errorf("page %d: thumb %v, blank %v, separator %v", p.ID, th.Bounds(), p.Blank, p.Separator)
		}
	}

	// Rotate the second page a quarter turn: its size swaps, its file is new.
	old := pages[1]
	turned, err := b.Rotate(old.ID, 1)
	if err != nil {
		t.Fatal(err)
	}
	if turned.Width != old.Height || turned.Height != old.Width || turned.Turned != 1 {
		t.Errorf("turned page %dx%d (was %dx%d), turned %d", turned.Width, turned.Height, old.Width, old.Height, turned.Turned)
	}
	if _, err := os.Stat(old.Path); !errors.Is(err, os.ErrNotExist) {
		t.Error("the unturned image is still there")
	}

	// Move the last page to the front, delete the third.
	if pos, err := b.Move(pages[3].ID, -10); err != nil || pos != 0 {
		t.Fatalf("move: %d, %v", pos, err)
	}
	if err := b.Delete(pages[2].ID); err != nil {
		t.Fatal(err)
	}
	want := []int{pages[3].ID, pages[0].ID, pages[1].ID}
	if got := ids(b.Pages()); !equal(got, want) {
		t.Fatalf("order %v, want %v", got, want)
	}
	if err := b.Delete(pages[2].ID); !errors.Is(err, ErrNoPage) {
		t.Errorf("deleting twice: %v", err)
	}

	doc, files := b.Document()
	if !equal(ids(doc), want) || len(files) != 3 || files[2] != turned.Path {
		t.Fatalf("document %v, files %v", ids(doc), files)
	}
	b.Taken(doc)
	if b.Len() != 0 {
		t.Errorf("%d pages left after the letter was taken", b.Len())
	}
	for _, f := range files {
		if _, err := os.Stat(f); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s left behind", f)
		}
	}
}

func TestDocumentsAndFiles(t *testing.T) {
	ctx := context.Background()
	src := t.TempDir()
	letter1 := fixture.PNG(t, src, "a.png", "Primera carta", "Asunto: peticion")
	sep := fixture.Barcode(t, src, "sep.png", "SEPARADOR")
	blank := fixture.Blank(t, src, "blank.png")
	pdf := fixture.ScannedPDF(t, src, "anexo.pdf",
		fixture.PNG(t, src, "p1.png", "Anexo pagina uno"), fixture.PNG(t, src, "p2.png", "Anexo pagina dos"))

	tests := []struct {
		name      string
		files     []string
		opt       cleanup.Options
		edit      func(*Batch)
		wantPages int
		wantFiles []string // "page" for a page image, else the imported file
		left      int      // pages left once the letter is taken
	}{
		{"whole files are kept as they are", []string{letter1, pdf}, cleanup.Options{}, nil, 3, []string{letter1, pdf}, 0},
		{"a PDF with a page turned is sent as pages", []string{pdf}, cleanup.Options{},
			func(b *Batch) { b.Rotate(b.Pages()[1].ID, 2) }, 2, []string{"page", "page"}, 0},
		{"a PDF reordered is sent as pages", []string{pdf}, cleanup.Options{},
			func(b *Batch) { b.Move(b.Pages()[1].ID, -1) }, 2, []string{"page", "page"}, 0},
		{"a separator ends the letter", []string{letter1, sep, pdf}, cleanup.Options{Separator: "SEPARADOR"}, nil, 1, []string{letter1}, 2},
		{"a leading separator is skipped", []string{sep, letter1}, cleanup.Options{Separator: "SEPARADOR"}, nil, 1, []string{letter1}, 0},
		{"blank pages dropped when asked", []string{letter1, blank}, cleanup.Options{DropBlank: true}, nil, 1, []string{letter1}, 0},
		{"blank pages kept otherwise", []string{letter1, blank}, cleanup.Options{}, nil, 2, []string{letter1, blank}, 0},
		{"a turned image is sent as its page", []string{letter1}, cleanup.Options{},
			func(b *Batch) { b.Rotate(b.Pages()[0].ID, -1) }, 1, []string{"page"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := New(t.TempDir(), tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			if err := b.Import(ctx, tc.files, nil); err != nil {
				t.Fatal(err)
			}
			if tc.edit != nil {
				tc.edit(b)
			}
			pages, files := b.Document()
			if len(pages) != tc.wantPages || len(files) != len(tc.wantFiles) {
				t.Fatalf("%d pages, files %v", len(pages), files)
			}
			for i, f := range files {
				if want := tc.wantFiles[i]; want == "page" && filepath.Dir(filepath.Dir(f)) != b.dir || want != "page" && f != want {
					t.Errorf("file %d = %s, want %s", i, f, want)
				}
			}
			b.Taken(pages)
			if b.Len() != tc.left {
				t.Errorf("%d pages left, want %d", b.Len(), tc.left)
			}
		})
	}
}

func TestImportErrorKeepsEarlierPages(t *testing.T) {
	src := t.TempDir()
	good := fixture.PNG(t, src, "a.png", "Carta")
	bad := fixture.Write(t, src, "roto.png", []byte("\x89PNG\r\n\x1a\nnot really"))
	b, _ := New(t.TempDir(), cleanup.Options{})
	err := b.Import(context.Background(), []string{good, bad}, nil)
	if err == nil {
		t.Fatal("a corrupt file was imported")
	}
	if b.Len() != 1 {
		t.Errorf("%d pages after the error, want the 1 before it", b.Len())
	}
}

func TestRotatePixels(t *testing.T) {
	// A 3×2 image with a distinct value per pixel, turned by each quarter.
	src := image.NewGray(image.Rect(0, 0, 3, 2))
	for i := range src.Pix {
		src.Pix[i] = uint8(i + 1)
	}
	tests := []struct {
		q    int
		w, h int
		pix  []uint8
	}{
		{1, 2, 3, []uint8{4, 1, 5, 2, 6, 3}},
		{2, 3, 2, []uint8{6, 5, 4, 3, 2, 1}},
		{3, 2, 3, []uint8{3, 6, 2, 5, 1, 4}},
	}
	for _, tc := range tests {
		for _, img := range []image.Image{src, toNRGBA(src)} {
			got := rotate(img, tc.q)
			if got.Bounds().Dx() != tc.w || got.Bounds().Dy() != tc.h {
				t.Fatalf("q=%d %T: size %v", tc.q, img, got.Bounds())
			}
			for i, want := range tc.pix {
				x, y := i%tc.w, i/tc.w
				if v := color.GrayModel.Convert(got.At(x, y)).(color.Gray).Y; v != want {
					t.Errorf("q=%d %T: (%d,%d) = %d, want %d", tc.q, img, x, y, v, want)
				}
			}
		}
	}
}

func toNRGBA(g *image.Gray) *image.NRGBA {
	out := image.NewNRGBA(g.Bounds())
	draw.Draw(out, out.Bounds(), g, image.Point{}, draw.Src)
	return out
}

func equal(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestRestore: the pages not yet radicated come back after a restart, as
// the clerk left them, and new pages do not overwrite them.
func TestRestore(t *testing.T) {
	ctx := context.Background()
	dir, src := t.TempDir(), t.TempDir()
	b, err := New(dir, cleanup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pdf := fixture.ScannedPDF(t, src, "carta.pdf", fixture.PNG(t, src, "1.png", "uno"), fixture.PNG(t, src, "2.png", "dos"))
	if err := b.Import(ctx, []string{pdf, fixture.PNG(t, src, "3.png", "tres")}, nil); err != nil {
		t.Fatal(err)
	}
	ps := b.Pages()
	if _, err := b.Rotate(ps[2].ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Move(ps[2].ID, -2); err != nil {
		t.Fatal(err)
	}
	before := b.Pages()
	_, filesBefore := b.Document()

	again, err := New(dir, cleanup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	after := again.Pages()
	if len(after) != len(before) {
		t.Fatalf("%d pages came back, want %d", len(after), len(before))
	}
	for i := range after {
		if after[i] != before[i] {
			t.Errorf("page %d came back as %+v, was %+v", i, after[i], before[i])
		}
	}
	if _, files := again.Document(); !slices.Equal(files, filesBefore) {
		t.Errorf("files %v, were %v", files, filesBefore)
	}
	if err := again.Import(ctx, []string{fixture.PNG(t, src, "4.png", "cuatro")}, nil); err != nil {
		t.Fatal(err)
	}
	for _, p := range again.Pages()[:3] {
		if _, err := os.Stat(p.Path); err != nil {
			t.Errorf("a new page overwrote or removed %s: %v", p.Path, err)
		}
	}
	if ids := ids(again.Pages()); ids[3] <= max(ids[0], ids[1], ids[2]) {
		t.Errorf("the new page reused an ID: %v", ids)
	}

	// A manifest that cannot be read is an error, not an empty batch.
	os.WriteFile(filepath.Join(dir, manifestName), []byte("{broken"), 0o640)
	if _, err := New(dir, cleanup.Options{}); err == nil || !strings.Contains(err.Error(), "move the folder aside") {
		t.Errorf("a broken manifest: %v", err)
	}
	// Cleared, nothing comes back.
	again.Clear()
	if b, err := New(dir, cleanup.Options{}); err != nil || b.Len() != 0 {
		t.Errorf("after Clear: %v, %d pages", err, b.Len())
	}
}

// TestClearDuringScan: a new letter started while the feeder still gives
// pages of the last one (Nueva during a scan) leaves the batch empty: the
// pages that arrive after Clear are not taken, and their files go.
func TestClearDuringScan(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b, err := New(dir, cleanup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cleared := false
	err = b.Scan(ctx, simScanner(t, sim.Options{Sheets: 5}), letterSettings, nil, func(Page) {
		if !cleared {
			cleared = true
			if err := b.Clear(); err != nil {
				t.Error(err)
			}
		}
	})
	if err == nil {
		t.Error("the scan went on as if nothing happened after Clear")
	}
	if n := b.Len(); n != 0 {
		t.Errorf("%d pages in the batch after Clear", n)
	}
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".png") {
			files = append(files, p)
		}
		return nil
	})
	if len(files) != 0 {
		t.Errorf("page files left after Clear: %v", files)
	}
}

// TestClearDuringImport: the pages of a file already drawn when Clear
// comes are not taken (they would stand in the new letter, their files
// gone).
func TestClearDuringImport(t *testing.T) {
	ctx := context.Background()
	b, err := New(t.TempDir(), cleanup.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pdf := fixture.PDF(t, t.TempDir(), "tres.pdf", 3)
	cleared := false
	err = b.Import(ctx, []string{pdf}, func(Page) {
		if !cleared {
			cleared = true
			b.Clear()
		}
	})
	if err == nil || b.Len() != 0 {
		t.Errorf("import after Clear: %v, %d pages in the batch", err, b.Len())
	}
}
