package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/radicador/radicador/ident"
)

var months = map[string]time.Month{
	"enero": 1, "febrero": 2, "marzo": 3, "abril": 4, "mayo": 5, "junio": 6, "julio": 7,
	"agosto": 8, "septiembre": 9, "setiembre": 9, "octubre": 10, "noviembre": 11, "diciembre": 12,
}

const monthAlt = `enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|setiembre|octubre|noviembre|diciembre`

var dateREs = []struct {
	re               *regexp.Regexp
	day, month, year int // submatch indexes; month may be a name or a number
}{
	// 14 de noviembre de 2026; 14 del mes de noviembre del 2026; 1o. de marzo de 2026
	{regexp.MustCompile(`\b(\d{1,2}|primero)(?:o|º|°)?\.?\s+(?:de\s+|del\s+mes\s+de\s+)?(` + monthAlt + `)\s*(?:de|del|,)?\s*(?:ano\s+)?(\d{4})\b`), 1, 2, 3},
	// noviembre 14 de 2026; noviembre 14, 2026
	{regexp.MustCompile(`\b(` + monthAlt + `)\s+(\d{1,2})(?:o|º|°)?\s*(?:de|del|,)?\s*(\d{4})\b`), 2, 1, 3},
	// veintiséis (26) de febrero de dos mil veintiséis (2026), as deeds
	// and notaries write it
	{regexp.MustCompile(`\((\d{1,2})\)\s*(?:dias?\s+)?(?:del\s+mes\s+de\s+|de\s+)?(` + monthAlt + `)\s+del?\s+(?:ano\s+)?(?:[a-z ]{3,50}?\s*\()?(\d{4})\b`), 1, 2, 3},
	// 14/11/2026, 14-11-2026, 14.11.2026 (day first, as Colombia writes)
	{regexp.MustCompile(`\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b`), 1, 2, 3},
	// 2026-11-14
	{regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`), 3, 2, 1},
}

// dateIn finds the first date written in s (folded).
func dateIn(s string) (time.Time, bool) {
	type hit struct {
		at int
		t  time.Time
	}
	var best *hit
	for _, d := range dateREs {
		for _, m := range d.re.FindAllStringSubmatchIndex(s, -1) {
			get := func(i int) string { return s[m[2*i]:m[2*i+1]] }
			day := get(d.day)
			if day == "primero" {
				day = "1"
			}
			dn, _ := strconv.Atoi(day)
			mo, ok := months[get(d.month)]
			if !ok {
				n, _ := strconv.Atoi(get(d.month))
				mo = time.Month(n)
			}
			y, _ := strconv.Atoi(get(d.year))
			if mo < 1 || mo > 12 || dn < 1 || dn > 31 || y < 1900 || y > 2100 {
				continue
			}
			t := time.Date(y, mo, dn, 0, 0, 0, 0, time.UTC)
			if t.Day() != dn { // 31 de febrero
				continue
			}
			if best == nil || m[0] < best.at {
				best = &hit{m[0], t}
			}
		}
	}
	if best == nil {
		return time.Time{}, false
	}
	return best.t, true
}

// date is the letter's own date: the first date of its heading, where the
// city and date line stands.
func (l *letter) date() Field {
	for i, f := range l.folded {
		if i > 15 {
			break
		}
		if t, ok := dateIn(f); ok {
			conf := 0.95
			if i > 4 {
				conf = 0.75
			}
			return Field{t.Format(time.DateOnly), conf}
		}
	}
	if t, ok := dateIn(strings.Join(l.folded, " ")); ok {
		return Field{t.Format(time.DateOnly), 0.5}
	}
	return Field{}
}

var subjectRE = regexp.MustCompile(`^(asunto|referencia|ref\.?|re|tema|objeto)\s*[:.\-–—]\s*(.*)$`)

// subjectLineRE takes the value of a subject line as written: after a mark
// OCR may have read before "Asunto", the label and its colon, period or
// dash.
var subjectLineRE = regexp.MustCompile(`(?i)^(?:\S{1,2}\s+)?(?:asunto|referencia|ref\.?|re|tema|objeto)\s*[:.\-–—]\s*(.*)$`)

// speckedAsunto gives a line without a mark of one or two characters OCR
// read before "Asunto" ("A. Asunto: …").
func speckedAsunto(f string) string {
	if first, rest, ok := strings.Cut(f, " "); ok && len([]rune(first)) <= 2 && strings.HasPrefix(rest, "asunto") {
		return rest
	}
	return f
}

// subject is what follows "Asunto:" (or "Referencia:" when there is no
// Asunto), continued on the lines that carry on its phrase.
func (l *letter) subject() Field {
	found, conf := -1, 0.0
	for i, f := range l.folded {
		m := subjectRE.FindStringSubmatch(speckedAsunto(f))
		if m == nil {
			continue
		}
		if m[1] == "asunto" {
			found, conf = i, 0.95
			break
		}
		if found < 0 {
			found, conf = i, 0.8
		}
	}
	if found < 0 {
		return Field{}
	}
	// The value after the label, taken from the line as written (the
	// label matched on the folded line, whose bytes differ).
	after := ""
	if m := subjectLineRE.FindStringSubmatch(l.lines[found]); m != nil {
		after = m[1]
	}
	parts := []string{strings.TrimSpace(after)}
	for i := found + 1; i < len(l.lines) && i < found+5 && len(parts) < 4; i++ {
		if l.isBlank(i) {
			// OCR may see a paragraph where there is none: only a line
			// that plainly carries on the phrase ("No. 7701…", lower
			// case) goes on after a blank one.
			if !l.isBlank(i+1) && carriesOn(l.lines[i+1]) && len(l.lines[i+1]) < 60 {
				continue
			}
			break
		}
		if !l.continuesSubject(i, parts[len(parts)-1]) {
			break
		}
		parts = append(parts, l.lines[i])
	}
	s := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	s = strings.TrimRight(s, ".")
	if s == "" {
		return Field{}
	}
	return Field{s, conf}
}

var (
	// salutationRE tells the line that opens the body.
	salutationRE = regexp.MustCompile(`^(respetad[oa]s?|apreciad[oa]s?|estimad[oa]s?|distinguid[oa]s?|senor(es|as|a)?|doctor(a|es)?|reciban|cordial saludo|un cordial saludo|saludo cordial|buen(os|as) (dias|tardes))\b`)
	// danglingRE tells a line that ends in mid-phrase.
	danglingRE = regexp.MustCompile(`(\b(de|del|la|las|el|los|lo|por|para|con|y|e|o|u|a|al|en|sobre|senor|senora|su|sus|entre|contra|que|un|una|desde|hasta|segun|mediante|ante|bajo)|,)$`)
)

// carriesOn tells a line that goes on with the phrase before it: it starts
// in lower case, or with a number ("No. 7701-22-004519").
func carriesOn(line string) bool {
	for _, r := range line {
		return unicode.IsLower(r) || unicode.IsDigit(r) || strings.HasPrefix(folded(line), "no.") || strings.HasPrefix(folded(line), "n°")
	}
	return false
}

// continuesSubject tells whether line i carries on a subject whose last
// line was prev: not the salutation, a table, a label or the body's first
// sentence, which begins in capitals after a complete phrase.
func (l *letter) continuesSubject(i int, prev string) bool {
	line, f := l.lines[i], l.folded[i]
	switch {
	case subjectRE.MatchString(f), salutationRE.MatchString(f), strings.HasSuffix(line, ":"), strings.Contains(line, "|"):
		return false
	case carriesOn(line):
		return true
	}
	return danglingRE.MatchString(folded(prev))
}

var emailRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

// email is the first address in the letter that is not the receiving
// organisation's.
func (l *letter) email(opt Options) Field {
	var found []string
	for _, m := range emailRE.FindAllString(l.text, -1) {
		m = courtMailbox(cutTLD(strings.ToLower(strings.TrimRight(m, "."))))
		own := false
		for _, d := range opt.OwnDomains {
			if strings.HasSuffix(m, "@"+strings.ToLower(d)) {
				own = true
			}
		}
		if !own && !contains(found, m) {
			found = append(found, m)
		}
	}
	switch len(found) {
	case 0:
		return Field{}
	case 1:
		return Field{found[0], 0.95}
	}
	return Field{found[0], 0.7}
}

// cutTLDs are the ends of common top-level domains whose last letters a
// page's edge cut off, where no other domain ends so: ".or" can only have
// been ".org" (".co" is a domain of its own, and stays; ".go" may have
// been ".gov" or ".gov.co", and stays too).
var cutTLDs = map[string]string{"or": "org"}

// courtMailboxRE is a court's mailbox whose number OCR read with an o for
// a zero: the Rama Judicial names them j, the court's two digits, then
// its kind and city (j02pctopas, j03cmpl).
var courtMailboxRE = regexp.MustCompile(`^j(?:o(\d)|(\d)o)([a-z]{3,}[a-z0-9]*@)`)

// courtMailbox reads a court's mailbox number with its zero.
func courtMailbox(addr string) string {
	m := courtMailboxRE.FindStringSubmatch(addr)
	if m == nil {
		return addr
	}
	if m[1] != "" {
		return "j0" + m[1] + addr[len(m[0])-len(m[3]):]
	}
	return "j" + m[2] + "0" + addr[len(m[0])-len(m[3]):]
}

// cutTLD completes an address whose top-level domain the page's edge cut.
func cutTLD(addr string) string {
	i := strings.LastIndexByte(addr, '.')
	if whole, ok := cutTLDs[addr[i+1:]]; ok {
		return addr[:i+1] + whole
	}
	return addr
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

var (
	// Digit runs a phone number is written in: groups of digits with
	// spaces, dashes or parentheses between them (not dots: dots group the
	// thousands of IDs and amounts).
	phoneRE      = regexp.MustCompile(`(?:\+?\s?57[\s-]*)?(?:\(\s*\d{1,3}\s*\)[\s-]*)?\d[\d\s-]{5,16}\d`)
	phoneLabelRE = regexp.MustCompile(`\b(tel[eé]?f?o?n?o?s?|tel\.|cel\.?|celular|m[oó]vil|whatsapp|contacto|fijo|pbx)`)
)

// validPhone tells a Colombian number: a mobile (3xx xxx xxxx), a landline
// with its area prefix (60X xxx xxxx), or a bare seven-digit landline.
func validPhone(d string) (string, bool) {
	switch {
	case len(d) == 10 && d[0] == '3' && d[1] <= '5':
		return d, true
	case len(d) == 10 && strings.HasPrefix(d, "60") && d[2] >= '1' && d[2] <= '8':
		return d, true
	case len(d) == 7 && d[0] >= '2' && d[0] <= '8':
		return d, true
	}
	return "", false
}

func digits(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// phone is a Colombian phone number, preferring one on a line that says
// it is a phone.
func (l *letter) phone() Field {
	var best Field
	for _, f := range l.folded {
		labelled := phoneLabelRE.MatchString(f)
		for _, m := range phoneRE.FindAllStringIndex(f, -1) {
			raw := f[m[0]:m[1]]
			// Not inside a longer run of digits and dots (an ID, an amount).
			if m[0] > 0 && (f[m[0]-1] == '.' || f[m[0]-1] == '$') || m[1] < len(f) && f[m[1]] == '.' && m[1]+1 < len(f) && f[m[1]+1] >= '0' && f[m[1]+1] <= '9' {
				continue
			}
			d := digits(raw)
			if d == "" {
				continue
			}
			if len(d) == 12 && strings.HasPrefix(d, "57") {
				d = d[2:]
			}
			num, ok := validPhone(d)
			if !ok {
				continue
			}
			conf := 0.6
			if labelled {
				conf = 0.95
			}
			if num[0] == '3' && len(num) == 10 && conf < 0.8 {
				conf = 0.8 // a mobile number is hard to mistake
			}
			if conf > best.Confidence {
				best = Field{num, conf}
			}
		}
	}
	return best
}

// An ID mention: the kind of document, then its number. NIT may come as
// OCR reads it in small type (NlT, N1T, NTT).
var idRE = regexp.MustCompile(`(?:\b(n[i1l|t]t)\b\.?|\b(c\.?\s?c)\.?(?:\s|:|$)|(cedula de ciudadania)|(cedula de extranjeria)|\b(c\.?\s?e)\.?(?:\s|:)|(tarjeta de identidad)|\b(t\.?\s?i)\.?\s|(pasaporte)|\b(cedula)\b)\s*(?:n[oº°]\.?|numero|num\.?|#)?\s*:?\s*([a-z]{0,2}[\d][\d.\s]{3,16}\d(?:\s*-\s*\d)?)`)

// thirdParty tells a mention of somebody the letter speaks of, up to the ID
// that follows it (dots allowed: "C.C.", "No.").
var thirdParty = regexp.MustCompile(`\b(promovid[oa] por|a nombre de|en representacion de|del senor|de la senora|a favor de|en contra de|accionante|demandante|el senor|la senora|el ciudadano|la ciudadana)\b[^;]{0,100}$`)

var firstPerson = regexp.MustCompile(`\b(mi cedula|mi documento|mi nit|mi pasaporte|suscrito|suscrita|(\byo\b|mayor de edad|\bmi nombre)[^.;]{0,80}identificad[oa] con|^con c\.?c)`)

type idCandidate struct {
	typ   ident.Type
	id    ident.ID
	score float64
	line  int
}

// senderID finds the sender's ID among the IDs the letter mentions: the one
// in the signature block or introduced in the first person scores highest;
// one that belongs to somebody the letter speaks of ("promovida por X,
// C.C. …") does not count, nor does the receiving organisation's NIT.
func (l *letter) senderID(opt Options) (Field, Field) {
	var cands []idCandidate
	inSig := map[int]bool{}
	for _, i := range l.signature {
		inSig[i] = true
	}
	head := l.head
	// The signer's names, as a line of the body that gives the sender's
	// ID writes them ("Datos del proveedor: X S.A.S., NIT …").
	var names []string
	if sig := l.sig; sig.org != "" || sig.person != "" {
		for _, n := range []string{sig.org, sig.person} {
			if n = strings.TrimRight(folded(n), ". "); len(n) >= 6 {
				names = append(names, n)
			}
		}
	}
	for i, f := range l.folded {
		for _, m := range idRE.FindAllStringSubmatchIndex(f, -1) {
			var typ ident.Type
			switch {
			case m[2] >= 0:
				typ = ident.NIT
			case m[4] >= 0, m[6] >= 0, m[18] >= 0:
				typ = ident.CC
			case m[8] >= 0, m[10] >= 0:
				typ = ident.CE
			case m[12] >= 0, m[14] >= 0:
				typ = ident.TI
			case m[16] >= 0:
				typ = ident.PA
			}
			raw := f[m[20]:m[21]]
			var id ident.ID
			var err error
			if typ == ident.PA {
				id, err = ident.New(typ, strings.ToUpper(raw))
			} else {
				num := strings.TrimSpace(raw)
				if typ == ident.NIT && !strings.Contains(num, "-") && len(digits(num)) == 9 {
					// A NIT written without its check digit: add it.
					num = digits(num) + "-" + strconv.Itoa(ident.CheckDigit(digits(num)))
				}
				id, err = ident.New(typ, num)
			}
			if err != nil {
				continue
			}
			// An ID in the body, not said in the first person, is
			// somebody the letter speaks of; the letterhead's and the
			// signature's are the sender's.
			score := 0.0
			if i < head {
				score += 3
			}
			if inSig[i] {
				score += 4
			}
			before := f[:m[0]]
			for _, n := range names {
				if strings.Contains(before, n) {
					score += 3
					break
				}
			}
			if firstPerson.MatchString(before) || firstPerson.MatchString(f[m[0]:m[1]]) {
				score += 3
			}
			// The sentence may have begun on the line before.
			context := before
			if i > 0 && l.folded[i-1] != "" {
				context = l.folded[i-1] + " " + before
			}
			if thirdParty.MatchString(context) {
				score -= 5
			}
			if typ == ident.NIT {
				if score > 0 {
					score += 1
				}
				for _, own := range opt.OwnNITs {
					if strings.HasPrefix(id.Number, digits(own)) || id.Number == digits(own) {
						score = -10
					}
				}
			}
			cands = append(cands, idCandidate{typ, id, score, i})
		}
	}
	var best *idCandidate
	for i := range cands {
		if cands[i].score > 0 && (best == nil || cands[i].score > best.score) {
			best = &cands[i]
		}
	}
	if best == nil {
		return Field{}, Field{}
	}
	conf := 0.6
	switch {
	case best.score >= 4:
		conf = 0.95
	case best.score >= 2:
		conf = 0.85
	}
	return Field{string(best.typ), conf}, Field{best.id.Number, conf}
}

// letterhead gives the number of lines at the top that are the sender's
// letterhead: those before the date line or the addressee ("Señores"),
// at most eight.
func (l *letter) letterhead() int {
	for i, f := range l.folded {
		if i >= 8 {
			return 8
		}
		if _, ok := dateIn(f); ok || addresseeRE.MatchString(f) || subjectRE.MatchString(f) {
			return i
		}
	}
	return min(8, len(l.folded))
}

var addresseeRE = regexp.MustCompile(`^(senor|senora|senores|senoras|doctor|doctora|dr\.|dra\.|respetad[oa]s?|apreciad[oa]s?|estimad[oa]s?)\b`)

// orgRE tells the name of an organisation from a person's.
var orgRE = regexp.MustCompile(`\b(s\.?\s?a\.?\s?s\.?|s\.?\s?a\.?|ltda\.?|e\.?\s?s\.?\s?p\.?|s\.?\s?en\s?c\.?|juzgado|tribunal|corte|consejo|concejo|ministerio|direccion|gobernacion|alcaldia|secretaria|superintendencia|contraloria|procuraduria|personeria|fiscalia|defensoria|registraduria|departamento|municipio|universidad|fundacion|corporacion|asociacion|cooperativa|banco|empresa|instituto|hospital|clinica|notaria|camara de comercio|agencia|unidad|oficina|comision|federacion|junta|centro|inspeccion|comisaria|policia|ejercito|armada|colegio|sindicato|veeduria|comite|servicio nacional|caja de compensacion|e\.?\s?s\.?\s?e\.?|i\.?\s?p\.?\s?s\.?|e\.?\s?p\.?\s?s\.?)\b`)

// officeRE tells the name of an office from the title of who holds it:
// "Secretaría de Hacienda" is an office, "Secretario de Hacienda" or
// "Secretaria General" the person; the office is written with its accent.
var officeRE = regexp.MustCompile(`^(Secretaría|Notaría|Personería|Alcaldía|Contraloría|Procuraduría|Fiscalía|Defensoría|Registraduría|Comisaría|Gobernación|Dirección|Superintendencia|Inspección|Oficina|Junta|Centro|Ministerio|Instituto|Departamento|Unidad|Agencia)\b`)

// titleRE tells a position under a signature from a name.
var titleRE = regexp.MustCompile(`^(sub|vice)?(secretari[oa]|director|directora|gerente|representante|jefe|coordinador|coordinadora|presidente|presidenta|asesor|asesora|apoderad[oa]|abogad[oa]|contador|contadora|revisor|revisora|profesional|tecnic[oa]|auxiliar|analista|juez|jueza|magistrad[oa]|notari[oa]|alcalde|alcaldesa|gobernador|gobernadora|ministro|ministra|rector|rectora|decano|decana|funcionari[oa]|escribiente|oficial|citador|citadora|personer[oa]|inspector|inspectora|fiscal|defensor|defensora|conciliador|conciliadora|delegad[oa]|procurador|procuradora|contralor|contralora|registrador|registradora|comisari[oa]|superintendente|tesorer[oa]|lider|ejecutiv[oa]|administrador|administradora|supervisor|supervisora|interventor|interventora|comandante|capitan|intendente|vocero|vocera|liquidador|liquidadora|agente|ingenier[oa]|medic[oa])\b`)

// personRE tells a line that is a person's name: two to six capitalised
// words.
var personRE = regexp.MustCompile(`^(\p{Lu}[\p{L}'.-]*\s+){1,5}\p{Lu}[\p{L}'.-]*$`)

// senderName is who sends the letter: the organisation named in the
// signature block when the signer writes on its behalf (a title under the
// name, a court's secretary, a NIT), otherwise the signer.
func (l *letter) senderName(idType string) Field {
	sig := l.sig
	switch {
	// The signer writes for the organisation named under the name: a
	// title between them, a NIT, or the name above the organisation's.
	case sig.org != "" && (sig.titled || idType == "NIT" || sig.person == "" || sig.personAt < sig.orgAt):
		return Field{sig.org, 0.9}
	case sig.person != "":
		return Field{sig.person, 0.9}
	case sig.org != "":
		return Field{sig.org, 0.7}
	}
	// No signature block: the last line that reads as a name.
	for i := len(l.lines) - 1; i >= 0 && i > len(l.lines)-12; i-- {
		if personRE.MatchString(l.lines[i]) && !titleRE.MatchString(l.folded[i]) {
			return Field{l.lines[i], 0.4}
		}
	}
	return Field{}
}

// signature is what a signature block says of its signer.
type signature struct {
	person, org     string
	personAt, orgAt int // their lines, -1 when absent
	titled          bool
}

// signatureParts reads the signature block: the signer's name, a title
// under it, the organisation named.
func (l *letter) signatureParts() signature {
	sig := signature{personAt: -1, orgAt: -1}
	for _, i := range l.signature {
		line, f := l.lines[i], l.folded[i]
		switch {
		case idRE.MatchString(f) || phoneLabelRE.MatchString(f) || emailRE.MatchString(line) || annexRE.MatchString(f):
		case officeRE.MatchString(line) && orgRE.MatchString(f), !titleRE.MatchString(f) && orgRE.MatchString(f):
			if sig.org == "" {
				sig.org, sig.orgAt = orgName(line), i
			}
		case titleRE.MatchString(f):
			sig.titled = true
		case sig.person == "" && personRE.MatchString(line):
			sig.person, sig.personAt = line, i
		}
	}
	return sig
}

// annexRE tells the lines under a signature that are not about the
// signer: annexes, copies, who drafted the letter.
var annexRE = regexp.MustCompile(`^(anexos?|adjuntos?|copia|c\.?\s?c\.?:|proyecto|proyect[oó]|elaboro|elaborado|reviso|revisado|aprobo|transcriptor)\b`)

// orgName gives an organisation's name as written, without the comma or
// period that closes its line; an abbreviation keeps its period (S.A.S.,
// Ltda., D.C.).
func orgName(line string) string {
	line = strings.TrimRight(line, ", ")
	if strings.HasSuffix(line, ".") {
		words := strings.Fields(line)
		last := strings.ToLower(words[len(words)-1])
		if strings.Count(last, ".") > 1 || abbrevRE.MatchString(last) {
			return line
		}
	}
	return strings.TrimRight(line, ".")
}

var abbrevRE = regexp.MustCompile(`^(ltda|cia|s\.?a|sas|e\.?s\.?p|e\.?u|s\.?c\.?a|ese|ips|eps)\.$`)

var (
	// A judicial process number: 23 digits, often grouped.
	judicialRE = regexp.MustCompile(`\b\d{5}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{3}[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}\b`)
	invoiceRE  = regexp.MustCompile(`factura(?:\s+electronica)?(?:\s+de\s+venta)?(?:\s+electronica)?\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*([a-z0-9]{1,6}\s?-?\s?\d{1,12})\b`)
	cobroRE    = regexp.MustCompile(`cuenta\s+de\s+cobro\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*((?:[a-z]{1,6}-)*[a-z]{0,6}\d{1,12}(?:-\d{1,6})?)\b`)
	refLabelRE = regexp.MustCompile(`^(?:referencia|ref\.?|radicado|expediente|proceso)\s*(?:n[oº°]\.?)?\s*:\s*([a-z0-9][a-z0-9 ./-]{2,30})$`)
)

// reference is the sender's own number for the letter, and the numbers of
// ours it cites (see reference.go). The kind of document says which
// number to prefer: the judicial process of a court's notice, the number
// of an invoice or of a cuenta de cobro; then the number the letter asks
// to be cited by, its header's or table's, a labelled one.
func (l *letter) reference(opt Options) (Field, []string) {
	all := strings.Join(l.folded, "\n")
	cands, cites := l.references(all, opt.Own, opt.OwnWidths)
	ours := func(v string) bool { return contains(cites, digits(v)) }
	typed := map[string]func() string{
		"judicial": func() string { return digits(judicialRE.FindString(all)) },
		"invoice":  func() string { return fixPrefix(upperRef(invoiceRE, all), opt.InvoicePrefixes) },
		"cobro":    func() string { return upperRef(cobroRE, all) },
	}
	if kind := map[string]string{"tutela": "judicial", "factura": "invoice", "cuenta_cobro": "cobro"}[opt.DocType]; kind != "" {
		if v := typed[kind](); v != "" && !ours(v) {
			return Field{v, 0.95}, cites
		}
	}
	if len(cands) > 0 {
		return Field{cands[0].value, cands[0].score}, cites
	}
	for _, k := range []string{"judicial", "invoice", "cobro"} {
		if v := typed[k](); v != "" && !ours(v) {
			return Field{v, 0.7}, cites
		}
	}
	for _, f := range l.folded {
		if m := refLabelRE.FindStringSubmatch(f); m != nil && refTokenRE.FindString(m[1]) == strings.TrimSpace(m[1]) && plausibleRef(m[1]) && !ours(m[1]) {
			return Field{strings.ToUpper(strings.TrimSpace(m[1])), 0.6}, cites
		}
	}
	return Field{}, cites
}

func upperRef(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""))
}

// lookalike are the letters and digits print and OCR confuse.
var lookalike = map[[2]byte]bool{}

func init() {
	for _, p := range []string{"EF", "FP", "O0", "OD", "0D", "OQ", "I1", "IL", "1L", "S5", "B8", "Z2", "G6", "CG", "VY", "TI", "E3"} {
		lookalike[[2]byte{p[0], p[1]}] = true
		lookalike[[2]byte{p[1], p[0]}] = true
	}
}

// fixPrefix reads a number's letter prefix as one of prefixes when it is
// not one of them and exactly one of them differs from it only in
// characters OCR confuses (EV-35415 is FV-35415 where FV is configured
// and EV is not).
func fixPrefix(ref string, prefixes []string) string {
	end := strings.IndexFunc(ref, func(r rune) bool { return r == '-' || r >= '0' && r <= '9' })
	if end <= 0 || len(prefixes) == 0 {
		return ref
	}
	head := ref[:end]
	var match string
	for _, p := range prefixes {
		p = strings.ToUpper(strings.TrimSpace(p))
		if p == head {
			return ref
		}
		if len(p) != len(head) {
			continue
		}
		alike := true
		for i := 0; i < len(p); i++ {
			if p[i] != head[i] && !lookalike[[2]byte{p[i], head[i]}] {
				alike = false
				break
			}
		}
		if alike {
			if match != "" {
				return ref // two readings: leave it to the clerk
			}
			match = p
		}
	}
	if match == "" {
		return ref
	}
	return match + ref[end:]
}

var (
	amountRE        = regexp.MustCompile(`\$\s?(\d{1,3}(?:[.,\s]\d{3})+|\d+)(?:([.,])(\d{1,2}))?\b`)
	amountContextRE = regexp.MustCompile(`(valor|suma|total|monto|pago|cobro|importe|pesos)`)
)

// amount is a sum of pesos, preferring one introduced as a value or a sum.
func (l *letter) amount() Field {
	var best Field
	for _, f := range l.folded {
		for _, m := range amountRE.FindAllStringSubmatch(f, -1) {
			v := digits(m[1])
			if v == "" || strings.TrimLeft(v, "0") == "" {
				continue
			}
			v = strings.TrimLeft(v, "0")
			conf := 0.7
			if amountContextRE.MatchString(f) {
				conf = 0.95
			}
			if conf > best.Confidence {
				best = Field{v, conf}
			}
		}
	}
	return best
}

// String gives the fields on one line each, for people.
func (f Fields) String() string {
	var b strings.Builder
	for _, x := range []struct {
		name string
		f    Field
	}{{"sender", f.SenderName}, {"id type", f.SenderIDType}, {"id", f.SenderID}, {"date", f.Date}, {"subject", f.Subject},
		{"email", f.Email}, {"phone", f.Phone}, {"reference", f.Reference}, {"amount", f.Amount}} {
		if x.f.Value != "" {
			fmt.Fprintf(&b, "%-10s %s (%.0f%%)\n", x.name+":", x.f.Value, 100*x.f.Confidence)
		}
	}
	if len(f.Cites) > 0 {
		fmt.Fprintf(&b, "%-10s %s\n", "cites:", strings.Join(f.Cites, ", "))
	}
	return b.String()
}
