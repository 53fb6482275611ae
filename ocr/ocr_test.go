package ocr

import (
	"context"
	"image"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/disintegration/imaging"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/pagegen"
	_ "github.com/radicador/radicador/procenv" // Tesseract single-threaded, as in the app
	"github.com/radicador/radicador/scan"
)

var letter = []string{
	"Bogotá D.C., 14 de noviembre de 2026", "", "Señores", "GESTIÓN DE CLIENTES", "Banco Ejemplo S.A.", "",
	"Asunto: Derecho de petición - copia de extractos", "",
	"Solicito copia de los extractos de mi tarjeta de crédito.", "", "Atentamente,", "", "Ana María Pérez",
}

func engine(t testing.TB) *Engine {
	t.Helper()
	e, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.Close)
	return e
}

func page(t testing.TB, dir string, i int, img image.Image) string {
	t.Helper()
	g := toGray(img)
	p, err := scan.WritePage(dir, i, g, scan.Gray, 300)
	if err != nil {
		t.Fatal(err)
	}
	return p.Path
}

func TestThreadLimit(t *testing.T) {
	if n := ThreadLimit(); n != 1 {
		t.Errorf("OpenMP thread limit %d: Tesseract would run its own threads", n)
	}
}

func TestReadOrientations(t *testing.T) {
	e := engine(t)
	dir := t.TempDir()
	upright := pagegen.Gray(pagegen.Spec{DPI: 300, Lines: letter})
	var paths []string
	for i, img := range []image.Image{upright, imaging.Rotate90(upright), imaging.Rotate180(upright), imaging.Rotate270(upright)} {
		paths = append(paths, page(t, dir, i+1, img))
	}
	want := []int{0, 270, 180, 90}
	work := t.TempDir()
	read := e.ReadAll(context.Background(), work, paths)
	// The upright copies of the three turned pages are in the folder given,
	// and nowhere else: whoever gave it removes them with it.
	if copies, _ := filepath.Glob(filepath.Join(work, "*")); len(copies) != 3 {
		t.Errorf("%d upright copies in the work folder, want 3: %v", len(copies), copies)
	}
	for i, p := range read {
		if (i == 0) != (p.Image == p.Path) || (i > 0 && filepath.Dir(p.Image) != work) {
			t.Errorf("page %d read from %s", i, p.Image)
		}
	}
	for i, p := range read {
		if p.Err != nil {
			t.Fatalf("page %d: %v", i, p.Err)
		}
		if p.Orientation != want[i] {
			t.Errorf("page %d: turned %d°, want %d°", i, p.Orientation, want[i])
		}
		for _, w := range []string{"Bogotá", "noviembre", "GESTIÓN", "petición", "extractos", "Pérez"} {
			if !strings.Contains(p.Text, w) {
				t.Errorf("page %d does not read %q:\n%s", i, w, p.Text)
			}
		}
		if p.Confidence < 80 || len(p.Words) < 20 || p.DPI != 300 {
			t.Errorf("page %d: confidence %.0f, %d words, %d dpi", i, p.Confidence, len(p.Words), p.DPI)
		}
		if p.Width != upright.Bounds().Dx() {
			t.Errorf("page %d read as %d wide, the upright page is %d", i, p.Width, upright.Bounds().Dx())
		}
	}
}

func TestReadBadPages(t *testing.T) {
	e := engine(t)
	dir := t.TempDir()
	good := page(t, dir, 1, pagegen.Gray(pagegen.Spec{DPI: 300, Lines: letter}))
	empty := page(t, dir, 2, pagegen.Gray(pagegen.Spec{DPI: 300}))
	data, _ := os.ReadFile(good)
	corrupt := fixture.Write(t, dir, "corrupt.png", data[:len(data)/3])
	huge := fixture.PNGHeader(t, dir, "huge.png", 40000, 40000)
	pdf := fixture.PDF(t, dir, "doc.pdf", 1)
	missing := filepath.Join(dir, "missing.png")
	pages := e.ReadAll(context.Background(), "", []string{corrupt, good, empty, huge, pdf, missing})
	for _, i := range []int{0, 3, 4, 5} {
		if pages[i].Err == nil {
			t.Errorf("page %d (%s) read without an error", i, filepath.Base(pages[i].Path))
		}
	}
	if pages[1].Err != nil || !strings.Contains(pages[1].Text, "extractos") {
		t.Errorf("a good page among bad ones: %v, %q", pages[1].Err, pages[1].Text)
	}
	if pages[2].Err != nil || strings.TrimSpace(pages[2].Text) != "" {
		t.Errorf("an empty page: %v, %q", pages[2].Err, pages[2].Text)
	}
}

func TestLexicon(t *testing.T) {
	l := NewLexicon([]byte("Bogotá\nCárdenas\n"), []byte("gestión\njurídica\nsolícito\nesta\nestá\npúblico\npublicó\n"))
	for in, want := range map[string]string{
		"GESTION": "GESTIÓN", "JURIDICA": "JURÍDICA", "Bogota": "Bogotá", "BOGOTA": "BOGOTÁ", "Cardenas": "Cárdenas",
		"gestion":   "gestion",  // lower case is left as read
		"Solicito":  "Solicito", // a capitalised common word is not a proper noun
		"ESTA":      "ESTA",     // a word with and without accent
		"PUBLICO":   "PUBLICO",  // two accented spellings
		"GESTION,":  "GESTION,",
		"JURIDICAS": "JURÍDICAS", // a plural of a word ending in a vowel keeps its accent
		"GESTIONS":  "GESTIONS",
	} {
		if got := l.Restore(in); got != want {
			t.Errorf("Restore(%q) = %q, want %q", in, got, want)
		}
	}
	if got := l.restoreToken("(GESTION),"); got != "(GESTIÓN)," {
		t.Errorf("restoreToken = %q", got)
	}
	if got := l.restoreToken("facturacion@mail.example.org"); got != "facturacion@mail.example.org" {
		t.Errorf("an address changed: %q", got)
	}
}

func TestFixMail(t *testing.T) {
	for in, want := range map[string]string{
		"al correo j06cmplQ mail. example. org.":           "al correo j06cmpl@mail.example.org.",
		"al correo jO7cmpl(Ocorreo.example.co":             "al correo j07cmpl@correo.example.co",
		"Correo de contacto: facturacion mail.example.org": "Correo de contacto: facturacion@mail.example.org",
		"Correo: notificaciones@example.com":               "Correo: notificaciones@example.com",
		"visite www. example. com para más":                "visite www. example. com para más", // not after "correo"
		// Standing alone, its "@" read as a space beside it, O or ©.
		"atencion.ciudadano@ superfinanciera.example.org":               "atencion.ciudadano@superfinanciera.example.org",
		"Teléfono (601) 884 3170 urbanismo O alcaldia-chia.example.org": "Teléfono (601) 884 3170 urbanismo@alcaldia-chia.example.org",
		"Teléfono (601) 884 3170 urbanismo Oalcaldia-chia.example.org":  "Teléfono (601) 884 3170 urbanismo@alcaldia-chia.example.org",
		"notificacionesenlineaO sic.example.org":                        "notificacionesenlinea@sic.example.org",
		"protocoloOnotaria21bogota.example.co":                          "protocolo@notaria21bogota.example.co",
		"Escríbanos a infoOempresa.example.com.":                        "Escríbanos a info@empresa.example.com.",
		"Carrera 10 - transito.notificacionesEgirardot.example.gov.co":  "Carrera 10 - transito.notificaciones@girardot.example.gov.co",
		"correo gamarulanda o@example.com.":                             "correo gamarulanda@example.com.",
		"Visite www.ExampleCorp.com":                                    "Visite www.ExampleCorp.com",
		"ya@valeOtro.example.com":                                       "ya@valeOtro.example.com",
		"Bogotá O Medellín":                                             "Bogotá O Medellín",
		"pagos en Bogotá o Cali.":                                       "pagos en Bogotá o Cali.",
	} {
		if got := fixMail(in); got != want {
			t.Errorf("fixMail(%q) = %q, want %q", in, got, want)
		}
	}
	if got := fixPipes("cmp|"); got != "cmpl" {
		t.Errorf("fixPipes = %q", got)
	}
	if got := fixPipes("jO2cmpl|@example.com"); got != "jO2cmpl@example.com" {
		t.Errorf("fixPipes = %q", got)
	}
	if got := fixPipes("a | b"); got != "a | b" {
		t.Errorf("a lone bar changed: %q", got)
	}
}
