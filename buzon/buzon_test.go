package buzon

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

// logo is a black square on white with a transparent border.
func logo(t *testing.T, side int) []byte {
	img := image.NewNRGBA(image.Rect(0, 0, side, side))
	for y := range side {
		for x := range side {
			switch {
			case x < side/8 || y < side/8:
				img.Set(x, y, color.NRGBA{}) // transparent
			case x > side/4 && x < side*3/4 && y > side/4 && y < side*3/4:
				img.Set(x, y, color.Black)
			default:
				img.Set(x, y, color.White)
			}
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAcuseStyle: the acuse's e-mail in the sender's language from the
// organisation's template, and its receipt with the organisation's logo;
// a template or logo that would not work is refused and changes nothing.
func TestAcuseStyle(t *testing.T) {
	ctx := context.Background()
	db := centraltest.SQLite(t)
	for name, tc := range map[string]struct {
		lang string
		tmpl central.AcuseTemplate
	}{
		"unknown language": {"fr", central.AcuseTemplate{Subject: "x", Body: "y"}},
		"a field unknown":  {"es", central.AcuseTemplate{Subject: "Acuse {{.Numero}}", Body: "y"}},
		"broken template":  {"es", central.AcuseTemplate{Subject: "Acuse {{.Number", Body: "y"}},
		"two-line subject": {"es", central.AcuseTemplate{Subject: "a\nb", Body: "y"}},
		"no text":          {"en", central.AcuseTemplate{Subject: "a", Body: " "}},
	} {
		if err := db.SetAcuseTemplate(ctx, "admin", tc.lang, tc.tmpl); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("%s: %v", name, err)
		}
	}
	for name, b := range map[string][]byte{"not a PNG": []byte("GIF89a"), "too big": make([]byte, 300<<10), "too many pixels": logo(t, 1300)} {
		if err := db.SetLogo(ctx, "admin", b); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("logo %s: %v", name, err)
		}
	}
	if err := db.SetAcuseTemplate(ctx, "admin", "en", central.AcuseTemplate{Subject: "Received: {{.Number}}",
		Body: "Dear sender, {{.Org}} filed your letter as {{.Number}} (code {{.Code}})."}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetLogo(ctx, "admin", logo(t, 200)); err != nil {
		t.Fatal(err)
	}
	tmpl, lg, err := db.AcuseStyle(ctx, "en")
	if err != nil || lg == nil {
		t.Fatalf("%v %d", err, len(lg))
	}
	r := central.Receipt{Number: "2026001010000012", Code: "ABCDEFGHJK", ReceivedAt: time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC),
		Subject: "Certificate", Name: "Ann", Org: "Alcaldía de Ejemplo", Lang: "en", Template: tmpl, Logo: lg, Channel: central.ChannelEmail}
	held := wire.Radicado{Number: r.Number, Office: "001", SHA256: strings.Repeat("a", 64), Files: []wire.File{{Pages: 1}}}
	m, err := AcuseMail(r, held, "")
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "Received: 2026001010000012" || m.Body != "Dear sender, Alcaldía de Ejemplo filed your letter as 2026001010000012 (code ABCDEFGHJK)." {
		t.Errorf("the e-mail: %q %q", m.Subject, m.Body)
	}
	// Spanish, not set: the built-in one.
	es, _, _ := db.AcuseStyle(ctx, "es")
	r.Lang, r.Template = "es", es
	if m, err := AcuseMail(r, held, "https://x/buzon/estado"); err != nil || !strings.HasPrefix(m.Subject, "Acuse de recibo: radicado") ||
		!strings.Contains(m.Body, "Consulte el estado en https://x/buzon/estado") {
		t.Errorf("in Spanish: %q %v", m.Subject, err)
	}
	// The receipt, drawn: the logo's black square at its top left.
	if _, err := exec.LookPath("pdftoppm"); err != nil {
		t.Fatal("pdftoppm (poppler-utils) is needed")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.pdf"), m.PDF, 0o600); err != nil {
		t.Fatal(err)
	}
	// At 100 dpi the logo (14 mm, 55 dots, 3 mm in) has its black square
	// between 26 and 53 dots from the top left.
	if dark, all := darkIn(t, dir, m.PDF, image.Rect(28, 28, 51, 51)); dark < all*9/10 {
		t.Errorf("the logo's square: %d of %d pixels dark", dark, all)
	}
}

// darkIn renders the PDF's first page at 100 dpi and counts the dark
// pixels in the rectangle, and all of them.
func darkIn(t *testing.T, dir string, pdf []byte, rect image.Rectangle) (dark, all int) {
	t.Helper()
	in := filepath.Join(dir, "in.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("pdftoppm", "-r", "100", "-png", "-singlefile", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	f, err := os.Open(filepath.Join(dir, "page.png"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	for y := rect.Min.Y; y < rect.Max.Y; y++ {
		for x := rect.Min.X; x < rect.Max.X; x++ {
			all++
			if g := color.GrayModel.Convert(img.At(x, y)).(color.Gray); g.Y < 0x60 {
				dark++
			}
		}
	}
	return dark, all
}
