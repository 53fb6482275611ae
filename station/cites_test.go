package station

import (
	"bytes"
	"context"
	"image"
	"image/draw"
	"image/png"
	"slices"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/scan"
)

// answerPage draws an answer to our salida: its number in the text when
// inText, our sticker (printed at 300 dpi) pasted at the top right when
// sticker is given, and the number written nowhere else.
func answerPage(t *testing.T, dir string, number string, inText bool, sticker []byte) string {
	t.Helper()
	cite := "su comunicación del 2 de febrero."
	if inText {
		cite = "su comunicación con radicado No. " + number + "."
	}
	page := pagegen.Gray(pagegen.Spec{DPI: 300, Lines: []string{
		"", "", "", "", "", "", "Cali, 3 de marzo de 2026", "", "Señores", "Banco Ejemplo S.A.", "",
		"Asunto: Respuesta a su solicitud de documentos", "",
		"En respuesta a " + cite, "Adjunto los documentos que nos pidieron.", "",
		"Atentamente,", "", "Marta Lucía Ríos", "C.C. 31.456.789",
	}})
	if sticker != nil {
		img, err := png.Decode(bytes.NewReader(sticker))
		if err != nil {
			t.Fatal(err)
		}
		at := image.Pt(page.Bounds().Dx()-img.Bounds().Dx()-150, 100)
		draw.Draw(page, img.Bounds().Add(at), img, img.Bounds().Min, draw.Src)
	}
	p, err := scan.WritePage(dir, 1, page, scan.Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	return p.Path
}

// TestCites: an answer to our salida is read as citing it, whether the
// number is written in its text or only our sticker's barcode shows it;
// the radicado records it, and the salida finds what cites it. A number of
// this station it never gave, or not of the pattern, is refused.
func TestCites(t *testing.T) {
	ctx := context.Background()
	st := openTest(t, nil)
	src := t.TempDir()
	salida, err := st.Records.Radicar(ctx, Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Banco Ejemplo S.A.",
		Subject: "Solicitud de documentos", Files: []string{answerPage(t, src, "", false, nil)},
		Recipient: &radicado.Recipient{Name: "Marta Lucía Ríos", Address: "Calle 5 # 10-20", City: "Cali"}})
	if err != nil {
		t.Fatal(err)
	}
	sticker, _, err := st.Printing.Sticker(ctx, salida.Number, LabelOptions{Format: "png", DPI: 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		inText  bool
		sticker []byte
	}{{"in the text", true, nil}, {"on our sticker only", false, sticker}} {
		t.Run(c.name, func(t *testing.T) {
			a, err := st.Reading.Analyze(ctx, []string{answerPage(t, t.TempDir(), salida.Number, c.inText, c.sticker)})
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if !slices.Equal(a.Fields.Cites, []string{salida.Number}) {
				t.Fatalf("cites %q, want %s; text %q", a.Fields.Cites, salida.Number, a.Text)
			}
			if a.Fields.Reference.Value == salida.Number {
				t.Errorf("our number taken for the sender's reference")
			}
			// The sticker's own barcodes say it, not only its printed line.
			cfg, err := st.core.config(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := st.Reading.citesOn(ctx, cfg, a.Pages); c.sticker != nil && !slices.Equal(got, []string{salida.Number}) || c.sticker == nil && len(got) > 0 {
				t.Errorf("from barcodes: %q", got)
			}
			if a.Type.Type != "respuesta" {
				t.Errorf("type %s, want respuesta", a.Type.Type)
			}
		})
	}
	// Radicated with what it cites, in any grouping the pattern allows.
	grouped := salida.Number[:4] + " " + salida.Number[4:7] + " " + salida.Number[7:9] + " " + salida.Number[9:15] + " " + salida.Number[15:]
	entrada, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "respuesta", SenderName: "Marta Lucía Ríos",
		Subject: "Respuesta", Files: []string{answerPage(t, src, salida.Number, true, nil)}, Cites: []string{grouped, "2026100020000451"}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{salida.Number, "2026100020000451"}; !slices.Equal(entrada.Cites, want) {
		t.Errorf("cites %q, want %q", entrada.Cites, want)
	}
	if got, err := st.Records.Get(ctx, entrada.Number); err != nil || !slices.Equal(got.Cites, entrada.Cites) {
		t.Errorf("kept cites %q, %v", got.Cites, err)
	}
	by, err := st.Records.CitedBy(ctx, salida.Number)
	if err != nil || len(by) != 1 || by[0].Number != entrada.Number {
		t.Errorf("cited by %v, %v", by, err)
	}
	if rs, err := st.Records.Search(ctx, salida.Number, 10); err != nil || !slices.ContainsFunc(rs, func(r radicado.Record) bool { return r.Number == entrada.Number }) {
		t.Errorf("the citing letter is not found by the number it cites: %v, %v", rs, err)
	}
	// Refused, with nothing recorded: a number of this station it never
	// gave, one not of the pattern.
	never := salida.Number[:9] + "999999" + salida.Number[15:]
	for _, bad := range []string{never, "12345", "2026-ER-014233"} {
		before := footprintOf(t, st)
		_, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "respuesta", SenderName: "Marta",
			Subject: "Respuesta", Files: []string{answerPage(t, src, "", false, nil)}, Cites: []string{bad}})
		if err == nil || !strings.Contains(err.Error(), "cites") {
			t.Errorf("cites %s: %v", bad, err)
		}
		if after := footprintOf(t, st); after != before {
			t.Errorf("cites %s: a refused radicación left %+v, was %+v", bad, after, before)
		}
	}
}
