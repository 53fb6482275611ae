package station

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/radicador/radicador/classify"
	"github.com/radicador/radicador/extract"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/file"
	"github.com/radicador/radicador/searchpdf"
	"github.com/radicador/radicador/store"
)

// reader holds the OCR engines (slow to start, so started once, when first
// needed), what they read recently, and the classifier.
type reader struct {
	once   sync.Once
	engine *ocr.Engine
	err    error

	mu    sync.Mutex
	cache map[string]ocr.Page // by the SHA-256 of a page image
	order []string

	classMu  sync.Mutex
	examples int
	model    *classify.Model
}

// cacheSize is how many pages' readings are kept: enough for the letter on
// the form to be read once, before and after radicación.
const cacheSize = 64

// Engine gives the OCR engines, starting them the first time.
func (s *Station) Engine() (*ocr.Engine, error) {
	s.read.once.Do(func() {
		s.read.engine, s.read.err = ocr.New(ocr.Options{TempDir: filepath.Join(s.store.Dir(), "tmp")})
	})
	return s.read.engine, s.read.err
}

// Analysis is what the station reads in a document: its pages, the fields
// of the letter, its type and where it goes.
type Analysis struct {
	Pages      []ocr.Page      `json:"pages"`
	Text       string          `json:"text"`
	Fields     extract.Fields  `json:"fields"`
	Type       classify.Result `json:"type"`
	Dept       string          `json:"dept"`
	DeptScore  float64         `json:"dept_confidence"`
	Confidence float64         `json:"confidence"` // of the reading, 0 to 100
	work       string
}

// Close removes the page files made for the analysis.
func (a *Analysis) Close() {
	if a.work != "" {
		os.RemoveAll(a.work)
	}
}

// Analyze reads a document made of files (images, TIFFs, PDFs): every page
// is read, one per engine at a time; a page that cannot be read is listed
// with its error and does not stop the others.
func (s *Station) Analyze(ctx context.Context, files []string) (*Analysis, error) {
	eng, err := s.Engine()
	if err != nil {
		return nil, err
	}
	tmp := filepath.Join(s.store.Dir(), "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(tmp, "analysis-")
	if err != nil {
		return nil, err
	}
	a := &Analysis{work: work}
	var paths []string
	for _, f := range files {
		n := len(paths) + 1
		_, err := file.Import(ctx, f, n, scan.Output{Dir: work, Page: func(p scan.Page) error {
			paths = append(paths, p.Path)
			return nil
		}})
		if err != nil {
			a.Close()
			return nil, err
		}
	}
	a.Pages = s.readPages(ctx, eng, paths)
	var texts []string
	var confSum float64
	var read int
	for _, p := range a.Pages {
		if p.Err == nil {
			texts = append(texts, p.Text)
			confSum += p.Confidence
			read++
		}
	}
	if read == 0 && len(a.Pages) > 0 {
		err := a.Pages[0].Err
		a.Close()
		return nil, fmt.Errorf("no page could be read: %w", err)
	}
	if read > 0 {
		a.Confidence = confSum / float64(read)
	}
	a.Text = strings.Join(texts, "\n\n")
	if err := s.understand(ctx, a); err != nil {
		a.Close()
		return nil, err
	}
	return a, nil
}

// readPages reads pages, reusing what was read of the same image lately.
func (s *Station) readPages(ctx context.Context, eng *ocr.Engine, paths []string) []ocr.Page {
	out := make([]ocr.Page, len(paths))
	var todo []int
	sums := make([]string, len(paths))
	for i, p := range paths {
		sums[i] = fileSum(p)
		s.read.mu.Lock()
		hit, ok := s.read.cache[sums[i]]
		s.read.mu.Unlock()
		if ok && sums[i] != "" {
			if _, err := os.Stat(hit.Image); err == nil || hit.Image == hit.Path {
				hit.Path, hit.Image = p, pick(hit.Image, hit.Path, p)
				out[i] = hit
				continue
			}
		}
		todo = append(todo, i)
	}
	fresh := make([]string, len(todo))
	for j, i := range todo {
		fresh[j] = paths[i]
	}
	for j, pg := range eng.ReadAll(ctx, fresh) {
		i := todo[j]
		out[i] = pg
		if pg.Err == nil && sums[i] != "" {
			s.remember(sums[i], pg)
		}
	}
	return out
}

// pick gives the image to use for a cached reading: the upright copy when
// there was one, else the page itself.
func pick(image, oldPath, newPath string) string {
	if image == oldPath {
		return newPath
	}
	return image
}

func (s *Station) remember(sum string, p ocr.Page) {
	s.read.mu.Lock()
	defer s.read.mu.Unlock()
	if s.read.cache == nil {
		s.read.cache = map[string]ocr.Page{}
	}
	if _, ok := s.read.cache[sum]; !ok {
		s.read.order = append(s.read.order, sum)
	}
	s.read.cache[sum] = p
	for len(s.read.order) > cacheSize {
		delete(s.read.cache, s.read.order[0])
		s.read.order = s.read.order[1:]
	}
}

func fileSum(path string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

// understand fills the fields, the type and the department of an analysis.
func (s *Station) understand(ctx context.Context, a *Analysis) error {
	cfg, err := s.Config(ctx)
	if err != nil {
		return err
	}
	c, err := s.Classifier(ctx, cfg)
	if err != nil {
		return err
	}
	opt := extract.Options{OwnDomains: cfg.Domains}
	if cfg.NIT != "" {
		opt.OwnNITs = []string{cfg.NIT}
	}
	first := extract.Extract(a.Text, opt)
	a.Type = c.Classify(a.Text, first.Subject.Value)
	opt.DocType = a.Type.Type
	a.Fields = extract.Extract(a.Text, opt)
	router := classify.Router{Depts: cfg.Depts, ByType: cfg.Routes}
	a.Dept, a.DeptScore = router.Route(a.Text, a.Type.Type)
	return nil
}

// Classifier gives the classifier of the configured types, with a model
// learnt from the confirmed examples (learnt again when new ones arrive).
func (s *Station) Classifier(ctx context.Context, cfg Config) (*classify.Classifier, error) {
	ex, err := s.store.Training(ctx)
	if err != nil {
		return nil, err
	}
	s.read.classMu.Lock()
	defer s.read.classMu.Unlock()
	if s.read.model == nil || s.read.examples != len(ex) {
		examples := make([]classify.Example, len(ex))
		for i, e := range ex {
			examples[i] = classify.Example{Type: e.Type, Text: e.Text}
		}
		s.read.model, s.read.examples = classify.Train(examples), len(ex)
	}
	types := make([]string, len(cfg.Types))
	for i, t := range cfg.Types {
		types[i] = t.Code
	}
	return classify.New(types, s.read.model), nil
}

// Correct records a clerk's choice of type for a letter that was not
// radicated (a correction in the form, say): the classifier learns it.
func (s *Station) Correct(ctx context.Context, docType, text string) error {
	cfg, err := s.Config(ctx)
	if err != nil {
		return err
	}
	if _, err := radicado.FindType(cfg.Types, docType); err != nil {
		return err
	}
	return s.store.AddTraining(ctx, docType, text)
}

// pageJSON is the per-page record kept with a radicado's text.
type pageJSON struct {
	Orientation int     `json:"orientation"`
	Confidence  float64 `json:"confidence"`
	Error       string  `json:"error,omitempty"`
}

// ReadRadicado reads the pages of a radicado, keeps the text and the
// fields, makes its searchable PDF, and takes it off the queue.
func (s *Station) ReadRadicado(ctx context.Context, number string) error {
	rec, err := s.Get(ctx, number)
	if err != nil {
		return err
	}
	var files []string
	for _, f := range rec.Files {
		files = append(files, s.store.Blobs().Path(f.SHA256))
	}
	a, err := s.Analyze(ctx, files)
	if err != nil {
		s.store.FailOCR(ctx, number, err)
		return err
	}
	defer a.Close()
	pages := make([]pageJSON, len(a.Pages))
	var pdfPages []searchpdf.Page
	for i, p := range a.Pages {
		pages[i] = pageJSON{Orientation: p.Orientation, Confidence: p.Confidence}
		if p.Err != nil {
			pages[i].Error = p.Err.Error()
			continue
		}
		pdfPages = append(pdfPages, searchpdf.Page{Image: p.Image, DPI: pageDPI(p), Words: p.Words})
	}
	var renditions []store.Rendition
	if len(pdfPages) > 0 {
		stamp, err := s.stamp(ctx, rec)
		if err != nil {
			s.store.FailOCR(ctx, number, err)
			return fmt.Errorf("the stamp of %s: %w", number, err)
		}
		pdfPages[0].Stamp = stamp
		var buf bytes.Buffer
		if err := searchpdf.Write(&buf, pdfPages, searchpdf.Info{Title: rec.Number, Subject: rec.Subject, Author: rec.Sender.Name}); err != nil {
			s.store.FailOCR(ctx, number, err)
			return fmt.Errorf("searchable PDF of %s: %w", number, err)
		}
		sum, size, err := s.store.Blobs().Put(ctx, &buf)
		if err != nil {
			return err
		}
		renditions = append(renditions, store.Rendition{Kind: "searchable_pdf", SHA256: sum, Size: size})
	}
	pj, _ := json.Marshal(pages)
	fj, _ := json.Marshal(a.Fields)
	return s.store.SaveOCR(ctx, number, store.OCRRecord{Text: a.Text, Pages: string(pj), Fields: string(fj), Confidence: a.Confidence}, renditions)
}

// stamp is the sticker as it goes on the first page of the radicado's
// PDF: the same number, date and QR code, at the label's size.
func (s *Station) stamp(ctx context.Context, rec radicado.Record) (*searchpdf.Stamp, error) {
	cfg, err := s.Config(ctx)
	if err != nil {
		return nil, err
	}
	size := cfg.Printing.Size
	l, err := label.Sticker(contentOf(rec, cfg), size, 300)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := l.WritePNG(&buf); err != nil {
		return nil, err
	}
	return &searchpdf.Stamp{PNG: buf.Bytes(), W: size.W, H: size.H, Text: "Radicado " + rec.Number}, nil
}

// pageDPI gives a page's resolution from the file, or 300.
func pageDPI(p ocr.Page) int {
	if p.DPI > 0 {
		return p.DPI
	}
	if p.Width > 0 && p.Width < 1800 {
		// A letter page narrower than 1800 pixels was scanned below 300 dpi;
		// without a resolution in the file, size it as a letter page.
		return max(72, int(float64(p.Width)/8.5+0.5))
	}
	return 300
}

// ReadPending reads the radicados waiting in the queue, oldest first, and
// gives how many it read. It stops at the first error of the store; a
// radicado that cannot be read stays queued with its error.
func (s *Station) ReadPending(ctx context.Context) (int, error) {
	n := 0
	for {
		pending, err := s.store.PendingOCR(ctx, 10)
		if err != nil {
			return n, err
		}
		progressed := false
		for _, num := range pending {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			if err := s.ReadRadicado(ctx, num); err != nil {
				if errors.Is(err, context.Canceled) {
					return n, err
				}
				continue
			}
			n++
			progressed = true
		}
		if !progressed {
			return n, nil
		}
	}
}
