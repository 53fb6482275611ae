// Package email reads an e-mail message as the ventanilla receives it: who
// sent it, to whom, when and about what, its text (HTML turned into
// readable text, every character set decoded), its attachments, and the
// Message-IDs it carries; and writes it as PDF pages, the letter as the
// clerk and the archive read it. The original stays what it was: this
// package only reads it.
package email

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"path"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // registers the character sets
	gomail "github.com/emersion/go-message/mail"
	"golang.org/x/text/encoding/charmap"
)

// Limits on a message, so that a hostile one cannot exhaust the station.
const (
	MaxSize        = 64 << 20 // bytes of a whole message
	maxParts       = 500      // parts, at every depth
	maxDepth       = 12       // nesting of multiparts and carried messages
	maxAttachments = 200      // files taken out of one message (a radicado holds at most 500)
	maxDecoded     = 2 * MaxSize
)

// Address is a sender or recipient.
type Address struct {
	Name string `json:"name,omitempty"`
	Addr string `json:"address"`
}

// String gives the address as a person writes it.
func (a Address) String() string {
	if a.Name == "" {
		return a.Addr
	}
	if a.Addr == "" {
		return a.Name
	}
	return a.Name + " <" + a.Addr + ">"
}

// Attachment is a file that came with the message.
type Attachment struct {
	Name      string // as the message names it, or one made from its type
	MediaType string // as the message declares it
	Data      []byte
	// Inline is a picture of the body (a logo, a signature), not a
	// document the sender attached.
	Inline bool
}

// Message is what a message says.
type Message struct {
	ID          string // the Message-ID, without its angle brackets
	From        Address
	To, Cc      []Address
	Date        time.Time
	Subject     string
	Text        string // the body as text
	Attachments []Attachment
	// Carried lists the Message-IDs of the messages it carries as
	// attachments (a forward), at any depth.
	Carried []string
	// Problems says what could not be read (a broken part, an unknown
	// character set): the rest is read, and the original keeps it all.
	Problems []string
}

// ErrMalformed is wrapped when a message cannot be read at all.
var ErrMalformed = errors.New("not a readable e-mail message")

// Parse reads a whole message.
func Parse(raw []byte) (*Message, error) {
	if len(raw) > MaxSize {
		return nil, fmt.Errorf("%w: %d MB, more than the %d MB a message may have", ErrMalformed, len(raw)>>20, MaxSize>>20)
	}
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	h := gomail.Header{Header: e.Header}
	if !h.Has("From") && !h.Has("Date") && !h.Has("Subject") && !h.Has("Message-Id") {
		return nil, fmt.Errorf("%w: it has none of From, Date, Subject or Message-ID", ErrMalformed)
	}
	m := &Message{}
	m.ID = messageID(h)
	m.From = firstAddress(h, "From")
	if m.From.Addr == "" {
		m.From = firstAddress(h, "Sender")
	}
	m.To = addresses(h, "To")
	m.Cc = addresses(h, "Cc")
	m.Date, _ = h.Date()
	m.Subject = headerText(h.Header, "Subject")
	var decoded int
	w := walker{m: m, decoded: &decoded}
	w.entity(e, 0)
	m.Text = w.body()
	return m, nil
}

// messageID gives the Message-ID without brackets, or "".
func messageID(h gomail.Header) string {
	id, err := h.MessageID()
	if err != nil || id == "" {
		id = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	if !utf8.ValidString(id) || len(id) > 995 || strings.ContainsAny(id, " \t\r\n") {
		return ""
	}
	return id
}

// headerText decodes a header's encoded words; an unknown character set
// leaves the raw text.
func headerText(h message.Header, key string) string {
	s, err := h.Text(key)
	if err != nil {
		s = h.Get(key)
	}
	return cleanLine(s)
}

func firstAddress(h gomail.Header, key string) Address {
	if list := addresses(h, key); len(list) > 0 {
		return list[0]
	}
	return Address{}
}

// addresses reads an address list; what does not parse as one is kept as
// a name, so that nothing the sender wrote is lost.
func addresses(h gomail.Header, key string) []Address {
	list, err := h.AddressList(key)
	if err != nil {
		raw := headerText(h.Header, key)
		if raw == "" {
			return nil
		}
		if a, err := mail.ParseAddress(raw); err == nil {
			return []Address{{Name: cleanLine(a.Name), Addr: cleanLine(strings.ToLower(a.Address))}}
		}
		return []Address{{Name: raw}}
	}
	out := make([]Address, 0, len(list))
	for _, a := range list {
		out = append(out, Address{Name: cleanLine(a.Name), Addr: cleanLine(strings.ToLower(a.Address))})
	}
	return out
}

// walker goes through a message's parts.
type walker struct {
	m            *Message
	plain, html  []string
	parts        int
	decoded      *int // bytes decoded so far, in all carried messages too
	full         bool // maxAttachments reached, and said
	forwardTexts []string
}

func (w *walker) problem(format string, args ...any) {
	w.m.Problems = append(w.m.Problems, fmt.Sprintf(format, args...))
}

// entity reads one entity: a multipart's parts in order, or a leaf.
func (w *walker) entity(e *message.Entity, depth int) {
	if depth > maxDepth {
		w.problem("parts nested more than %d deep were not read", maxDepth)
		return
	}
	if mr := e.MultipartReader(); mr != nil {
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				return
			}
			if err != nil && !message.IsUnknownCharset(err) {
				w.problem("a part of the message is broken (%v); what follows it was not read", err)
				return
			}
			if w.parts++; w.parts > maxParts {
				w.problem("the message has more than %d parts; the rest were not read", maxParts)
				return
			}
			if err != nil {
				w.problem("a part declares an unknown character set (%v)", err)
			}
			w.entity(p, depth+1)
		}
	}
	w.leaf(e, depth)
}

func (w *walker) leaf(e *message.Entity, depth int) {
	mediaType, params, _ := e.Header.ContentType()
	if mediaType == "" {
		mediaType = "text/plain"
	}
	disp, dparams, _ := e.Header.ContentDisposition()
	budget := maxDecoded - *w.decoded
	if budget <= 0 {
		w.problem("the message decodes to more than %d MB; the rest was not read", maxDecoded>>20)
		return
	}
	data, err := io.ReadAll(io.LimitReader(e.Body, int64(min(budget, MaxSize))))
	*w.decoded += len(data)
	if err != nil {
		w.problem("a part of type %s could not be decoded (%v); what came of it is kept", mediaType, err)
	}
	name := dparams["filename"]
	if name == "" {
		name = params["name"]
	}
	name = fileName(name, mediaType, len(w.m.Attachments)+1)
	switch {
	case mediaType == "message/rfc822" || mediaType == "message/global":
		w.carried(data, name, depth)
		return
	case disp != "attachment" && (mediaType == "text/plain" || mediaType == "text/html"):
		text := decodeText(data)
		if mediaType == "text/html" {
			html, err := htmlText(text)
			if err != nil {
				w.problem("%v", err)
			}
			w.html = append(w.html, html)
		} else {
			w.plain = append(w.plain, text)
		}
		return
	}
	inline := disp == "inline" || (disp == "" && e.Header.Get("Content-Id") != "")
	if inline && !strings.HasPrefix(mediaType, "image/") {
		inline = false
	}
	w.attach(Attachment{Name: name, MediaType: mediaType, Data: data, Inline: inline})
}

// attach adds a file, up to maxAttachments.
func (w *walker) attach(a Attachment) {
	if len(w.m.Attachments) >= maxAttachments {
		if !w.full {
			w.full = true
			w.problem("the message has more than %d files; the rest were not taken out", maxAttachments)
		}
		return
	}
	w.m.Attachments = append(w.m.Attachments, a)
}

// carried reads a message carried as an attachment: it is kept as a file,
// its Message-ID (and those it carries) noted, its text added to the body
// and its attachments to the message's.
func (w *walker) carried(data []byte, name string, depth int) {
	if !strings.HasSuffix(strings.ToLower(name), ".eml") {
		name += ".eml"
	}
	w.attach(Attachment{Name: name, MediaType: "message/rfc822", Data: data})
	e, err := message.Read(bytes.NewReader(data))
	if err != nil && !message.IsUnknownCharset(err) {
		w.problem("the attached message %s could not be read (%v)", name, err)
		return
	}
	h := gomail.Header{Header: e.Header}
	if id := messageID(h); id != "" {
		w.m.Carried = append(w.m.Carried, id)
	}
	inner := walker{m: &Message{}, parts: w.parts, decoded: w.decoded}
	inner.entity(e, depth+1)
	w.parts = inner.parts
	w.m.Carried = append(w.m.Carried, inner.m.Carried...)
	w.m.Problems = append(w.m.Problems, inner.m.Problems...)
	for _, a := range inner.m.Attachments {
		w.attach(a)
	}
	date, _ := h.Date()
	var head strings.Builder
	head.WriteString("---------- Mensaje adjunto ----------\n")
	for _, f := range []struct{ k, v string }{
		{"De", firstAddress(h, "From").String()}, {"Fecha", dateText(date)},
		{"Asunto", headerText(h.Header, "Subject")}, {"Para", joinAddresses(addresses(h, "To"))},
	} {
		if f.v != "" {
			head.WriteString(f.k + ": " + f.v + "\n")
		}
	}
	w.forwardTexts = append(w.forwardTexts, head.String()+"\n"+inner.body())
}

// body gives the message's text: its plain parts, or, when it has none,
// its HTML parts as text; then the messages it carries.
func (w *walker) body() string {
	parts := w.plain
	if len(strings.TrimSpace(strings.Join(parts, ""))) == 0 {
		parts = w.html
	}
	all := append(append([]string{}, parts...), w.forwardTexts...)
	var out []string
	for _, p := range all {
		if p = strings.TrimSpace(normalizeText(p)); p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, "\n\n")
}

// decodeText gives a text part as UTF-8. go-message decodes the declared
// character sets; bytes that are still not UTF-8 (no charset declared, or
// a wrong one) are read as Windows-1252, what such mail nearly always is.
func decodeText(data []byte) string {
	if utf8.Valid(data) {
		return string(data)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(data)
	if err != nil {
		return strings.ToValidUTF8(string(data), "\uFFFD")
	}
	return string(out)
}

// normalizeText turns line ends into \n and drops control characters but
// tabs and line ends.
func normalizeText(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\n' || r == '\t':
			return r
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			return -1
		case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069:
			return -1
		}
		return r
	}, s)
}

// cleanLine gives a header's text on one line, without control characters.
func cleanLine(s string) string {
	s = normalizeText(strings.ToValidUTF8(s, "\uFFFD"))
	return strings.Join(strings.Fields(s), " ")
}

// fileName gives an attachment's name as a plain file name: its last path
// element, clean; a part without one is named from its type.
func fileName(name, mediaType string, n int) string {
	name = cleanLine(name)
	name = path.Base(strings.ReplaceAll(name, `\`, "/"))
	if name == "." || name == "/" || name == ".." {
		name = ""
	}
	if name != "" {
		return name
	}
	ext := ".bin"
	if exts, _ := mime.ExtensionsByType(mediaType); len(exts) > 0 {
		ext = exts[0]
	}
	switch mediaType {
	case "message/rfc822":
		ext = ".eml"
	case "image/jpeg":
		ext = ".jpg"
	case "text/plain":
		ext = ".txt"
	}
	return fmt.Sprintf("adjunto-%d%s", n, ext)
}

func joinAddresses(list []Address) string {
	s := make([]string, len(list))
	for i, a := range list {
		s[i] = a.String()
	}
	return strings.Join(s, ", ")
}

// dateText writes a message's date as the desk reads it, or "".
func dateText(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format("2006-01-02 15:04 -07:00")
}
