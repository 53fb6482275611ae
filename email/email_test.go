package email

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/mailfixture"
)

func TestParse(t *testing.T) {
	dir := t.TempDir()
	pdf, err := os.ReadFile(fixture.PDF(t, dir, "cuenta.pdf", 2))
	if err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(fixture.PNG(t, dir, "logo.png", "LOGO"))
	if err != nil {
		t.Fatal(err)
	}
	original := mailfixture.Message{ID: "orig-1@proveedor.example", From: `"Ana Gómez" <Ana.Gomez@proveedor.example>`,
		Subject: "Cuenta de cobro 17", Text: "Adjunto la cuenta de cobro.\nNIT 900.123.456-7", Parts: []mailfixture.Part{
			{Type: "application/pdf", Name: "cuenta.pdf", Disposition: "attachment", Data: pdf}}}.Bytes()
	big := bytes.Repeat([]byte("%PDF-1.4 large annex 0123456789\n"), 20<<20/32)

	cases := []struct {
		name     string
		raw      []byte
		id, from string
		subject  string
		text     []string // substrings of the text
		notText  []string
		attached []string // names, in order; an inline one ends in *
		carried  []string
		problems bool
	}{
		{name: "multipart with attachments", raw: mailfixture.Message{ID: "a1@x.example", From: `"Ana Gómez" <ana@x.example>`,
			To: "radicacion@entidad.gov.co", Cc: "Archivo <archivo@entidad.gov.co>", Subject: "Derecho de petición — cuenta 17",
			Text: "Señores:\nSolicito copia del contrato.\nCC 52.123.456", HTML: "<p>Señores:</p><p>Solicito <b>copia</b></p>",
			Parts: []mailfixture.Part{{Type: "application/pdf", Name: "solicitud firmada.pdf", Disposition: "attachment", Data: pdf},
				{Type: "application/vnd.ms-excel", Name: "anexo.xls", Disposition: "attachment", Data: []byte("xls bytes")}}}.Bytes(),
			id: "a1@x.example", from: "Ana Gómez <ana@x.example>", subject: "Derecho de petición — cuenta 17",
			text: []string{"Señores:", "Solicito copia del contrato.", "CC 52.123.456"}, notText: []string{"<b>"},
			attached: []string{"solicitud firmada.pdf", "anexo.xls"}},
		{name: "HTML only", raw: mailfixture.Message{ID: "h1@x.example", From: "quejas@x.example", Subject: "Queja",
			HTML: `<html><head><title>t</title><style>p{color:red}</style><script>alert(1)</script></head><body>
				<h1>Queja formal</h1><p>El servicio&nbsp;falló &amp; nadie respondió.</p><ul><li>Uno</li><li>Dos</li></ul>
				<p>Escriba a <a href="mailto:quejas@x.example">nuestro buzón</a>.</p><table><tr><td>Radicado</td><td>OF-2026-17</td></tr></table></body></html>`}.Bytes(),
			id: "h1@x.example", from: "quejas@x.example", subject: "Queja",
			text:    []string{"Queja formal", "El servicio falló & nadie respondió.", "- Uno\n- Dos", "nuestro buzón (quejas@x.example)", "Radicado | OF-2026-17"},
			notText: []string{"alert", "color:red", "<", "&amp;"}},
		{name: "Latin-1 quoted-printable", raw: mailfixture.Latin1("l1@correo.example"), id: "l1@correo.example",
			from: "José Muñoz <jose.munoz@correo.example>", subject: "Petición de información",
			text: []string{"Señores:", "Solicito información sobre el trámite", "Cédula 79.845.112", "José Muñoz"}},
		{name: "Windows-1252", raw: mailfixture.Windows1252("w1@proveedor.example"), id: "w1@proveedor.example",
			from: "Proveedor <facturas@proveedor.example>", subject: "Factura", text: []string{"Adjunto la “factura” por € 1.200."}},
		{name: "inline image", raw: mailfixture.Message{ID: "i1@x.example", From: "a@x.example", Subject: "Con logo",
			HTML: `<p>Texto</p><img src="cid:logo1" alt="Logo de la empresa">`, Parts: []mailfixture.Part{
				{Type: "image/png", Name: "logo.png", Disposition: "inline", ContentID: "logo1", Data: png}}}.Bytes(),
			id: "i1@x.example", from: "a@x.example", subject: "Con logo", text: []string{"Texto", "[Logo de la empresa]"},
			attached: []string{"logo.png*"}},
		{name: "forward carried as an attachment", raw: mailfixture.Message{ID: "f1@entidad.gov.co", From: "jefe@entidad.gov.co",
			Subject: "RV: Cuenta de cobro 17", Text: "Para radicar, por favor.", Parts: []mailfixture.Part{
				{Type: "message/rfc822", Name: "Cuenta de cobro 17.eml", Disposition: "attachment", Data: original}}}.Bytes(),
			id: "f1@entidad.gov.co", from: "jefe@entidad.gov.co", subject: "RV: Cuenta de cobro 17",
			text:     []string{"Para radicar, por favor.", "Mensaje adjunto", "De: Ana Gómez <ana.gomez@proveedor.example>", "NIT 900.123.456-7"},
			attached: []string{"Cuenta de cobro 17.eml", "cuenta.pdf"}, carried: []string{"orig-1@proveedor.example"}},
		{name: "20 MB attachment", raw: mailfixture.Message{ID: "b1@x.example", From: "b@x.example", Subject: "Grande", Text: "Va el archivo.",
			Parts: []mailfixture.Part{{Type: "application/octet-stream", Name: "grande.bin", Disposition: "attachment", Data: big}}}.Bytes(),
			id: "b1@x.example", from: "b@x.example", subject: "Grande", text: []string{"Va el archivo."}, attached: []string{"grande.bin"}},
		{name: "malformed MIME", raw: mailfixture.Malformed("m1@x.example"), id: "m1@x.example", from: "Roto <roto@x.example>",
			subject: "Mensaje roto", text: []string{"El texto que sí se lee."}, attached: []string{"x.pdf"}, problems: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m, err := Parse(c.raw)
			if err != nil {
				t.Fatal(err)
			}
			if m.ID != c.id || m.From.String() != c.from || m.Subject != c.subject {
				t.Errorf("id %q from %q subject %q", m.ID, m.From.String(), m.Subject)
			}
			for _, s := range c.text {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range c.notText {
				if strings.Contains(m.Text, s) {
					t.Errorf("text has %q:\n%s", s, m.Text)
				}
			}
			var names []string
			for _, a := range m.Attachments {
				n := a.Name
				if a.Inline {
					n += "*"
				}
				names = append(names, n)
			}
			if strings.Join(names, "|") != strings.Join(c.attached, "|") {
				t.Errorf("attachments %q, want %q", names, c.attached)
			}
			if strings.Join(m.Carried, "|") != strings.Join(c.carried, "|") {
				t.Errorf("carried %q, want %q", m.Carried, c.carried)
			}
			if (len(m.Problems) > 0) != c.problems {
				t.Errorf("problems %q", m.Problems)
			}
		})
	}
	t.Run("attachment bytes", func(t *testing.T) {
		m, err := Parse(cases[6].raw)
		if err != nil || len(m.Attachments) != 1 || !bytes.Equal(m.Attachments[0].Data, big) {
			t.Fatalf("the 20 MB attachment did not come back byte for byte: %v", err)
		}
	})
}

func TestParseRefuses(t *testing.T) {
	for name, raw := range map[string][]byte{
		"empty":      nil,
		"not mail":   []byte("%PDF-1.4\n1 0 obj\n"),
		"binary":     {0, 1, 2, 3, 0xff, 0xfe},
		"too large":  bytes.Repeat([]byte("a"), MaxSize+1),
		"no headers": []byte("\r\nsolo un cuerpo\r\n"),
	} {
		if _, err := Parse(raw); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v, want ErrMalformed", name, err)
		}
	}
}

// TestRender: the message's PDF reads back with its headers, its text and
// its attachments' names (pdftotext), and markup in the text stays text.
func TestRender(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Fatal("pdftotext (Debian package poppler-utils) is needed")
	}
	m, err := Parse(mailfixture.Message{ID: "r1@x.example", From: `"Ana Gómez" <ana@x.example>`, To: "radicacion@entidad.gov.co",
		Subject: "Solicitud 😀 <script>", Text: strings.Repeat("Línea de la carta con <b>marcas</b>.\n", 120),
		Parts: []mailfixture.Part{{Type: "application/pdf", Name: "carta.pdf", Disposition: "attachment", Data: []byte("%PDF-1.4")}}}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	pdf, err := Render(m, "2026-11-30 09:00")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "m.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := string(out)
	for _, s := range []string{"Ana Gómez <ana@x.example>", "radicacion@entidad.gov.co", "Solicitud", "<script>", "2026-11-23 09:15",
		"Línea de la carta con <b>marcas</b>.", "carta.pdf (8 bytes)", "página 2 de"} {
		if !strings.Contains(text, s) {
			t.Errorf("the PDF lacks %q", s)
		}
	}
}

func TestHTMLText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"<p>Uno</p><p>Dos</p>", "Uno\n\nDos"},
		{"a<br>b<br/>c", "a\nb\nc"},
		{"<div>  muchos   espacios\n\ty saltos </div>", "muchos espacios y saltos"},
		{`<a href="https://x.example/f">https://x.example/f</a>`, "https://x.example/f"},
		{`<a href="javascript:alert(1)">clic</a>`, "clic"},
		{"&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>"},
		{"<script>var a = '<p>no</p>';</script>Sí", "Sí"},
		{"<table><tr><th>A</th><th>B</th></tr><tr><td>1</td><td>2</td></tr></table>", "A | B\n1 | 2"},
		{"<p>sin cerrar <b>negrita", "sin cerrar negrita"},
		{"<html><head><title>Aviso</title><meta charset=utf-8><p>El cuerpo, sin cerrar la cabecera", "El cuerpo, sin cerrar la cabecera"},
		{"<noscript>Texto para lectores sin guiones</noscript>", "Texto para lectores sin guiones"},
	} {
		if got := HTMLText(c.in); got != c.want {
			t.Errorf("HTMLText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

// TestParseBounds: a message with more files than a radicado may hold
// gives the first ones and says so; the original keeps the rest.
func TestParseBounds(t *testing.T) {
	var parts []mailfixture.Part
	for i := range 250 {
		parts = append(parts, mailfixture.Part{Type: "text/csv", Name: fmt.Sprintf("f%03d.csv", i), Disposition: "attachment", Data: []byte("a,b")})
	}
	m, err := Parse(mailfixture.Message{ID: "many@x.example", From: "a@x.example", Subject: "Muchos", Text: "t", Parts: parts}.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(m.Attachments) != maxAttachments || len(m.Problems) != 1 || m.Attachments[199].Name != "f199.csv" {
		t.Errorf("%d attachments, problems %q", len(m.Attachments), m.Problems)
	}
}

// TestAddressClean: a sender's address keeps no control or direction
// character (shown to the clerk, in lists and in the message's PDF).
func TestAddressClean(t *testing.T) {
	for _, from := range []string{"Ana <factura\u202efdp.exe@x.example>", "a\u009b31m@x.example"} {
		m, err := Parse(mailfixture.Message{ID: "dir@x.example", From: from, Subject: "Factura", Text: "t"}.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if m.From.Addr == "" || strings.ContainsAny(m.From.Addr, "\u202e\u009b") {
			t.Errorf("From %q read as %+v", from, m.From)
		}
	}
}

// TestRenderLongText: a text of many lines is drawn in about thirty pages,
// and the PDF says that the rest is in the original.
func TestRenderLongText(t *testing.T) {
	if _, err := exec.LookPath("pdfinfo"); err != nil {
		t.Skip("pdfinfo (poppler-utils) is not installed")
	}
	m := &Message{Subject: "Largo", Text: strings.Repeat("a\n", 20000)}
	pdf, err := Render(m, "2026-11-30 10:00")
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "mensaje.pdf")
	os.WriteFile(p, pdf, 0o600)
	out, err := exec.Command("pdfinfo", p).Output()
	if err != nil {
		t.Fatal(err)
	}
	var pages int
	for _, l := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(l, "Pages:"); ok {
			fmt.Sscan(v, &pages)
		}
	}
	if pages < 10 || pages > 40 {
		t.Errorf("%d pages for 20,000 lines", pages)
	}
	text, err := exec.Command("pdftotext", p, "-").Output()
	if err != nil || !bytes.Contains(text, []byte("18500 líneas más")) {
		t.Errorf("the PDF does not say the rest is left out (%v)", err)
	}
}
