// Package capture holds the letter a clerk is putting together before it is
// radicated: its pages, scanned or imported, kept in a work folder in the
// order the clerk sets and turned the way the clerk turns them, with blank
// pages and separator sheets marked as the station is configured.
package capture

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"

	_ "image/jpeg" // scanned colour pages

	"golang.org/x/image/draw"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
	"github.com/radicador/radicador/scan/file"
)

// ThumbWidth is the width of page thumbnails, in pixels.
const ThumbWidth = 160

// Page is one page of the batch.
type Page struct {
	ID        int    // stable while the page is in the batch
	Path      string // the page image
	Thumb     string // a small PNG of it
	Width     int
	Height    int
	DPI       int
	Mode      scan.Mode
	Blank     bool
	Separator bool
	Radicado  string // a radicado number read from a sticker on it
	Turned    int    // quarter turns clockwise the clerk gave it

	origin      string // the imported file the page comes from ("" when scanned)
	originPage  int    // 1-based page in it
	originPages int    // pages in it
}

// Dropped reports whether the page is left out of the document: a separator,
// or a blank page when blank pages are dropped.
func (p Page) Dropped(opt cleanup.Options) bool {
	return p.Separator || (p.Blank && opt.DropBlank)
}

// Batch is the pages on the reception screen. Its methods are safe for
// concurrent use: a scan adds pages while the screen reads them.
type Batch struct {
	dir string
	opt cleanup.Options

	mu    sync.Mutex
	pages []Page
	next  int // last ID given
	runs  int // scans and imports so far, each in its own folder
	gen   int // Clear's count: a page of a scan started before a Clear is not taken
}

// ErrCleared is returned for a page that arrives after the batch was
// cleared (a new letter started while the scanner still fed the last one).
var ErrCleared = errors.New("the batch was cleared while the page arrived")

// generation gives Clear's count now.
func (b *Batch) generation() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.gen
}

// New opens the batch kept in dir (created when missing): the pages a
// station closed or stopped by a power cut had not radicated yet come back,
// in the order and turned as the clerk left them.
func New(dir string, opt cleanup.Options) (*Batch, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("work folder: %w", err)
	}
	b := &Batch{dir: dir, opt: opt}
	data, err := os.ReadFile(filepath.Join(dir, manifestName))
	if errors.Is(err, os.ErrNotExist) {
		return b, nil
	}
	var m manifest
	if err == nil {
		err = json.Unmarshal(data, &m)
	}
	if err != nil {
		return nil, fmt.Errorf("the pages kept in %s cannot be read (%w); move the folder aside to start afresh", dir, err)
	}
	b.next, b.runs = m.Next, m.Runs
	for _, k := range m.Pages {
		if _, err := os.Stat(k.Path); err != nil {
			continue // a page whose file is gone cannot come back
		}
		b.pages = append(b.pages, Page{ID: k.ID, Path: k.Path, Thumb: k.Thumb, Width: k.Width, Height: k.Height, DPI: k.DPI,
			Mode: k.Mode, Blank: k.Blank, Separator: k.Separator, Radicado: k.Radicado, Turned: k.Turned,
			origin: k.Origin, originPage: k.OriginPage, originPages: k.OriginPages})
	}
	return b, nil
}

// manifestName is the file that keeps the batch across restarts.
const manifestName = "batch.json"

// manifest is the batch as kept on disk.
type manifest struct {
	Next, Runs int
	Pages      []keptPage
}

type keptPage struct {
	ID                      int
	Path, Thumb             string
	Width, Height, DPI      int
	Mode                    scan.Mode
	Blank, Separator        bool
	Radicado                string
	Turned                  int
	Origin                  string
	OriginPage, OriginPages int
}

// saveLocked writes the manifest (whole or not at all); b.mu is held. A
// failure is not the clerk's concern now: the pages are on screen, and
// only a restart would miss them.
func (b *Batch) saveLocked() {
	m := manifest{Next: b.next, Runs: b.runs}
	for _, p := range b.pages {
		m.Pages = append(m.Pages, keptPage{ID: p.ID, Path: p.Path, Thumb: p.Thumb, Width: p.Width, Height: p.Height,
			DPI: p.DPI, Mode: p.Mode, Blank: p.Blank, Separator: p.Separator, Radicado: p.Radicado, Turned: p.Turned,
			Origin: p.origin, OriginPage: p.originPage, OriginPages: p.originPages})
	}
	data, err := json.Marshal(m)
	if err != nil {
		return
	}
	atomicfile.Write(filepath.Join(b.dir, manifestName), data, 0o640)
}

// SetOptions changes how pages scanned from now on are looked at.
func (b *Batch) SetOptions(opt cleanup.Options) {
	b.mu.Lock()
	b.opt = opt
	b.mu.Unlock()
}

// Options gives how pages are looked at.
func (b *Batch) Options() cleanup.Options {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.opt
}

// Pages gives a copy of the pages in order.
func (b *Batch) Pages() []Page {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.pages)
}

// Len gives the number of pages.
func (b *Batch) Len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.pages)
}

func (b *Batch) runDir() (string, error) {
	b.mu.Lock()
	b.runs++
	d := filepath.Join(b.dir, "run-"+strconv.Itoa(b.runs))
	b.saveLocked()
	b.mu.Unlock()
	if err := os.MkdirAll(d, 0o750); err != nil {
		return "", fmt.Errorf("work folder: %w", err)
	}
	return d, nil
}

// Scan runs one batch on the scanner sc, adding each page as it arrives and
// calling added with it (from the scanning goroutine). Pages scanned before
// an error stay in the batch; the error says what happened.
func (b *Batch) Scan(ctx context.Context, sc scan.Scanner, s scan.Settings, progress func(scan.Progress), added func(Page)) error {
	gen := b.generation()
	dir, err := b.runDir()
	if err != nil {
		return err
	}
	return sc.Scan(ctx, s, scan.Output{Dir: dir, Progress: progress, Page: func(p scan.Page) error {
		pg, err := b.add(gen, p, "", 0, 0)
		if err != nil {
			return err
		}
		if added != nil {
			added(pg)
		}
		return nil
	}})
}

// Import adds the pages of image, TIFF and PDF files. A file that cannot be
// read adds nothing and the error names it; the files before it stay.
func (b *Batch) Import(ctx context.Context, files []string, added func(Page)) error {
	gen := b.generation()
	for _, f := range files {
		dir, err := b.runDir()
		if err != nil {
			return err
		}
		var got []scan.Page
		_, err = file.Import(ctx, f, 1, scan.Output{Dir: dir, Page: func(p scan.Page) error {
			got = append(got, p)
			return nil
		}})
		if err != nil {
			os.RemoveAll(dir)
			return err
		}
		for _, p := range got {
			pg, err := b.add(gen, p, f, p.Index, len(got))
			if err != nil {
				return err
			}
			if added != nil {
				added(pg)
			}
		}
	}
	return nil
}

// add looks at a page (blank, separator, sticker; deskewed when asked),
// makes its thumbnail and appends it, unless the batch was cleared since
// generation gen.
func (b *Batch) add(gen int, p scan.Page, origin string, originPage, originPages int) (Page, error) {
	opt := b.Options()
	if origin != "" {
		opt.Deskew = false // an imported file is taken as it is
	}
	r, err := cleanup.Page(p, opt)
	if err != nil {
		return Page{}, err
	}
	if r.Skew != 0 {
		origin = "" // the page was changed: the file no longer stands for it
	}
	pg := Page{Path: r.Page.Path, Width: r.Page.Width, Height: r.Page.Height, DPI: r.Page.DPI, Mode: r.Page.Mode,
		Blank: r.Blank, Separator: r.Separator, Radicado: r.Radicado,
		origin: origin, originPage: originPage, originPages: originPages}
	img, err := decode(pg.Path)
	if err != nil {
		return Page{}, err
	}
	if pg.Thumb, err = thumbnail(img, pg.Path); err != nil {
		return Page{}, err
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.gen != gen {
		os.Remove(pg.Path)
		os.Remove(pg.Thumb)
		return Page{}, ErrCleared
	}
	b.next++
	pg.ID = b.next
	b.pages = append(b.pages, pg)
	b.saveLocked()
	return pg, nil
}

// ErrNoPage is returned for a page that is no longer in the batch.
var ErrNoPage = errors.New("the page is no longer in the batch")

func (b *Batch) find(id int) int {
	return slices.IndexFunc(b.pages, func(p Page) bool { return p.ID == id })
}

// Rotate turns a page by quarter turns clockwise (negative: anticlockwise),
// rewriting its image.
func (b *Batch) Rotate(id, quarters int) (Page, error) {
	b.mu.Lock()
	i := b.find(id)
	if i < 0 {
		b.mu.Unlock()
		return Page{}, ErrNoPage
	}
	pg := b.pages[i]
	b.mu.Unlock()

	q := ((quarters % 4) + 4) % 4
	if q == 0 {
		return pg, nil
	}
	img, err := decode(pg.Path)
	if err != nil {
		return pg, err
	}
	turned := rotate(img, q)
	dir, err := b.runDir()
	if err != nil {
		return pg, err
	}
	np, err := scan.WritePage(dir, pg.ID, turned, pg.Mode, pg.DPI)
	if err != nil {
		return pg, err
	}
	thumb, err := thumbnail(turned, np.Path)
	if err != nil {
		return pg, err
	}
	os.Remove(pg.Path)
	os.Remove(pg.Thumb)
	pg.Path, pg.Thumb, pg.Width, pg.Height = np.Path, thumb, np.Width, np.Height
	pg.Turned = (pg.Turned + q) % 4
	pg.origin = ""

	b.mu.Lock()
	defer b.mu.Unlock()
	if i = b.find(id); i < 0 {
		return Page{}, ErrNoPage
	}
	b.pages[i] = pg
	b.saveLocked()
	return pg, nil
}

// Delete takes a page out of the batch.
func (b *Batch) Delete(id int) error {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(id)
	if i < 0 {
		return ErrNoPage
	}
	os.Remove(b.pages[i].Path)
	os.Remove(b.pages[i].Thumb)
	b.pages = slices.Delete(b.pages, i, i+1)
	b.saveLocked()
	return nil
}

// Move moves a page by delta places (negative: towards the front), within
// the batch's bounds, and gives its new position.
func (b *Batch) Move(id, delta int) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(id)
	if i < 0 {
		return 0, ErrNoPage
	}
	j := min(max(i+delta, 0), len(b.pages)-1)
	pg := b.pages[i]
	b.pages = slices.Delete(b.pages, i, i+1)
	b.pages = slices.Insert(b.pages, j, pg)
	b.saveLocked()
	return j, nil
}

// Replace puts the pages of another batch in place of page id (a rescan);
// other keeps nothing afterwards.
func (b *Batch) Replace(id int, other *Batch) error {
	other.mu.Lock()
	fresh := other.pages
	other.pages = nil
	other.mu.Unlock()

	b.mu.Lock()
	defer b.mu.Unlock()
	i := b.find(id)
	if i < 0 {
		return ErrNoPage
	}
	for k := range fresh {
		b.next++
		fresh[k].ID = b.next
	}
	old := b.pages[i]
	b.pages = slices.Replace(b.pages, i, i+1, fresh...)
	os.Remove(old.Path)
	os.Remove(old.Thumb)
	b.saveLocked()
	return nil
}

// Document gives the first letter of the batch: its pages up to the first
// separator sheet, without dropped pages, and the files to radicate it
// with. An imported file whose pages are all there, in order and unturned,
// is given whole instead of its page images, so that a PDF keeps its text.
func (b *Batch) Document() (pages []Page, files []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.pages {
		if p.Separator {
			if len(pages) > 0 {
				break
			}
			continue
		}
		if p.Dropped(b.opt) {
			continue
		}
		pages = append(pages, p)
	}
	for i := 0; i < len(pages); i++ {
		p := pages[i]
		if p.origin != "" && p.originPage == 1 && i+p.originPages <= len(pages) {
			whole := true
			for k := 1; k < p.originPages; k++ {
				q := pages[i+k]
				if q.origin != p.origin || q.originPage != k+1 {
					whole = false
					break
				}
			}
			if whole {
				files = append(files, p.origin)
				i += p.originPages - 1
				continue
			}
		}
		files = append(files, p.Path)
	}
	return pages, files
}

// Taken removes from the batch the first letter once it is radicated: the
// pages up to its last one (dropped pages and separators among them) and the
// separators and dropped pages after it. Their files go too: the radicado has its copy.
func (b *Batch) Taken(pages []Page) {
	b.mu.Lock()
	defer b.mu.Unlock()
	last := -1
	for i, p := range b.pages {
		if slices.ContainsFunc(pages, func(t Page) bool { return t.ID == p.ID }) {
			last = i
		}
	}
	if last < 0 {
		return
	}
	// what follows up to the next letter's first page leads to nothing
	for last+1 < len(b.pages) && b.pages[last+1].Dropped(b.opt) {
		last++
	}
	for _, p := range b.pages[:last+1] {
		os.Remove(p.Path)
		os.Remove(p.Thumb)
	}
	b.pages = slices.Delete(b.pages, 0, last+1)
	b.saveLocked()
}

// Clear empties the batch and removes its files.
func (b *Batch) Clear() error {
	b.mu.Lock()
	b.pages = nil
	b.gen++
	b.mu.Unlock()
	entries, err := os.ReadDir(b.dir)
	if err != nil {
		return err
	}
	var errs []error
	for _, e := range entries {
		errs = append(errs, os.RemoveAll(filepath.Join(b.dir, e.Name())))
	}
	return errors.Join(errs...)
}

func decode(path string) (image.Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, _, err := image.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Base(path), err)
	}
	return img, nil
}

// thumbnail writes a small grey PNG of img beside path.
func thumbnail(img image.Image, path string) (string, error) {
	b := img.Bounds()
	w := ThumbWidth
	h := max(1, b.Dy()*w/max(1, b.Dx()))
	small := image.NewGray(image.Rect(0, 0, w, h))
	draw.ApproxBiLinear.Scale(small, small.Bounds(), img, b, draw.Src, nil)
	name := path[:len(path)-len(filepath.Ext(path))] + ".thumb.png"
	f, err := os.Create(name)
	if err != nil {
		return "", fmt.Errorf("thumbnail: %w", err)
	}
	err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(f, small)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return "", fmt.Errorf("thumbnail: %w", err)
	}
	return name, nil
}

// rotate turns img by q quarter turns clockwise, keeping grey and
// black-and-white images as they are.
func rotate(img image.Image, q int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dst := image.Rect(0, 0, h, w)
	if q == 2 {
		dst = image.Rect(0, 0, w, h)
	}
	// where the source pixel (x, y) goes
	to := func(x, y int) (int, int) {
		switch q {
		case 1:
			return h - 1 - y, x
		case 2:
			return w - 1 - x, h - 1 - y
		default:
			return y, w - 1 - x
		}
	}
	// one byte a pixel: grey levels or palette indexes, moved as they are
	turn := func(src, dst []uint8, srcStride, dstStride int) {
		for y := 0; y < h; y++ {
			for x, v := range src[y*srcStride : y*srcStride+w] {
				nx, ny := to(x, y)
				dst[ny*dstStride+nx] = v
			}
		}
	}
	switch src := img.(type) {
	case *image.Gray:
		out := image.NewGray(dst)
		turn(src.Pix, out.Pix, src.Stride, out.Stride)
		return out
	case *image.Paletted:
		out := image.NewPaletted(dst, src.Palette)
		turn(src.Pix, out.Pix, src.Stride, out.Stride)
		return out
	default:
		out := image.NewNRGBA(dst)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				nx, ny := to(x, y)
				out.Set(nx, ny, img.At(b.Min.X+x, b.Min.Y+y))
			}
		}
		return out
	}
}
