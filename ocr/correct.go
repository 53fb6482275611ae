package ocr

import (
	"bufio"
	"bytes"
	_ "embed"
	"os"
	"regexp"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/radicador/radicador/internal/textfold"
)

// Tesseract reads Spanish well but drops accents where its English model
// wins (GESTION, Bogota), reads "@" as "Q" or "(O", and "l" as "|" next to
// digits. These corrections repair what Spanish spelling and the shape of
// an e-mail address make certain, and nothing else.

//go:embed lexicon/colombia.txt
var colombiaWords []byte

// SystemWordList is where Debian's wspanish package puts its Spanish words.
const SystemWordList = "/usr/share/dict/spanish"

// Lexicon restores the accents of words read without them. Tesseract
// loses accents mostly on capitals (GESTION, JURIDICA) and on proper nouns
// (Bogota, Cardenas); lower-case words it reads right, and a word list
// cannot tell "solicito" (I request) from "solícito" (eager). So words in
// capitals are restored from the whole Spanish word list, capitalised words
// only from the station's list of places, institutions and names, and words
// in lower case never.
type Lexicon struct {
	common map[string]string // bare lower-case form → its only accented form
	proper map[string]string // the same, from the list of proper nouns
}

var (
	lexOnce sync.Once
	lex     *Lexicon
)

// DefaultLexicon gives the lexicon of the system's Spanish word list (when
// installed) and the station's own list of Colombian places and names.
func DefaultLexicon() *Lexicon {
	lexOnce.Do(func() {
		var lists [][]byte
		if b, err := os.ReadFile(SystemWordList); err == nil {
			lists = append(lists, b)
		}
		lex = NewLexicon(colombiaWords, lists...)
	})
	return lex
}

// bare gives a word in lower case without accents (ñ and ü keep theirs:
// they are other letters, not accents).
func bare(w string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(w) {
		switch r {
		case 'ñ', 'ü':
			b.WriteRune(r)
		default:
			b.WriteString(textfold.StripMarks(string(r)))
		}
	}
	return b.String()
}

// accentMap reads word lists, one word per line ('#' starts a comment),
// into bare forms that have exactly one accented spelling and are never
// words without accents: "esta" stays, for it is a word as well as "está".
func accentMap(lists ...[]byte) map[string]string {
	plain := map[string]bool{}
	variants := map[string]map[string]bool{}
	for _, list := range lists {
		sc := bufio.NewScanner(bytes.NewReader(list))
		for sc.Scan() {
			w := strings.TrimSpace(sc.Text())
			if w == "" || strings.HasPrefix(w, "#") || strings.ContainsAny(w, " '") {
				continue
			}
			lw := strings.ToLower(w)
			b := bare(lw)
			if b == lw {
				plain[b] = true
				continue
			}
			if variants[b] == nil {
				variants[b] = map[string]bool{}
			}
			variants[b][lw] = true
		}
	}
	m := map[string]string{}
	for b, vs := range variants {
		if plain[b] || len(vs) != 1 {
			continue
		}
		for v := range vs {
			m[b] = v
		}
	}
	return m
}

// NewLexicon builds a lexicon from a list of proper nouns and lists of
// common words.
func NewLexicon(proper []byte, common ...[]byte) *Lexicon {
	return &Lexicon{common: accentMap(append(common, proper)...), proper: accentMap(proper)}
}

// Restore gives word with its accents when it lacks them, keeping its
// case (GESTION → GESTIÓN, Bogota → Bogotá).
func (l *Lexicon) Restore(word string) string {
	if l == nil || word == "" {
		return word
	}
	upper, title := true, true
	for i, r := range []rune(word) {
		if !unicode.IsLetter(r) {
			return word
		}
		if unicode.IsLower(r) {
			upper = false
			if i == 0 {
				title = false
			}
		} else if i > 0 {
			title = false
		}
	}
	var acc string
	var ok bool
	switch lw := strings.ToLower(word); {
	case upper && len([]rune(word)) >= 3:
		acc, ok = accented(l.common, lw)
	case title:
		acc, ok = accented(l.proper, lw)
	}
	if !ok {
		return word
	}
	// Carry the case over letter by letter.
	src, dst := []rune(word), []rune(acc)
	if len(src) != len(dst) {
		return word
	}
	for i, r := range src {
		if unicode.IsUpper(r) {
			dst[i] = unicode.ToUpper(dst[i])
		}
	}
	return string(dst)
}

// accented looks a bare word up in m, and a plural of a word ending in a
// vowel by its singular: adding the s moves no stress, so the accent
// stays (GRAFICOS → GRÁFICOS, as gráfico).
func accented(m map[string]string, w string) (string, bool) {
	if acc, ok := m[w]; ok {
		return acc, true
	}
	if n := len(w); n > 3 && w[n-1] == 's' && strings.ContainsRune("aeiou", rune(w[n-2])) {
		if acc, ok := m[w[:n-1]]; ok {
			return acc + "s", true
		}
	}
	return "", false
}

// restoreToken restores the accents of the letters of a token, leaving
// punctuation around it ("GESTION," → "GESTIÓN,"), and tokens with digits,
// '@', '/' or inner dots (addresses, references) alone.
func (l *Lexicon) restoreToken(t string) string {
	start := strings.IndexFunc(t, unicode.IsLetter)
	end := strings.LastIndexFunc(t, unicode.IsLetter)
	if start < 0 {
		return t
	}
	_, size := utf8.DecodeRuneInString(t[end:])
	end += size
	core := t[start:end]
	if strings.ContainsAny(core, "@/._0123456789") {
		return t
	}
	return t[:start] + l.Restore(core) + t[end:]
}

// noise tells a lone mark Tesseract saw in a speck: one character that is
// not a letter or digit, or a single letter it was unsure of.
func noise(w Word) bool {
	r := []rune(w.Text)
	if len(r) != 1 {
		return false
	}
	if !unicode.IsLetter(r[0]) && !unicode.IsDigit(r[0]) {
		return w.Confidence < 60
	}
	return w.Confidence < 30
}

// fixPipes reads "|" between letters or digits as "l": a vertical bar
// never stands inside a word.
func fixPipes(t string) string {
	if !strings.Contains(t, "|") {
		return t
	}
	r := []rune(t)
	out := r[:0]
	for i, c := range r {
		if c != '|' {
			out = append(out, c)
			continue
		}
		before := i > 0 && (unicode.IsLetter(r[i-1]) || unicode.IsDigit(r[i-1]))
		after := i+1 < len(r) && (unicode.IsLetter(r[i+1]) || unicode.IsDigit(r[i+1]) || r[i+1] == '@')
		switch {
		case i > 0 && r[i-1] == 'l' && i+1 < len(r) && r[i+1] == '@':
			// "cmpl|@": the bar is the l's own stroke seen twice.
		case before || after:
			out = append(out, 'l')
		default:
			out = append(out, c)
		}
	}
	return string(out)
}

// A mail address as OCR garbles it: the local part, then the "@" read as
// nothing, a space, "Q", "(O", "©" or "W", then a domain whose dots may
// have gained spaces, ending in a common top-level domain.
var mangledMail = regexp.MustCompile(`(?i)(correo|e-?mail|email|mail:|notificaciones|electr[oó]nico)([^\n]{0,40}?)\b([a-z0-9][a-z0-9._%+-]*?)(@|\s?Q\s?|\s?\(O|\s?\(0|©|\s?W|\s)([a-z0-9-]+(?:\.\s?[a-z0-9-]+)*\.\s?(?:com|co|org|net|edu|gov|mil|info)(?:\.\s?co)?)\b`)

// looseMail is an address whose "@" OCR read as a space beside it, as
// " o@", as a round capital (O, E, Q, G, C, D: addresses are written in
// lower case) or "©", standing anywhere: lower-case parts, and a domain
// ending in a common top-level domain. A capital joined to both sides
// counts only where the domain has a label of its own before its
// top-level domain and the name is no web address (camelDomainRE).
var looseMail = regexp.MustCompile(`(^|[^@\w.])([a-z0-9][a-z0-9._%+-]*[a-z0-9])(\s@\s?|@\s|\so@|\s[OEQGCD©]\s?|[OEQGCD©]\s?)([a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:com|co|org|net|edu|gov|mil|info)(?:\.co)?)\b`)

// camelDomainRE is a web address a capital inside it made look like an
// address whose "@" OCR read as a capital: www.…, or a capital joining a
// name to a domain of one label (miEmpresa.com.co, juanGomez.org).
var camelDomainRE = regexp.MustCompile(`^(?:www\.|https?)|^[a-z0-9-]+\.(?:com|co|org|net|edu|gov|mil|info)(?:\.co)?$`)

// fixMail rebuilds mail addresses after the words that introduce them
// ("correo", "e-mail"…): it puts back the "@", drops the spaces after
// dots, and in the local part reads a capital O next to a digit as 0.
func fixMail(text string) string {
	text = mangledMail.ReplaceAllStringFunc(text, func(m string) string {
		s := mangledMail.FindStringSubmatch(m)
		local := []rune(s[3])
		for i, c := range local {
			if c == 'O' && ((i > 0 && unicode.IsDigit(local[i-1])) || (i+1 < len(local) && unicode.IsDigit(local[i+1]))) {
				local[i] = '0'
			}
		}
		domain := strings.ReplaceAll(s[5], ". ", ".")
		// Addresses are ASCII in practice: an accent in the local part is
		// one the lexicon put there.
		return s[1] + s[2] + bare(string(local)) + "@" + domain
	})
	return looseMail.ReplaceAllStringFunc(text, func(m string) string {
		g := looseMail.FindStringSubmatch(m)
		joined := strings.TrimSpace(g[3]) != "" && strings.TrimSpace(g[3]) == g[3] // a capital with no space around it
		if joined && strings.ContainsAny(g[3], "OEQGCD") && (camelDomainRE.MatchString(g[2]) || camelDomainRE.MatchString(g[4])) {
			return m // a web address written in camel case, not a mangled "@"
		}
		return g[1] + g[2] + "@" + g[4]
	})
}

// correct applies the corrections to a page's words and gives its text.
func (l *Lexicon) correct(words []Word) []Word {
	out := words[:0]
	for _, w := range words {
		if noise(w) {
			continue
		}
		w.Text = l.restoreToken(fixPipes(w.Text))
		out = append(out, w)
	}
	return out
}
