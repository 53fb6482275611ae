package extract

import (
	"slices"
	"strings"
	"testing"
)

// ours tells the test organisation's numbers: 16 digits, a year, office
// 001 and station 01, kind 1–3 (the default pattern).
func ours(d string) bool {
	return len(d) == 16 && strings.HasPrefix(d, "20") && d[4:9] == "00101" && d[15] >= '1' && d[15] <= '3'
}

// TestReferenceForms reads the sender's reference and our numbers from
// letters worded in each way formal Spanish letters put them, beside the
// numbers that are not references.
func TestReferenceForms(t *testing.T) {
	cases := []struct {
		name, text, docType string
		prefixes            []string
		ref                 string
		cites               []string
	}{
		{name: "header block, number below", text: "Bogotá, 3 de marzo de 2026\n\nAl contestar cite este número:\nOF-2026-004512\n\nSeñores", ref: "OF-2026-004512"},
		{name: "header block, same line", text: "Al contestar por favor cite el número de radicado 2026-ER-014233\nSeñores", ref: "2026-ER-014233"},
		{name: "favor citar in a sentence", text: "Favor citar el número S-2026-011345 en su respuesta, que enviará a la Calle 26 No. 13-19.", ref: "S-2026-011345"},
		{name: "rad. no.", text: "Rad. No. EE12345\nFecha: 2026-03-04", ref: "EE12345"},
		{name: "nuestra referencia", text: "Nuestra referencia: RAD-55012\nSu referencia: ninguna", ref: "RAD-55012"},
		{name: "table", text: "Radicado   Fecha   Anexos\n20261104567   2026-03-04   2 folios\n\nSeñores", ref: "20261104567"},
		{name: "table with a title cell", text: "No. Radicado | Fecha | Folios\n| 2026-004512 | 04/03/2026 | 3 |", ref: "2026-004512"},
		{name: "row whose heading was lost", text: "Asunto: Traslado\n20261104567 | 2026-03-04 | 2 folios\nRespetados señores:", ref: "20261104567"},
		{name: "subject", text: "Asunto: Traslado por competencia - oficio S-2026-011345", ref: "S-2026-011345"},
		{name: "citando el oficio", text: "enviar la información, citando el oficio 2026153468.", ref: "2026153468"},
		{name: "judicial grouped", text: "Proceso: 11001-31-03-015-2026-00123-00\nAccionante: Luis Pérez, C.C. 80.123.456", docType: "tutela", ref: "11001310301520260012300"},
		{name: "judicial as radicado", text: "promovida por Ana Ruiz, C.C. 29.921.982, radicado 08001400306120266676200. Se concede", ref: "08001400306120266676200"},
		{name: "their oficio that is not ours", text: "En respuesta a su oficio No. 4512-2026 del 3 de febrero", ref: "4512-2026"},
		{name: "our number only", text: "En atención a su comunicación con radicado No. 2026001010000451 del 2 de febrero de 2026, le informo", cites: []string{"2026001010000451"}},
		{name: "our number grouped", text: "Respuesta a su oficio 2026 001 01 000452 1\nSeñores", cites: []string{"2026001010004521"}},
		{name: "our number with dashes, then theirs", text: "Al contestar cite: 20263100045671\n\nRef.: su radicado 2026-001-01-000451-1 del 4 de mayo", ref: "20263100045671", cites: []string{"2026001010004511"}},
		{name: "our number followed by another", text: "radicado 2026001010000451 2 folios", cites: []string{"2026001010000451"}},
		{name: "our number grouped, a space read as a dot", text: "con el número\n2025 001.01 014522 2\n", cites: []string{"2025001010145222"}},
		{name: "a number and a date are not ours", text: "|2026-0341|2026-02-11|$ 45.600.000|"},
		{name: "an account that reads as ours", text: "el débito a mi cuenta de ahorros 2026001010000451 del mes"},
		{name: "a compact date", text: "Consecutivo 20260303"},
		{name: "digits with dots after a label", text: "Radicado: 1.234.567"},
		{name: "the sender asks to be cited by a number of our shape", text: "Al contestar cite este número: 2026001010004511\n\nEn respuesta a su oficio 2026001010000451", ref: "2026001010004511", cites: []string{"2026001010000451"}},
		{name: "a date after a label", text: "Fecha de radicado: 14/03/2026\nRadicado el 2026-03-14"},
		{name: "a phone after a label", text: "Teléfono de radicación 6017654321"},
		{name: "an ID", text: "Radicado por C.C. 52.345.678"},
		{name: "a law", text: "Oficio No. 15 de 2026, conforme al artículo 21 de la Ley 1755 de 2015"},
		{name: "an amount", text: "Radicado: $ 1.250.000 por concepto de honorarios"},
		{name: "an address", text: "Radicación en la Carrera 7 No. 26-20, piso 4"},
		{name: "other words after a label", text: "Proceso de contratación No. 2026-0045 del municipio"},
		{name: "invoice prefix confused", text: "Adjunto la factura electrónica EV-35415 por valor de $ 100.000", docType: "factura", prefixes: []string{"FE", "FV"}, ref: "FV-35415"},
		{name: "invoice prefix known", text: "factura electrónica FE-4521", docType: "factura", prefixes: []string{"FE", "FV"}, ref: "FE-4521"},
		{name: "invoice prefix two readings", text: "factura electrónica EV-35415", docType: "factura", prefixes: []string{"FV", "FY"}, ref: "EV-35415"},
		{name: "invoice prefix nothing near", text: "factura electrónica XQ-35415", docType: "factura", prefixes: []string{"FE", "FV"}, ref: "XQ-35415"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := Extract(c.text, Options{DocType: c.docType, Own: ours, OwnWidths: []int{4, 3, 2, 6, 1}, InvoicePrefixes: c.prefixes})
			if f.Reference.Value != c.ref {
				t.Errorf("reference %q, want %q", f.Reference.Value, c.ref)
			}
			if !slices.Equal(f.Cites, c.cites) {
				t.Errorf("cites %q, want %q", f.Cites, c.cites)
			}
		})
	}
}

// TestCitesWithoutPattern: with no way to tell our numbers, a number is
// never taken for ours, and one that looks like ours is a reference.
func TestCitesWithoutPattern(t *testing.T) {
	f := Extract("Al contestar cite este número: 2026001010000451", Options{})
	if len(f.Cites) != 0 || f.Reference.Value != "2026001010000451" {
		t.Errorf("reference %q, cites %q", f.Reference.Value, f.Cites)
	}
}
