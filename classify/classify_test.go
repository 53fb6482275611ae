package classify

import (
	"fmt"
	"testing"
)

var types = []string{"peticion", "queja_reclamo", "factura", "cuenta_cobro", "tutela", "oficio", "otro"}

func TestRules(t *testing.T) {
	c := New(types, nil)
	for _, tc := range []struct{ text, subject, want string }{
		{"En ejercicio del derecho de petición consagrado en el artículo 23 solicito...", "Derecho de petición", "peticion"},
		{"Presento queja por el mal servicio recibido en la oficina.", "Queja", "queja_reclamo"},
		{"Remitimos la factura electrónica FE-100 para su pago.", "Factura electrónica FE-100", "factura"},
		{"Presento cuenta de cobro por honorarios.", "Cuenta de cobro 12", "cuenta_cobro"},
		{"Notifico el auto admisorio de la acción de tutela. Juzgado Primero Civil.", "Tutela 2026-00123", "tutela"},
		{"En desarrollo de las funciones de inspección y vigilancia solicitamos información.", "Requerimiento", "oficio"},
		{"Invitación al foro anual de tesorería.", "Invitación", "otro"},
	} {
		r := c.Classify(tc.text, tc.subject)
		if r.Type != tc.want {
			t.Errorf("%q: %s (%.2f), want %s", tc.subject, r.Type, r.Confidence, tc.want)
		}
		if r.Confidence <= 0 || r.Confidence > 1 || r.Source != "rules" {
			t.Errorf("%q: confidence %v from %s", tc.subject, r.Confidence, r.Source)
		}
	}
}

// TestLearnsFromCorrections: letters of a kind the rules know nothing of
// (requests for a copyright licence) are corrected by the clerk to a new
// type; after enough of them the classifier gives that type itself, with a
// confidence that grows with the examples.
func TestLearnsFromCorrections(t *testing.T) {
	all := append(types, "derecho_autor")
	letter := func(i int) string {
		return fmt.Sprintf("Solicitamos licencia de uso de la obra musical número %d y el pago de regalías por derechos patrimoniales de autor.", i)
	}
	before := New(all, nil).Classify(letter(0), "Licencia de uso")
	if before.Type == "derecho_autor" {
		t.Fatal("the rules already knew the new type")
	}
	var examples []Example
	for i := range 5 {
		examples = append(examples, Example{"peticion", fmt.Sprintf("En ejercicio del derecho de petición solicito copia del contrato %d.", i)})
		examples = append(examples, Example{"factura", fmt.Sprintf("Remitimos la factura electrónica FE-%d por valor de $100.", i)})
	}
	var confs []float64
	for n := 1; n <= 40; n++ {
		examples = append(examples, Example{"derecho_autor", letter(n)})
		if n == 5 || n == 15 || n == 40 {
			r := New(all, Train(examples)).Classify(letter(1000), "Licencia de uso")
			confs = append(confs, r.Confidence)
			if n >= 15 && r.Type != "derecho_autor" {
				t.Errorf("after %d corrections: %s (%.2f)", n, r.Type, r.Confidence)
			}
		}
	}
	if !(confs[0] < confs[1] && confs[1] < confs[2]) {
		t.Errorf("confidence does not grow with examples: %v", confs)
	}
	// What the rules know well stays right.
	r := New(all, Train(examples)).Classify("Presento cuenta de cobro por honorarios profesionales.", "Cuenta de cobro 7")
	if r.Type != "cuenta_cobro" {
		t.Errorf("a cuenta de cobro after learning: %s", r.Type)
	}
}

func TestRoute(t *testing.T) {
	r := Router{
		Depts:  map[string]string{"JUR": "Oficina Jurídica", "GC": "Gestión de Clientes", "GCE": "Gestión de Clientes Empresariales", "CXP": "Cuentas por Pagar"},
		ByType: map[string]string{"factura": "CXP", "tutela": "JUR"},
	}
	for _, tc := range []struct{ text, typ, want string }{
		{"Señores\nGESTIÓN DE CLIENTES EMPRESARIALES\nBanco\n\nAsunto: Queja", "queja_reclamo", "GCE"},
		{"Señores\nGESTION DE CLIENTES\n\nAsunto: Petición", "peticion", "GC"},
		{"Señores\nBanco Ejemplo\n\nAsunto: Factura FE-1 para cuentas por pagar", "factura", "CXP"}, // the name after Asunto does not count
		{"Señores\nBanco Ejemplo\n\nAsunto: Petición", "peticion", ""},
	} {
		if got, _ := r.Route(tc.text, tc.typ); got != tc.want {
			t.Errorf("%q: %q, want %q", tc.text, got, tc.want)
		}
	}
}

// TestCustomerWording: a customer's everyday requests are not taken for
// an authority's traslado or a summons.
func TestCustomerWording(t *testing.T) {
	types := []string{"peticion", "queja_reclamo", "traslado", "citacion", "informacion", "otro"}
	c := New(types, nil)
	for _, tc := range []struct{ text, subject, not string }{
		{"Solicito el traslado de saldo de mi cuenta de ahorros a la cuenta corriente.", "Traslado de saldo", "traslado"},
		{"En ejercicio del derecho de petición solicito el traslado de régimen pensional, que es de su competencia.", "Traslado de régimen", "traslado"},
		{"Les informo que la audiencia pública de rendición de cuentas será a la hora indicada en la diligencia.", "Rendición de cuentas", "citacion"},
	} {
		if r := c.Classify(tc.text, tc.subject); r.Type == tc.not {
			t.Errorf("%q: %s (%.2f)", tc.subject, r.Type, r.Confidence)
		}
	}
	// The authority's own words still say it.
	if r := c.Classify("Por no ser de nuestra competencia, y en aplicación del artículo 21 de la Ley 1755 de 2015, remitimos la petición.", "Traslado de derecho de petición por no ser de nuestra competencia"); r.Type != "traslado" {
		t.Errorf("an authority's traslado: %s", r.Type)
	}
}
