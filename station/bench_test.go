package station

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/radicador/radicador/classify"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
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

// BenchmarkClassifyAfterRadicacion is the classifier's part of reading a
// letter, once one more radicado has been learnt, over archives of 1,000
// and 100,000 confirmed letters: the model learns what is new to it. The
// plain alternative learns every example again from the database, as the
// station did before.
func BenchmarkClassifyAfterRadicacion(b *testing.B) {
	words := []string{"solicito", "copia", "extractos", "queja", "cobro", "factura", "pago", "tutela", "juzgado", "derecho", "petición",
		"información", "contrato", "cuenta", "servicio", "reclamo", "entidad", "respuesta", "término", "radicado"}
	types := []string{"peticion", "queja_reclamo", "factura", "tutela", "informacion"}
	letter := func(i int) store.TrainingExample {
		var text strings.Builder
		for j := range 120 {
			text.WriteString(words[(i*7+j*13)%len(words)])
			text.WriteByte(' ')
		}
		return store.TrainingExample{Type: types[i%len(types)], Text: text.String()}
	}
	for _, n := range []int{1000, 100000} {
		st := openTest(b, nil)
		ctx := context.Background()
		batch := make([]store.TrainingExample, n)
		for i := range batch {
			batch[i] = letter(i)
		}
		if err := st.core.store.AddTrainingBatch(ctx, batch); err != nil {
			b.Fatal(err)
		}
		cfg, err := st.Settings.Config(ctx)
		if err != nil {
			b.Fatal(err)
		}
		text := letter(3).Text
		if _, err := st.Reading.classify(ctx, cfg, text, ""); err != nil { // learns the archive once
			b.Fatal(err)
		}
		next := n
		b.Run(fmt.Sprintf("incremental-%d", n), func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				next++
				if err := st.core.store.AddTraining(ctx, letter(next).Type, letter(next).Text); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := st.Reading.classify(ctx, cfg, text, ""); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(fmt.Sprintf("retrain-all-%d", n), func(b *testing.B) {
			for b.Loop() {
				var all []classify.Example
				var after int64
				for {
					ex, err := st.core.store.TrainingSince(ctx, after, 5000)
					if err != nil {
						b.Fatal(err)
					}
					for _, e := range ex {
						all = append(all, classify.Example{Type: e.Type, Text: e.Text})
						after = e.ID
					}
					if len(ex) < 5000 {
						break
					}
				}
				classify.New(types, classify.Train(all)).Classify(text, "")
			}
		})
	}
}
