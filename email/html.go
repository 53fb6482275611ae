package email

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText gives the text a reader sees in an HTML body: paragraphs,
// line breaks, list items and table cells kept apart, a link's address
// after its text when they differ, and nothing of scripts, styles or the
// head. The document is parsed as a browser parses it (a head never
// closed does not swallow the body), entities are decoded, and no markup
// survives.
func HTMLText(src string) string {
	text, _ := htmlText(src)
	return text
}

// maxHTMLTree bounds the HTML parsed into a tree: the tree takes about
// fifty times the bytes it was read from (a body of 60 MB of "<p>a" took
// gigabytes). A longer body is read token by token.
const maxHTMLTree = 1 << 20

// errLayout says that the text was read token by token, without the
// layout a tree gives (links' addresses, table cells).
var errLayout = errors.New("its text was read without its layout")

// htmlText is HTMLText, with errLayout (wrapped with why) when the body
// was too long or nested too deep to be read as a tree.
func htmlText(src string) (string, error) {
	why := fmt.Sprintf("the HTML is longer than %d MB", maxHTMLTree>>20)
	if len(src) <= maxHTMLTree {
		// As a mail program shows it: scripts off, so <noscript> is shown.
		doc, err := html.ParseWithOptions(strings.NewReader(src), html.ParseOptionEnableScripting(false))
		if err == nil {
			var t textWriter
			t.node(doc)
			return tidy(t.b.String()), nil
		}
		why = fmt.Sprintf("the HTML could not be read as a page (%v)", err)
	}
	return tokenText(src), fmt.Errorf("%s: %w", why, errLayout)
}

// tokenText reads the text of HTML token by token, in memory of the order
// of the body's: text runs, a line break at each block, nothing of
// scripts, styles or the head.
func tokenText(src string) string {
	var t textWriter
	z := html.NewTokenizer(strings.NewReader(src))
	skip := 0 // inside a script, a style, the head or the title
	for {
		switch tt := z.Next(); tt {
		case html.ErrorToken:
			return tidy(t.b.String())
		case html.TextToken:
			if skip == 0 {
				t.text(html.UnescapeString(string(z.Text())))
			}
		case html.StartTagToken, html.EndTagToken, html.SelfClosingTagToken:
			name, _ := z.TagName()
			switch a := atom.Lookup(name); a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template:
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			case atom.Br, atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
				atom.Pre, atom.Table, atom.Ul, atom.Ol, atom.Hr, atom.Tr, atom.Li, atom.Section, atom.Article:
				t.newline(1)
			case atom.Td, atom.Th:
				if cur := t.b.String(); cur != "" && !strings.HasSuffix(cur, "\n") && !strings.HasSuffix(cur, " ") {
					t.b.WriteByte(' ')
				}
			}
		}
	}
}

// textWriter writes the text of a parsed HTML tree.
type textWriter struct {
	b strings.Builder
}

// newline ends the text written so far with at least n line breaks.
func (t *textWriter) newline(n int) {
	s := t.b.String()
	if s == "" {
		return
	}
	for have := len(s) - len(strings.TrimRight(s, "\n")); have < n; have++ {
		t.b.WriteByte('\n')
	}
}

// text writes a run of text with its white space folded.
func (t *textWriter) text(s string) {
	s = collapse(s)
	if s == "" {
		return
	}
	cur := t.b.String()
	if strings.HasPrefix(s, " ") && (cur == "" || strings.HasSuffix(cur, "\n") || strings.HasSuffix(cur, " ")) {
		s = s[1:]
	}
	t.b.WriteString(s)
}

func (t *textWriter) node(n *html.Node) {
	switch n.Type {
	case html.TextNode:
		t.text(n.Data)
		return
	case html.ElementNode:
	case html.DocumentNode:
		t.children(n)
		return
	default:
		return // comments, doctypes
	}
	switch n.DataAtom {
	case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template:
		return
	case atom.Br:
		t.b.WriteByte('\n')
		return
	case atom.Img:
		if alt := strings.TrimSpace(attr(n, "alt")); alt != "" {
			t.b.WriteString("[" + collapse(alt) + "]")
		}
		return
	case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
		atom.Pre, atom.Table, atom.Ul, atom.Ol, atom.Hr:
		t.newline(2)
		t.children(n)
		t.newline(2)
		return
	case atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Dl, atom.Dt, atom.Dd:
		t.newline(1)
		t.children(n)
		t.newline(1)
		return
	case atom.Li:
		t.newline(1)
		t.b.WriteString("- ")
		t.children(n)
		t.newline(1)
		return
	case atom.Td, atom.Th:
		if cur := t.b.String(); cur != "" && !strings.HasSuffix(cur, "\n") {
			t.b.WriteString(" | ")
		}
		t.children(n)
		return
	case atom.A:
		start := t.b.Len()
		t.children(n)
		shown := strings.TrimSpace(t.b.String()[start:])
		href := strings.TrimSpace(attr(n, "href"))
		target := strings.TrimPrefix(href, "mailto:")
		if target != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "javascript:") &&
			shown != target && shown != href {
			t.b.WriteString(" (" + target + ")")
		}
		return
	}
	t.children(n)
}

func (t *textWriter) children(n *html.Node) {
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		t.node(c)
	}
}

// attr gives an element's attribute, or "".
func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// collapse turns runs of white space into one space, keeping one at
// either end if there was any.
func collapse(s string) string {
	if s == "" {
		return ""
	}
	fields := strings.Fields(s)
	if len(fields) == 0 {
		return " "
	}
	out := strings.Join(fields, " ")
	if isSpace(s[0]) {
		out = " " + out
	}
	if isSpace(s[len(s)-1]) {
		out += " "
	}
	return out
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' }

// tidy trims each line and keeps at most one empty line between
// paragraphs.
func tidy(s string) string {
	lines := strings.Split(s, "\n")
	var out []string
	blank := 0
	for _, l := range lines {
		l = strings.TrimSpace(strings.ReplaceAll(l, "\u00a0", " "))
		if l == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
		} else {
			blank = 0
		}
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
