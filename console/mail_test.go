package console_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

// TestEmailRadicado: a radicado a station took in by e-mail shows its
// channel and the sender's address, names its original as the e-mail it
// is, and serves the original and an HTML annex as bytes to download,
// never as a page of the site.
func TestEmailRadicado(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := central.Principal{Office: "001", Station: "01"}
	eml := []byte("From: Ana <ana@correo.co>\r\nSubject: Queja\r\n\r\n<script>alert(1)</script>")
	html := []byte("<html><script>alert(2)</script></html>")
	pdf := []byte("%PDF-1.4 mensaje")
	var files []wire.File
	for _, f := range []struct {
		data     []byte
		name, mt string
		pages    int
	}{{eml, "mensaje.eml", "message/rfc822", 0}, {pdf, "mensaje.pdf", "application/pdf", 1}, {html, "factura.html", "text/html", 0},
		{[]byte("%PDF-1.4 /JS (app.alert(1))"), "activo.pdf", "application/pdf", 0}} {
		if _, err := s.db.PutChunk(ctx, p, central.Chunk{Sum: centraltest.SumOf(f.data), Size: int64(len(f.data)), Body: bytes.NewReader(f.data), Max: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		files = append(files, wire.File{SHA256: centraltest.SumOf(f.data), Size: int64(len(f.data)), Name: f.name, MediaType: f.mt, Pages: f.pages})
	}
	s.db.SetAcuse(func(r central.Receipt, held wire.Radicado) (central.AcuseMail, error) {
		return central.AcuseMail{Subject: "Acuse " + r.Number, Body: "b", Name: "a.pdf", PDF: []byte("%PDF-1.4")}, nil
	})
	push := centraltest.Push("2026001010000042", "001", "01", files...)
	push.Radicado.Dept, push.Radicado.Channel, push.Radicado.SenderEmail = "JUR", "email", "ana@correo.co"
	if res, err := s.db.Put(ctx, p, push); err != nil || res.Status != wire.Created {
		t.Fatalf("%+v %v", res, err)
	}
	caro := s.browser()
	caro.login("caro")
	resp, body := caro.get("/radicados/2026001010000042")
	if resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	for _, want := range []string{"Correo electrónico", "ana@correo.co", "Acuse por correo</dt><dd>en cola para ana@correo.co", "mensaje.eml</a> · el correo tal como llegó (.eml)", "factura.html</a> · anexo"} {
		if !strings.Contains(body, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, f := range []wire.File{files[0], files[2], files[3]} { // an annex PDF (kept unread) too
		if resp, _ := caro.get("/radicados/2026001010000042/vista/" + f.SHA256 + "/1"); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s previewed: %d", f.Name, resp.StatusCode)
		}
		resp, got := caro.get("/radicados/2026001010000042/archivos/" + f.SHA256)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s served as %d %s / %s", f.Name, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"))
		}
		if !strings.Contains(got, "<script>") && !strings.Contains(got, "/JS") {
			t.Errorf("%s: not its bytes", f.Name)
		}
	}
}

// TestDeliveryShown: a salida's page says how its envelope went, from the
// steps its station sent.
func TestDeliveryShown(t *testing.T) {
	s := newSite(t)
	ctx := context.Background()
	p := central.Principal{Office: "001", Station: "01"}
	doc := []byte("%PDF-1.4 respuesta")
	if _, err := s.db.PutChunk(ctx, p, central.Chunk{Sum: centraltest.SumOf(doc), Size: int64(len(doc)), Body: bytes.NewReader(doc), Max: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	f := centraltest.File(doc)
	push := centraltest.Push("2026001010000011", "001", "01", f)
	push.Radicado.Dept = "JUR"
	at := push.Radicado.ReceivedAt
	prev := push.Events[0]
	for _, step := range []struct{ action, data string }{
		{"despacho", `{"dispatch":1,"courier":"4-72","attempt":1}`},
		{"guia", `{"dispatch":1,"attempt":1,"guide":"RA1CO"}`},
		{"despachado", `{"dispatch":1,"attempt":1,"handed_on":"2026-11-24","expected_by":"2026-11-27"}`},
		{"devuelto", `{"dispatch":1,"attempt":1,"on":"2026-11-26","reason":"dirección errada"}`},
	} {
		at = at.Add(time.Hour)
		e := centraltest.Event(prev.ID+1, prev.Hash, step.action, push.Radicado.Number, step.data, at)
		push.Events = append(push.Events, e)
		prev = e
	}
	if res, err := s.db.Put(ctx, p, push); err != nil || res.Status != wire.Created {
		t.Fatalf("%+v %v", res, err)
	}
	admin := s.browser()
	admin.login("admin")
	_, body := admin.get("/radicados/2026001010000011")
	if !strings.Contains(body, "intento 1: 4-72, guía RA1CO, devuelto dirección errada 2026-11-26") {
		t.Errorf("the salida's page does not say its delivery")
	}
}
