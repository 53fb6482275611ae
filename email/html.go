package email

import (
	"strings"

	"golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// HTMLText gives the text a reader sees in an HTML body: paragraphs,
// line breaks, list items and table cells kept apart, a link's address
// after its text when they differ, and nothing of scripts, styles or the
// head. Entities are decoded; no markup survives.
func HTMLText(src string) string {
	z := html.NewTokenizer(strings.NewReader(src))
	var b strings.Builder
	skip := 0 // inside script, style, head, title, template
	var href string
	var linkText strings.Builder
	inLink := false
	newline := func(n int) {
		s := b.String()
		have := len(s) - len(strings.TrimRight(s, "\n"))
		if len(s) == 0 {
			return
		}
		for ; have < n; have++ {
			b.WriteByte('\n')
		}
	}
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return tidy(b.String())
		case html.TextToken:
			if skip > 0 {
				continue
			}
			text := collapse(string(z.Text()))
			if text == "" {
				continue
			}
			s := b.String()
			if strings.HasPrefix(text, " ") && (len(s) == 0 || strings.HasSuffix(s, "\n") || strings.HasSuffix(s, " ")) {
				text = text[1:]
			}
			b.WriteString(text)
			if inLink {
				linkText.WriteString(text)
			}
		case html.StartTagToken, html.SelfClosingTagToken, html.EndTagToken:
			name, hasAttr := z.TagName()
			a := atom.Lookup(name)
			end := tt == html.EndTagToken
			switch a {
			case atom.Script, atom.Style, atom.Head, atom.Title, atom.Template, atom.Noscript:
				if tt == html.StartTagToken {
					skip++
				} else if end && skip > 0 {
					skip--
				}
				continue
			}
			if skip > 0 {
				continue
			}
			switch a {
			case atom.Br:
				b.WriteByte('\n')
			case atom.P, atom.Div, atom.H1, atom.H2, atom.H3, atom.H4, atom.H5, atom.H6, atom.Blockquote,
				atom.Pre, atom.Table, atom.Ul, atom.Ol, atom.Hr:
				newline(2)
			case atom.Tr, atom.Section, atom.Article, atom.Header, atom.Footer, atom.Dl, atom.Dt, atom.Dd:
				newline(1)
			case atom.Li:
				if !end {
					newline(1)
					b.WriteString("- ")
				}
			case atom.Td, atom.Th:
				if !end && !strings.HasSuffix(b.String(), "\n") && b.Len() > 0 {
					b.WriteString(" | ")
				}
			case atom.A:
				if !end {
					href = ""
					for hasAttr {
						var k, v []byte
						k, v, hasAttr = z.TagAttr()
						if string(k) == "href" {
							href = strings.TrimSpace(string(v))
						}
					}
					inLink = true
					linkText.Reset()
				} else if inLink {
					inLink = false
					shown := strings.TrimSpace(linkText.String())
					target := strings.TrimPrefix(href, "mailto:")
					if target != "" && !strings.HasPrefix(href, "#") && !strings.HasPrefix(strings.ToLower(href), "javascript:") &&
						shown != target && shown != href {
						b.WriteString(" (" + target + ")")
					}
				}
			case atom.Img:
				for hasAttr {
					var k, v []byte
					k, v, hasAttr = z.TagAttr()
					if string(k) == "alt" && strings.TrimSpace(string(v)) != "" {
						b.WriteString("[" + collapse(string(v)) + "]")
					}
				}
			}
		}
	}
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
