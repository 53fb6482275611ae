package station

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/pagegen"
	_ "github.com/radicador/radicador/procenv" // OCR single-threaded
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
)

func TestReadAfterRadicacion(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, nil)
	s := func(v string) *string { return &v }
	if err := st.Settings.Set(ctx, map[string]*string{"dept.GC": s("Gestión de Clientes"), "dept.JUR": s("Oficina Jurídica"), "route.tutela": s("JUR")}); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	p, err := scan.WritePage(dir, 1, pagegen.Gray(pagegen.Spec{DPI: 300, Lines: []string{
		"Pereira, 9 de julio de 2026", "", "Señores", "GESTIÓN DE CLIENTES", "Banco Ejemplo S.A.", "",
		"Asunto: Queja por cobro de seguro no autorizado", "",
		"Presento queja porque me cobraron un seguro de vida que nunca autoricé.", "",
		"Atentamente,", "", "Rubén Darío Zapata", "C.C. 10.123.456", "Celular 312 456 7890",
	}}), scan.Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	// The form is filled from what the station reads.
	a, err := st.Reading.Analyze(ctx, []string{p.Path})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if a.Type.Type != "queja_reclamo" || a.Dept != "GC" || a.Fields.SenderName.Value != "Rubén Darío Zapata" ||
		a.Fields.SenderID.Value != "10123456" || a.Fields.Phone.Value != "3124567890" || a.Fields.Date.Value != "2026-07-09" {
		t.Errorf("analysis: type %s dept %s fields %+v", a.Type.Type, a.Dept, a.Fields)
	}
	// An annex is kept, never read, whatever its name says it is: this
	// one, named as a PDF, is a page of HTML.
	annex := filepath.Join(dir, "roto.pdf")
	if err := os.WriteFile(annex, []byte("<html><script>alert(1)</script></html>"), 0o600); err != nil {
		t.Fatal(err)
	}
	rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: a.Type.Type, SenderName: a.Fields.SenderName.Value,
		SenderID: "CC:" + a.Fields.SenderID.Value, Subject: a.Fields.Subject.Value, Dept: a.Dept, Files: []string{p.Path}, Annexes: []string{annex}})
	if err != nil {
		t.Fatal(err)
	}
	if rs, _ := st.Records.Search(ctx, "seguro de vida", 10); len(rs) != 0 {
		t.Fatal("found by its content before it was read")
	}
	n, err := st.Reading.ReadPending(ctx)
	if err != nil || n != 1 {
		t.Fatalf("ReadPending = %d, %v", n, err)
	}
	rs, err := st.Records.Search(ctx, "seguro de vida nunca autorice", 10)
	if err != nil || len(rs) != 1 || rs[0].Number != rec.Number {
		t.Fatalf("search by content: %v, %v", rs, err)
	}
	rd, err := st.core.store.Renditions(ctx, rec.Number)
	if err != nil || len(rd) != 1 || rd[0].Kind != "searchable_pdf" {
		t.Fatalf("renditions %+v, %v", rd, err)
	}
	if _, err := exec.LookPath("pdftotext"); err == nil {
		out, err := exec.Command("pdftotext", st.core.store.Blobs().Path(rd[0].SHA256), "-").Output()
		if err != nil || !strings.Contains(string(out), "seguro") {
			t.Errorf("pdftotext of the searchable PDF: %v %q", err, out)
		}
	} else if os.Getenv("RADICADOR_STRICT") != "" {
		t.Fatal("pdftotext is not installed")
	}
	ex, _ := st.core.store.TrainingSince(ctx, 0, 1000)
	if len(ex) != 1 || ex[0].Type != "queja_reclamo" {
		t.Errorf("training examples %+v", ex)
	}
	if n, _ := st.Reading.ReadPending(ctx); n != 0 {
		t.Errorf("read again: %d", n)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Fatalf("verify: %+v %v", rep, err)
	}
}
