package classify

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/radicador/radicador/internal/corpus"
)

// TestCorpusRules classifies the true text of the shared corpus with the
// rules alone (no learnt model): at least 97% right, as the README says.
func TestCorpusRules(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "*.json"))
	c := New([]string{"peticion", "queja_reclamo", "factura", "cuenta_cobro", "tutela", "oficio", "informacion", "consulta"}, nil)
	right := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var gt struct {
			Text    string `json:"text"`
			Type    string `json:"doc_type"`
			Subject string `json:"subject"`
		}
		if err := json.Unmarshal(b, &gt); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		r := c.Classify(gt.Text, gt.Subject)
		if r.Type == gt.Type {
			right++
		} else {
			t.Logf("%s: %s (%.2f), want %s", filepath.Base(f), r.Type, r.Confidence, gt.Type)
		}
	}
	if share := float64(right) / float64(len(files)); share < 0.97 {
		t.Errorf("%d of %d letters classified right (%.1f%%), want 97%% or better", right, len(files), 100*share)
	}
}
