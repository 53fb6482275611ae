package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/go-pdf/fpdf"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/console"
)

// aPDF is a one-page PDF; script adds JavaScript to it.
func aPDF(t *testing.T, text string, script bool) []byte {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetFont("Helvetica", "", 12)
	if script {
		pdf.SetJavascript("app.alert('x');")
	}
	pdf.AddPage()
	pdf.Cell(40, 10, text)
	var b bytes.Buffer
	if err := pdf.Output(&b); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

type upload struct {
	name string
	data []byte
}

// hand posts the Buzón's form as a browser would, after loading it.
func (b *browser) hand(fields map[string]string, files ...upload) (*http.Response, string) {
	b.s.t.Helper()
	b.get("/buzon")
	return b.handAgain(fields, files...)
}

// handAgain posts the form loaded last once more (a double click, a
// retry).
func (b *browser) handAgain(fields map[string]string, files ...upload) (*http.Response, string) {
	b.s.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	if _, ok := fields["csrf"]; !ok {
		mw.WriteField("csrf", b.csrf)
	}
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for _, f := range files {
		w, _ := mw.CreateFormFile("files", f.name)
		w.Write(f.data)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.s.srv.URL+"/buzon", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	if b.xff != "" {
		req.Header.Set("X-Forwarded-For", b.xff)
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp, string(out)
}

var numberRE = regexp.MustCompile(`<p class="big-number">(\d+)</p>`)
var codeRE = regexp.MustCompile(`<strong class="code">([A-Z0-9]+)</strong>`)

func TestBuzon(t *testing.T) {
	s := newSiteWith(t, console.Options{BuzonPerAddress: 1000})
	ctx := context.Background()
	b := s.browser()
	if resp, _ := b.get("/buzon"); resp.StatusCode != 404 {
		t.Errorf("a closed Buzón: %d", resp.StatusCode)
	}
	if err := s.db.EnableBuzon(ctx, "test", "001", "90"); err != nil {
		t.Fatal(err)
	}
	if err := s.db.SetRoute(ctx, "test", "peticion", "GC"); err != nil {
		t.Fatal(err)
	}
	numbered := func() int {
		list, err := s.db.List(ctx, central.Filter{Station: "90"})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	form := map[string]string{"name": "María <b>Pérez</b>", "id_type": "CC", "id_number": "52123456", "email": "maria@correo.co",
		"phone": "+57 300 1234567", "type": "peticion", "subject": "<script>alert(1)</script> Solicitud de certificado",
		"message": "Solicito un certificado.\n\nGracias.", "website": ""}
	png := pngPage(t)
	resp, body := b.hand(form, upload{"carta firmada.pdf", aPDF(t, "Carta firmada", false)}, upload{"cedula.png", png})
	if resp.StatusCode != 200 {
		t.Fatalf("the submission: %d %s", resp.StatusCode, body)
	}
	m, c := numberRE.FindStringSubmatch(body), codeRE.FindStringSubmatch(body)
	if m == nil || c == nil {
		t.Fatalf("no number or code on the page: %s", body)
	}
	number, code := m[1], c[1]
	// Sent again from the same form (a double click, a retry after the
	// answer was lost): the same radicado and code, nothing numbered.
	_, again := b.handAgain(form, upload{"carta firmada.pdf", aPDF(t, "Carta firmada", false)}, upload{"cedula.png", png})
	if m2, c2 := numberRE.FindStringSubmatch(again), codeRE.FindStringSubmatch(again); m2 == nil || m2[1] != number || c2 == nil || c2[1] != code {
		t.Errorf("the same form again: %v %v, want %s %s", m2, c2, number, code)
	}
	if strings.Contains(body, "<script>alert") || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt; Solicitud de certificado") {
		t.Error("the subject is not shown as text")
	}
	held, err := s.db.Get(ctx, number)
	if err != nil || len(held.Files) != 3 || held.Files[0].Name != "comunicacion.pdf" || held.Files[1].Name != "carta firmada.pdf" ||
		held.Files[2].MediaType != "image/png" || held.SenderID != "CC:52123456" || held.Dept != "GC" {
		t.Fatalf("the radicado: %+v %v", held, err)
	}
	// The communication as the form brought it, read back.
	f, err := s.db.OpenFile(ctx, central.Principal{Admin: true}, held.Files[0].SHA256)
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := io.ReadAll(f)
	f.Close()
	if text := pdfText(t, doc); !strings.Contains(text, "María <b>Pérez</b>") || !strings.Contains(text, "Solicito un certificado.") ||
		!strings.Contains(text, "carta firmada.pdf, cedula.png") || !strings.Contains(text, "maria@correo.co") {
		t.Errorf("the communication's PDF says:\n%s", text)
	}
	// GC's inbox has it, on the web channel.
	ana := s.browser()
	ana.login("ana")
	if _, inbox := ana.get("/bandeja"); !strings.Contains(inbox, number) || strings.Contains(inbox, "<b>Pérez</b>") {
		t.Error("GC's inbox: the Buzón's radicado missing, or its sender as markup")
	}
	// The acuse, and the state.
	resp, acuse := b.post("/buzon/acuse", url.Values{"number": {number}, "code": {code}})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Fatalf("the acuse: %d", resp.StatusCode)
	}
	if text := pdfText(t, []byte(acuse)); !strings.Contains(text, number) || !strings.Contains(text, "Código de consulta: "+code) ||
		!strings.Contains(text, "Buzón web") {
		t.Errorf("the acuse says:\n%s", text)
	}
	os.MkdirAll("../artefacts/console", 0o755)
	os.WriteFile("../artefacts/console/buzon-acuse.pdf", []byte(acuse), 0o644)
	resp, page := b.post("/buzon/estado", url.Values{"number": {number}, "code": {strings.ToLower(code)}})
	if resp.StatusCode != 200 || !strings.Contains(page, "Recibida") || !strings.Contains(page, "Gestión de Clientes") || strings.Contains(page, "María") {
		t.Errorf("the state: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/buzon/estado", url.Values{"number": {number}, "code": {"AAAAAAAAAA"}}); resp.StatusCode != 404 {
		t.Errorf("a wrong code: %d", resp.StatusCode)
	}
	if resp, _ := b.post("/buzon/acuse", url.Values{"number": {number}, "code": {"AAAAAAAAAA"}}); resp.StatusCode != 404 {
		t.Errorf("an acuse with a wrong code: %d", resp.StatusCode)
	}

	// Abuse: each refused, nothing numbered.
	before := numbered()
	cut := aPDF(t, "cortado", false)
	big := bytes.Repeat([]byte{0}, 10<<20+1)
	copy(big, png)
	for _, tc := range []struct {
		name   string
		fields map[string]string
		files  []upload
		want   int
		says   string
	}{
		{"too big", form, []upload{{"grande.png", big}}, 413, "supera"},
		{"too many", form, []upload{{"1.png", png}, {"2.png", png}, {"3.png", png}, {"4.png", png}, {"5.png", png}, {"6.png", png}}, 413, "hasta 5"},
		{"another kind", form, []upload{{"virus.exe", []byte("MZ\x90\x00 this is not a document")}}, 400, "no es un PDF"},
		{"a cut PDF", form, []upload{{"cortado.pdf", cut[:len(cut)/2]}}, 400, "no es un PDF"},
		{"a PDF with script", form, []upload{{"script.pdf", aPDF(t, "x", true)}}, 400, "contiene código"},
		{"the honeypot filled", merge(form, "website", "http://spam.example"), nil, 400, "No se pudo recibir"},
		{"no form token", merge(form, "csrf", "otro"), nil, 403, ""},
		{"no name", merge(form, "name", ""), nil, 400, "Escriba su nombre"},
		{"a type that is not", merge(form, "type", "spam"), nil, 400, "Elija el tipo"},
	} {
		resp, body := s.browser().hand(tc.fields, tc.files...)
		if resp.StatusCode != tc.want || !strings.Contains(body, tc.says) {
			t.Errorf("%s: %d, want %d saying %q", tc.name, resp.StatusCode, tc.want, tc.says)
		}
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "<b>Pérez</b>") {
			t.Errorf("%s: what was typed comes back as markup", tc.name)
		}
	}
	if n := numbered(); n != before {
		t.Errorf("%d numbered by refused submissions", n-before)
	}
	// A burst from one address, at the usual limit: the sixth in ten
	// minutes is refused.
	burst := newSite(t)
	burst.db.EnableBuzon(ctx, "test", "001", "90")
	codes := []int{}
	for i := range 6 {
		resp, _ := burst.browser().hand(merge(form, "subject", fmt.Sprintf("Ráfaga %d", i)))
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 200 200 429]" {
		t.Errorf("a burst: %v", codes)
	}
	// Saying to come from elsewhere changes nothing, unless the server
	// sits behind a proxy it trusts, which says whom it forwards.
	spoof := burst.browser()
	spoof.xff = "203.0.113.77"
	if resp, _ := spoof.hand(merge(form, "subject", "Otra dirección")); resp.StatusCode != 429 {
		t.Errorf("a forged X-Forwarded-For: %d", resp.StatusCode)
	}
	proxied := newSiteWith(t, console.Options{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}})
	proxied.db.EnableBuzon(ctx, "test", "001", "90")
	codes = nil
	for i := range 7 {
		pb := proxied.browser()
		pb.xff = "198.51.100.9, 127.0.0.5" // the client, then a proxy of ours
		if i == 6 {
			pb.xff = "198.51.100.10"
		}
		resp, _ := pb.hand(merge(form, "subject", fmt.Sprintf("Por el proxy %d", i)))
		codes = append(codes, resp.StatusCode)
	}
	if fmt.Sprint(codes) != "[200 200 200 200 200 429 200]" {
		t.Errorf("behind a trusted proxy: %v", codes)
	}
}

func merge(m map[string]string, k, v string) map[string]string {
	out := map[string]string{}
	for a, b := range m {
		out[a] = b
	}
	out[k] = v
	return out
}
