// Package ocr reads scanned pages on the station with Tesseract, through
// gosseract: a pool of single-threaded engines, one per core, each created
// once and reused, that turns pages fed sideways or upside down (Tesseract's
// orientation detection) and gives the text with each word's box and
// confidence.
package ocr

import (
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // page decoders
	"image/png"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"github.com/disintegration/imaging"
	"github.com/otiai10/gosseract/v2"
	"golang.org/x/image/tiff"

	"github.com/radicador/radicador/document"
)

// Word is one recognised word.
type Word struct {
	Text       string          `json:"text"`
	Box        image.Rectangle `json:"box"` // in pixels of the page as read (after turning)
	Confidence float64         `json:"confidence"`
	Line       int             `json:"line"` // index of its line on the page
	Para       int             `json:"para"` // index of its paragraph
}

// Page is what OCR read on one page.
type Page struct {
	Path        string  `json:"path"`
	Image       string  `json:"image"` // the image read: Path, or an upright copy of it
	Text        string  `json:"text"`
	Words       []Word  `json:"-"`
	Orientation int     `json:"orientation"` // degrees the page was turned to read it
	Confidence  float64 `json:"confidence"`  // mean word confidence, 0 to 100
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	DPI         int     `json:"dpi"`
	Err         error   `json:"-"`
}

// Options shape an engine.
type Options struct {
	// Workers is the number of engines (0: one per core).
	Workers int
	// Languages are Tesseract's language codes (default spa and eng).
	Languages []string
	// NoOrientation skips orientation detection (pages are upright).
	NoOrientation bool
}

// Engine is a pool of Tesseract engines. It is safe for concurrent use.
type Engine struct {
	opt     Options
	lexicon *Lexicon
	jobs    chan job
	quit    chan struct{}
	wg      sync.WaitGroup
	once    sync.Once
}

type job struct {
	ctx  context.Context
	dir  string // where an upright copy goes
	path string
	done chan Page
}

// New starts the engines. It fails when Tesseract or its language data is
// missing.
func New(opt Options) (*Engine, error) {
	if opt.Workers <= 0 {
		opt.Workers = runtime.NumCPU()
	}
	if len(opt.Languages) == 0 {
		opt.Languages = []string{"spa", "eng"}
	}
	have, err := gosseract.GetAvailableLanguages()
	if err != nil {
		return nil, fmt.Errorf("Tesseract language data: %w", err)
	}
	for _, l := range opt.Languages {
		if !contains(have, l) {
			return nil, fmt.Errorf("Tesseract has no %q language data (install tesseract-ocr-%s)", l, l)
		}
	}
	e := &Engine{opt: opt, lexicon: DefaultLexicon(), jobs: make(chan job), quit: make(chan struct{})}
	ready := make(chan error, opt.Workers)
	for range opt.Workers {
		e.wg.Add(1)
		go e.worker(ready)
	}
	for range opt.Workers {
		if err := <-ready; err != nil {
			e.Close()
			return nil, err
		}
	}
	return e, nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Workers gives the number of engines.
func (e *Engine) Workers() int { return e.opt.Workers }

// Close stops the engines once the pages under way are read.
func (e *Engine) Close() {
	e.once.Do(func() { close(e.quit) })
	e.wg.Wait()
}

// worker owns one Tesseract engine (and one orientation detector) for its
// whole life: loading the language models takes longer than reading a page.
func (e *Engine) worker(ready chan<- error) {
	defer e.wg.Done()
	client := gosseract.NewClient()
	defer client.Close()
	err := client.SetLanguage(e.opt.Languages...)
	var osd *orienter
	if err == nil && !e.opt.NoOrientation {
		osd, err = newOrienter()
	}
	if osd != nil {
		defer osd.close()
	}
	ready <- err
	if err != nil {
		return
	}
	for {
		select {
		case j := <-e.jobs:
			j.done <- e.read(j.ctx, client, osd, j.dir, j.path)
		case <-e.quit:
			return
		}
	}
}

// Read reads one page image (JPEG, PNG or TIFF). A page found sideways or
// upside down is read again from an upright copy written in dir (the
// page's own folder when dir is empty), which the caller removes with the
// folder: Page.Image names it.
func (e *Engine) Read(ctx context.Context, dir, path string) Page {
	done := make(chan Page, 1)
	select {
	case e.jobs <- job{ctx, dir, path, done}:
	case <-ctx.Done():
		return Page{Path: path, Err: ctx.Err()}
	case <-e.quit:
		return Page{Path: path, Err: ErrClosed}
	}
	return <-done
}

// ReadAll reads pages concurrently, one per engine, and gives them in
// order. A page that cannot be read carries its error; the others are read
// all the same.
// Upright copies go in dir, as for Read.
func (e *Engine) ReadAll(ctx context.Context, dir string, paths []string) []Page {
	out := make([]Page, len(paths))
	var wg sync.WaitGroup
	for i, p := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out[i] = e.Read(ctx, dir, p)
		}()
	}
	wg.Wait()
	return out
}

// MinOrientationConfidence is the OSD confidence below which a page is
// left as it is.
const MinOrientationConfidence = 2.0

// UprightConfidence is the reading confidence above which a page is taken
// to be upright: sideways and upside-down pages read well below it.
const UprightConfidence = 75.0

// recognize reads the words of one image, in a single recognition pass.
func recognize(client *gosseract.Client, path string) ([]Word, error) {
	if err := client.SetImage(path); err != nil {
		return nil, err
	}
	boxes, err := client.GetBoundingBoxesVerbose()
	if err != nil {
		return nil, err
	}
	return words(boxes), nil
}

func (e *Engine) read(ctx context.Context, client *gosseract.Client, osd *orienter, dir, path string) Page {
	p := Page{Path: path, Image: path}
	if err := ctx.Err(); err != nil {
		p.Err = err
		return p
	}
	info, err := document.Inspect(path)
	if err != nil {
		p.Err = err
		return p
	}
	if info.MediaType == document.PDF {
		p.Err = fmt.Errorf("%s: OCR reads page images; import the PDF's pages first", path)
		return p
	}
	cfg, err := imageConfig(path, info.MediaType)
	if err != nil {
		p.Err = fmt.Errorf("%s: %w", path, err)
		return p
	}
	p.Width, p.Height = cfg.Width, cfg.Height
	p.DPI = document.Resolution(path)
	words, err := recognize(client, path)
	if err != nil {
		p.Err = fmt.Errorf("%s: %w", path, err)
		return p
	}
	p.Words = e.lexicon.correct(words)
	p.Text, p.Confidence = layout(p.Words)
	// Orientation is looked at only when the page reads badly: an upright
	// page, the usual case, costs no detection.
	if osd != nil && p.Confidence < UprightConfidence {
		if deg, conf, ok := osd.orientation(path); ok && deg != 0 && conf >= MinOrientationConfidence {
			upright, err := turn(dir, path, deg)
			if err != nil {
				p.Err = err
				return p
			}
			words, err := recognize(client, upright)
			if err != nil {
				p.Err = fmt.Errorf("%s: %w", path, err)
				return p
			}
			turned := e.lexicon.correct(words)
			text, conf := layout(turned)
			if conf > p.Confidence {
				p.Image, p.Orientation, p.Words, p.Text, p.Confidence = upright, deg, turned, text, conf
				if deg == 90 || deg == 270 {
					p.Width, p.Height = p.Height, p.Width
				}
			}
		}
	}
	p.Text = fixMail(p.Text)
	return p
}

func imageConfig(path, media string) (image.Config, error) {
	f, err := os.Open(path)
	if err != nil {
		return image.Config{}, err
	}
	defer f.Close()
	if media == document.TIFF {
		return tiff.DecodeConfig(f)
	}
	cfg, _, err := image.DecodeConfig(f)
	return cfg, err
}

// turn writes in dir (the page's folder when empty) an upright copy of a
// page whose text OSD found turned by deg degrees clockwise.
func turn(dir, path string, deg int) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	// Tesseract gives the clockwise turn of the text; turning the page as
	// many degrees counter-clockwise sets it upright.
	switch deg {
	case 90:
		img = imaging.Rotate90(img)
	case 180:
		img = imaging.Rotate180(img)
	case 270:
		img = imaging.Rotate270(img)
	default:
		return path, nil
	}
	if dir == "" {
		dir = filepath.Dir(path)
	}
	out, err := os.CreateTemp(dir, "upright-*.png")
	if err != nil {
		return "", err
	}
	err = (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(out, toGray(img))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(out.Name())
		return "", fmt.Errorf("%s: the upright copy: %w", path, err)
	}
	return out.Name(), nil
}

func toGray(img image.Image) *image.Gray {
	if g, ok := img.(*image.Gray); ok {
		return g
	}
	b := img.Bounds()
	g := image.NewGray(image.Rect(0, 0, b.Dx(), b.Dy()))
	for y := 0; y < b.Dy(); y++ {
		for x := 0; x < b.Dx(); x++ {
			g.Set(x, y, img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
	return g
}

// words turns Tesseract's boxes, in reading order, into words that know
// their line and paragraph.
func words(boxes []gosseract.BoundingBox) []Word {
	var out []Word
	type key struct{ block, par, line int }
	var last key
	line, para := -1, -1
	for _, w := range boxes {
		t := strings.TrimSpace(w.Word)
		if t == "" {
			continue
		}
		k := key{w.BlockNum, w.ParNum, w.LineNum}
		switch {
		case line < 0:
			line, para = 0, 0
		case k.block != last.block || k.par != last.par:
			line++
			para++
		case k.line != last.line:
			line++
		}
		last = k
		out = append(out, Word{Text: t, Box: w.Box, Confidence: w.Confidence, Line: line, Para: para})
	}
	return out
}

// layout gives the text of words, a line per line and a blank line between
// paragraphs, and their mean confidence weighted by length.
func layout(ws []Word) (string, float64) {
	var b strings.Builder
	var confSum, confWeight float64
	for i, w := range ws {
		if i > 0 {
			switch {
			case w.Para != ws[i-1].Para:
				b.WriteString("\n\n")
			case w.Line != ws[i-1].Line:
				b.WriteString("\n")
			default:
				b.WriteString(" ")
			}
		}
		b.WriteString(w.Text)
		n := float64(len([]rune(w.Text)))
		confSum += w.Confidence * n
		confWeight += n
	}
	if confWeight == 0 {
		return b.String(), 0
	}
	return b.String(), confSum / confWeight
}

// ErrClosed is returned by an engine that was closed.
var ErrClosed = errors.New("OCR engine closed")
