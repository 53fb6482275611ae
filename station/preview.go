package station

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/file"
)

// Preview is the first pages of a radicado's document as image files, for
// a screen: scanned pages as they are kept, PDF and TIFF pages drawn in a
// folder of tmp/ that Close removes.
type Preview struct {
	Paths []string // the first pages' images, in order
	Total int      // the document's pages
	dir   string
}

// Close removes the pages drawn for the preview.
func (p *Preview) Close() {
	if p != nil && p.dir != "" {
		os.RemoveAll(p.dir)
	}
}

// Preview gives the first max pages of a radicado's document as images.
func (s *Records) Preview(ctx context.Context, number string, max int) (*Preview, error) {
	rec, err := s.Get(ctx, number)
	if err != nil {
		return nil, err
	}
	p := &Preview{}
	for _, f := range rec.Files {
		p.Total += f.Pages
		if len(p.Paths) >= max || !isRead(f) {
			continue
		}
		path := s.store.Blobs().Path(f.SHA256)
		if f.MediaType == document.PNG || f.MediaType == document.JPEG {
			p.Paths = append(p.Paths, path)
			continue
		}
		if p.dir == "" {
			tmp := filepath.Join(s.store.Dir(), "tmp")
			if err := os.MkdirAll(tmp, 0o750); err != nil {
				return nil, err
			}
			if p.dir, err = os.MkdirTemp(tmp, previewPrefix); err != nil {
				return nil, err
			}
		}
		_, err := file.Import(ctx, path, len(p.Paths)+1, scan.Output{Dir: p.dir, Page: func(pg scan.Page) error {
			if len(p.Paths) < max {
				p.Paths = append(p.Paths, pg.Path)
			}
			return nil
		}})
		if err != nil {
			p.Close()
			return nil, err
		}
	}
	return p, nil
}

// The folders of tmp/ that work leaves while it runs: a reading's pages
// and a preview's. What a process that died left behind is removed when
// a station opens, once it is older than staleWork (another process may
// still be using a fresh one).
const (
	analysisPrefix = "analysis-"
	previewPrefix  = "preview-"
	staleWork      = time.Hour
)

// sweepTmp removes the work folders of tmp/ left behind by a process that
// died; the reception screen's pages (tmp/reception) are kept.
func sweepTmp(dir string) {
	tmp := filepath.Join(dir, "tmp")
	entries, err := os.ReadDir(tmp)
	if err != nil {
		return
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, analysisPrefix) && !strings.HasPrefix(name, previewPrefix) && !strings.HasPrefix(name, "radicador-ocr-") {
			continue
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > staleWork {
			os.RemoveAll(filepath.Join(tmp, name))
		}
	}
}
