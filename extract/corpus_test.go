package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestCorpusTruth runs the extraction on the true text of the shared corpus,
// when present: what it misses there is the rules' fault, not OCR's.
func TestCorpusTruth(t *testing.T) {
	files, _ := filepath.Glob("../../shared/corpus/letters/*.json")
	if len(files) == 0 {
		t.Skip("no corpus at ../../shared/corpus/letters")
	}
	misses := map[string]int{}
	for _, f := range files {
		b, _ := os.ReadFile(f)
		var gt map[string]any
		json.Unmarshal(b, &gt)
		got := Extract(gt["text"].(string), Options{DocType: gt["doc_type"].(string), OwnNITs: nil})
		for name, v := range map[string]Field{"sender_name": got.SenderName, "sender_id_type": got.SenderIDType, "sender_id": got.SenderID,
			"date": got.Date, "subject": got.Subject, "email": got.Email, "phone": got.Phone, "reference": got.Reference, "amount": got.Amount} {
			want, _ := gt[name].(string)
			if v.Value != want {
				misses[name]++
				t.Logf("%s %s: got %q, want %q", filepath.Base(f), name, v.Value, want)
			}
		}
	}
	t.Logf("misses: %v of %d letters", misses, len(files))
}
