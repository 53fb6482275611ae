package classify

import (
	"sort"
	"strings"
)

// Router tells the department a letter goes to: the department named in
// the letter's address block, when it matches one of the organisation's
// departments, otherwise the department configured for its type.
type Router struct {
	// Depts are the organisation's departments: code → name.
	Depts map[string]string
	// ByType routes a document type to a department code.
	ByType map[string]string
}

// Route gives the department code for a letter of docType, or "".
func (r Router) Route(text, docType string) (string, float64) {
	head := Fold(text)
	if i := strings.Index(head, "asunto"); i > 0 {
		head = head[:i] // the address block comes before the subject
	}
	codes := make([]string, 0, len(r.Depts))
	for c := range r.Depts {
		codes = append(codes, c)
	}
	// Longest names first: "gestion de clientes empresariales" before
	// "gestion de clientes"; names as long, by code, so that the same
	// letter always goes to the same department.
	sort.Slice(codes, func(i, j int) bool {
		li, lj := len(r.Depts[codes[i]]), len(r.Depts[codes[j]])
		if li != lj {
			return li > lj
		}
		return codes[i] < codes[j]
	})
	for _, c := range codes {
		if name := Fold(r.Depts[c]); name != "" && strings.Contains(head, name) {
			return c, 0.9
		}
	}
	if c := r.ByType[docType]; c != "" {
		return c, 0.7
	}
	return "", 0
}
