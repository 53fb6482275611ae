package eval

import (
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize prepares a text for comparison: NFC, and every run of white
// space (line breaks included) as one space. Layout is not what OCR is
// scored on.
func Normalize(s string) string {
	return strings.Join(strings.Fields(norm.NFC.String(s)), " ")
}

// Distance is the Levenshtein distance between a and b, in characters.
func Distance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// CER gives the character errors of got against want (both normalized)
// and the length of want, so that a corpus sums errors over characters.
func CER(got, want string) (errors, chars int) {
	g, w := Normalize(got), Normalize(want)
	return Distance(g, w), utf8.RuneCountInString(w)
}
