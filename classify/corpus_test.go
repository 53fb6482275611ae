package classify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestCorpusRules(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/letters/*.json")
	if len(files) == 0 {
		t.Skip("no corpus at ../../shared/corpus/letters")
	}
	c := New([]string{"peticion", "queja_reclamo", "factura", "cuenta_cobro", "tutela", "oficio", "informacion", "consulta"}, nil)
	right := 0
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var gt struct {
			Text    string `json:"text"`
			Type    string `json:"doc_type"`
			Subject string `json:"subject"`
		}
		json.Unmarshal(b, &gt)
		r := c.Classify(gt.Text, gt.Subject)
		if r.Type == gt.Type {
			right++
		} else {
			t.Logf("%s: %s (%.2f), want %s", filepath.Base(f), r.Type, r.Confidence, gt.Type)
		}
	}
	t.Logf("%d of %d", right, len(files))
}
