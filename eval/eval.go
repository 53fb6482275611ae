// Package eval scores what the station reads against letters whose truth
// is known: the character error rate of OCR, the accuracy of each field and
// of the document type, over a folder of images with a JSON file of ground
// truth beside each (doc_type, sender_name, sender_id_type, sender_id, date,
// subject, email, phone, reference, amount, cites, text, image; cites is
// the list of the organisation's own numbers the letter cites).
package eval

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// Truth is one letter's ground truth.
type Truth struct {
	File   string            `json:"-"`
	Image  string            `json:"image"`
	Text   string            `json:"text"`
	Type   string            `json:"doc_type"`
	Fields map[string]string `json:"-"`
}

// FieldNames are the fields scored, in the order reports list them.
var FieldNames = []string{"sender_name", "sender_id_type", "sender_id", "date", "subject", "email", "phone", "reference", "amount", "cites"}

// Load reads every *.json of dir that names an image beside it.
func Load(dir string) ([]Truth, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []Truth
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var t Truth
		var raw map[string]any
		if err := json.Unmarshal(b, &t); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		json.Unmarshal(b, &raw)
		if t.Image == "" {
			continue
		}
		t.File, t.Image = f, filepath.Join(dir, t.Image)
		t.Fields = map[string]string{}
		for _, n := range FieldNames {
			switch v := raw[n].(type) {
			case string:
				t.Fields[n] = v
			case []any: // cites: our numbers, in the order the letter gives them
				var list []string
				for _, x := range v {
					if s, ok := x.(string); ok {
						list = append(list, s)
					}
				}
				t.Fields[n] = strings.Join(list, ",")
			}
		}
		out = append(out, t)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%s holds no letters with ground truth (NNN.json naming an image)", dir)
	}
	return out, nil
}

// Reading is what the station read on one letter.
type Reading struct {
	Text   string
	Type   string
	Fields map[string]string
}

// Score is the outcome over a corpus.
type Score struct {
	Letters   int                `json:"letters"`
	CER       float64            `json:"cer"` // character errors / characters, over all letters
	Fields    map[string]float64 `json:"fields"`
	Type      float64            `json:"doc_type"`
	Misses    []string           `json:"misses,omitempty"`
	errs      int
	chars     int
	fieldHits map[string]int
	typeHits  int
}

// Add scores one letter.
func (s *Score) Add(t Truth, r Reading) {
	if s.fieldHits == nil {
		s.fieldHits = map[string]int{}
	}
	s.Letters++
	e, c := CER(r.Text, t.Text)
	s.errs += e
	s.chars += c
	name := strings.TrimSuffix(filepath.Base(t.File), ".json")
	for _, f := range FieldNames {
		if Same(f, r.Fields[f], t.Fields[f]) {
			s.fieldHits[f]++
		} else {
			s.Misses = append(s.Misses, fmt.Sprintf("%s %s: read %q, truth %q", name, f, r.Fields[f], t.Fields[f]))
		}
	}
	if r.Type == t.Type {
		s.typeHits++
	} else {
		s.Misses = append(s.Misses, fmt.Sprintf("%s doc_type: %s, truth %s", name, r.Type, t.Type))
	}
	s.CER = float64(s.errs) / float64(max(1, s.chars))
	s.Fields = map[string]float64{}
	for _, f := range FieldNames {
		s.Fields[f] = float64(s.fieldHits[f]) / float64(s.Letters)
	}
	s.Type = float64(s.typeHits) / float64(s.Letters)
}

// dashes are the dashes print sets apart and OCR reads alike.
var dashes = strings.NewReplacer("–", "-", "—", "-", "‐", "-", "‑", "-")

// Same compares a field read with its truth: white space folded, dashes
// as one (an en dash and a hyphen are the same to whoever types or
// searches a subject), and mail addresses without case.
func Same(field, got, want string) bool {
	g, w := dashes.Replace(Normalize(got)), dashes.Replace(Normalize(want))
	if field == "email" {
		g, w = strings.ToLower(g), strings.ToLower(w)
	}
	return g == w
}
