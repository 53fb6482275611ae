// Package extract reads the fields of a letter from its text, each with a
// confidence: sender, the sender's ID, date, subject, e-mail, phone, a
// reference number and an amount. It works from the structure every formal
// letter shares (date at the top, "Asunto:", a closing and a signature
// block) and from the shape of Colombian numbers, not from the wording of
// any one kind of letter.
package extract

import (
	"regexp"
	"strings"
	"unicode"

	"github.com/radicador/radicador/internal/textfold"
)

// Field is one value read, with how sure the reading is (0 to 1).
type Field struct {
	Value      string  `json:"value"`
	Confidence float64 `json:"confidence"`
}

// Fields are the fields of a letter.
type Fields struct {
	SenderName   Field `json:"sender_name"`
	SenderIDType Field `json:"sender_id_type"`
	SenderID     Field `json:"sender_id"` // digits only; a NIT with its check digit
	Date         Field `json:"date"`      // YYYY-MM-DD
	Subject      Field `json:"subject"`
	Email        Field `json:"email"`
	Phone        Field `json:"phone"`     // digits only
	Reference    Field `json:"reference"` // the sender's own filing number
	Amount       Field `json:"amount"`    // pesos, digits only
	// Cites are the numbers of this organisation the letter cites (as
	// Options.Own tells them), digits only, in the order they appear.
	Cites []string `json:"cites,omitempty"`
}

// Options say what belongs to the organisation receiving the letters, so
// that its own NIT and addresses are not taken for the sender's.
type Options struct {
	OwnNITs    []string // digits, with or without the check digit
	OwnDomains []string // mail domains
	// DocType, when known, picks the kind of reference number to prefer
	// (tutela: the judicial process; factura: the invoice…).
	DocType string
	// Own tells a number of this organisation, given its digits: such a
	// number is a citation of ours, never the sender's reference. Nil:
	// none is told.
	Own func(digits string) bool
	// OwnWidths are the widths of the fields of our numbers, in order:
	// a number written in groups is ours only when its groups break where
	// its fields do. Nil: any grouping with one separator throughout.
	OwnWidths []int
	// InvoicePrefixes are the prefixes of the invoices the organisation
	// receives (FV, FE…): an invoice number whose prefix OCR confused is
	// read with the one prefix it can only be.
	InvoicePrefixes []string
}

// letter is a text cut into what letters are made of.
type letter struct {
	text      string
	lines     []string  // trimmed
	folded    []string  // lower case, without accents
	closing   int       // index of the closing line ("Atentamente,"), or -1
	signature []int     // non-empty lines after the closing
	sig       signature // what the signature block says of the signer
	head      int       // lines of the letterhead (see letterhead)
	body      string    // the text between the salutation and the closing
}

// folded gives s in lower case without accents, for matching.
func folded(s string) string { return textfold.Lower(s) }

var closingRE = regexp.MustCompile(`^((de (usted|ustedes),? )?(muy )?(atentamente|cordialmente|respetuosamente|sinceramente)|atte|cordial saludo|(un )?saludo cordial|saludos cordiales|con (toda|la mayor) atencion|con (todo|el mayor) respeto|sin otro particular|(agradeciendo|agradezco|agradecemos) (de antemano )?(su|la) (atencion|colaboracion|gestion)|quedo atent[oa]|quedamos atent[oa]s)\b[,.:]?`)

func parse(text string) *letter {
	l := &letter{text: text, closing: -1}
	raw := strings.Split(text, "\n")
	for i, ln := range raw {
		next := ""
		for _, n := range raw[i+1:] {
			if next = strings.TrimSpace(n); next != "" {
				break
			}
		}
		t := unspeck(strings.TrimSpace(ln), next)
		l.lines = append(l.lines, t)
		l.folded = append(l.folded, folded(t))
	}
	for i, f := range l.folded {
		if closingRE.MatchString(f) && len(f) < 60 {
			l.closing = i
		}
	}
	if l.closing < 0 {
		l.closing = l.looseClosing()
	}
	start := l.closing + 1
	if l.closing < 0 {
		// No closing (a short message): the signature is the name near
		// the end and what follows it.
		start = -1
		for i, seen := len(l.lines)-1, 0; i >= 0 && seen < 6; i-- {
			if l.lines[i] == "" {
				continue
			}
			seen++
			if personRE.MatchString(l.lines[i]) && !titleRE.MatchString(l.folded[i]) {
				start = i
			}
		}
	}
	if start >= 0 {
		for i := start; i < len(l.lines) && len(l.signature) < 8; i++ {
			if l.lines[i] != "" {
				l.signature = append(l.signature, i)
			}
		}
	}
	l.sig, l.head = l.signatureParts(), l.letterhead()
	return l
}

// looseClosing finds a closing in words of the writer's own ("Con
// sentimientos de consideración y aprecio,"): in the letter's second half,
// the last short line ending in a comma whose next line is a name.
func (l *letter) looseClosing() int {
	found := -1
	for i := len(l.lines) / 2; i < len(l.lines); i++ {
		ln := l.lines[i]
		if !strings.HasSuffix(ln, ",") || len(ln) > 70 {
			continue
		}
		for j := i + 1; j < len(l.lines) && j <= i+3; j++ {
			if l.lines[j] == "" {
				continue
			}
			if personRE.MatchString(l.lines[j]) {
				found = i
			}
			break
		}
	}
	return found
}

// unspeck takes off a line's ends what OCR read in specks of dirt: a lone
// mark before the first word or after the last ("- Cordialmente,",
// "-Inspectora", "S.A.S.'"), and a lone capital E at an end of a line
// written in lower case ("Garzón E"), beside a code ("E FCCEA-041-2026"),
// or ending a line the next does not carry on with a word in i ("CELY E"):
// E, unlike A, O, U or Y, is no Spanish word but the conjunction before i.
func unspeck(line, next string) string {
	words := strings.Fields(line)
	lower := strings.IndexFunc(line, unicode.IsLower) >= 0
	// The conjunction "e" stands before a word in i or hi: a line of
	// capitals may end in it when the next begins so.
	conjunction := strings.HasPrefix(folded(next), "i") || strings.HasPrefix(folded(next), "hi")
	lone := func(w, beside string, last bool) bool {
		r := []rune(w)
		if len(r) != 1 {
			return false
		}
		e := r[0] == 'E' && (lower || strings.IndexFunc(beside, unicode.IsDigit) >= 0 || last && !conjunction)
		return strings.ContainsRune("-–—_|'‘’`~*•·«»", r[0]) || e
	}
	changed := false
	for len(words) > 1 && lone(words[0], words[1], false) {
		words, changed = words[1:], true
	}
	for len(words) > 1 && lone(words[len(words)-1], words[len(words)-2], true) {
		words, changed = words[:len(words)-1], true
	}
	if n := len(words); n > 0 {
		if w := words[n-1]; strings.Count(w, "'")%2 == 1 && strings.HasSuffix(w, "'") {
			words[n-1], changed = strings.TrimRight(w, "'"), true
		}
		if w := words[0]; len(w) > 1 && strings.ContainsRune("-–—_|", rune(w[0])) && unicode.IsUpper([]rune(w[1:])[0]) {
			words[0], changed = w[1:], true // "-Inspectora": a mark joined to a capitalised word
		}
	}
	if !changed {
		return line
	}
	return strings.Join(words, " ")
}

// Extract reads the fields of the letter in text.
func Extract(text string, opt Options) Fields {
	l := parse(text)
	var f Fields
	f.Date = l.date()
	f.Subject = l.subject()
	f.Email = l.email(opt)
	f.Phone = l.phone()
	idType, id := l.senderID(opt)
	f.SenderIDType, f.SenderID = idType, id
	f.SenderName = l.senderName(idType.Value)
	f.Reference, f.Cites = l.reference(opt)
	f.Amount = l.amount()
	return f
}

// isBlank reports whether line i is empty or out of range.
func (l *letter) isBlank(i int) bool { return i < 0 || i >= len(l.lines) || l.lines[i] == "" }
