// Package classify tells what kind of document a letter is and where it
// goes: keyword rules to start with, and a naive Bayes model learnt from the
// station's own confirmed radicados that takes over as they accumulate.
package classify

import (
	"math"
	"sort"
	"strings"
	"unicode"

	"github.com/radicador/radicador/internal/textfold"
)

// Result is a classification.
type Result struct {
	Type       string             `json:"type"`
	Confidence float64            `json:"confidence"`
	Scores     map[string]float64 `json:"scores,omitempty"` // probability of each type
	Source     string             `json:"source"`           // "rules", "model" or "rules+model"
}

// Rule is a phrase that points to a document type.
type Rule struct {
	Type   string
	Phrase string // folded: lower case, no accents
	Weight float64
}

// DefaultRules are phrases found in the letters a Colombian front desk
// receives, by the kind of document they announce.
var DefaultRules = []Rule{
	{"tutela", "accion de tutela", 6}, {"tutela", "tutela", 3}, {"tutela", "juzgado", 2}, {"tutela", "tribunal", 2},
	{"tutela", "auto admisorio", 3}, {"tutela", "admitio", 1}, {"tutela", "fallo", 1}, {"tutela", "desacato", 3},
	{"tutela", "notificacion judicial", 3}, {"tutela", "despacho", 1}, {"tutela", "accionante", 3},

	{"factura", "factura electronica", 6}, {"factura", "factura", 3}, {"factura", "cufe", 4}, {"factura", "orden de compra", 1},
	{"factura", "proveedor", 1}, {"factura", "tramite de pago", 2},

	{"cuenta_cobro", "cuenta de cobro", 8}, {"cuenta_cobro", "honorarios", 2}, {"cuenta_cobro", "prestacion de servicios", 1},

	{"queja_reclamo", "queja", 4}, {"queja_reclamo", "reclamo", 4}, {"queja_reclamo", "reclamacion", 3},
	{"queja_reclamo", "inconformidad", 3}, {"queja_reclamo", "no autorice", 2}, {"queja_reclamo", "no autorizado", 2},
	{"queja_reclamo", "insatisfaccion", 2}, {"queja_reclamo", "reversion", 1}, {"queja_reclamo", "mal servicio", 3},

	{"peticion", "derecho de peticion", 6}, {"peticion", "derecho fundamental de peticion", 3}, {"peticion", "articulo 23", 3},
	{"peticion", "ley 1755", 3}, {"peticion", "peticion", 2}, {"peticion", "solicito", 1},

	// A petition of general interest says so: it is a petition, and more.
	{"peticion_general", "interes general", 14}, {"peticion_general", "interes colectivo", 10}, {"peticion_general", "interes publico", 8},
	{"peticion_general", "comunidad", 1}, {"peticion_general", "ciudadania", 1}, {"peticion_general", "vecinos", 1},
	{"peticion_general", "habitantes", 1}, {"peticion", "interes particular", 3},

	// Ley 1755 art. 21: another authority sends us what is ours to answer.
	// Only wording about competence: "traslado de saldo", "traslado de
	// régimen" or "es de su competencia" are a customer's requests.
	{"traslado", "traslado por competencia", 10}, {"traslado", "por no ser de nuestra competencia", 8},
	{"traslado", "no es de nuestra competencia", 8}, {"traslado", "no son de nuestra competencia", 8},
	{"traslado", "no corresponde a esta entidad", 6}, {"traslado", "articulo 21 de la ley 1755", 6},
	{"traslado", "traslado de la peticion", 6}, {"traslado", "traslado de su peticion", 6}, {"traslado", "traslado del derecho de peticion", 6},
	{"traslado", "traslado de derecho de peticion", 6}, {"traslado", "traslado de la queja", 6}, {"traslado", "traslado del escrito", 6},
	{"traslado", "traslado de la solicitud", 5}, {"traslado", "por competencia", 6}, {"traslado", "dar traslado", 4},
	{"traslado", "damos traslado", 4}, {"traslado", "se da traslado", 4}, {"traslado", "correr traslado", 4},
	{"traslado", "remitimos", 1}, {"traslado", "remite", 1}, {"traslado", "de su competencia", 4},
	{"traslado", "nuestra competencia", 4}, {"traslado", "no es competente", 4}, {"traslado", "no somos competentes", 4},
	{"traslado", "articulo 21", 4}, {"traslado", "autoridad competente", 2},

	{"informacion", "solicitud de informacion", 3}, {"informacion", "solicitud de documentos", 3}, {"informacion", "solicitamos", 1},
	{"informacion", "suministrar", 1}, {"informacion", "suministre", 1}, {"informacion", "informacion", 1},
	{"informacion", "copia de", 1}, {"informacion", "copias", 1}, {"informacion", "certificacion", 1}, {"informacion", "nos informe", 2},
	{"informacion", "se sirva informar", 2}, {"informacion", "allegar", 1}, {"informacion", "remitir", 1},

	{"notificacion", "notificacion por aviso", 8}, {"notificacion", "se notifica", 4}, {"notificacion", "notificacion personal", 5},
	{"notificacion", "notificar", 2}, {"notificacion", "notifica", 2}, {"notificacion", "acto administrativo", 4}, {"notificacion", "resolucion", 1},
	{"notificacion", "recurso de reposicion", 3}, {"notificacion", "recursos", 1}, {"notificacion", "apelacion", 1},
	{"notificacion", "ejecutoria", 2}, {"notificacion", "surtida", 1}, {"notificacion", "cpaca", 2}, {"notificacion", "ley 1437", 2},

	{"citacion", "citacion", 5}, {"citacion", "se le cita", 6}, {"citacion", "citese", 5}, {"citacion", "comparecer", 4},
	{"citacion", "comparezca", 4}, {"citacion", "audiencia", 0.5}, {"citacion", "diligencia", 0.5}, {"citacion", "asistir", 1}, {"citacion", "se cita", 4}, {"citacion", "citar", 2},
	{"citacion", "presentarse", 2}, {"citacion", "convoca", 2}, {"citacion", "convocatoria", 2},

	{"respuesta", "en respuesta a su", 5}, {"respuesta", "en atencion a su", 4}, {"respuesta", "damos respuesta", 4},
	{"respuesta", "dar respuesta", 3}, {"respuesta", "respuesta a su", 3}, {"respuesta", "su oficio", 2}, {"respuesta", "su comunicacion", 3},
	{"respuesta", "su radicado", 3}, {"respuesta", "su requerimiento", 3}, {"respuesta", "su solicitud", 2}, {"respuesta", "nos permitimos informar", 1},
	{"respuesta", "me permito informar", 1},

	// Ley 1755 art. 14.2: a consultation asks for the entity's concept.
	{"consulta", "consulta", 4}, {"consulta", "concepto", 3}, {"consulta", "modalidad de consulta", 4}, {"consulta", "emitir concepto", 3},
	{"consulta", "pregunto", 2}, {"consulta", "preguntas", 1}, {"consulta", "interpretacion", 2}, {"consulta", "absolver", 3},

	{"oficio", "estatuto tributario", 3}, {"oficio", "fiscalizacion", 2}, {"oficio", "sancion", 1}, {"oficio", "vigilancia", 1},
	{"oficio", "oficio", 2}, {"oficio", "inspeccion y vigilancia", 4}, {"oficio", "requerimiento", 2},
	{"oficio", "ministerio", 1}, {"oficio", "superintendencia", 2}, {"oficio", "contraloria", 1}, {"oficio", "procuraduria", 1},
	{"oficio", "alcaldia", 1}, {"oficio", "gobernacion", 1}, {"oficio", "direccion de impuestos", 2}, {"oficio", "visita de inspeccion", 2},
}

// Other is the type given when nothing points anywhere.
const Other = "otro"

// Fold gives s in lower case without accents, with white space folded.
func Fold(s string) string {
	return strings.Join(strings.Fields(textfold.Lower(s)), " ")
}

// Tokens splits folded text into words of two or more letters or digits.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// ruleScores scores each type by the phrases found, those of the subject
// counting twice.
func ruleScores(rules []Rule, text, subject string) map[string]float64 {
	body, subj := " "+strings.Join(Tokens(text), " ")+" ", " "+strings.Join(Tokens(subject), " ")+" "
	scores := map[string]float64{}
	for _, r := range rules {
		p := " " + r.Phrase + " "
		if strings.Contains(body, p) {
			scores[r.Type] += r.Weight
		}
		if strings.Contains(subj, p) {
			scores[r.Type] += r.Weight
		}
	}
	return scores
}

// normalize turns scores into probabilities with a softmax, so that a
// clear lead gives a high confidence and a tie a low one.
func normalize(scores map[string]float64, types []string, temperature float64) map[string]float64 {
	out := map[string]float64{}
	var sum float64
	for _, t := range types {
		v := math.Exp(scores[t] / temperature)
		out[t] = v
		sum += v
	}
	for t := range out {
		out[t] /= sum
	}
	return out
}

func best(p map[string]float64) (string, float64) {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	bt, bp := Other, -1.0
	for _, k := range keys {
		if p[k] > bp {
			bt, bp = k, p[k]
		}
	}
	return bt, bp
}

// Classifier combines the rules with a model learnt from examples.
type Classifier struct {
	Rules []Rule
	Types []string // the types it may answer (must include Other)
	model *Model
}

// New gives a classifier over types with the default rules and a model
// (nil: rules only).
func New(types []string, m *Model) *Classifier {
	if !contains(types, Other) {
		types = append(types, Other)
	}
	return &Classifier{Rules: DefaultRules, Types: types, model: m}
}

func contains(l []string, s string) bool {
	for _, v := range l {
		if v == s {
			return true
		}
	}
	return false
}

// Classify tells the type of a letter from its text and subject.
func (c *Classifier) Classify(text, subject string) Result {
	scores := ruleScores(c.Rules, text, subject)
	scores[Other] += 1.5 // what nothing points to is "otro"
	rules := normalize(scores, c.Types, 2)
	p, source := rules, "rules"
	if c.model != nil && c.model.Examples() > 0 {
		learnt := c.model.Probabilities(text+" "+subject, c.Types)
		// The model earns its say as examples accumulate: a third of the
		// vote after 25 examples, two thirds after 100.
		n := float64(c.model.Examples())
		w := math.Min(0.8, n/(n+50))
		p = map[string]float64{}
		for _, t := range c.Types {
			p[t] = (1-w)*rules[t] + w*learnt[t]
		}
		source = "rules+model"
	}
	t, conf := best(p)
	return Result{Type: t, Confidence: conf, Scores: p, Source: source}
}
