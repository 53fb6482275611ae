package wire

import (
	"encoding/json"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/radicador/radicador/radicado"
)

// FuzzPushCheck feeds arbitrary JSON to the push validation: it never
// panics, and whatever it accepts reads back into its own fields, is clean
// text, and survives a round trip through JSON unchanged.
func FuzzPushCheck(f *testing.F) {
	pat := radicado.MustPattern(radicado.DefaultPattern)
	f.Fuzz(func(t *testing.T, body []byte) {
		var p Push
		if json.Unmarshal(body, &p) != nil {
			return
		}
		if p.Check(pat) != nil {
			return
		}
		r := p.Radicado
		parts, err := pat.Parse(r.Number)
		if err != nil || parts.Office != r.Office || parts.Station != r.Station || parts.Year != r.Year || parts.Seq != r.Seq {
			t.Fatalf("accepted %q, whose number does not read back: %v", r.Number, err)
		}
		for _, s := range []string{r.SenderName, r.Subject, r.Type, r.Dept, r.SenderID} {
			if !utf8.ValidString(s) || strings.ContainsAny(s, "\x00\n\r\t\u202e\ufffd") {
				t.Fatalf("accepted a field %q", s)
			}
		}
		for _, fl := range r.Files {
			if strings.ContainsAny(fl.Name, "/\\\n") || fl.Name == ".." {
				t.Fatalf("accepted the file name %q", fl.Name)
			}
		}
		b, _ := json.Marshal(p)
		var back Push
		if err := json.Unmarshal(b, &back); err != nil || back.Radicado.Content() != r.Content() || back.Check(pat) != nil {
			t.Fatalf("an accepted push changes through JSON: %v", err)
		}
	})
}

// vectorRadicado is the radicado of the fixed test vectors.
func vectorRadicado() Radicado {
	files := []File{
		{SHA256: strings.Repeat("ab", 32), Size: 1234, Name: "carta.png", MediaType: "image/png", Pages: 1},
		{SHA256: strings.Repeat("cd", 32), Size: 56789, Name: "anexo.pdf", MediaType: "application/pdf", Pages: 3},
	}
	return Radicado{Number: "2026001010000012", Year: 2026, Office: "001", Station: "01", Kind: 2, Seq: 1,
		ReceivedAt: time.Date(2026, 11, 23, 10, 4, 5, 123456789, time.FixedZone("", -5*3600)), Type: "peticion",
		SenderName: "Héctor Cárdenas", SenderID: "CC:79845112", Subject: "Derecho de petición", Dept: "GC", Due: "2026-12-15",
		Pages: 4, SHA256: radicado.DocumentHash(files), Files: files}
}

// TestHashVectors pins the hashes both sides must compute the same way,
// release after release: the document hash, a radicado's content hash and
// an audit event's hash. The expected values were computed apart from this
// code (sha256sum over the canonical bytes); a change here means every
// station's re-push after an upgrade would be a conflict.
func TestHashVectors(t *testing.T) {
	r := vectorRadicado()
	for _, tc := range []struct{ name, got, want string }{
		{"document", radicado.DocumentHash(r.Files), "a84bba32fbb42c701494490a5328ad248737e9e8f63027f6311e20c6b8b958f2"},
		{"content", r.Content(), "190005a662a77e6d6bd29d55d37f73783740598a10d87bc8f39b635406c01b89"},
		{"event", EventHash(strings.Repeat("0", 64), 1, time.Date(2026, 11, 23, 15, 4, 5, 123456789, time.UTC), "ventanilla", "radicar",
			"2026001010000012", []byte(`{"number":"2026001010000012"}`)), "e195dd2e23e52af7b804346f8995e362a0b2c59e4230b99422a404f025399ddb"},
	} {
		if tc.got != tc.want {
			t.Errorf("%s hash %s, want %s", tc.name, tc.got, tc.want)
		}
	}
	// The time's zone does not change the hashes: they use UTC.
	r.ReceivedAt = r.ReceivedAt.UTC()
	if r.Content() != "190005a662a77e6d6bd29d55d37f73783740598a10d87bc8f39b635406c01b89" {
		t.Error("the content hash depends on the time zone")
	}
}

// TestSeedsCheck: the fuzz seeds that are valid pushes pass the check, the
// others do not, so the fuzzer starts on both sides of the line.
func TestSeedsCheck(t *testing.T) {
	pat := radicado.MustPattern(radicado.DefaultPattern)
	for name, want := range map[string]bool{"valid": true, "annulled": true, "negative_pages": false, "slash_number": false} {
		b, err := os.ReadFile("testdata/fuzz/FuzzPushCheck/" + name)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(b), "\n", 3)
		raw, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatal(err)
		}
		var p Push
		if err := json.Unmarshal([]byte(raw), &p); err != nil {
			t.Fatal(err)
		}
		if err := p.Check(pat); (err == nil) != want {
			t.Errorf("seed %s: Check = %v", name, err)
		}
	}
}
