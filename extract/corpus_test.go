package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/radicador/radicador/internal/corpus"
)

// TestCorpusTruth runs the extraction on the true text of the shared
// corpus: what it misses there is the rules' fault, not OCR's. Each field
// must be right in at least 97% of the letters.
func TestCorpusTruth(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(t), "*.json"))
	misses := map[string]int{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var gt map[string]any
		if err := json.Unmarshal(b, &gt); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		text, _ := gt["text"].(string)
		docType, _ := gt["doc_type"].(string)
		got := Extract(text, Options{DocType: docType})
		for name, v := range map[string]Field{"sender_name": got.SenderName, "sender_id_type": got.SenderIDType, "sender_id": got.SenderID,
			"date": got.Date, "subject": got.Subject, "email": got.Email, "phone": got.Phone, "reference": got.Reference, "amount": got.Amount} {
			want, _ := gt[name].(string)
			if v.Value != want {
				misses[name]++
				t.Logf("%s %s: got %q, want %q", filepath.Base(f), name, v.Value, want)
			}
		}
	}
	for name, n := range misses {
		if share := 1 - float64(n)/float64(len(files)); share < 0.97 {
			t.Errorf("%s right in %.1f%% of %d letters, want 97%% or better", name, 100*share, len(files))
		}
	}
}
