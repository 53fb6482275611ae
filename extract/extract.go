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
	// InvoicePrefixes are the prefixes of the invoices the organisation
	// receives (FV, FE…): an invoice number whose prefix OCR confused is
	// read with the one prefix it can only be.
	InvoicePrefixes []string
}

// letter is a text cut into what letters are made of.
type letter struct {
	text      string
	lines     []string // trimmed
	folded    []string // lower case, without accents
	closing   int      // index of the closing line ("Atentamente,"), or -1
	signature []int    // non-empty lines after the closing
	body      string   // the text between the salutation and the closing
}

// folded gives s in lower case without accents, for matching.
func folded(s string) string { return textfold.Lower(s) }

var closingRE = regexp.MustCompile(`^((de (usted|ustedes),? )?(muy )?(atentamente|cordialmente|respetuosamente|sinceramente)|atte|cordial saludo|(un )?saludo cordial|saludos cordiales|con (toda|la mayor) atencion|con (todo|el mayor) respeto|sin otro particular|(agradeciendo|agradezco|agradecemos) (de antemano )?(su|la) (atencion|colaboracion|gestion)|quedo atent[oa]|quedamos atent[oa]s)\b[,.:]?`)

func parse(text string) *letter {
	l := &letter{text: text, closing: -1}
	for _, ln := range strings.Split(text, "\n") {
		t := strings.TrimSpace(ln)
		l.lines = append(l.lines, t)
		l.folded = append(l.folded, folded(t))
	}
	for i, f := range l.folded {
		if closingRE.MatchString(f) && len(f) < 60 {
			l.closing = i
		}
	}
	if l.closing >= 0 {
		for i := l.closing + 1; i < len(l.lines) && len(l.signature) < 8; i++ {
			if l.lines[i] != "" {
				l.signature = append(l.signature, i)
			}
		}
	}
	return l
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
