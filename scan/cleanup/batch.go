package cleanup

import (
	"fmt"
	"image"
	_ "image/jpeg" // page decoders
	_ "image/png"
	"os"
	"path/filepath"
	"strings"

	"github.com/radicador/radicador/scan"
)

// Options say what to do with the pages of a batch.
type Options struct {
	// DropBlank removes pages with less ink than BlankThreshold (0: the
	// default threshold).
	DropBlank      bool
	BlankThreshold float64
	// Deskew straightens pages skewed by more than MinSkew degrees (0:
	// 0.3°).
	Deskew  bool
	MinSkew float64
	// Separator is the barcode text of separator sheets ("" for none): such
	// a sheet ends a document and is dropped.
	Separator string
	// IsRadicado tells a radicado number among barcode texts.
	IsRadicado func(string) bool
}

// Report says what was found on one page.
type Report struct {
	Page      scan.Page `json:"page"`
	Blank     bool      `json:"blank"`
	Skew      float64   `json:"skew"`      // degrees corrected (0 when not deskewed)
	Codes     []Code    `json:"codes"`     // barcodes read
	Separator bool      `json:"separator"` // a separator sheet
	Radicado  string    `json:"radicado"`  // a radicado number read from a sticker
}

// Dropped reports whether the page leaves the batch.
func (r Report) Dropped(opt Options) bool { return r.Separator || (r.Blank && opt.DropBlank) }

// Page looks at one scanned page and, when asked, straightens its file in
// place.
func Page(p scan.Page, opt Options) (Report, error) {
	r := Report{Page: p, Codes: []Code{}}
	f, err := os.Open(p.Path)
	if err != nil {
		return r, err
	}
	img, _, err := image.Decode(f)
	f.Close()
	if err != nil {
		return r, fmt.Errorf("page %d: %w", p.Index, err)
	}
	r.Blank = Blank(img, opt.BlankThreshold)
	if r.Blank {
		return r, nil
	}
	if opt.Deskew {
		min := opt.MinSkew
		if min == 0 {
			min = 0.3
		}
		straight, a := Deskew(img, min)
		if a != 0 {
			np, err := rewrite(p, straight)
			if err != nil {
				return r, err
			}
			r.Page, r.Skew, img = np, a, straight
		}
	}
	codes, err := Barcodes(img)
	if err != nil {
		return r, fmt.Errorf("page %d: reading barcodes: %w", p.Index, err)
	}
	r.Codes = append(r.Codes, codes...)
	for _, c := range r.Codes {
		t := strings.TrimSpace(c.Text)
		if opt.Separator != "" && strings.EqualFold(t, opt.Separator) {
			r.Separator = true
		}
		if opt.IsRadicado != nil && opt.IsRadicado(t) {
			r.Radicado = t
		}
	}
	return r, nil
}

// rewrite replaces a page's file with img, in the page's own format.
func rewrite(p scan.Page, img image.Image) (scan.Page, error) {
	dir := filepath.Dir(p.Path)
	tmp, err := os.MkdirTemp(dir, ".deskew-")
	if err != nil {
		return p, err
	}
	defer os.RemoveAll(tmp)
	np, err := scan.WritePage(tmp, p.Index, img, p.Mode, p.DPI)
	if err != nil {
		return p, err
	}
	final := strings.TrimSuffix(p.Path, filepath.Ext(p.Path)) + filepath.Ext(np.Path)
	if err := os.Rename(np.Path, final); err != nil {
		return p, err
	}
	if final != p.Path {
		os.Remove(p.Path)
	}
	np.Path = final
	return np, nil
}

// Document is a run of pages between separator sheets.
type Document struct {
	Pages    []scan.Page `json:"pages"`
	Radicado string      `json:"radicado,omitempty"` // from a sticker on one of its pages
}

// Split groups a batch's pages into documents at separator sheets, leaving
// out the separators and, when asked, blank pages. A document that would be
// empty is not given.
func Split(reports []Report, opt Options) []Document {
	var docs []Document
	var cur Document
	flush := func() {
		if len(cur.Pages) > 0 {
			docs = append(docs, cur)
		}
		cur = Document{}
	}
	for _, r := range reports {
		if r.Separator {
			flush()
			continue
		}
		if r.Dropped(opt) {
			continue
		}
		cur.Pages = append(cur.Pages, r.Page)
		if cur.Radicado == "" {
			cur.Radicado = r.Radicado
		}
	}
	flush()
	return docs
}
