// Package mailfixture makes e-mail messages for tests, written out byte by
// byte as mail programs write them: multipart with attachments, HTML only,
// Latin-1 in quoted-printable, encoded headers, inline images, a forward
// carried as an attachment, a large attachment, broken MIME.
package mailfixture

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"mime/quotedprintable"
	"strings"
)

// Part is one part of a multipart message.
type Part struct {
	Type        string // e.g. application/pdf
	Name        string // file name; empty for a body part
	Disposition string // attachment or inline; empty for a body part
	ContentID   string
	Data        []byte
}

// Message is a message to write.
type Message struct {
	ID      string // without brackets
	From    string // as the header says it, e.g. `"Ana Gómez" <ana@x.co>`
	To      string
	Cc      string
	Date    string // RFC 5322; a fixed one when empty
	Subject string // written as an encoded word when not ASCII
	Text    string // text/plain body, UTF-8
	HTML    string // text/html body
	Parts   []Part
}

// Bytes writes the message with CRLF line ends: a multipart/mixed when it
// has parts, multipart/alternative inside it when it has text and HTML.
func (m Message) Bytes() []byte {
	var b bytes.Buffer
	h := func(k, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\r\n", k, v)
		}
	}
	date := m.Date
	if date == "" {
		date = "Mon, 23 Nov 2026 09:15:00 -0500"
	}
	h("Message-ID", "<"+m.ID+">")
	h("From", m.From)
	h("To", m.To)
	h("Cc", m.Cc)
	h("Date", date)
	h("Subject", EncodeWord(m.Subject))
	h("MIME-Version", "1.0")
	body := m.body()
	if len(m.Parts) == 0 {
		b.Write(body)
		return b.Bytes()
	}
	boundary := "==mixed-" + base64.RawURLEncoding.EncodeToString([]byte(m.ID)) + "=="
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"%s\"\r\n\r\n", boundary)
	b.WriteString("This is a multi-part message in MIME format.\r\n")
	fmt.Fprintf(&b, "--%s\r\n", boundary)
	b.Write(body)
	for _, p := range m.Parts {
		fmt.Fprintf(&b, "\r\n--%s\r\n", boundary)
		typ := p.Type
		if p.Name != "" {
			typ += fmt.Sprintf("; name=\"%s\"", EncodeWord(p.Name))
		}
		fmt.Fprintf(&b, "Content-Type: %s\r\n", typ)
		if p.Disposition != "" {
			disp := p.Disposition
			if p.Name != "" {
				disp += fmt.Sprintf("; filename=\"%s\"", EncodeWord(p.Name))
			}
			fmt.Fprintf(&b, "Content-Disposition: %s\r\n", disp)
		}
		if p.ContentID != "" {
			fmt.Fprintf(&b, "Content-ID: <%s>\r\n", p.ContentID)
		}
		if p.Type == "message/rfc822" {
			b.WriteString("\r\n")
			b.Write(p.Data)
			continue
		}
		b.WriteString("Content-Transfer-Encoding: base64\r\n\r\n")
		b.WriteString(Base64Lines(p.Data))
	}
	fmt.Fprintf(&b, "\r\n--%s--\r\n", boundary)
	return b.Bytes()
}

// body writes the text and HTML bodies, with their own headers.
func (m Message) body() []byte {
	var b bytes.Buffer
	text := func(typ, s string) {
		fmt.Fprintf(&b, "Content-Type: %s; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n", typ)
		w := quotedprintable.NewWriter(&b)
		w.Write([]byte(strings.ReplaceAll(s, "\n", "\r\n")))
		w.Close()
		b.WriteString("\r\n")
	}
	switch {
	case m.Text != "" && m.HTML != "":
		boundary := "==alt-" + base64.RawURLEncoding.EncodeToString([]byte(m.ID)) + "=="
		fmt.Fprintf(&b, "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n--%s\r\n", boundary, boundary)
		text("text/plain", m.Text)
		fmt.Fprintf(&b, "--%s\r\n", boundary)
		text("text/html", m.HTML)
		fmt.Fprintf(&b, "--%s--\r\n", boundary)
	case m.HTML != "":
		text("text/html", m.HTML)
	default:
		text("text/plain", m.Text)
	}
	return b.Bytes()
}

// EncodeWord writes s as an RFC 2047 encoded word when it is not ASCII.
func EncodeWord(s string) string {
	for _, r := range s {
		if r >= 0x80 {
			return "=?UTF-8?B?" + base64.StdEncoding.EncodeToString([]byte(s)) + "?="
		}
	}
	return s
}

// Base64Lines encodes data in lines of 76 characters.
func Base64Lines(data []byte) string {
	enc := base64.StdEncoding.EncodeToString(data)
	var b strings.Builder
	b.Grow(len(enc) + len(enc)/76*2 + 2)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n")
	return b.String()
}

// Latin1 is a message written by an older mail program: ISO-8859-1 in
// quoted-printable, its subject an encoded word in Latin-1.
func Latin1(id string) []byte {
	return []byte("Message-ID: <" + id + ">\r\n" +
		"From: =?ISO-8859-1?Q?Jos=E9_Mu=F1oz?= <jose.munoz@correo.example>\r\n" +
		"To: radicacion@entidad.gov.co\r\n" +
		"Date: Tue, 24 Nov 2026 08:01:00 -0500\r\n" +
		"Subject: =?ISO-8859-1?Q?Petici=F3n_de_informaci=F3n?=\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=ISO-8859-1\r\n" +
		"Content-Transfer-Encoding: quoted-printable\r\n\r\n" +
		"Se=F1ores:\r\n\r\nSolicito informaci=F3n sobre el tr=E1mite de mi cuenta de cobro.\r\n" +
		"C=E9dula 79.845.112\r\n\r\nAtentamente,\r\nJos=E9 Mu=F1oz\r\n")
}

// Windows1252 is a message whose text is in Windows-1252 with curly quotes
// and a euro sign, declared as such, in 8 bits.
func Windows1252(id string) []byte {
	return []byte("Message-ID: <" + id + ">\r\n" +
		"From: Proveedor <facturas@proveedor.example>\r\n" +
		"Date: Tue, 24 Nov 2026 08:05:00 -0500\r\n" +
		"Subject: Factura\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=windows-1252\r\n" +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" +
		"Adjunto la \x93factura\x94 por \x80 1.200.\r\n")
}

// Malformed is a multipart message whose boundary is never closed and
// whose second part's base64 is broken.
func Malformed(id string) []byte {
	return []byte("Message-ID: <" + id + ">\r\n" +
		"From: Roto <roto@x.example>\r\n" +
		"Date: Tue, 24 Nov 2026 09:00:00 -0500\r\n" +
		"Subject: Mensaje roto\r\n" +
		"MIME-Version: 1.0\r\n" +
		"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
		"--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nEl texto que sí se lee.\r\n" +
		"--b1\r\nContent-Type: application/pdf; name=\"x.pdf\"\r\nContent-Disposition: attachment; filename=\"x.pdf\"\r\n" +
		"Content-Transfer-Encoding: base64\r\n\r\n%%%% not base64 ****\r\n")
}
