package mailer_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/mailer"
)

var update = flag.Bool("update", false, "write the golden files")

// TestCompose: the bytes of a digest, against a golden file: UTF-8 text
// quoted-printable, the subject encoded, a subject with a line break kept
// on one line (no header can be slipped in).
func TestCompose(t *testing.T) {
	m := mailer.Message{To: "ana@org.co", Subject: "Radicador: 2 radicados requieren su atención\r\nBcc: x@evil.example",
		Body: "Hola, ana:\n\nEn rojo\n* 2026001010000012  Solicitud de certificado — Ana Pérez\n  vence 2026-12-04 · queda 1 día hábil\n" +
			strings.Repeat("una línea muy larga ", 6) + "\n",
		MessageID: "digest-7-2026-11-30@radicador", Date: time.Date(2026, 11, 30, 8, 0, 0, 0, time.FixedZone("COT", -5*3600))}
	got := mailer.Compose("alertas@org.co", m)
	golden := filepath.Join("testdata", "digest.eml")
	if *update {
		os.WriteFile(golden, got, 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the message differs from %s:\n%s", golden, got)
	}
	head, _, _ := bytes.Cut(got, []byte("\r\n\r\n"))
	if bytes.Contains(head, []byte("\r\nBcc:")) {
		t.Error("a line break in the subject made a header")
	}
	// Header lines within 998 bytes, folded; the body's within 76.
	for i, part := range bytes.SplitN(got, []byte("\r\n\r\n"), 2) {
		limit := []int{100, 76}[i]
		for _, line := range bytes.Split(part, []byte("\r\n")) {
			if len(line) > limit {
				t.Errorf("a line of %d bytes: %q", len(line), line)
			}
		}
	}
}

func TestSendRefusesBadAddresses(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	for _, tc := range []struct{ from, to string }{{"alertas@org.co", "ana@org.co\r\nRCPT TO:<x@evil.example>"}, {"no es", "ana@org.co"}, {"alertas@org.co", ""}} {
		err := mailer.Send(context.Background(), mailer.Config{Host: "127.0.0.1", Port: port, Security: "none", From: tc.from}, mailer.Message{To: tc.to, Subject: "x"})
		if err == nil {
			t.Errorf("from %q to %q: sent", tc.from, tc.to)
		}
	}
}

// TestComposeAttachment: a message with a file reads back, text and file
// whole, the file's name decoded.
func TestComposeAttachment(t *testing.T) {
	pdf := append([]byte("%PDF-1.4\n"), bytes.Repeat([]byte{0xff, 0x00, 'x'}, 200)...)
	raw := mailer.Compose("buzon@org.co", mailer.Message{To: "juan@correo.co", Subject: "Acuse de recibo 2026001900000012", Body: "Su número: 2026001900000012",
		Attachments: []mailer.Attachment{{Name: "acuse-2026001900000012 año.pdf", ContentType: "application/pdf", Data: pdf}}})
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/mixed" {
		t.Fatalf("content type %q %v", mt, err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	text, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(quotedprintable.NewReader(text))
	if string(body) != "Su número: 2026001900000012" {
		t.Errorf("the text: %q", body)
	}
	file, err := mr.NextPart()
	if err != nil {
		t.Fatal(err)
	}
	name, _ := new(mime.WordDecoder).DecodeHeader(file.FileName())
	data, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, file))
	if name != "acuse-2026001900000012 año.pdf" || !bytes.Equal(data, pdf) {
		t.Errorf("the file: %q, %d bytes (want %d)", name, len(data), len(pdf))
	}
}
