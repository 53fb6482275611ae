package main

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/dovecottest"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/mailfixture"
)

// TestMailCommands: the e-mail loop from the command line against a real
// IMAP server: fetch, list, radicate a message (fields from the message,
// the type given), show it with its original first and its channel,
// discard another, import an .eml, and the messages end in their folders.
func TestMailCommands(t *testing.T) {
	srv := dovecottest.Start(t)
	data, src := t.TempDir(), t.TempDir()
	srv.Deliver(t, "INBOX", mailfixture.Message{ID: "q1@correo.example", From: `"Marta Ríos" <marta.rios@correo.example>`,
		Subject: "Queja por el servicio", HTML: "<p>Presento <b>queja</b> por la atención.</p><p>C.C. 41.555.666</p>"}.Bytes())
	srv.Deliver(t, "INBOX", mailfixture.Latin1("l1@correo.example"))
	srv.Deliver(t, "INBOX", mailfixture.Message{ID: "spam@x.example", From: "ofertas@x.example", Subject: "Gane dinero", Text: "Clic aquí"}.Bytes())

	cli(t, data, "config", "set", "mail.host", "127.0.0.1", "mail.port", strconv.Itoa(srv.Port), "mail.security", "none",
		"mail.user", srv.User).OK(t)
	if r := cli(t, data, "mail", "fetch"); r.Code == 0 || !strings.Contains(r.Stderr, "password") {
		t.Errorf("fetch without a password: %d %q", r.Code, r.Stderr)
	}
	cli(t, data, "mail", "password", fixture.Write(t, src, "pw", []byte(srv.Password+"\n"))).OK(t)

	var res struct{ Claimed, New int }
	if err := json.Unmarshal([]byte(cli(t, data, "mail", "fetch", "--json").OK(t).Stdout), &res); err != nil || res.New != 3 || res.Claimed != 3 {
		t.Fatalf("fetch: %+v %v", res, err)
	}
	var list []map[string]any
	if err := json.Unmarshal([]byte(cli(t, data, "mail", "list", "--json").OK(t).Stdout), &list); err != nil || len(list) != 3 {
		t.Fatalf("list: %v %v", list, err)
	}
	for _, k := range []string{"id", "from", "subject", "date", "attachments"} {
		if _, ok := list[0][k]; !ok {
			t.Errorf("mail list --json lacks %q: %v", k, list[0])
		}
	}
	ids := map[string]string{}
	for _, m := range list {
		ids[m["message_id"].(string)] = strconv.Itoa(int(m["id"].(float64)))
	}

	var rec map[string]any
	json.Unmarshal([]byte(cli(t, data, "radicar", "--mail", ids["q1@correo.example"], "--type", "queja_reclamo", "--json", "--no-read").OK(t).Stdout), &rec)
	number, _ := rec["number"].(string)
	var shown struct {
		Type    string `json:"type"`
		Channel string `json:"channel"`
		Subject string `json:"subject"`
		Sender  struct {
			Name, Email, ID string
		} `json:"sender"`
		Files []struct {
			Name      string `json:"name"`
			MediaType string `json:"media_type"`
		} `json:"files"`
	}
	if err := json.Unmarshal([]byte(cli(t, data, "show", number, "--json").OK(t).Stdout), &shown); err != nil {
		t.Fatal(err)
	}
	if shown.Type != "queja_reclamo" || shown.Channel != "email" || shown.Subject != "Queja por el servicio" || shown.Sender.Name != "Marta Ríos" ||
		shown.Sender.Email != "marta.rios@correo.example" || shown.Sender.ID != "41555666" {
		t.Errorf("show: %+v", shown)
	}
	if len(shown.Files) != 2 || shown.Files[0].Name != "mensaje.eml" || shown.Files[0].MediaType != "message/rfc822" || shown.Files[1].Name != "mensaje.pdf" {
		t.Errorf("files: %+v", shown.Files)
	}
	if r := cli(t, data, "radicar", "--mail", ids["q1@correo.example"]); r.Code == 0 || !strings.Contains(r.Stderr, "already") {
		t.Errorf("the same message again: %d %q", r.Code, r.Stderr)
	}
	if r := cli(t, data, "mail", "discard", ids["spam@x.example"]); r.Code == 0 || !strings.Contains(r.Stderr, "reason") {
		t.Errorf("discard without a reason: %d %q", r.Code, r.Stderr)
	}
	cli(t, data, "mail", "discard", ids["spam@x.example"], "--reason", "publicidad").OK(t)
	if r := cli(t, data, "mail", "list", "--json").OK(t); strings.Count(r.Stdout, `"id"`) != 1 {
		t.Errorf("waiting after one radicated and one discarded: %s", r.Stdout)
	}
	// A ventanilla radicado shows its channel too.
	page := fixture.PNG(t, src, "carta.png", "Carta")
	num2 := strings.TrimSpace(cli(t, data, "radicar", "--type", "peticion", "--sender", "Ana", "--subject", "Carta", "--no-read", page).OK(t).Stdout)
	if r := cli(t, data, "show", num2, "--json").OK(t); !strings.Contains(r.Stdout, `"channel": "ventanilla"`) {
		t.Errorf("show of a paper letter: %s", r.Stdout)
	}

	// Import: an .eml file; the same again is held already; not a message
	// is refused.
	eml := fixture.Write(t, src, "factura.eml", mailfixture.Windows1252("w1@proveedor.example"))
	if r := cli(t, data, "mail", "import", eml).OK(t); !strings.Contains(r.Stdout, "factura.eml") {
		t.Errorf("import: %q", r.Stdout)
	}
	if r := cli(t, data, "mail", "import", eml).OK(t); !strings.Contains(r.Stdout, "held already") {
		t.Errorf("import again: %q", r.Stdout)
	}
	if r := cli(t, data, "mail", "import", fixture.Write(t, src, "x.eml", []byte("%PDF-1.4\n"))); r.Code == 0 || !strings.Contains(r.Stderr, "not a readable e-mail") {
		t.Errorf("import of a PDF: %d %q", r.Code, r.Stderr)
	}

	cli(t, data, "mail", "fetch").OK(t)
	for folder, want := range map[string][]string{"Radicados": {"q1@correo.example"}, "Descartados": {"spam@x.example"},
		"Radicador/001-01": {"l1@correo.example"}, "INBOX": nil} {
		if got := srv.MessageIDs(t, folder); !slices.Equal(got, want) {
			t.Errorf("%s holds %q, want %q", folder, got, want)
		}
	}
}
