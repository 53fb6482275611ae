package document

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/pdfcpu/pdfcpu/pkg/api"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/model"
	"github.com/pdfcpu/pdfcpu/pkg/pdfcpu/types"
)

// ErrActive is wrapped by the error of a PDF that carries what a document
// handed in by the public must not: script, files inside it, or actions
// that launch or fetch something.
var ErrActive = errors.New("carries active content")

// activeKeys are dictionary keys, and action types, of active content.
// (An empty name tree of scripts or files, which some writers leave in
// every document, is not; a script or a file in it is.)
var activeKeys = map[string]string{
	"JS": "JavaScript", "EF": "an embedded file", "RichMedia": "rich media", "XFA": "an XFA form",
}

var activeActions = map[string]string{
	"JavaScript": "JavaScript", "Launch": "an action that launches a program", "ImportData": "an action that imports data",
	"GoToE": "an action into an embedded file", "RichMediaExecute": "rich media",
	// (these reach other files or send the form: with a network path they
	// give away the reader's credentials)
	"GoToR": "an action into another file", "SubmitForm": "an action that sends a form",
}

// CheckPassive reads every object of the PDF at path (those packed in
// object streams too) and refuses one that carries JavaScript, embedded
// files or actions that launch or import: ErrActive, saying which.
func CheckPassive(path string) (err error) {
	defer recoverPDF(path, &err)
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	pdfGate <- struct{}{}
	defer func() { <-pdfGate }()
	ctx, err := api.ReadContext(f, pdfConf())
	if err != nil {
		return fmt.Errorf("%s: %w: %v", path, ErrUnreadable, err)
	}
	for nr, e := range ctx.XRefTable.Table {
		if e == nil || e.Free {
			continue
		}
		if e.Object == nil {
			if nr == 0 {
				continue // the head of the free list
			}
			return fmt.Errorf("%s: %w: object %d cannot be read", path, ErrActive, nr)
		}
		if what := active(e.Object, 0); what != "" {
			return fmt.Errorf("%s: %w: %s (object %d)", path, ErrActive, what, nr)
		}
	}
	return nil
}

// recoverPDF turns a panic of the PDF library on a hostile file into the
// file's refusal.
func recoverPDF(path string, err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("%s: %w: the PDF library failed on it (%v)", path, ErrUnreadable, v)
	}
}

// pdfGate lets two PDFs be taken apart at a time: each may decode tens
// of megabytes.
var pdfGate = make(chan struct{}, 2)

// pdfConf is how PDFs are read: relaxed about form, strict about the
// resources a hostile file could claim.
func pdfConf() *model.Configuration {
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	conf.Limits.MaxStreamBytes, conf.Limits.MaxDecodeBytes = 64<<20, 64<<20
	conf.Limits.MaxObjectCount, conf.Limits.MaxObjectStreamCount, conf.Limits.MaxXRefEntries = 500_000, 100_000, 500_000
	return conf
}

// active says what active content o holds, or "".
func active(o types.Object, depth int) string {
	if depth > 64 {
		return "objects nested too deep to read" // a chain of actions may hide one at its end
	}
	var d types.Dict
	switch v := o.(type) {
	case types.LazyObjectStreamObject:
		x, err := v.DecodedObject(context.Background())
		if err != nil {
			return "an object that cannot be read"
		}
		return active(x, depth+1)
	case *types.LazyObjectStreamObject:
		x, err := v.DecodedObject(context.Background())
		if err != nil {
			return "an object that cannot be read"
		}
		return active(x, depth+1)
	case types.Dict:
		d = v
	case types.StreamDict:
		d = v.Dict
	case types.Array:
		for _, x := range v {
			if what := active(x, depth+1); what != "" {
				return what
			}
		}
		return ""
	default:
		return ""
	}
	for k, v := range d {
		if what, ok := activeKeys[k]; ok {
			return what
		}
		if n, ok := v.(types.Name); ok {
			if what, ok := activeActions[string(n)]; ok && k == "S" {
				return what
			}
			if k == "Type" && n == "EmbeddedFile" {
				return "an embedded file"
			}
		}
		if what := active(v, depth+1); what != "" {
			return what
		}
	}
	return ""
}
