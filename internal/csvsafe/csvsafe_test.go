package csvsafe

import (
	"bytes"
	"encoding/csv"
	"testing"
)

func TestCells(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`=HYPERLINK("http://evil.example/x","Juan")`, `'=HYPERLINK("http://evil.example/x","Juan")`},
		{"+57 300", "'+57 300"},
		{"-2+3", "'-2+3"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"Juan Pérez", "Juan Pérez"},
		{"2026001010000012", "2026001010000012"},
		{"a=b", "a=b"},
		{"", ""},
	} {
		if got := Cell(tc.in); got != tc.want {
			t.Errorf("Cell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestWriterRoundTrip(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b)
	w.Write([]string{"=1+1", "ok, \"quoted\"", "@x"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	rec, err := csv.NewReader(&b).Read()
	if err != nil {
		t.Fatal(err)
	}
	if rec[0] != "'=1+1" || rec[1] != `ok, "quoted"` || rec[2] != "'@x" {
		t.Errorf("read back %q", rec)
	}
}
