package main

import (
	"encoding/json"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
)

// TestDespacho: the loop of sending salidas out from the command line:
// three salidas in a dispatch for 4-72, their guides, the planilla (read
// back), a results file with one delivered and one returned, the third
// returned by scanning its sticker, and a second attempt; each bad input a
// clear message with nothing half-recorded.
func TestDespacho(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	page := fixture.PNG(t, src, "p.png", "Carta")
	radicar := func(args ...string) string {
		t.Helper()
		return strings.TrimSpace(cli(t, data, append(append([]string{"radicar", "--no-read"}, args...), page)...).OK(t).Stdout)
	}
	entrada := radicar("--type", "peticion", "--sender", "Ana", "--subject", "Solicitud")
	salida := func(name, city string) string {
		return radicar("--kind", "salida", "--type", "oficio", "--sender", "Secretaría", "--subject", "Respuesta a "+name,
			"--to-name", name, "--to-address", "Calle 1 # 2-3", "--to-city", city)
	}
	s1 := radicar("--kind", "salida", "--type", "oficio", "--sender", "Secretaría", "--subject", "Respuesta", "--answers", entrada,
		"--to-name", "Ana Gómez", "--to-address", "Calle 10 # 5-20", "--to-city", "Bogotá D.C.")
	s2, s3 := salida("Beto Ruiz", "Medellín"), salida("Carla Díaz", "Barranquilla")
	byEmail := radicar("--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "Por correo", "--to-name", "Dora", "--to-email", "d@x.co", "--channel", "email")

	var listed struct {
		Waiting []string `json:"waiting"`
	}
	json.Unmarshal([]byte(cli(t, data, "despacho", "list", "--json").OK(t).Stdout), &listed)
	if strings.Join(listed.Waiting, " ") != strings.Join([]string{s1, s2, s3, byEmail}, " ") {
		t.Errorf("waiting %v, want the three on paper and the one by e-mail", listed.Waiting)
	}
	if r := cli(t, data, "despacho", "new", "--courier", "4-72", byEmail); r.Code == 0 || !strings.Contains(r.Stderr, "on paper") {
		t.Errorf("a salida by e-mail in a courier's dispatch: %q", r.Stderr)
	}
	for name, args := range map[string][]string{
		"an entrada":         {"new", "--courier", "4-72", entrada},
		"an unknown courier": {"new", "--courier", "Palomas", s1},
		"an unknown service": {"new", "--courier", "4-72", "--service", "Express", s1},
	} {
		if r := cli(t, data, append([]string{"despacho"}, args...)...); r.Code == 0 {
			t.Errorf("%s: %s", name, r.Stdout)
		}
	}
	var d struct{ ID int64 }
	json.Unmarshal([]byte(cli(t, data, "despacho", "new", "--courier", "4-72", "--service", "Correo certificado", s1, s2, s3, "--json").OK(t).Stdout), &d)
	if d.ID == 0 {
		t.Fatal("no dispatch id")
	}
	if r := cli(t, data, "despacho", "new", "--courier", "4-72", s1); r.Code == 0 || !strings.Contains(r.Stderr, "in dispatch") {
		t.Errorf("the same salida in two dispatches: %q", r.Stderr)
	}
	// The guides, as a handheld scanner types them.
	for n, g := range map[string]string{s1: "RA123456789CO", s2: "RA123456790CO", s3: "RA123456791CO"} {
		cli(t, data, "despacho", "guide", n, g).OK(t)
	}
	for name, args := range map[string][]string{
		"a guide for an entrada":  {entrada, "RA999"},
		"another's guide":         {s2, "RA123456789CO"},
		"a guide that is not one": {s1, "RA 12"},
	} {
		if r := cli(t, data, append([]string{"despacho", "guide"}, args...)...); r.Code == 0 {
			t.Errorf("%s: %s", name, r.Stdout)
		}
	}
	// Nothing comes back before it is handed over.
	if r := cli(t, data, "despacho", "return", s1, "--reason", "RE"); r.Code == 0 || !strings.Contains(r.Stderr, "not handed over") {
		t.Errorf("a return before the handing over: %d %q", r.Code, r.Stderr)
	}
	pdf := filepath.Join(src, "planilla.pdf")
	cli(t, data, "despacho", "close", strconv.FormatInt(d.ID, 10), "--out", pdf).OK(t)
	text, err := exec.Command("pdftotext", "-layout", pdf, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{s1, s2, s3, "RA123456789CO", "Barranquilla", "4-72", "Recibe (transportadora)"} {
		if !strings.Contains(string(text), want) {
			t.Errorf("the planilla lacks %q", want)
		}
	}
	// The envelope's shipping label.
	ship := filepath.Join(src, "envio.pdf")
	cli(t, data, "label", s1, "--shipping", "--out", ship).OK(t)
	if text, err := exec.Command("pdftotext", "-layout", ship, "-").Output(); err != nil || !strings.Contains(string(text), "DESTINATARIO") ||
		!strings.Contains(string(text), "Ana Gómez") || !strings.Contains(string(text), "Guía RA123456789CO · 4-72") {
		t.Errorf("the shipping label says:\n%s %v", text, err)
	}
	if r := cli(t, data, "label", entrada, "--shipping", "--out", ship); r.Code == 0 || !strings.Contains(r.Stderr, "not a salida") {
		t.Errorf("an entrada's shipping label: %q", r.Stderr)
	}
	csvOut := filepath.Join(src, "planilla.csv")
	cli(t, data, "despacho", "close", strconv.FormatInt(d.ID, 10), "--format", "csv", "--out", csvOut).OK(t)

	// The courier's results: bad files record nothing.
	for name, body := range map[string]string{
		"an unknown guide": "guia;estado;causal;fecha\nRA000000000CO;ENTREGADO;;2026-11-27\n",
		"a line twice":     "guia;estado;causal;fecha\nRA123456789CO;ENTREGADO;;2026-11-27\nRA123456789CO;ENTREGADO;;2026-11-27\n",
		"an unknown code":  "guia;estado;causal;fecha\nRA123456790CO;DEVUELTO;XX;2026-11-27\n",
		"no such column":   "numero;estado;causal;fecha\nRA123456790CO;ENTREGADO;;2026-11-27\n",
	} {
		f := fixture.Write(t, src, "bad.csv", []byte(body))
		if r := cli(t, data, "despacho", "results", f); r.Code == 0 || !strings.Contains(r.Stderr, "nothing was recorded") {
			t.Errorf("%s: %d %q", name, r.Code, r.Stderr)
		}
	}
	results := fixture.Write(t, src, "resultados.csv", []byte("Guía,Estado,Causal,Fecha\nRA123456789CO,ENTREGADO,,27/11/2026\nRA123456790CO,DEVUELTO,DE,28/11/2026\n"))
	cli(t, data, "despacho", "results", results, "--map", "guide=Guía,state=2,reason=Causal,date=Fecha").OK(t)
	delivery := func(n string) (state, reason, courier, guide string, attempt int) {
		var j struct {
			Delivery struct {
				State, Reason, Courier, Guide string
				Attempt                       int
			} `json:"delivery"`
		}
		json.Unmarshal([]byte(cli(t, data, "show", n, "--json").OK(t).Stdout), &j)
		return j.Delivery.State, j.Delivery.Reason, j.Delivery.Courier, j.Delivery.Guide, j.Delivery.Attempt
	}
	if st, _, c, g, a := delivery(s1); st != "entregado" || c != "4-72" || g != "RA123456789CO" || a != 1 {
		t.Errorf("%s: %s %s %s %d", s1, st, c, g, a)
	}
	if st, why, _, _, _ := delivery(s2); st != "devuelto" || why != "dirección errada" {
		t.Errorf("%s: %s %s", s2, st, why)
	}
	// The third comes back: its envelope scanned, the sticker read.
	scanFile := filepath.Join(src, "sobre.png")
	cli(t, data, "label", s3, "--format", "png", "--dpi", "300", "--out", scanFile).OK(t)
	if r := cli(t, data, "despacho", "return", "--reason", "rehusado", page); r.Code == 0 || !strings.Contains(r.Stderr, "no sticker") {
		t.Errorf("a scan with no sticker: %d %q", r.Code, r.Stderr)
	}
	if r := cli(t, data, "despacho", "return", "--reason", "RE", scanFile).OK(t); !strings.Contains(r.Stdout, s3+" returned") {
		t.Errorf("return by scan: %q", r.Stdout)
	}
	if st, why, _, _, _ := delivery(s3); st != "devuelto" || why != "rehusado" {
		t.Errorf("%s: %s %s", s3, st, why)
	}
	// The same return again fails (store.TestProofKept: the first one's
	// proof stays).
	if r := cli(t, data, "despacho", "return", "--reason", "RE", scanFile); r.Code == 0 {
		t.Errorf("returned twice: %s", r.Stdout)
	}
	// A second attempt of the one with the wrong address; the courier's
	// file, cumulative, brings attempt 1's line again: it changes nothing.
	var second struct{ ID int64 }
	json.Unmarshal([]byte(cli(t, data, "despacho", "new", "--courier", "Servientrega", "--to-address", "Carrera 7 # 8-9", "--to-city", "Cali",
		s2, "--json").OK(t).Stdout), &second)
	if st, _, c, _, a := delivery(s2); st != "pendiente" || c != "Servientrega" || a != 2 {
		t.Errorf("attempt 2 of %s: %s %s %d", s2, st, c, a)
	}
	if r := cli(t, data, "despacho", "guide", s2, "RA123456790CO"); r.Code == 0 || !strings.Contains(r.Stderr, "attempt 1") {
		t.Errorf("attempt 1's guide for attempt 2: %q", r.Stderr)
	}
	// The corrected address goes on its label and its planilla.
	cli(t, data, "label", s2, "--shipping", "--out", ship).OK(t)
	if text, _ := exec.Command("pdftotext", "-layout", ship, "-").Output(); !strings.Contains(string(text), "Carrera 7 # 8-9") ||
		!strings.Contains(string(text), "intento 2") || strings.Contains(string(text), "Calle 1 # 2-3") {
		t.Errorf("attempt 2's label:\n%s", text)
	}
	// Its guide from the courier's file; a file with a bad line records
	// nothing.
	bad := fixture.Write(t, src, "guias-malas.csv", []byte("radicado;guia\n"+s2+";SV-000777\n"+s1+";SV-000778\n"))
	if r := cli(t, data, "despacho", "guides", bad); r.Code == 0 || !strings.Contains(r.Stderr, "nothing was recorded") {
		t.Errorf("a guides file with a delivered salida: %d %q", r.Code, r.Stderr)
	}
	if _, _, _, g, _ := delivery(s2); g != "" {
		t.Errorf("a refused guides file left guide %s", g)
	}
	guides := fixture.Write(t, src, "guias.csv", []byte("Referencia,Guía\n"+s2+",SV-000777\n"))
	cli(t, data, "despacho", "guides", guides, "--map", "number=Referencia,guide=2").OK(t)
	pdf2 := filepath.Join(src, "planilla2.pdf")
	cli(t, data, "despacho", "close", strconv.FormatInt(second.ID, 10), "--out", pdf2).OK(t)
	if text, _ := exec.Command("pdftotext", "-layout", pdf2, "-").Output(); !strings.Contains(string(text), "Carrera 7 # 8-9") || !strings.Contains(string(text), "SV-000777") {
		t.Errorf("attempt 2's planilla:\n%s", text)
	}
	if r := cli(t, data, "despacho", "new", "--courier", "4-72", "--to-city", "Cali", s3); r.Code == 0 {
		t.Errorf("a corrected recipient without an address: %s", r.Stdout)
	}
	cli(t, data, "despacho", "results", results, "--map", "guide=Guía,state=2,reason=Causal,date=Fecha").OK(t)
	if st, _, _, _, a := delivery(s2); st != "despachado" || a != 2 {
		t.Errorf("attempt 2 after attempt 1's result again: %s %d", st, a)
	}
	if r := cli(t, data, "despacho", "new", "--courier", "4-72", s1); r.Code == 0 || !strings.Contains(r.Stderr, "delivered") {
		t.Errorf("a delivered salida dispatched again: %q", r.Stderr)
	}
	if r := cli(t, data, "verify").OK(t); strings.Contains(r.Stdout, "PROBLEM") {
		t.Errorf("verify: %s", r.Stdout)
	}
}

// TestCourierDays: a courier with days of its own promises its results
// sooner than the general table says.
func TestCourierDays(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	page := fixture.PNG(t, src, "p.png", "Carta")
	cli(t, data, "config", "set", "courier.Rápido", "Urgente;bogota=1,principal=1,costa=2,otras=3", "courier.4-72", "Certificado").OK(t)
	if r := cli(t, data, "config", "set", "courier.Lento", "X;luna=9"); r.Code == 0 {
		t.Error("a courier's days with an unknown zone")
	}
	expected := func(courier string) string {
		n := strings.TrimSpace(cli(t, data, "radicar", "--no-read", "--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "R",
			"--to-name", "Ana", "--to-address", "Calle 1", "--to-city", "Bogotá", page).OK(t).Stdout)
		var d struct{ ID int64 }
		json.Unmarshal([]byte(cli(t, data, "despacho", "new", "--courier", courier, n, "--json").OK(t).Stdout), &d)
		var closed struct {
			HandedOn  string `json:"handed_on"`
			Envelopes []struct {
				ExpectedBy string `json:"expected_by"`
			} `json:"envelopes"`
		}
		json.Unmarshal([]byte(cli(t, data, "despacho", "close", strconv.FormatInt(d.ID, 10), "--out", filepath.Join(src, "p.pdf"), "--json").OK(t).Stdout), &closed)
		if len(closed.Envelopes) != 1 || closed.Envelopes[0].ExpectedBy <= closed.HandedOn {
			t.Fatalf("%s: %+v", courier, closed)
		}
		return closed.Envelopes[0].ExpectedBy
	}
	if fast, slow := expected("Rápido"), expected("4-72"); fast >= slow {
		t.Errorf("Rápido expects by %s, 4-72 by %s", fast, slow)
	}
}
