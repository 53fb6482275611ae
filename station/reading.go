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
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/classify"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/extract"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/ocr"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/file"
	"github.com/radicador/radicador/searchpdf"
	"github.com/radicador/radicador/store"
)

// Reading is the service that reads documents: the OCR engines (slow to
// start, so started once, when first needed), what they read lately, the
// classifier that learns from confirmed letters, and the background work
// that reads each radicado after radicación (its text, fields and
// searchable PDF).
type Reading struct {
	*core

	mu     sync.Mutex // guards engine, err, closed
	engine *ocr.Engine
	err    error
	closed bool

	cacheMu sync.Mutex
	cache   map[string]ocr.Page // by the SHA-256 of a page image
	order   []string

	classMu sync.Mutex // guards model and learnt
	model   *classify.Model
	learnt  int64 // the last training example the model has

	bg background
}

func newReading(c *core) *Reading { return &Reading{core: c} }

// ErrClosed is returned by a service used after the station closed.
var ErrClosed = errors.New("the station is closed")

// cacheSize is how many pages' readings are kept: enough for the letter on
// the form to be read once, before and after radicación.
const cacheSize = 64

// engines gives the OCR engines, starting them the first time; after
// Close, ErrClosed.
func (s *Reading) engines() (*ocr.Engine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil, ErrClosed
	}
	if s.engine == nil && s.err == nil {
		s.engine, s.err = ocr.New(ocr.Options{})
	}
	return s.engine, s.err
}

// Engine gives the OCR engines, for reading pages that are not a
// radicado's (the ocr command).
func (s *Reading) Engine() (*ocr.Engine, error) { return s.engines() }

// Start reads, until Close, the radicados whose document has not been read
// yet: at once, soon after each radicación, and every few minutes for any
// that failed. Each round that read something, or failed, is told to
// report (which may be nil), from the background goroutine.
func (s *Reading) Start(ctx context.Context, report func(read int, err error)) {
	s.bg.start(ctx, func(ctx context.Context) {
		for {
			n, err := s.ReadPending(ctx)
			if ctx.Err() != nil {
				return
			}
			if report != nil && (n > 0 || err != nil) {
				report(n, err)
			}
			select {
			case <-ctx.Done():
				return
			case <-s.fresh:
			case <-time.After(5 * time.Minute):
			}
		}
	})
}

// Close stops the background reading and waits for it, then stops the OCR
// engines.
func (s *Reading) Close() {
	s.bg.stop()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.engine != nil {
		s.engine.Close()
		s.engine = nil
	}
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
func (s *Reading) Analyze(ctx context.Context, files []string) (*Analysis, error) {
	return s.analyze(ctx, "", files)
}

// analyze is Analyze with text already known (an e-mail's) read before the
// pages; with no files, nothing goes to OCR.
func (s *Reading) analyze(ctx context.Context, known string, files []string) (*Analysis, error) {
	var eng *ocr.Engine
	if len(files) > 0 {
		var err error
		if eng, err = s.engines(); err != nil {
			return nil, err
		}
	}
	tmp := filepath.Join(s.store.Dir(), "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(tmp, analysisPrefix)
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
	if len(paths) > 0 {
		a.Pages = s.readPages(ctx, eng, work, paths)
	}
	var texts []string
	if known = strings.TrimSpace(known); known != "" {
		texts = append(texts, known)
	}
	var confSum float64
	var read int
	for _, p := range a.Pages {
		if p.Err == nil {
			texts = append(texts, p.Text)
			confSum += p.Confidence
			read++
		}
	}
	if read == 0 && len(a.Pages) > 0 && known == "" {
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
func (s *Reading) readPages(ctx context.Context, eng *ocr.Engine, work string, paths []string) []ocr.Page {
	out := make([]ocr.Page, len(paths))
	var todo []int
	sums := make([]string, len(paths))
	for i, p := range paths {
		sums[i] = fileSum(p)
		s.cacheMu.Lock()
		hit, ok := s.cache[sums[i]]
		s.cacheMu.Unlock()
		if ok && sums[i] != "" {
			if hit.Image == hit.Path {
				hit.Path, hit.Image = p, p
				out[i] = hit
				continue
			}
			// The upright copy belongs to the reading that made it, whose
			// folder goes when it is done: this reading takes its own.
			if mine, err := copyInto(work, hit.Image); err == nil {
				hit.Path, hit.Image = p, mine
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
	for j, pg := range eng.ReadAll(ctx, work, fresh) {
		i := todo[j]
		out[i] = pg
		if pg.Err == nil && sums[i] != "" {
			s.remember(sums[i], pg)
		}
	}
	return out
}

// copyInto copies the file at path into the folder dir, under a name of
// its own.
func copyInto(dir, path string) (string, error) {
	src, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer src.Close()
	dst, err := os.CreateTemp(dir, "upright-*"+filepath.Ext(path))
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		os.Remove(dst.Name())
		return "", err
	}
	return dst.Name(), dst.Close()
}

func (s *Reading) remember(sum string, p ocr.Page) {
	s.cacheMu.Lock()
	defer s.cacheMu.Unlock()
	if s.cache == nil {
		s.cache = map[string]ocr.Page{}
	}
	if _, ok := s.cache[sum]; !ok {
		s.order = append(s.order, sum)
	}
	s.cache[sum] = p
	for len(s.order) > cacheSize {
		delete(s.cache, s.order[0])
		s.order = s.order[1:]
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
func (s *Reading) understand(ctx context.Context, a *Analysis) error {
	cfg, err := s.config(ctx)
	if err != nil {
		return err
	}
	opt := extract.Options{OwnDomains: cfg.Domains, InvoicePrefixes: cfg.InvoicePrefixes, OwnWidths: cfg.ParsedPattern().Widths(),
		Own: func(d string) bool {
			_, ok, err := s.ours(ctx, cfg, d)
			return err == nil && ok
		}}
	if cfg.NIT != "" {
		opt.OwnNITs = []string{cfg.NIT}
	}
	first := extract.Extract(a.Text, opt)
	if a.Type, err = s.classify(ctx, cfg, a.Text, first.Subject.Value); err != nil {
		return err
	}
	opt.DocType = a.Type.Type
	a.Fields = extract.Extract(a.Text, opt)
	for _, n := range s.citesOn(ctx, cfg, a.Pages) {
		if !slices.Contains(a.Fields.Cites, n) {
			a.Fields.Cites = append(a.Fields.Cites, n)
		}
	}
	if len(a.Fields.Cites) > radicado.MaxCites {
		a.Fields.Cites = a.Fields.Cites[:radicado.MaxCites] // what a radicado may record; the clerk sees them
	}
	router := classify.Router{Depts: cfg.Depts, ByType: cfg.Routes}
	a.Dept, a.DeptScore = router.Route(a.Text, a.Type.Type)
	return nil
}

// classify gives the type of a letter among the configured types, with the
// model learnt from the confirmed examples. The model learns the examples
// that arrived since it last looked, one by one: the cost of a reading does
// not grow with the archive.
func (s *Reading) classify(ctx context.Context, cfg Config, text, subject string) (classify.Result, error) {
	s.classMu.Lock()
	defer s.classMu.Unlock()
	if s.model == nil {
		s.model = classify.Train(nil)
	}
	for {
		fresh, err := s.store.TrainingSince(ctx, s.learnt, 500)
		if err != nil {
			return classify.Result{}, err
		}
		for _, e := range fresh {
			s.model.Add(classify.Example{Type: e.Type, Text: e.Text})
			s.learnt = e.ID
		}
		if len(fresh) < 500 {
			break
		}
	}
	types := make([]string, len(cfg.Types))
	for i, t := range cfg.Types {
		types[i] = t.Code
	}
	return classify.New(types, s.model).Classify(text, subject), nil
}

// Examples gives how many confirmed letters the classifier has learnt.
func (s *Reading) Examples() int {
	s.classMu.Lock()
	defer s.classMu.Unlock()
	if s.model == nil {
		return 0
	}
	return s.model.Examples()
}

// Correct records a clerk's choice of type for a letter that was not
// radicated (a correction in the form, say): the classifier learns it. A
// radicated letter is learnt once, when it is read after radicación.
func (s *Reading) Correct(ctx context.Context, docType, text string) error {
	cfg, err := s.config(ctx)
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

// isRead reports whether a file of a radicado is read (its text, its
// preview): a document, with its pages counted at radicación. The
// original message and the annexes are kept, never read or opened: they
// have no pages, whatever type their names give them.
func isRead(f radicado.File) bool {
	return f.Pages > 0 && document.Readable(f.MediaType)
}

// ReadRadicado reads the pages of a radicado, keeps the text and the
// fields, makes its searchable PDF, and takes it off the queue.
func (s *Reading) ReadRadicado(ctx context.Context, number string) error {
	rec, err := s.store.Get(ctx, number)
	if err != nil {
		return err
	}
	// fail records a reading that failed, unless it was only stopped.
	fail := func(err error) error {
		if ctx.Err() != nil {
			return err
		}
		if ferr := s.store.FailOCR(context.WithoutCancel(ctx), number, err); ferr != nil {
			return errors.Join(err, fmt.Errorf("recording the failure: %w", ferr))
		}
		return err
	}
	var files []string
	for _, f := range rec.Files {
		if isRead(f) {
			files = append(files, s.store.Blobs().Path(f.SHA256))
		}
	}
	a, err := s.Analyze(ctx, files)
	if err != nil {
		return fail(err)
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
		words := make([]searchpdf.Word, len(p.Words))
		for j, w := range p.Words {
			words[j] = searchpdf.Word{Text: w.Text, Box: w.Box}
		}
		pdfPages = append(pdfPages, searchpdf.Page{Image: p.Image, DPI: pageDPI(p), Words: words})
	}
	var renditions []store.Rendition
	if len(pdfPages) > 0 {
		stamp, err := s.stamp(ctx, rec)
		if err != nil {
			return fail(fmt.Errorf("the stamp of %s: %w", number, err))
		}
		pdfPages[0].Stamp = stamp
		var buf bytes.Buffer
		if err := searchpdf.Write(&buf, pdfPages, searchpdf.Info{Title: rec.Number, Subject: rec.Subject, Author: rec.Sender.Name}); err != nil {
			return fail(fmt.Errorf("searchable PDF of %s: %w", number, err))
		}
		sum, size, err := s.store.Blobs().Put(ctx, &buf)
		if err != nil {
			return fail(fmt.Errorf("keeping the searchable PDF of %s: %w", number, err))
		}
		renditions = append(renditions, store.Rendition{Kind: "searchable_pdf", SHA256: sum, Size: size})
	}
	pj, _ := json.Marshal(pages)
	fj, _ := json.Marshal(a.Fields)
	return s.store.SaveOCR(ctx, number, store.OCRRecord{Text: a.Text, Pages: string(pj), Fields: string(fj), Confidence: a.Confidence}, renditions)
}

// stamp is the sticker as it goes on the first page of the radicado's
// PDF: the same number, date and QR code, at the label's size.
func (s *Reading) stamp(ctx context.Context, rec radicado.Record) (*searchpdf.Stamp, error) {
	cfg, err := s.config(ctx)
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
func (s *Reading) ReadPending(ctx context.Context) (int, error) {
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
