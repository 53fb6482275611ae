package letters

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/radicador/radicador/classify"
	"github.com/radicador/radicador/eval"
	"github.com/radicador/radicador/extract"
	"github.com/radicador/radicador/radicado"
)

// ours tells the numbers of the organisation the letters are written to,
// by its pattern alone (as a station of another office would).
func ours(d string) bool {
	p := radicado.MustPattern(radicado.DefaultPattern)
	parts, err := p.Parse(d)
	return err == nil && parts.Year >= 2020 && parts.Year <= 2027
}

// TestTruthText reads each letter's own text (no OCR): what is missed here
// is the rules' fault. Each field must be right in 97% of the letters or
// better, the type too, and the numbers of ours each letter cites.
func TestTruthText(t *testing.T) {
	all, err := All()
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, ty := range radicado.DefaultTypes() {
		types = append(types, ty.Code)
	}
	cl := classify.New(types, nil)
	misses := map[string]int{}
	for _, l := range all {
		text := Plain(l.Layout)
		docType, _ := l.Truth["doc_type"].(string)
		first := extract.Extract(text, extract.Options{})
		got := cl.Classify(text, first.Subject.Value)
		if got.Type != docType {
			misses["doc_type"]++
			t.Logf("%s doc_type: got %s, want %s", l.Name, got.Type, docType)
		}
		f := extract.Extract(text, extract.Options{DocType: docType, Own: ours, OwnWidths: radicado.MustPattern(radicado.DefaultPattern).Widths(), InvoicePrefixes: []string{"FV", "FE"}})
		for name, v := range map[string]extract.Field{"sender_name": f.SenderName, "sender_id_type": f.SenderIDType, "sender_id": f.SenderID,
			"date": f.Date, "subject": f.Subject, "email": f.Email, "phone": f.Phone, "reference": f.Reference, "amount": f.Amount} {
			want, _ := l.Truth[name].(string)
			if !eval.Same(name, v.Value, want) {
				misses[name]++
				t.Logf("%s %s: got %q, want %q", l.Name, name, v.Value, want)
			}
		}
		var want []string
		for _, c := range l.Truth["cites"].([]any) {
			want = append(want, c.(string))
		}
		if !slices.Equal(f.Cites, want) {
			misses["cites"]++
			t.Logf("%s cites: got %q, want %q", l.Name, f.Cites, want)
		}
	}
	var report []string
	for name, n := range misses {
		share := 1 - float64(n)/float64(len(all))
		report = append(report, fmt.Sprintf("%s %.1f%%", name, 100*share))
		if share < 0.97 {
			t.Errorf("%s right in %.1f%% of %d letters, want 97%% or better", name, 100*share, len(all))
		}
	}
	t.Logf("misses: %s", strings.Join(report, ", "))
}
