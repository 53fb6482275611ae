package file

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"golang.org/x/image/tiff"

	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/scan"
)

// pdfPages gives the page images of a PDF. A scanned PDF has one image per
// page, which is taken as it is (a JPEG stays a JPEG). A page without an
// image (a PDF made by a program, not a scanner) is rendered at 300 dpi
// with pdftoppm, when poppler-utils is installed.
func pdfPages(ctx context.Context, path string, first int, dir string) ([]scan.Page, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	dims, err := api.PageDims(f, conf)
	if err != nil {
		return nil, err
	}
	// The largest image of each page is its scan. An image drawn on many
	// pages is one object of the file, read and kept once (a small PDF may
	// draw one large image on hundreds of pages); and what is kept is
	// bounded in all.
	best := make(map[int]model.Image)
	data := make(map[int][]byte) // by the image's object
	area := make(map[int]int)
	kept := 0
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	err = api.ExtractImages(f, nil, func(img model.Image, _ bool, _ int) error {
		if img.Thumb || img.IsImgMask {
			return nil
		}
		if img.ObjNr == 0 {
			img.ObjNr = -img.PageNr // an inline image: its page's own
		}
		raw, seen := data[img.ObjNr]
		if !seen || img.ObjNr < 0 {
			var err error
			if raw, err = io.ReadAll(io.LimitReader(img.Reader, maxExtracted+1)); err != nil {
				return err
			}
			if kept += len(raw); kept > maxExtracted {
				return fmt.Errorf("its images come to more than %d MB", maxExtracted>>20)
			}
		}
		w, h, err := extractedSize(img.FileType, raw)
		if err != nil {
			return fmt.Errorf("page %d: its image does not decode: %w", img.PageNr, err)
		}
		if err := checkSize(w, h); err != nil {
			return fmt.Errorf("page %d: %w", img.PageNr, err)
		}
		if w*h > area[img.PageNr] {
			best[img.PageNr], area[img.PageNr] = withSize(img, w, h), w*h
			data[img.ObjNr] = raw
		}
		return nil
	}, conf)
	if err != nil {
		return nil, fmt.Errorf("reading its images: %w", err)
	}
	var pages []scan.Page
	for i, dim := range dims {
		if err := ctx.Err(); err != nil {
			return pages, err
		}
		nr, index := i+1, first+i
		img, ok := best[nr]
		var p scan.Page
		if !ok {
			p, err = renderPage(ctx, path, nr, index, dir, dim.Width, dim.Height)
		} else {
			dpi := 0
			if dim.Width > 0 {
				dpi = int(float64(img.Width)/(dim.Width/72) + 0.5)
			}
			p, err = writeExtracted(img, data[img.ObjNr], index, dpi, dir)
		}
		if err != nil {
			return pages, fmt.Errorf("page %d: %w", nr, err)
		}
		pages = append(pages, p)
	}
	return pages, nil
}

// maxExtracted bounds the bytes of the images kept from one PDF: a
// scanned PDF of a few hundred pages holds less.
const maxExtracted = 512 << 20

// extractedSize reads the pixel size of an image taken out of a PDF.
func extractedSize(fileType string, raw []byte) (int, int, error) {
	var cfg image.Config
	var err error
	if fileType == "tif" || fileType == "tiff" {
		cfg, err = tiff.DecodeConfig(bytes.NewReader(raw))
	} else {
		cfg, _, err = image.DecodeConfig(bytes.NewReader(raw))
	}
	return cfg.Width, cfg.Height, err
}

func withSize(img model.Image, w, h int) model.Image {
	img.Width, img.Height, img.Reader = w, h, nil
	return img
}

// writeExtracted writes an image taken out of a PDF as a page: JPEG and PNG
// as they are, anything else (TIFF for fax-coded pages) decoded and written
// again.
func writeExtracted(img model.Image, raw []byte, index, dpi int, dir string) (scan.Page, error) {
	switch img.FileType {
	case "jpg", "jpeg", "png":
		cfg, format, err := image.DecodeConfig(bytes.NewReader(raw))
		if err != nil {
			return scan.Page{}, fmt.Errorf("its image does not decode: %w", err)
		}
		ext, media := ".png", "image/png"
		if format == "jpeg" {
			ext, media = ".jpg", "image/jpeg"
		}
		dst := filepath.Join(dir, scan.PageName(index, ext))
		if err := os.WriteFile(dst, raw, 0o644); err != nil {
			return scan.Page{}, err
		}
		palette := 0
		if p, ok := cfg.ColorModel.(color.Palette); ok {
			palette = len(p)
		}
		if img.Bpc == 1 {
			palette = 2
		}
		return scan.Page{Index: index, Path: dst, Format: media, Width: cfg.Width, Height: cfg.Height, DPI: dpi,
			Mode: modeOf(cfg.ColorModel, palette)}, nil
	case "tif", "tiff":
		decoded, err := tiff.Decode(bytes.NewReader(raw))
		if err != nil {
			return scan.Page{}, fmt.Errorf("its image does not decode: %w", err)
		}
		mode := scan.Color
		if img.Bpc == 1 || img.Comp == 1 {
			mode = scan.Gray
			if img.Bpc == 1 {
				mode = scan.BW
				decoded = toBlackWhite(decoded)
			}
		}
		return scan.WritePage(dir, index, decoded, mode, dpi)
	}
	return scan.Page{}, fmt.Errorf("its image is of a kind this program does not read (%s, %s)", img.FileType, img.Filter)
}

// ErrNoRenderer is returned for a PDF page without an image when pdftoppm
// is not installed.
var ErrNoRenderer = errors.New("it has no scanned image, and pdftoppm (poppler-utils) is not installed to draw it")

// renderPage draws a page without an image at 300 dpi in grey.
func renderPage(ctx context.Context, path string, nr, index int, dir string, width, height float64) (scan.Page, error) {
	// The page's size (in points, by its media box) first: a page of a
	// few hundred bytes may say it is metres wide, and drawing it would
	// take gigabytes and minutes.
	if err := document.CheckSize(int(width/72*300), int(height/72*300)); err != nil {
		return scan.Page{}, fmt.Errorf("at 300 dpi: %w", err)
	}
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		return scan.Page{}, ErrNoRenderer
	}
	tmp, err := os.MkdirTemp(dir, ".render-")
	if err != nil {
		return scan.Page{}, err
	}
	defer os.RemoveAll(tmp)
	n := strconv.Itoa(nr)
	cmd := exec.CommandContext(ctx, bin, "-f", n, "-l", n, "-r", "300", "-gray", "-png", path, filepath.Join(tmp, "p"))
	if out, err := cmd.CombinedOutput(); err != nil {
		return scan.Page{}, fmt.Errorf("pdftoppm: %v: %s", err, bytes.TrimSpace(out))
	}
	entries, _ := os.ReadDir(tmp)
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	slices.Sort(names)
	if len(names) != 1 {
		return scan.Page{}, errors.New("pdftoppm drew no page")
	}
	f, err := os.Open(filepath.Join(tmp, names[0]))
	if err != nil {
		return scan.Page{}, err
	}
	defer f.Close()
	if cfg, _, err := image.DecodeConfig(f); err != nil {
		return scan.Page{}, err
	} else if err := document.CheckSize(cfg.Width, cfg.Height); err != nil {
		return scan.Page{}, fmt.Errorf("drawn: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return scan.Page{}, err
	}
	img, _, err := image.Decode(f)
	if err != nil {
		return scan.Page{}, err
	}
	return scan.WritePage(dir, index, img, scan.Gray, 300)
}
