package station

import (
	"bytes"
	"context"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
)

// letterPage writes a letter-sized page at 300 dpi (2480×3508) as JPEG, as
// a scanner in grey mode gives it.
func letterPage(b *testing.B) string {
	lines := []string{"Bogota D.C., 14 de noviembre de 2026", "", "Senores", "BANCO EJEMPLO S.A.", "",
		"Asunto: Derecho de peticion - solicitud de copia de extractos"}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, fixture.Page(2480, 3508, lines...), &jpeg.Options{Quality: 85}); err != nil {
		b.Fatal(err)
	}
	return fixture.Write(b, b.TempDir(), "carta.jpg", buf.Bytes())
}

// BenchmarkRadicarLetter is radicación as the clerk sees it: the page is
// checked (decoded to the end), copied into the file store with fsync, and
// numbered. The plain alternative copies the same file and fsyncs it, the
// least that keeping it durably costs.
func BenchmarkRadicarLetter(b *testing.B) {
	page := letterPage(b)
	b.Run("radicar", func(b *testing.B) {
		st := openTest(b, nil)
		ctx := context.Background()
		for b.Loop() {
			if _, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana Pérez",
				Subject: "Solicitud de copia de extractos", Files: []string{page}}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-copy-fsync", func(b *testing.B) {
		dir := b.TempDir()
		for b.Loop() {
			src, err := os.Open(page)
			if err != nil {
				b.Fatal(err)
			}
			dst, err := os.CreateTemp(dir, "copy-")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := io.Copy(dst, src); err != nil {
				b.Fatal(err)
			}
			dst.Sync()
			dst.Close()
			src.Close()
			os.Remove(filepath.Join(dir, filepath.Base(dst.Name())))
		}
	})
}
