// Package textfold takes the accents off text for matching ("Petición"
// and "peticion" match). A transform chain keeps state while it runs, so
// one shared by goroutines would mix their texts: each call takes a chain
// of its own from a pool.
package textfold

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

var chains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
}}

// StripMarks gives s without its combining marks (accents, tildes,
// diaereses), in NFC.
func StripMarks(s string) string {
	t := chains.Get().(transform.Transformer)
	out, _, _ := transform.String(t, s)
	chains.Put(t)
	return out
}

// Lower gives s in lower case without accents.
func Lower(s string) string { return StripMarks(strings.ToLower(s)) }
