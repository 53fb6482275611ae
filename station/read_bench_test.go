package station

import (
	"context"
	"fmt"
	"testing"

	"github.com/radicador/radicador/internal/pagegen"
	"github.com/radicador/radicador/scan"
)

// pagesMade numbers the benchmark's pages, so that no run reads one the
// station remembers.
var pagesMade int

// BenchmarkReadLetter reads one-page letters as the reception form does
// (OCR, then the fields, the numbers cited, the type and the department),
// each page new so that nothing is remembered; beside it, the plain
// alternative in the same run: the same pages through the OCR engines
// alone.
//
//	go test -run '^$' -bench ReadLetter -benchtime 20x ./station/
func BenchmarkReadLetter(b *testing.B) {
	ctx := context.Background()
	st := openTest(b, nil)
	eng, err := st.Reading.Engine()
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	page := func(int) string {
		pagesMade++ // a page never read before, in any run
		i := pagesMade
		p, err := scan.WritePage(dir, i+1, pagegen.Gray(pagegen.Spec{DPI: 300, Lines: []string{
			"Bogotá D.C., 3 de marzo de 2026", "", "Al contestar cite este número: OF-2026-" + fmt.Sprintf("%06d", i), "",
			"Señores", "Banco Ejemplo S.A.", "", "Asunto: Derecho de petición - copia de extractos", "",
			"En ejercicio del derecho de petición, en respuesta a su oficio No. 2026001010000451,",
			fmt.Sprintf("solicito copia de los extractos de mi cuenta No. %d y la relación de pagos.", 1000+i), "",
			"Atentamente,", "", "Ana María Pérez", "C.C. 52.123.456", "Celular 312 456 7890", "ana.perez@correo.example.co",
		}}), scan.Gray, 300)
		if err != nil {
			b.Fatal(err)
		}
		return p.Path
	}
	b.Run("read-letter", func(b *testing.B) {
		paths := make([]string, b.N)
		for i := range paths {
			paths[i] = page(i)
		}
		b.ResetTimer()
		for i := range b.N {
			a, err := st.Reading.Analyze(ctx, []string{paths[i]})
			if err != nil {
				b.Fatal(err)
			}
			if a.Fields.Reference.Value == "" {
				b.Fatalf("nothing read: %q", a.Text)
			}
			a.Close()
		}
	})
	b.Run("plain-ocr", func(b *testing.B) {
		paths := make([]string, b.N)
		for i := range paths {
			paths[i] = page(10000 + i)
		}
		b.ResetTimer()
		for i := range b.N {
			if p := eng.Read(ctx, dir, paths[i]); p.Err != nil {
				b.Fatal(p.Err)
			}
		}
	})
}
