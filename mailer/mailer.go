// Package mailer sends e-mail through an SMTP server: STARTTLS, implicit
// TLS, or plain (which Go's SMTP client allows with a password only to the
// same machine), with the server's password, within a deadline.
package mailer

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"net/smtp"
	"net/textproto"
	"strconv"
	"strings"
	"time"
)

// Config is how to reach the mail server.
type Config struct {
	Host     string
	Port     int
	Security string // "starttls", "tls" or "none"
	User     string
	Password string
	From     string
	RootCAs  *x509.CertPool // nil: the system's
	Timeout  time.Duration  // for the whole conversation; 0: 30 s
}

// Message is a plain-text e-mail to one address.
type Message struct {
	To        string
	Subject   string
	Body      string
	MessageID string // without the angle brackets; "" gives a random one
	Date      time.Time
	// Attachments go after the text, each whole (base64).
	Attachments []Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name, ContentType string
	Data              []byte
}

// ErrRefused wraps an answer of the mail server refusing the message
// (a 5xx): trying again as it is will not help.
var ErrRefused = errors.New("the mail server refused the message")

// Send delivers m to the mail server of c.
func Send(ctx context.Context, c Config, m Message) error {
	to, err := mail.ParseAddress(m.To)
	if err != nil {
		return fmt.Errorf("recipient %q: %w", m.To, err)
	}
	from, err := mail.ParseAddress(c.From)
	if err != nil {
		return fmt.Errorf("sender %q: %w", c.From, err)
	}
	m.To = to.Address
	timeout := c.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	deadline, _ := ctx.Deadline()
	addr := net.JoinHostPort(c.Host, strconv.Itoa(c.Port))
	tlsConf := &tls.Config{ServerName: c.Host, RootCAs: c.RootCAs, MinVersion: tls.VersionTLS12}
	var conn net.Conn
	dialer := &net.Dialer{}
	if c.Security == "tls" {
		conn, err = (&tls.Dialer{NetDialer: dialer, Config: tlsConf}).DialContext(ctx, "tcp", addr)
	} else {
		conn, err = dialer.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return fmt.Errorf("mail server %s: %w", addr, err)
	}
	defer conn.Close()
	conn.SetDeadline(deadline)
	// A cancelled context ends the conversation at once.
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	cl, err := smtp.NewClient(conn, c.Host)
	if err != nil {
		return fmt.Errorf("mail server %s: %w", addr, err)
	}
	defer cl.Close()
	if err := cl.Hello(localName()); err != nil {
		return wrap(addr, err)
	}
	if c.Security == "starttls" {
		if ok, _ := cl.Extension("STARTTLS"); !ok {
			return fmt.Errorf("mail server %s does not offer STARTTLS", addr)
		}
		if err := cl.StartTLS(tlsConf); err != nil {
			return fmt.Errorf("mail server %s: STARTTLS: %w", addr, err)
		}
	}
	if c.User != "" {
		if err := cl.Auth(smtp.PlainAuth("", c.User, c.Password, c.Host)); err != nil {
			return fmt.Errorf("mail server %s: log-in as %s: %w", addr, c.User, err)
		}
	}
	if err := cl.Mail(from.Address); err != nil {
		return wrap(addr, err)
	}
	if err := cl.Rcpt(m.To); err != nil {
		return wrap(addr, err)
	}
	w, err := cl.Data()
	if err != nil {
		return wrap(addr, err)
	}
	if _, err := w.Write(Compose(from.Address, m)); err != nil {
		return wrap(addr, err)
	}
	if err := w.Close(); err != nil {
		return wrap(addr, err)
	}
	// The server has taken it: a failed goodbye does not make it unsent.
	cl.Quit()
	return nil
}

// wrap marks a refusal (5xx) as ErrRefused.
func wrap(addr string, err error) error {
	var te *textproto.Error
	if errors.As(err, &te) && te.Code >= 500 {
		return fmt.Errorf("mail server %s: %w: %d %s", addr, ErrRefused, te.Code, te.Msg)
	}
	return fmt.Errorf("mail server %s: %w", addr, err)
}

func localName() string {
	return "radicador.localhost"
}

// Compose gives the bytes of m from from: UTF-8 text, quoted-printable,
// the subject encoded for any mail reader.
func Compose(from string, m Message) []byte {
	id := m.MessageID
	if id == "" {
		b := make([]byte, 12)
		rand.Read(b)
		id = hex.EncodeToString(b) + "@radicador"
	}
	date := m.Date
	if date.IsZero() {
		date = time.Now()
	}
	var buf bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&buf, "%s: %s\r\n", k, v) }
	header("From", from)
	header("To", m.To)
	// Encoded words folded one to a line.
	header("Subject", strings.ReplaceAll(mime.QEncoding.Encode("utf-8", oneLine(m.Subject)), "?= =?", "?=\r\n =?"))
	header("Date", date.Format(time.RFC1123Z))
	header("Message-ID", "<"+id+">")
	header("MIME-Version", "1.0")
	header("Auto-Submitted", "auto-generated")
	text := func(w io.Writer) {
		qp := quotedprintable.NewWriter(w)
		qp.Write([]byte(strings.ReplaceAll(strings.ReplaceAll(m.Body, "\r\n", "\n"), "\n", "\r\n")))
		qp.Close()
	}
	if len(m.Attachments) == 0 {
		header("Content-Type", "text/plain; charset=utf-8")
		header("Content-Transfer-Encoding", "quoted-printable")
		buf.WriteString("\r\n")
		text(&buf)
		buf.WriteString("\r\n")
		return buf.Bytes()
	}
	mw := multipart.NewWriter(&buf)
	header("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	buf.WriteString("\r\n")
	part, _ := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {"text/plain; charset=utf-8"}, "Content-Transfer-Encoding": {"quoted-printable"}})
	text(part)
	for _, a := range m.Attachments {
		name := mime.QEncoding.Encode("utf-8", oneLine(a.Name))
		part, _ := mw.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {mime.FormatMediaType(a.ContentType, map[string]string{"name": name})},
			"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": name})},
			"Content-Transfer-Encoding": {"base64"},
		})
		enc := base64.StdEncoding.EncodeToString(a.Data)
		for len(enc) > 76 {
			io.WriteString(part, enc[:76]+"\r\n")
			enc = enc[76:]
		}
		io.WriteString(part, enc+"\r\n")
	}
	mw.Close()
	return buf.Bytes()
}

// oneLine keeps a header's text on one line.
func oneLine(s string) string {
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == '\r' || r == '\n' }), " ")
}
