package document

import (
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
}

// CheckPassive reads every object of the PDF at path (those packed in
// object streams too) and refuses one that carries JavaScript, embedded
// files or actions that launch or import: ErrActive, saying which.
func CheckPassive(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	conf := model.NewDefaultConfiguration()
	conf.ValidationMode = model.ValidationRelaxed
	ctx, err := api.ReadContext(f, conf)
	if err != nil {
		return fmt.Errorf("%s: %w: %v", path, ErrUnreadable, err)
	}
	for nr, e := range ctx.XRefTable.Table {
		if e == nil || e.Free || e.Object == nil {
			continue
		}
		if what := active(e.Object, 0); what != "" {
			return fmt.Errorf("%s: %w: %s (object %d)", path, ErrActive, what, nr)
		}
	}
	return nil
}

// active says what active content o holds, or "".
func active(o types.Object, depth int) string {
	if depth > 32 {
		return ""
	}
	var d types.Dict
	switch v := o.(type) {
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
