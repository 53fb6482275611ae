package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
)

// TestAnswers: a salida radicated as the answer of an entrada, with its
// recipient; show gives answers on the salida and answered_by on the
// entrada, on time; annulled, the salida no longer answers; bad answers
// and recipients are refused with nothing numbered.
func TestAnswers(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	page := fixture.PNG(t, src, "carta.png", "Carta")
	entrada := strings.TrimSpace(cli(t, data, "radicar", "--type", "peticion", "--sender", "Ana", "--subject", "Solicitud", "--no-read", page).OK(t).Stdout)
	answer := fixture.PNG(t, src, "respuesta.png", "Respuesta")
	salida := strings.TrimSpace(cli(t, data, "radicar", "--kind", "salida", "--type", "oficio", "--sender", "Secretaría General",
		"--subject", "Respuesta a la solicitud", "--answers", entrada, "--to-name", "Ana Gómez", "--to-address", "Calle 10 # 5-20",
		"--to-city", "Bogotá", "--to-email", "ana@correo.co", "--channel", "ambos", "--no-read", answer).OK(t).Stdout)

	var s struct {
		Answers   []string `json:"answers"`
		Recipient struct {
			Name, Address, City, Email string
			SendBy                     string `json:"send_by"`
		} `json:"recipient"`
	}
	json.Unmarshal([]byte(cli(t, data, "show", salida, "--json").OK(t).Stdout), &s)
	if len(s.Answers) != 1 || s.Answers[0] != entrada || s.Recipient.City != "Bogotá" || s.Recipient.SendBy != "ambos" || s.Recipient.Email != "ana@correo.co" {
		t.Errorf("the salida: %+v", s)
	}
	var e struct {
		AnsweredBy []struct {
			Number string `json:"number"`
			Late   bool   `json:"late"`
		} `json:"answered_by"`
	}
	json.Unmarshal([]byte(cli(t, data, "show", entrada, "--json").OK(t).Stdout), &e)
	if len(e.AnsweredBy) != 1 || e.AnsweredBy[0].Number != salida || e.AnsweredBy[0].Late {
		t.Errorf("the entrada: %+v", e)
	}
	cli(t, data, "anular", salida, "--reason", "se envió a otra dirección").OK(t)
	e.AnsweredBy = nil
	json.Unmarshal([]byte(cli(t, data, "show", entrada, "--json").OK(t).Stdout), &e)
	if len(e.AnsweredBy) != 0 {
		t.Errorf("answered by an annulled salida: %+v", e)
	}
	for name, args := range map[string][]string{
		"an entrada that answers": {"--type", "peticion", "--sender", "Ana", "--subject", "x", "--answers", entrada},
		"not a number":            {"--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "x", "--answers", "RAD-17"},
		"a salida answered":       {"--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "x", "--answers", salida},
		"by e-mail, no e-mail":    {"--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "x", "--to-name", "Ana", "--channel", "email"},
		"on paper, no address":    {"--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "x", "--to-name", "Ana"},
		"a bad channel":           {"--kind", "salida", "--type", "oficio", "--sender", "S", "--subject", "x", "--to-name", "Ana", "--to-address", "C", "--to-city", "B", "--channel", "paloma"},
	} {
		if r := cli(t, data, append(append([]string{"radicar", "--no-read"}, args...), page)...); r.Code == 0 {
			t.Errorf("%s: radicated %s", name, r.Stdout)
		}
	}
	if r := cli(t, data, "list", "--json").OK(t); strings.Count(r.Stdout, `"number"`) != 2 {
		t.Errorf("refused radicaciones left numbers: %s", r.Stdout)
	}
	if r := cli(t, data, "verify").OK(t); !strings.Contains(r.Stdout, "OK") && !strings.Contains(r.Stdout, "ok") {
		t.Errorf("verify: %s", r.Stdout)
	}
}

// TestCitesCommand: an entrada radicated citing our salida (--cites, in
// the grouping a letter writes it) shows cites, and the salida shows
// cited_by; a number this station never gave is refused with nothing
// numbered.
func TestCitesCommand(t *testing.T) {
	data, src := t.TempDir(), t.TempDir()
	page := fixture.PNG(t, src, "carta.png", "Carta")
	salida := strings.TrimSpace(cli(t, data, "radicar", "--kind", "salida", "--type", "oficio", "--sender", "Secretaría General",
		"--subject", "Solicitud de documentos", "--to-name", "Ana Gómez", "--to-address", "Calle 10 # 5-20", "--to-city", "Bogotá",
		"--no-read", page).OK(t).Stdout)
	grouped := salida[:4] + "-" + salida[4:7] + "-" + salida[7:9] + "-" + salida[9:15] + "-" + salida[15:]
	entrada := strings.TrimSpace(cli(t, data, "radicar", "--type", "respuesta", "--sender", "Ana Gómez", "--subject", "Respuesta",
		"--cites", grouped, "--no-read", page).OK(t).Stdout)
	var e, s struct {
		Cites   []string `json:"cites"`
		CitedBy []string `json:"cited_by"`
	}
	json.Unmarshal([]byte(cli(t, data, "show", entrada, "--json").OK(t).Stdout), &e)
	json.Unmarshal([]byte(cli(t, data, "show", salida, "--json").OK(t).Stdout), &s)
	if len(e.Cites) != 1 || e.Cites[0] != salida || len(s.CitedBy) != 1 || s.CitedBy[0] != entrada {
		t.Errorf("entrada %+v, salida %+v", e, s)
	}
	if out := cli(t, data, "show", salida).OK(t).Stdout; !strings.Contains(out, "Cited by:") || !strings.Contains(out, entrada) {
		t.Errorf("show: %s", out)
	}
	never := salida[:9] + "999999" + salida[15:]
	if r := cli(t, data, "radicar", "--type", "respuesta", "--sender", "Ana", "--subject", "R", "--cites", never, "--no-read", page); r.Code == 0 || !strings.Contains(r.Stderr, "cites") {
		t.Errorf("a number never given: %d %s", r.Code, r.Stderr)
	}
	var list []struct{}
	json.Unmarshal([]byte(cli(t, data, "list", "--json").OK(t).Stdout), &list)
	if len(list) != 2 {
		t.Errorf("%d radicados, want 2", len(list))
	}
}
