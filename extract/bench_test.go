package extract

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/radicador/radicador/internal/corpus"
)

// BenchmarkExtract reads the fields of each letter of the shared corpus
// from its text, with a pattern of our own numbers to tell.
//
//	go test -run '^$' -bench Extract ./extract/
func BenchmarkExtract(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join(corpus.Dir(b), "*.json"))
	var texts []string
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			b.Fatal(err)
		}
		var gt struct{ Text string }
		json.Unmarshal(raw, &gt)
		texts = append(texts, gt.Text)
	}
	b.ResetTimer()
	for i := range b.N {
		Extract(texts[i%len(texts)], Options{Own: ours, OwnWidths: []int{4, 3, 2, 6, 1}, InvoicePrefixes: []string{"FV", "FE"}})
	}
}
