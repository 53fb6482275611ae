package extract

import (
	"strings"
	"testing"
)

const personLetter = `Medellín, 3 de febrero de 2026

Señores
BANCO EJEMPLO S.A.
Calle 10 No. 20-30, Bogotá

Asunto: Solicitud de paz y salvo
del crédito hipotecario

Respetados señores:

Solicito la expedición del paz y salvo del crédito hipotecario No. 445566.
Adjunto copia de mi cédula de ciudadanía No. 43.123.456.

Atentamente,


Luz Marina Restrepo Gil
C.C. 43.123.456
Celular: 315-222-3344
luz.restrepo@correo.example.co
`

const companyLetter = `Cali, noviembre 14 de 2026

Señores
CUENTAS POR PAGAR
Banco Ejemplo S.A., NIT 890.903.938-8

Referencia: Factura electrónica de venta No. FE 12345

Adjuntamos la factura electrónica de venta FE 12345 por valor total de $ 12.345.678,50
correspondiente al contrato 2026-01.

Cordialmente,

Carlos Ruiz
Gerente
Servicios Integrales del Valle S.A.S.
NIT 800.197.268-4
PBX (602) 486 1234
`

const courtLetter = `Bogotá D.C., 02/03/2026

Señores
OFICINA JURÍDICA

Asunto: Notificación de fallo de tutela

Comunico el fallo proferido dentro de la acción de tutela instaurada por el señor
Pedro Pablo Gómez, C.C. 1.020.304.050, radicado No. 11001-40-03-012-2026-00123-00.

Atentamente,

Escribiente
Juzgado Doce Civil Municipal de Bogotá
`

func TestExtract(t *testing.T) {
	for _, tc := range []struct {
		name string
		text string
		opt  Options
		want map[string]string
	}{
		{"a person", personLetter, Options{}, map[string]string{
			"sender_name": "Luz Marina Restrepo Gil", "sender_id_type": "CC", "sender_id": "43123456", "date": "2026-02-03",
			"subject": "Solicitud de paz y salvo del crédito hipotecario", "email": "luz.restrepo@correo.example.co",
			"phone": "3152223344", "reference": "", "amount": "",
		}},
		{"a company, with our own NIT in the letter", companyLetter, Options{OwnNITs: []string{"890903938"}, DocType: "factura"}, map[string]string{
			"sender_name": "Servicios Integrales del Valle S.A.S.", "sender_id_type": "NIT", "sender_id": "8001972684", "date": "2026-11-14",
			"subject": "Factura electrónica de venta No. FE 12345", "phone": "6024861234", "reference": "FE12345", "amount": "12345678",
		}},
		{"a court", courtLetter, Options{DocType: "tutela"}, map[string]string{
			"sender_name": "Juzgado Doce Civil Municipal de Bogotá", "sender_id_type": "", "sender_id": "", "date": "2026-03-02",
			"subject": "Notificación de fallo de tutela", "reference": "11001400301220260012300", "email": "", "phone": "",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := Extract(tc.text, tc.opt)
			got := map[string]Field{"sender_name": f.SenderName, "sender_id_type": f.SenderIDType, "sender_id": f.SenderID,
				"date": f.Date, "subject": f.Subject, "email": f.Email, "phone": f.Phone, "reference": f.Reference, "amount": f.Amount}
			for k, want := range tc.want {
				if got[k].Value != want {
					t.Errorf("%s = %q, want %q", k, got[k].Value, want)
				}
				if want != "" && (got[k].Confidence <= 0 || got[k].Confidence > 1) {
					t.Errorf("%s confidence %v", k, got[k].Confidence)
				}
			}
		})
	}
}

func TestDates(t *testing.T) {
	for in, want := range map[string]string{
		"Bogotá, 14 de noviembre de 2026":          "2026-11-14",
		"Bogotá, noviembre 14 de 2026":             "2026-11-14",
		"Bogotá, Noviembre 14, 2026":               "2026-11-14",
		"Tunja, 1o. de marzo de 2026":              "2026-03-01",
		"Tunja, primero de marzo de 2026":          "2026-03-01",
		"Pasto, 14 del mes de septiembre del 2026": "2026-09-14",
		"Pasto, 7 de setiembre de 2026":            "2026-09-07",
		"14/11/2026":                               "2026-11-14",
		"03-02-2026":                               "2026-02-03",
		"2026-11-14":                               "2026-11-14",
		"31 de febrero de 2026":                    "", // no such day
		"Radicado 14/13/2026":                      "", // no such month
	} {
		got := Extract(in, Options{}).Date.Value
		if got != want {
			t.Errorf("date of %q = %q, want %q", in, got, want)
		}
	}
}

func TestAmounts(t *testing.T) {
	for in, want := range map[string]string{
		"por valor de $1.700.500":       "1700500",
		"por la suma de $ 4.772.500,00": "4772500",
		"total $12,345,678.90 pesos":    "12345678",
		"valor: $950":                   "950",
		"sin valor":                     "",
		"un cobro de $ 2 500 000 m/cte": "2500000",
	} {
		if got := Extract(in, Options{}).Amount.Value; got != want {
			t.Errorf("amount of %q = %q, want %q", in, got, want)
		}
	}
}

func TestIDs(t *testing.T) {
	for _, tc := range []struct{ text, typ, id string }{
		{"Atentamente,\n\nAna Ruiz\nC.C. 52.123.456", "CC", "52123456"},
		{"Atentamente,\n\nACME S.A.S.\nNIT. 800197268-4", "NIT", "8001972684"},
		{"Atentamente,\n\nACME S.A.S.\nNIT 800.197.268", "NIT", "8001972684"}, // check digit added
		{"Atentamente,\n\nACME S.A.S.\nNIT 800.197.268-5", "", ""},            // wrong check digit: not taken
		{"Atentamente,\n\nJohn Smith\nPasaporte No. AB123456", "PA", "AB123456"},
		{"Atentamente,\n\nJohn Smith\nC.E. 456789", "CE", "456789"},
		{"promovida por la señora Rosa Díaz, C.C. 41.222.333, contra el banco.\nAtentamente,\n\nSecretario\nJuzgado Primero", "", ""},
	} {
		f := Extract(tc.text, Options{})
		if f.SenderIDType.Value != tc.typ || f.SenderID.Value != tc.id {
			t.Errorf("%q: %s %s, want %s %s", strings.ReplaceAll(tc.text, "\n", " / "), f.SenderIDType.Value, f.SenderID.Value, tc.typ, tc.id)
		}
	}
}

func TestPhones(t *testing.T) {
	for in, want := range map[string]string{
		"Teléfono 310 853 8155":     "3108538155",
		"Cel. 3108538155":           "3108538155",
		"Tel: (601) 234 5678":       "6012345678",
		"Tel. +57 315 222 3344":     "3152223344",
		"PBX 4861234":               "4861234",
		"C.C. 1.020.304.050":        "", // an ID is not a phone
		"radicado 2026001010001232": "", // nor is a long number
	} {
		if got := Extract(in, Options{}).Phone.Value; got != want {
			t.Errorf("phone of %q = %q, want %q", in, got, want)
		}
	}
}

// TestEmailAtTheEdge: an address whose last letters the page's edge cut
// is completed only where one domain can end so.
func TestEmailAtTheEdge(t *testing.T) {
	for text, want := range map[string]string{
		"Correo: notificaciones@mail.example.or": "notificaciones@mail.example.org",
		"escriba a rector@universidad.go":        "rector@universidad.go",
		"Correo: ana@empresa.example.co":         "ana@empresa.example.co",
		"Correo: ana@empresa.example.com.co":     "ana@empresa.example.com.co",
		"Correo: contacto@alcaldia-chia.gov.co":  "contacto@alcaldia-chia.gov.co",
	} {
		if got := Extract(text, Options{}).Email.Value; got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// TestSpecks: what OCR read in specks of dirt at a line's ends is not
// taken for part of a field.
func TestSpecks(t *testing.T) {
	text := "E FCCEA-041-2026\nNTT: 900514078-5\n\nYopal, 20 de marzo de 2026\n\nA. Asunto: Invitación al foro E\n\n- Cordialmente,\n\nPEDRO PÉREZ GIL\n-Gerente\nConstructora Llanos S.A.S.'\n"
	f := Extract(text, Options{})
	for name, got := range map[string]Field{"reference": f.Reference, "subject": f.Subject, "sender": f.SenderName, "id": f.SenderID} {
		want := map[string]string{"reference": "FCCEA-041-2026", "subject": "Invitación al foro", "sender": "Constructora Llanos S.A.S.", "id": "9005140785"}[name]
		if got.Value != want {
			t.Errorf("%s %q, want %q", name, got.Value, want)
		}
	}
}

// TestSubjectForms: a subject line with a dash or a period after its label,
// in any case, with a speck before it, is read (it once panicked).
func TestSubjectForms(t *testing.T) {
	for text, want := range map[string]string{
		"ASUNTO - Pago de la cuota":    "Pago de la cuota",
		"Asunto - Pago":                "Pago",
		"A. Asunto - Información":      "Información",
		"Referencia - pago":            "pago",
		"Asunto. Solicitud de copias":  "Solicitud de copias",
		"ASUNTO: Queja\n\nRespetados:": "Queja",
		"Asunto:":                      "",
	} {
		if got := Extract(text, Options{}).Subject.Value; got != want {
			t.Errorf("%q: %q, want %q", text, got, want)
		}
	}
}

// TestLoneE: a capital E at a line's end is a speck, unless it is the
// conjunction before a word in i on the next line.
func TestLoneE(t *testing.T) {
	for _, c := range []struct{ line, next, want string }{
		{"ÉDISON FABIÁN TRISTANCHO CELY E", "C.C. 1.234.567", "ÉDISON FABIÁN TRISTANCHO CELY"},
		{"MINISTERIO DE CIENCIA, TECNOLOGÍA E", "INNOVACIÓN", "MINISTERIO DE CIENCIA, TECNOLOGÍA E"},
		{"Juzgado Segundo de Pasto E", "", "Juzgado Segundo de Pasto"},
		{"E FCCEA-041-2026", "", "FCCEA-041-2026"},
		{"E INSTITUTO", "", "E INSTITUTO"},
	} {
		if got := unspeck(c.line, c.next); got != c.want {
			t.Errorf("%q: %q, want %q", c.line, got, c.want)
		}
	}
}
