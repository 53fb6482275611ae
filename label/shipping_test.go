package label

import (
	"bytes"
	"image"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/oned"
)

var shipment = Shipment{Name: "Ana María Gómez de la Torre", Address: "Carrera 15 # 88-64, apartamento 1203, edificio Los Andes",
	City: "Bogotá D.C.", Guide: "RA123456789CO", Courier: "4-72", Attempt: 2}

// TestShippingReadBack: the shipping label at 203 and 300 dpi, in both
// sizes: the radicado's and the guide's Code 128 read back with gozxing,
// the recipient's lines on it.
func TestShippingReadBack(t *testing.T) {
	for _, size := range ShippingPresets {
		for _, dpi := range []int{203, 300} {
			l, err := Shipping(sample, shipment, size, dpi)
			if err != nil {
				t.Fatalf("%s %d: %v", size.Name, dpi, err)
			}
			img, err := l.Image()
			if err != nil {
				t.Fatal(err)
			}
			var read []string
			var texts []string
			for _, it := range l.Items {
				switch it.Kind {
				case Code128:
					q := QuietCode128 * it.Module
					bmp, _ := gozxing.NewBinaryBitmapFromImage(img.SubImage(image.Rect(it.X-q, it.Y, it.X+it.W+q, it.Y+it.H)))
					r, err := oned.NewCode128Reader().Decode(bmp, map[gozxing.DecodeHintType]any{gozxing.DecodeHintType_TRY_HARDER: true})
					if err != nil {
						t.Errorf("%s %d: %s not read: %v", size.Name, dpi, it.Text, err)
						continue
					}
					read = append(read, r.GetText())
				case Text:
					texts = append(texts, it.Text)
				}
			}
			if strings.Join(read, " ") != sample.Number+" RA123456789CO" {
				t.Errorf("%s %d: read %v", size.Name, dpi, read)
			}
			all := strings.Join(texts, " | ")
			for _, want := range []string{"DESTINATARIO", "Ana María Gómez", "Bogotá D.C.", "intento 2", "Guía RA123456789CO · 4-72"} {
				if !strings.Contains(all, want) {
					t.Errorf("%s %d: no %q in %s", size.Name, dpi, want, all)
				}
			}
		}
	}
	if _, err := Shipping(sample, shipment, Size{Name: "50x25mm", W: 50, H: 25}, 203); err == nil {
		t.Error("a shipping label on a sticker")
	}
}

// TestShippingGoldens: the shipping label as the printers' languages say it.
func TestShippingGoldens(t *testing.T) {
	for _, tc := range []struct {
		name, format string
		size         Size
		dpi          int
	}{
		{"shipping-100x150mm-203.zpl", "zpl", ShippingPresets[0], 203},
		{"shipping-4x6in-300.epl", "epl", ShippingPresets[1], 300},
		{"shipping-100x150mm-203.tspl", "tspl", ShippingPresets[0], 203},
	} {
		l, err := Shipping(sample, shipment, tc.size, tc.dpi)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := l.Write(&buf, tc.format, 1); err != nil {
			t.Fatal(err)
		}
		checkGolden(t, tc.name, buf.Bytes())
	}
}
