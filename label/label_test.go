package label

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var sample = Content{
	Number:       "2026001010000012",
	ReceivedAt:   time.Date(2026, 11, 23, 10, 15, 0, 0, time.FixedZone("COT", -5*3600)),
	Organization: "Alcaldía Municipal de Ñuñoa del Páramo",
	Office:       "001",
	Dept:         "200 — Hacienda",
	Kind:         "entrada",
	Type:         "Derecho de petición",
	Pages:        3,
	Annexes:      1,
	DocSHA256:    "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b",
	Due:          "2026-12-15",
	Sender:       "Héctor Cárdenas Núñez",
	Subject:      "Solicitud de copia de la escritura del predio El Ñandú y certificado de tradición",
}

// TestPreviews writes the previews to RADICADOR_PREVIEW, to look at.
func TestPreviews(t *testing.T) {
	dir := os.Getenv("RADICADOR_PREVIEW")
	if dir == "" {
		t.Skip("RADICADOR_PREVIEW names a folder for the previews")
	}
	for _, sz := range Presets {
		for _, dpi := range []int{203, 300} {
			for _, cp := range []bool{false, true} {
				c := sample
				c.Copy = cp
				l, err := Sticker(c, sz, dpi)
				if err != nil {
					t.Fatal(sz.Name, dpi, err)
				}
				name := sz.Name + "-" + itoa(dpi)
				if cp {
					name += "-copia"
				}
				f, _ := os.Create(filepath.Join(dir, name+".png"))
				if err := l.WritePNG(f); err != nil {
					t.Fatal(err)
				}
				f.Close()
			}
		}
	}
	r, err := Receipt(sample, 72, 203)
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create(filepath.Join(dir, "receipt-72mm-203.png"))
	r.WritePNG(f)
	f.Close()
}

func itoa(i int) string {
	return string(rune('0'+i/100)) + string(rune('0'+i/10%10)) + string(rune('0'+i%10))
}

// TestBeyondTheBMP: a sender or subject with an emoji makes every format
// of the sticker and the receipt, never a crash.
func TestBeyondTheBMP(t *testing.T) {
	c := sample
	c.Sender, c.Subject = "Ana 😀", "𝔘rgente"
	size, _ := ParseSize("50x25mm")
	for _, make := range []func() (*Layout, error){
		func() (*Layout, error) { return Sticker(c, size, 203) },
		func() (*Layout, error) { return Receipt(c, 139.7, 203) },
	} {
		l, err := make()
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range Formats {
			var b bytes.Buffer
			if err := l.Write(&b, f, 1); err != nil || b.Len() == 0 {
				t.Errorf("%s: %v", f, err)
			}
		}
	}
}
