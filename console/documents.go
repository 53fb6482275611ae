package console

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	_ "image/gif" // decoders of the page images
	_ "image/png"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	_ "golang.org/x/image/bmp"
	"golang.org/x/image/draw"
	_ "golang.org/x/image/tiff"
	"golang.org/x/sync/singleflight"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/sync/wire"
)

// A radicado's documents in the browser: each as it was received (a PDF
// opens in the browser's own viewer), and each scanned page as a JPEG of
// screen width, made once and kept beside the file store, so that a branch
// on a slow link sees a letter's page in tens of kilobytes instead of a
// scan of megabytes.

// fileOf gives a document of a radicado that u sees; ErrNotFound else.
func (c *Console) fileOf(r *http.Request) (wire.File, error) {
	number, sum := r.PathValue("number"), r.PathValue("sha256")
	if _, err := c.db.Work(r.Context(), whoOf(r).user, number); err != nil {
		return wire.File{}, err
	}
	held, err := c.db.Get(r.Context(), number)
	if err != nil {
		return wire.File{}, err
	}
	for _, f := range held.Files {
		if f.SHA256 == sum {
			return f, nil
		}
	}
	return wire.File{}, central.ErrNotFound
}

// reader is how the console reads the file store: as the server itself.
var reader = central.Principal{Office: "console", Station: "console", Admin: true}

func (c *Console) document(w http.ResponseWriter, r *http.Request) {
	f, err := c.fileOf(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	file, err := c.db.OpenFile(r.Context(), reader, f.SHA256)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	defer file.Close()
	// Only the pages of documents (PDFs and pictures the station read) are
	// shown; the rest (an e-mail's original, a spreadsheet, an HTML annex,
	// a PDF kept unread for carrying scripts) is downloaded as bytes,
	// whatever type the station said it has.
	disposition, mediaType := "attachment", "application/octet-stream"
	if f.Pages > 0 && (f.MediaType == "application/pdf" || previewable(f.MediaType)) { // an annex has no pages: never shown
		disposition, mediaType = "inline", f.MediaType
	}
	w.Header().Set("Content-Type", mediaType)
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disposition, map[string]string{"filename": f.Name}))
	// Not kept by the browser, as no page of the console is: after
	// log-out on a shared computer its history does not show the letter.
	w.Header().Set("Cache-Control", "no-store")
	// Shown as it is: a PDF in the browser's own viewer, an image; any
	// other kind only downloaded, never rendered as a page of this site.
	w.Header().Set("Content-Security-Policy", "default-src 'none'; object-src 'self'; img-src 'self'")
	http.ServeContent(w, r, "", time.Time{}, file)
}

// previewWidth is the width of a page's preview, in pixels.
const previewWidth = 900

// maxPixels bounds the scans decoded for a preview (a 600 dpi A4 page, at
// four bytes a pixel: 140 MB).
const maxPixels = 35_000_000

// maxPreviewPages bounds the pages of a PDF shown on a radicado's page.
const maxPreviewPages = 30

// previews makes pages into images a few at a time, once for all the
// requests of the same page, and remembers the pages that cannot be (a
// marker beside where the image would go): a document made to exhaust the
// server costs it once, within bounds.
type previews struct {
	once singleflight.Group
	busy chan struct{}
	init sync.Once
}

// previewsAtOnce is how many pages are made into images at once.
const previewsAtOnce = 2

func (p *previews) make(ctx context.Context, path string, build func() ([]byte, error)) ([]byte, error) {
	p.init.Do(func() { p.busy = make(chan struct{}, previewsAtOnce) })
	if _, err := os.Stat(path + ".none"); err == nil {
		return nil, errNoImage
	}
	v, err, _ := p.once.Do(path, func() (any, error) {
		select {
		case p.busy <- struct{}{}:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		defer func() { <-p.busy }()
		if data, err := os.ReadFile(path); err == nil {
			return data, nil // made while this one waited
		}
		data, err := build()
		if errors.Is(err, errNoImage) {
			if os.MkdirAll(filepath.Dir(path), 0o750) == nil {
				os.WriteFile(path+".none", nil, 0o640)
			}
		}
		return data, err
	})
	if err != nil {
		return nil, err
	}
	return v.([]byte), nil
}

func (c *Console) preview(w http.ResponseWriter, r *http.Request) {
	f, err := c.fileOf(r)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	page, err := strconv.Atoi(r.PathValue("page"))
	switch {
	case err != nil || page < 1:
		c.fail(w, r, central.ErrNotFound)
		return
	case f.MediaType == "application/pdf" && page <= min(f.Pages, maxPreviewPages):
	case previewable(f.MediaType) && page == 1 && f.Pages > 0:
	default:
		c.fail(w, r, central.ErrNotFound)
		return
	}
	path := filepath.Join(c.db.Dir(), "previews", f.SHA256[:2], fmt.Sprintf("%s-%d-%d.jpg", f.SHA256, page, previewWidth))
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		data, err = c.previews.make(r.Context(), path, func() ([]byte, error) { return c.makePreview(r, f, page, path) })
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/jpeg")
	w.Header().Set("Cache-Control", "no-store") // as the document's
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(data))
}

// errNoImage is a page that cannot be shown as an image.
var errNoImage = fmt.Errorf("%w: the page cannot be shown as an image", central.ErrNotFound)

// makePreview scales a page to the preview's width and keeps it: a scanned
// image as it is, a PDF's page by the scan it holds (a PDF made by a
// program, with no image, has no preview: it opens in the browser).
func (c *Console) makePreview(r *http.Request, f wire.File, page int, path string) ([]byte, error) {
	file, err := c.db.OpenFile(r.Context(), reader, f.SHA256)
	if err != nil {
		return nil, err
	}
	defer file.Close()
	var src image.Image
	if f.MediaType == "application/pdf" {
		src, err = pdfPageImage(file, page)
	} else {
		src, err = decodeBounded(file)
	}
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	width := min(previewWidth, b.Dx())
	height := max(1, b.Dy()*width/b.Dx())
	dst := image.NewRGBA(image.Rect(0, 0, width, height))
	draw.CatmullRom.Scale(dst, dst.Bounds(), src, b, draw.Src, nil)
	var out bytes.Buffer
	if err := jpeg.Encode(&out, dst, &jpeg.Options{Quality: 70}); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o750); err != nil {
		return nil, err
	}
	if err := atomicfile.Write(path, out.Bytes(), 0o640); err != nil {
		c.log.Warn("keeping a preview", "error", err.Error()) // shown all the same; made again next time
	}
	return out.Bytes(), nil
}

// decodeBounded decodes an image of at most maxPixels.
func decodeBounded(r io.ReadSeeker) (image.Image, error) {
	cfg, _, err := image.DecodeConfig(r)
	if err != nil || cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width*cfg.Height > maxPixels {
		return nil, errNoImage
	}
	if _, err := r.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err := image.Decode(r)
	if err != nil {
		return nil, errNoImage
	}
	return img, nil
}

// pdfPageImage gives the largest image of a PDF's page: its scan.
func pdfPageImage(r io.ReadSeeker, page int) (image.Image, error) {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	// Bounds on what a PDF's page may make the library decode.
	conf.Limits.MaxStreamBytes, conf.Limits.MaxDecodeBytes = 64<<20, 128<<20
	conf.Limits.MaxImagePixels, conf.Limits.MaxImageBytes = maxPixels, 128<<20
	var best []byte
	err := api.ExtractImages(r, []string{strconv.Itoa(page)}, func(img model.Image, _ bool, _ int) error {
		if img.Thumb || img.IsImgMask || img.PageNr != page {
			return nil
		}
		raw, err := io.ReadAll(io.LimitReader(img.Reader, 256<<20))
		if err != nil {
			return err
		}
		if len(raw) > len(best) {
			best = raw
		}
		return nil
	}, conf)
	if err != nil || best == nil {
		return nil, errNoImage
	}
	return decodeBounded(bytes.NewReader(best))
}
