package extract

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// The numbers a letter cites. A letter carries the sender's own filing
// number where it asks to be cited ("al contestar cite este número", "favor
// citar…", "nuestra referencia"), in its header block or a small table
// ("Radicado | Fecha | Anexos"), or after a label ("Rad. No.", "Oficio
// No."); and it may cite ours ("su oficio No. …", our sticker's number).
// Numbers are told by their shape (digits, dashes, a short letter prefix
// or infix) and by what stands before them: an amount, a date, an ID, a
// phone or an address is never a reference, and a number of our own
// pattern is a citation of ours, never the sender's reference.

// refTokenRE is a reference-shaped word of folded text: letters and
// digits, with dashes or slashes between their groups (OF-2026-004512,
// RAD-55012, EE12345, 2026-ER-014233, 0456-F23, 08SE2026715600100001872,
// 11001-31-03-015-2026-00123-00). plausibleRef says which of them can be
// a filing number.
var refTokenRE = regexp.MustCompile(`\b[a-z0-9]+(?:[-/][a-z0-9]+)*`)

// cue is what introduces a number, with how surely what follows is the
// sender's own reference.
type cue struct {
	re    *regexp.Regexp
	score float64
	ours  bool // the number is the recipient's ("su oficio No."): ours when it reads so
}

var refCues = []cue{
	// The sender asks to be cited.
	{regexp.MustCompile(`al\s+(?:contestar|responder)[^0-9\n]{0,40}?\bcit[ae]\w*(?:\s+(?:este|el|nuestro|la|esta))?(?:\s+(?:numero|radicado|referencia|oficio|consecutivo))?(?:\s+de\s+radicado)?`), 0.95, false},
	{regexp.MustCompile(`(?:favor|por\s+favor|se\s+solicita|solicitamos|le\s+solicitamos)\s+citar(?:\s+(?:este|el|nuestro|la|esta))?(?:\s+(?:numero|radicado|referencia|oficio|consecutivo))?(?:\s+de\s+radicado)?`), 0.95, false},
	{regexp.MustCompile(`\bcit(?:ar|e|ando)\s+(?:este|el|nuestro|la|esta)\s+(?:numero|radicado|referencia|oficio|consecutivo)(?:\s+de\s+radicado)?`), 0.95, false},
	{regexp.MustCompile(`\b(?:nuestra\s+referencia|nuestro\s+(?:radicado|oficio|consecutivo)|n\s?/\s?ref)\b\.?`), 0.95, false},
	// The recipient's number: ours when it reads as ours, else what the
	// letter is about.
	{regexp.MustCompile(`\b(?:su|sus|vuestro|vuestra)\s+(?:oficio|comunicacion|comunicado|radicado|carta|solicitud|requerimiento|escrito|peticion|respuesta|correspondencia)(?:\s+(?:de\s+salida|con|bajo\s+el))?(?:\s+(?:radicado|radicacion))?`), 0.6, true},
	{regexp.MustCompile(`\b(?:en\s+(?:respuesta|atencion)\s+(?:a|al)\s+(?:la\s+)?(?:comunicacion|oficio|radicado))`), 0.6, true},
	// Labels of a filing number.
	{regexp.MustCompile(`\b(?:rad(?:icado)?|radicacion|salida|consecutivo|expediente|proceso)\b\.?(?:\s+de\s+(?:salida|entrada))?`), 0.85, false},
	{regexp.MustCompile(`\b(?:oficio|requerimiento|comunicado|comunicacion|aviso)\b\.?`), 0.75, false},
	{regexp.MustCompile(`\b(?:referencia|ref)\b\.?`), 0.7, false},
}

// cueGap is what may stand between a cue and its number: "No.", "número",
// "#", a colon, "de radicado", up to two line breaks (a header block puts
// the number under its label).
var cueGapRE = regexp.MustCompile(`^(?:[\s:.#,(–-]|n[oº°]\b\.?|nro\b\.?|numero\b|num\b\.?|de\s+radicado\b|radicado\b|con\b|bajo\b|el\b|este\b)*`)

// refCandidate is a number found, with its score and where it starts.
type refCandidate struct {
	value string
	score float64
	at    int
}

// notReferenceBefore tells text before a number that makes it something
// else: an amount, an ID, a phone, an address, a law, an account or a
// contract (with up to three words between: "cuenta de ahorros No.").
var notReferenceBefore = regexp.MustCompile(`(?:\$\s?|\b(?:nit|c\.?\s?c|c\.?\s?e|cedula(?:\s+de\s+(?:ciudadania|extranjeria))?|pasaporte|tel[eé]?f?o?n?o?s?|tel|cel|celular|movil|whatsapp|pbx|fax|calle|cl|carrera|cra|kr|avenida|av|diagonal|dg|transversal|tv|autopista|piso|oficina|apartamento|apto|local|ley|decreto|resolucion|articulo|art|numeral|literal|acuerdo|circular|sentencia|contrato|cuenta|tarjeta|credito|poliza|matricula|folios?|anexos?)\b\.?(?:\s+[a-z]{2,12}){0,3}\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*)$`)

// cleanRef gives a reference as kept: upper case, without spaces; a
// judicial process number as its 23 digits.
func cleanRef(tok string) string {
	tok = strings.ToUpper(strings.Join(strings.Fields(tok), ""))
	tok = strings.Trim(tok, "-/")
	if d := digits(tok); len(d) == 23 && strings.Trim(tok, "0123456789-") == "" {
		return d
	}
	return tok
}

// plausibleRef tells whether a token can be a filing number: four digits
// or more with a letter prefix, five or more without; not a date, not a
// phone number alone.
func plausibleRef(tok string) bool {
	d := digits(tok)
	letters := 0
	for _, seg := range strings.FieldsFunc(tok, func(r rune) bool { return r >= '0' && r <= '9' || r == '-' || r == '/' || r == ' ' }) {
		if len(seg) > 5 {
			return false // a word, not a prefix
		}
		letters += len(seg)
	}
	if letters > 8 {
		return false
	}
	if len(d) < 4 || letters == 0 && len(d) < 5 || len(d) > 30 {
		return false
	}
	if _, ok := dateIn(tok); ok && len(d) <= 8 {
		return false
	}
	if len(d) == 8 && letters == 0 && compactDate(d) {
		return false // 20260303 is a day, not a number of filing
	}
	if _, phone := validPhone(d); phone && len(d) == 10 && letters == 0 {
		return false
	}
	return true
}

// compactDate tells eight digits that read as a date YYYYMMDD.
func compactDate(d string) bool {
	t, err := time.Parse("20060102", d)
	return err == nil && t.Year() >= 1990 && t.Year() <= 2100
}

// tokenAfter gives the first reference-shaped token in s (folded text
// after a cue), within the cue's reach, and its offset in s.
func tokenAfter(s string) (string, int, bool) {
	gap := cueGapRE.FindString(s)
	if strings.Count(gap, "\n") > 2 || len(gap) > 40 {
		return "", 0, false
	}
	rest := s[len(gap):]
	m := refTokenRE.FindStringIndex(rest)
	if m == nil || m[0] != 0 {
		return "", 0, false
	}
	tok := strings.TrimRight(rest[:m[1]], " -/")
	return tok, len(gap), true
}

// references finds the numbers the letter cites: the sender's own
// reference candidates, best first, and the numbers of ours (as digits).
// all is the folded text, its lines joined.
func (l *letter) references(all string, own func(string) bool, widths []int) ([]refCandidate, []string) {
	var cands []refCandidate
	cites := ownNumbers(all, own, widths)
	isOwn := func(tok string) bool {
		d := digits(tok)
		for _, c := range cites {
			if c == d {
				return true
			}
		}
		return own != nil && strings.Trim(tok, "0123456789 -") == "" && own(d)
	}
	for _, c := range refCues {
		for _, m := range c.re.FindAllStringIndex(all, -1) {
			tok, off, ok := tokenAfter(all[m[1]:])
			if !ok || !plausibleRef(tok) {
				continue
			}
			if isOwn(tok) {
				if c.score < 0.95 || c.ours {
					continue
				}
				// The sender asks to be cited by it: its own number, of
				// an organisation numbering as ours does, not a citation.
				cites = slices.DeleteFunc(cites, func(n string) bool { return n == digits(tok) })
			}
			at := m[1] + off
			if notReferenceBefore.MatchString(all[max(0, at-40):at]) {
				continue
			}
			cands = append(cands, refCandidate{cleanRef(tok), c.score, at})
		}
	}
	cands = append(cands, l.tableRefs(isOwn)...)
	cands = append(cands, l.topRefs(isOwn)...)
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score > cands[j].score
		}
		return cands[i].at < cands[j].at
	})
	return cands, cites
}

// topRefs gives a number standing alone on a line at the top of the
// letter, as the sender's consecutive is printed above the date
// ("FCCEA-041-2026" in a header block): letters and digits, or eight
// digits and more.
func (l *letter) topRefs(isOwn func(string) bool) []refCandidate {
	var out []refCandidate
	at, end := 0, l.head+2
	for i, f := range l.folded {
		if i >= end {
			break
		}
		start := at
		at += len(f) + 1
		tok := strings.TrimSpace(f)
		if tok == "" || refTokenRE.FindString(tok) != tok || !plausibleRef(tok) || isOwn(tok) {
			continue
		}
		if strings.Trim(tok, "0123456789-/") == "" && len(digits(tok)) < 8 {
			continue
		}
		out = append(out, refCandidate{cleanRef(tok), 0.55, start})
	}
	return out
}

// tableHeadRE tells the heading row of a small table of filing data.
var (
	tableHeadRE  = regexp.MustCompile(`\b(?:radicado|radicacion|referencia|oficio|consecutivo|numero|no\.)`)
	tableOtherRE = regexp.MustCompile(`\b(?:fecha|anexos?|folios?|asunto|dependencia|destino|remitente|valor|multa|resolucion|placa|concepto|tipo|estado|documento)\b`)
)

// tableRefs reads a table whose heading names a filing number beside a
// date or annexes: the first number of the row under it.
func (l *letter) tableRefs(isOwn func(string) bool) []refCandidate {
	var out []refCandidate
	at := 0
	for i, f := range l.folded {
		start := at
		at += len(f) + 1
		// A row whose heading OCR lost (bold type in a ruled box often
		// is): a filing number first, then a date, between rules.
		if cells := strings.Split(f, "|"); len(cells) >= 2 {
			tok := strings.TrimSpace(cells[0])
			if _, dated := dateIn(cells[1]); dated && refTokenRE.FindString(tok) == tok && plausibleRef(tok) && !isOwn(tok) {
				out = append(out, refCandidate{cleanRef(tok), 0.5, start})
			}
		}
		if !tableHeadRE.MatchString(f) || !tableOtherRE.MatchString(f) || len(f) > 80 {
			continue
		}
		if refTokenRE.MatchString(f) && plausibleRef(refTokenRE.FindString(f)) {
			continue // a sentence with a number, not a heading
		}
		for j := i + 1; j < len(l.folded) && j <= i+2; j++ {
			row := l.folded[j]
			if row == "" {
				continue
			}
			for _, m := range refTokenRE.FindAllStringIndex(row, -1) {
				tok := strings.TrimRight(row[m[0]:m[1]], " -/")
				if !plausibleRef(tok) || isOwn(tok) {
					continue
				}
				out = append(out, refCandidate{cleanRef(tok), 0.9, start})
				break
			}
			break
		}
	}
	return out
}

// ownRunRE is a run of digit groups that may be one of our numbers,
// written whole or grouped with spaces, dashes or dots.
var ownRunRE = regexp.MustCompile(`\d+(?:[ .-]\d+)*`)

// ownNumbers gives the numbers in s that own says are ours (digits only),
// each once, in the order they appear. A number is written whole or in
// groups; a run is tried from each group on, so that a number followed by
// another ("2026001010000451 2 folios") is still found. Groups make a
// number only where they break as its fields do (widths; OCR may read a
// space as a dot: "2025 001.03 014522 2"), or, with no widths known, with
// one separator throughout — never a number and a date run together
// ("2026-0341 2026-02-11").
func ownNumbers(s string, own func(string) bool, widths []int) []string {
	if own == nil {
		return nil
	}
	breaks := map[int]bool{}
	at := 0
	for _, w := range widths {
		at += w
		breaks[at] = true
	}
	var out []string
	for _, loc := range ownRunRE.FindAllStringIndex(s, -1) {
		run := s[loc[0]:loc[1]]
		// Not an account, a card, a contract, an amount or an ID that
		// happens to read as one of ours.
		if notReferenceBefore.MatchString(s[max(0, loc[0]-40):loc[0]]) {
			continue
		}
		var groups []string
		var seps []byte
		start := 0
		for i := 0; i < len(run); i++ {
			if c := run[i]; c == ' ' || c == '.' || c == '-' {
				groups = append(groups, run[start:i])
				seps = append(seps, c)
				start = i + 1
			}
		}
		groups = append(groups, run[start:])
		for first := 0; first < len(groups); first++ {
			d := ""
			for end := first; end < len(groups) && len(d) <= 30; end++ {
				if end > first {
					if len(widths) > 0 && !breaks[len(d)] || len(widths) == 0 && end > first+1 && seps[end-1] != seps[first] {
						break
					}
				}
				d += groups[end]
				if len(d) >= 8 && own(d) {
					if !contains(out, d) {
						out = append(out, d)
					}
					first = end
					break
				}
			}
		}
	}
	return out
}
