// Package file imports documents as scanned pages: JPEG and PNG as they
// are, every page of a TIFF, and the page images of a scanned PDF. Devices
// are file:PATH, a file or a folder of them. It also watches the folder a
// multifunction printer scans into (see Watcher).
package file

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	_ "image/jpeg" // page decoders
	_ "image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/image/tiff"

	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/scan"
)

func init() { scan.Register(Driver{}) }

// Driver imports files: devices are file:PATH.
type Driver struct{}

// Scheme gives "file".
func (Driver) Scheme() string { return "file" }

// Devices lists nothing: files are named, not discovered.
func (Driver) Devices(context.Context) ([]scan.Device, error) { return nil, nil }

// Open opens file:PATH.
func (Driver) Open(ctx context.Context, uri string) (scan.Scanner, error) {
	p, ok := strings.CutPrefix(uri, "file:")
	if !ok || p == "" {
		return nil, fmt.Errorf("%q is not a file device (file:PATH)", uri)
	}
	p = strings.TrimPrefix(p, "//")
	if _, err := os.Stat(p); err != nil {
		return nil, err
	}
	return &Scanner{path: p}, nil
}

// Scanner imports a file, or every file of a folder in name order.
type Scanner struct{ path string }

// Close does nothing.
func (*Scanner) Close() error { return nil }

// Capabilities: files have every mode and any resolution.
func (*Scanner) Capabilities(context.Context) (scan.Capabilities, error) {
	return scan.Capabilities{Sources: []scan.Source{scan.ADF}, Modes: scan.Modes}, nil
}

// Scan imports the pages; the settings do not apply to files.
func (s *Scanner) Scan(ctx context.Context, _ scan.Settings, out scan.Output) error {
	files := []string{s.path}
	if st, err := os.Stat(s.path); err == nil && st.IsDir() {
		entries, err := os.ReadDir(s.path)
		if err != nil {
			return err
		}
		files = nil
		for _, e := range entries {
			if !e.IsDir() && !hidden(e.Name()) {
				files = append(files, filepath.Join(s.path, e.Name()))
			}
		}
		slices.Sort(files)
	}
	next := 1
	for _, f := range files {
		n, err := Import(ctx, f, next, out)
		if err != nil {
			return err
		}
		next += n
	}
	return nil
}

func hidden(name string) bool { return strings.HasPrefix(name, ".") || strings.HasPrefix(name, "~") }

// Import turns the file at path into pages numbered from first, written to
// out.Dir and handed to out.Page, and gives how many there were. A file
// that cannot be read gives an error naming it, and no page.
func Import(ctx context.Context, path string, first int, out scan.Output) (int, error) {
	info, err := document.Inspect(path)
	if err != nil {
		return 0, err
	}
	var pages []scan.Page
	switch info.MediaType {
	case document.JPEG, document.PNG:
		p, err := copyImage(path, first, info.MediaType, out.Dir)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", path, err)
		}
		pages = []scan.Page{p}
	case document.TIFF:
		pages, err = tiffPages(ctx, path, first, info.Pages, out.Dir)
	case document.PDF:
		pages, err = pdfPages(ctx, path, first, out.Dir)
	}
	if err != nil {
		for _, p := range pages {
			os.Remove(p.Path)
		}
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	for _, p := range pages {
		if out.Page != nil {
			if err := out.Page(p); err != nil {
				return 0, err
			}
		}
	}
	return len(pages), nil
}

// checkSize refuses pages too large to decode safely.
var checkSize = document.CheckSize

// modeOf tells a page's mode from its colour model.
func modeOf(m color.Model, paletteLen int) scan.Mode {
	switch m {
	case color.GrayModel, color.Gray16Model:
		return scan.Gray
	}
	if paletteLen > 0 && paletteLen <= 2 {
		return scan.BW
	}
	return scan.Color
}

// copyImage keeps a JPEG or PNG file as it is: the original is the page.
func copyImage(path string, index int, media, dir string) (scan.Page, error) {
	f, err := os.Open(path)
	if err != nil {
		return scan.Page{}, err
	}
	defer f.Close()
	cfg, _, err := image.DecodeConfig(f)
	if err != nil {
		return scan.Page{}, err
	}
	if err := checkSize(cfg.Width, cfg.Height); err != nil {
		return scan.Page{}, err
	}
	palette := 0
	if p, ok := cfg.ColorModel.(color.Palette); ok {
		palette = len(p)
	}
	ext := ".png"
	if media == document.JPEG {
		ext = ".jpg"
	}
	dst := filepath.Join(dir, scan.PageName(index, ext))
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return scan.Page{}, err
	}
	if err := copyFile(f, dst); err != nil {
		return scan.Page{}, err
	}
	return scan.Page{Index: index, Path: dst, Format: media, Width: cfg.Width, Height: cfg.Height,
		DPI: document.Resolution(path), Mode: modeOf(cfg.ColorModel, palette)}, nil
}

func copyFile(src io.Reader, dst string) error {
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, src); err != nil {
		out.Close()
		os.Remove(dst)
		return err
	}
	return out.Close()
}

// tiffPages decodes each page of a TIFF and writes it as a page file.
func tiffPages(ctx context.Context, path string, first, n int, dir string) ([]scan.Page, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	offsets, dpis, err := tiffDirectories(data)
	if err != nil {
		return nil, err
	}
	var pages []scan.Page
	for i, off := range offsets {
		if err := ctx.Err(); err != nil {
			return pages, err
		}
		// Point the header at this page's directory: the decoder reads the
		// first one.
		view := &patched{data: data, at: 4, patch: binary.LittleEndian.AppendUint32(nil, uint32(off))}
		if data[0] == 'M' {
			view.patch = binary.BigEndian.AppendUint32(nil, uint32(off))
		}
		cfg, err := tiff.DecodeConfig(io.NewSectionReader(view, 0, int64(len(data))))
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		if err := checkSize(cfg.Width, cfg.Height); err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		img, err := tiff.Decode(io.NewSectionReader(view, 0, int64(len(data))))
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", i+1, err)
		}
		palette := 0
		if p, ok := img.ColorModel().(color.Palette); ok {
			palette = len(p)
		}
		mode := modeOf(img.ColorModel(), palette)
		if mode == scan.BW {
			img = toBlackWhite(img)
		}
		p, err := scan.WritePage(dir, first+i, img, mode, dpis[i])
		if err != nil {
			return pages, err
		}
		pages = append(pages, p)
	}
	if len(pages) != n {
		return pages, fmt.Errorf("found %d pages where %d were counted", len(pages), n)
	}
	return pages, nil
}

// toBlackWhite maps a two-colour image onto the black-and-white palette,
// whichever way round its own palette is.
func toBlackWhite(img image.Image) image.Image {
	b := img.Bounds()
	out := image.NewPaletted(b, scan.BlackWhite)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if g := color.GrayModel.Convert(img.At(x, y)).(color.Gray); g.Y < 128 {
				out.SetColorIndex(x, y, 1)
			}
		}
	}
	return out
}

// patched is data with a few bytes replaced, read through ReadAt.
type patched struct {
	data  []byte
	at    int
	patch []byte
}

func (p *patched) ReadAt(b []byte, off int64) (int, error) {
	if off >= int64(len(p.data)) {
		return 0, io.EOF
	}
	n := copy(b, p.data[off:])
	for i := range n {
		if j := int(off) + i - p.at; j >= 0 && j < len(p.patch) {
			b[i] = p.patch[j]
		}
	}
	if n < len(b) {
		return n, io.EOF
	}
	return n, nil
}

// tiffDirectories gives the offset of each page's directory and its
// resolution in dpi (0 when the file does not say).
func tiffDirectories(data []byte) ([]int64, []int, error) {
	if len(data) < 8 {
		return nil, nil, errors.New("not a TIFF file")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if data[0] == 'M' {
		bo = binary.BigEndian
	}
	var offs []int64
	var dpis []int
	seen := map[int64]bool{}
	for off := int64(bo.Uint32(data[4:])); off != 0; {
		if seen[off] || off+2 > int64(len(data)) || len(offs) > 10000 {
			return nil, nil, errors.New("its page directories are damaged")
		}
		seen[off] = true
		count := int64(bo.Uint16(data[off:]))
		end := off + 2 + count*12
		if end+4 > int64(len(data)) {
			return nil, nil, errors.New("a page directory is cut short")
		}
		dpi, unit := 0.0, 2 // ResolutionUnit defaults to inches
		for e := off + 2; e < end; e += 12 {
			tag, typ := bo.Uint16(data[e:]), bo.Uint16(data[e+2:])
			switch {
			case tag == 282 && typ == 5: // XResolution, RATIONAL
				at := int64(bo.Uint32(data[e+8:]))
				if at+8 <= int64(len(data)) {
					num, den := bo.Uint32(data[at:]), bo.Uint32(data[at+4:])
					if den != 0 {
						dpi = float64(num) / float64(den)
					}
				}
			case tag == 296 && typ == 3: // ResolutionUnit
				unit = int(bo.Uint16(data[e+8:]))
			}
		}
		if unit == 3 { // centimetres
			dpi *= 2.54
		}
		offs = append(offs, off)
		dpis = append(dpis, int(dpi+0.5))
		off = int64(bo.Uint32(data[end:]))
	}
	return offs, dpis, nil
}
