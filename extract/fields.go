package extract

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

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

// subject is what follows "Asunto:" (or "Referencia:" when there is no
// Asunto), continued on the next lines until a blank line.
func (l *letter) subject() Field {
	found, conf := -1, 0.0
	for i, f := range l.folded {
		m := subjectRE.FindStringSubmatch(f)
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
	_, after, _ := strings.Cut(l.lines[found], ":")
	if !strings.Contains(l.lines[found], ":") {
		after = subjectRE.FindStringSubmatch(l.lines[found])[2]
	}
	parts := []string{strings.TrimSpace(after)}
	for i := found + 1; i < len(l.lines) && i < found+4 && !l.isBlank(i); i++ {
		if subjectRE.MatchString(l.folded[i]) || strings.HasSuffix(l.lines[i], ":") {
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

var emailRE = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9._%+-]*@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}`)

// email is the first address in the letter that is not the receiving
// organisation's.
func (l *letter) email(opt Options) Field {
	var found []string
	for _, m := range emailRE.FindAllString(l.text, -1) {
		m = strings.ToLower(strings.TrimRight(m, "."))
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
	phoneLabelRE = regexp.MustCompile(`(tel[eé]?f?o?n?o?s?|tel\.|cel\.?|celular|m[oó]vil|whatsapp|contacto|fijo|pbx)`)
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

// An ID mention: the kind of document, then its number.
var idRE = regexp.MustCompile(`(?:\b(nit)\b\.?|\b(c\.?\s?c)\.?(?:\s|:|$)|(cedula de ciudadania)|(cedula de extranjeria)|\b(c\.?\s?e)\.?(?:\s|:)|(tarjeta de identidad)|\b(t\.?\s?i)\.?\s|(pasaporte)|\b(cedula)\b)\s*(?:n[oº°]\.?|numero|num\.?|#)?\s*:?\s*([a-z]{0,2}[\d][\d.\s]{3,16}\d(?:\s*-\s*\d)?)`)

// thirdParty tells a mention of somebody the letter speaks of, up to the ID
// that follows it (dots allowed: "C.C.", "No.").
var thirdParty = regexp.MustCompile(`\b(promovid[oa] por|a nombre de|en representacion de|del senor|de la senora|a favor de|en contra de|accionante|demandante|el senor|la senora|el ciudadano|la ciudadana)\b[^;]{0,100}$`)

var firstPerson = regexp.MustCompile(`\b(mi cedula|mi documento|identificad[oa] con|mi nit|mi pasaporte|suscrito|suscrita|con c\.?c)`)

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
			score := 1.0
			if err != nil {
				continue
			}
			if inSig[i] {
				score += 3
			}
			before := f[:m[0]]
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
				score += 1
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

// orgRE tells the name of an organisation from a person's.
var orgRE = regexp.MustCompile(`\b(s\.?\s?a\.?\s?s\.?|s\.?\s?a\.?|ltda\.?|e\.?\s?s\.?\s?p\.?|s\.?\s?en\s?c\.?|juzgado|tribunal|corte|consejo|ministerio|direccion|gobernacion|alcaldia|secretaria|superintendencia|contraloria|procuraduria|personeria|fiscalia|defensoria|registraduria|departamento|municipio|universidad|fundacion|corporacion|asociacion|cooperativa|banco|empresa|instituto|hospital|clinica|notaria|camara de comercio|agencia|unidad|oficina|comision|federacion)\b`)

// titleRE tells a position under a signature from a name.
var titleRE = regexp.MustCompile(`^(secretari[oa]|director|directora|gerente|representante|jefe|coordinador|coordinadora|subdirector|subdirectora|presidente|presidenta|asesor|asesora|apoderad[oa]|abogad[oa]|contador|contadora|revisor|revisora|profesional|tecnic[oa]|auxiliar|analista|juez|magistrad[oa]|notari[oa]|alcalde|gobernador|ministro|ministra|rector|rectora|decano|decana|funcionari[oa]|escribiente|oficial|citador)`)

// personRE tells a line that is a person's name: two to six capitalised
// words.
var personRE = regexp.MustCompile(`^(\p{Lu}[\p{L}'.-]*\s+){1,5}\p{Lu}[\p{L}'.-]*$`)

// senderName is who sends the letter: the organisation named in the
// signature block when the signer writes on its behalf (a title under the
// name, a court's secretary, a NIT), otherwise the signer.
func (l *letter) senderName(idType string) Field {
	var person, org string
	titled := false
	for _, i := range l.signature {
		line, f := l.lines[i], l.folded[i]
		switch {
		case idRE.MatchString(f) || phoneLabelRE.MatchString(f) || emailRE.MatchString(line):
		case titleRE.MatchString(f):
			titled = true
		case orgRE.MatchString(f):
			org = strings.TrimRight(line, ".,")
			if strings.HasSuffix(line, ".") && strings.Count(line, ".") > 1 {
				org = line // "S.A.S." keeps its dots
			}
		case person == "" && personRE.MatchString(line):
			person = line
		}
	}
	switch {
	case org != "" && (titled || idType == "NIT" || person == ""):
		return Field{org, 0.9}
	case person != "":
		return Field{person, 0.9}
	case org != "":
		return Field{org, 0.7}
	}
	// No signature block: the last line that reads as a name.
	for i := len(l.lines) - 1; i >= 0 && i > len(l.lines)-12; i-- {
		if personRE.MatchString(l.lines[i]) {
			return Field{l.lines[i], 0.4}
		}
	}
	return Field{}
}

var (
	// A judicial process number: 23 digits, often grouped.
	judicialRE = regexp.MustCompile(`\b\d{5}[\s-]?\d{2}[\s-]?\d{2}[\s-]?\d{3}[\s-]?\d{4}[\s-]?\d{5}[\s-]?\d{2}\b`)
	invoiceRE  = regexp.MustCompile(`factura(?:\s+electronica)?(?:\s+de\s+venta)?\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*([a-z]{1,6}\s?-?\s?\d{1,12})\b`)
	cobroRE    = regexp.MustCompile(`cuenta\s+de\s+cobro\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*([a-z]{0,6}-?\d{1,12})\b`)
	oficioRE   = regexp.MustCompile(`\b(?:oficio|requerimiento|comunicado)\s*(?:n[oº°]\.?|numero|#)?\s*:?\s*(\d[\d-]{3,20}\d|[a-z]{1,6}-\d[\d-]*\d)\b`)
	refLabelRE = regexp.MustCompile(`^(?:referencia|ref\.?|radicado|expediente|proceso)\s*(?:n[oº°]\.?)?\s*:\s*([a-z0-9][a-z0-9 ./-]{2,30})$`)
)

// reference is the number the letter is about: the judicial process of a
// court's notice, the number of an invoice or of a cuenta de cobro, the
// oficio of an entity, or what follows "Referencia:".
func (l *letter) reference(docType string) Field {
	all := strings.Join(l.folded, "\n")
	find := map[string]func() string{
		"judicial": func() string { return digits(judicialRE.FindString(all)) },
		"invoice":  func() string { return upperRef(invoiceRE, all) },
		"cobro":    func() string { return upperRef(cobroRE, all) },
		"oficio":   func() string { return upperRef(oficioRE, all) },
		"label": func() string {
			for _, f := range l.folded {
				if m := refLabelRE.FindStringSubmatch(f); m != nil {
					return strings.ToUpper(strings.TrimSpace(m[1]))
				}
			}
			return ""
		},
	}
	order := []string{"judicial", "invoice", "cobro", "oficio", "label"}
	preferred := map[string]string{"tutela": "judicial", "factura": "invoice", "cuenta_cobro": "cobro", "oficio": "oficio"}[docType]
	if preferred != "" {
		if v := find[preferred](); v != "" {
			return Field{v, 0.95}
		}
	}
	for _, k := range order {
		if v := find[k](); v != "" {
			return Field{v, 0.7}
		}
	}
	return Field{}
}

func upperRef(re *regexp.Regexp, s string) string {
	m := re.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	return strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(m[1]), " ", ""))
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
	return b.String()
}
