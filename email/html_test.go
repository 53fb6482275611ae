package email

import (
	"errors"
	"strings"
	"testing"
)

// TestHTMLTooBigForATree: a body too long, or nested too deep, to be read
// as a tree is read token by token: its text, without scripts or styles,
// each block on its line, and said.
func TestHTMLTooBigForATree(t *testing.T) {
	long := "<html><head><title>T</title><style>p{}</style></head><body><p>Señores: solicito copia</p><script>alert(1)</script>" +
		strings.Repeat("<p>a", 300_000) + "<p>Atentamente, Ana</p></body></html>"
	deep := strings.Repeat("<div>", 600) + "Texto hondo &amp; claro" + strings.Repeat("</div>", 600)
	for _, tc := range []struct {
		name, src, want, why string
	}{
		{"long", long, "Señores: solicito copia", "longer than 1 MB"},
		{"deep", deep, "Texto hondo & claro", "open stack"},
	} {
		text, err := htmlText(tc.src)
		if !errors.Is(err, errLayout) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: %v", tc.name, err)
		}
		if !strings.Contains(text, tc.want) || strings.Contains(text, "alert") || strings.Contains(text, "p{}") || strings.Contains(text, "<") {
			t.Errorf("%s: text %.200q", tc.name, text)
		}
	}
	if !strings.HasSuffix(strings.TrimSpace(HTMLText(long)), "a\nAtentamente, Ana") {
		t.Errorf("the long body's end: %q", HTMLText(long)[len(HTMLText(long))-40:])
	}
	// A body that fits is read as a tree, and nothing is said.
	if text, err := htmlText(`<p>Hola <a href="https://x.co">aquí</a></p>`); err != nil || text != "Hola aquí (https://x.co)" {
		t.Errorf("a short body: %q %v", text, err)
	}
}
