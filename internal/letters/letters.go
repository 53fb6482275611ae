// Package letters holds the project's own test letters and draws them as
// scanned pages: each letter's text with its layout (letterhead, header
// block at the right, tables, a line running to the page's edge), in one
// of several fonts and sizes, skewed and speckled as a scanner leaves it,
// beside its ground truth in the form eval reads. They widen the shared
// corpus with wordings, layouts and document types it lacks.
package letters

import (
	"embed"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/jpeg"
	"image/png"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

//go:embed testdata/*.json
var files embed.FS

// Letter is one test letter: its layout and the truth of what it says.
type Letter struct {
	Name   string         // file name without .json
	Layout string         // text with layout marks (see Draw)
	Truth  map[string]any // every field but the layout
}

// All gives the letters, in the order of their names.
func All() ([]Letter, error) {
	names, err := files.ReadDir("testdata")
	if err != nil {
		return nil, err
	}
	var out []Letter
	for _, n := range names {
		b, err := files.ReadFile("testdata/" + n.Name())
		if err != nil {
			return nil, err
		}
		var truth map[string]any
		if err := json.Unmarshal(b, &truth); err != nil {
			return nil, fmt.Errorf("%s: %w", n.Name(), err)
		}
		layout, _ := truth["layout"].(string)
		if layout == "" {
			return nil, fmt.Errorf("%s: no layout", n.Name())
		}
		delete(truth, "layout")
		out = append(out, Letter{Name: strings.TrimSuffix(n.Name(), ".json"), Layout: layout, Truth: truth})
	}
	return out, nil
}

// A face is a font the letters are drawn in: the Go fonts ship with the
// module; DejaVu's come from Debian's fonts-dejavu packages.
type face struct {
	name          string
	regular, bold string // file paths; empty for the Go fonts
}

var faces = []face{
	{"Go", "", ""},
	{"DejaVuSerif", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf"},
	{"DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"},
	{"DejaVuSansCondensed", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf"},
	{"DejaVuSerifCondensed", "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed-Bold.ttf"},
}

var (
	fontMu sync.Mutex
	parsed = map[string]*opentype.Font{}
)

func loadFont(path string, fallback []byte) (*opentype.Font, error) {
	fontMu.Lock()
	defer fontMu.Unlock()
	key := path
	if key == "" {
		key = fmt.Sprint(len(fallback))
	}
	if f, ok := parsed[key]; ok {
		return f, nil
	}
	b := fallback
	if path != "" {
		var err error
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("font %s (Debian's fonts-dejavu-core and fonts-dejavu-extra): %w", path, err)
		}
	}
	f, err := opentype.Parse(b)
	if err != nil {
		return nil, fmt.Errorf("font %s: %w", path, err)
	}
	parsed[key] = f
	return f, nil
}

// Scan is how a letter is drawn and scanned.
type Scan struct {
	Font   string  `json:"font"`
	Points float64 `json:"points"`
	DPI    int     `json:"dpi"`
	Paper  string  `json:"paper"`     // carta or A4
	Angle  float64 `json:"angle_deg"` // skew, degrees
	Noise  float64 `json:"noise"`     // grain and dust: a hundred specks per unit
	Format string  `json:"format"`    // png or jpeg
}

// ScanFor gives the scan of the letter numbered n: fonts, sizes, papers,
// skews and formats taken in turn, so that every kind meets several.
func ScanFor(n int) Scan {
	r := rand.New(rand.NewPCG(uint64(n), 18))
	s := Scan{
		Font:   faces[n%len(faces)].name,
		Points: []float64{10.5, 11, 11.5, 12}[n%4],
		DPI:    300,
		Paper:  []string{"carta", "A4"}[n/2%2],
		Angle:  math.Round((r.Float64()*2.4-1.2)*100) / 100,
		Noise:  []float64{0.1, 0.2, 0.3}[n%3],
		Format: []string{"png", "jpeg"}[n%2],
	}
	return s
}

// Plain gives the text a letter shows, without its layout marks: what OCR
// should read. Table cells are separated by spaces.
func Plain(layout string) string {
	var out []string
	for _, ln := range strings.Split(layout, "\n") {
		ln = strings.TrimSuffix(ln, " »")
		switch {
		case strings.HasPrefix(ln, "|"):
			out = append(out, strings.Join(cells(ln), " "))
		case strings.HasPrefix(ln, ">"), strings.HasPrefix(ln, "^"), strings.HasPrefix(ln, "#"):
			out = append(out, ln[1:])
		default:
			out = append(out, ln)
		}
	}
	return strings.Join(out, "\n")
}

func cells(row string) []string {
	parts := strings.Split(strings.Trim(row, "|"), "|")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return parts
}

// Draw draws a letter's layout as a page. Marks at a line's start: ">"
// right-aligned, "^" centred, "#" bold, "|a|b|" a table row (consecutive
// rows one table, ruled); " »" at a line's end pushes it to the page's
// right edge.
func Draw(layout string, s Scan) (*image.Gray, error) {
	fc := faces[0]
	for _, f := range faces {
		if f.name == s.Font {
			fc = f
		}
	}
	reg, err := loadFont(fc.regular, goregular.TTF)
	if err != nil {
		return nil, err
	}
	bold, err := loadFont(fc.bold, gobold.TTF)
	if err != nil {
		return nil, err
	}
	w, h := 215.9, 279.4
	if s.Paper == "A4" {
		w, h = 210, 297
	}
	px := func(mm float64) int { return int(mm / 25.4 * float64(s.DPI)) }
	img := image.NewGray(image.Rect(0, 0, px(w), px(h)))
	draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
	lines := strings.Split(strings.TrimRight(layout, "\n"), "\n")
	left, right, top := px(25), px(w)-px(22), px(20)
	// The size that fits: the letter's own, smaller when its lines would
	// run past the bottom or its longest line past the right margin.
	points := s.Points
	for ; points > 7; points -= 0.25 {
		fr, _ := opentype.NewFace(reg, &opentype.FaceOptions{Size: points, DPI: float64(s.DPI), Hinting: font.HintingFull})
		lh := fr.Metrics().Height.Ceil() * 135 / 100
		widest := 0
		for _, ln := range lines {
			if !strings.HasPrefix(ln, "|") && !strings.HasSuffix(ln, " »") {
				widest = max(widest, font.MeasureString(fr, strings.TrimLeft(ln, ">^#")).Ceil())
			}
		}
		fr.Close()
		if top+lh*(len(lines)+1) < img.Bounds().Dy()-px(15) && left+widest <= right {
			break
		}
	}
	opts := &opentype.FaceOptions{Size: points, DPI: float64(s.DPI), Hinting: font.HintingFull}
	fr, err := opentype.NewFace(reg, opts)
	if err != nil {
		return nil, err
	}
	defer fr.Close()
	fb, err := opentype.NewFace(bold, opts)
	if err != nil {
		return nil, err
	}
	defer fb.Close()
	ink := image.NewUniform(color.Gray{0x18})
	lh := fr.Metrics().Height.Ceil() * 135 / 100
	ascent := fr.Metrics().Ascent.Ceil()
	y := top
	text := func(f font.Face, x int, str string) {
		d := font.Drawer{Dst: img, Src: ink, Face: f, Dot: fixed.P(x, y+ascent)}
		d.DrawString(str)
	}
	for i := 0; i < len(lines); i++ {
		ln := lines[i]
		switch {
		case strings.HasPrefix(ln, "|"):
			var rows [][]string
			for ; i < len(lines) && strings.HasPrefix(lines[i], "|"); i++ {
				rows = append(rows, cells(lines[i]))
			}
			i--
			y = drawTable(img, fr, fb, rows, left, y, lh, ascent, ink)
			continue
		case strings.HasSuffix(ln, " »"):
			str := strings.TrimLeft(strings.TrimSuffix(ln, " »"), ">^#")
			text(fr, img.Bounds().Dx()-px(2)-font.MeasureString(fr, str).Ceil(), str)
		case strings.HasPrefix(ln, ">"):
			text(fr, right-font.MeasureString(fr, ln[1:]).Ceil(), ln[1:])
		case strings.HasPrefix(ln, "^"):
			text(fb, (left+right-font.MeasureString(fb, ln[1:]).Ceil())/2, ln[1:])
		case strings.HasPrefix(ln, "#"):
			text(fb, left, ln[1:])
		default:
			text(fr, left, ln)
		}
		y += lh
	}
	return scanned(img, s), nil
}

// drawTable draws rows as a ruled table from (x, y), the first row in
// bold, and gives the y under it.
func drawTable(img *image.Gray, fr, fb font.Face, rows [][]string, x, y, lh, ascent int, ink image.Image) int {
	pad := lh / 3
	var widths []int
	for r, row := range rows {
		f := fr
		if r == 0 {
			f = fb
		}
		for c, cell := range row {
			if c >= len(widths) {
				widths = append(widths, 0)
			}
			widths[c] = max(widths[c], font.MeasureString(f, cell).Ceil()+2*pad)
		}
	}
	total := 0
	for _, w := range widths {
		total += w
	}
	rule := func(r image.Rectangle) { draw.Draw(img, r, ink, image.Point{}, draw.Src) }
	for r, row := range rows {
		f := fr
		if r == 0 {
			f = fb
		}
		rule(image.Rect(x, y, x+total, y+2))
		cx := x
		for c, cell := range row {
			d := font.Drawer{Dst: img, Src: ink, Face: f, Dot: fixed.P(cx+pad, y+pad+ascent)}
			d.DrawString(cell)
			rule(image.Rect(cx, y, cx+2, y+lh+pad))
			cx += widths[c]
		}
		rule(image.Rect(cx, y, cx+2, y+lh+pad))
		y += lh + pad
	}
	rule(image.Rect(x, y, x+total+2, y+2))
	return y + lh/2
}

// scanned gives the page as a scanner leaves it: turned by the skew
// (bilinear), speckled.
func scanned(img *image.Gray, s Scan) *image.Gray {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	out := image.NewGray(b)
	a := s.Angle * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	cx, cy := float64(w)/2, float64(h)/2
	at := func(x, y int) float64 {
		if x < 0 || y < 0 || x >= w || y >= h {
			return 255
		}
		return float64(img.Pix[y*img.Stride+x])
	}
	r := rand.New(rand.NewPCG(uint64(s.DPI), uint64(s.Angle*1000+s.Noise*10)))
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			// The source point that lands here.
			dx, dy := float64(x)-cx, float64(y)-cy
			sx, sy := cos*dx+sin*dy+cx, -sin*dx+cos*dy+cy
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := sx-float64(x0), sy-float64(y0)
			v := (at(x0, y0)*(1-fx)+at(x0+1, y0)*fx)*(1-fy) + (at(x0, y0+1)*(1-fx)+at(x0+1, y0+1)*fx)*fy
			n := int(v) + r.IntN(25) - 12
			out.Pix[y*out.Stride+x] = uint8(min(255, max(0, n)))
		}
	}
	// Dust: a few dark specks of two or three pixels, more with more
	// noise (Noise 0.2 gives 20 on a page).
	for range int(s.Noise * 100) {
		x, y, size := r.IntN(w-3), r.IntN(h-3), 2+r.IntN(2)
		for dy := range size {
			for dx := range size {
				out.Pix[(y+dy)*out.Stride+x+dx] = uint8(40 + r.IntN(60))
			}
		}
	}
	return out
}

// Render draws every letter into dir as NNN.png or NNN.jpg beside NNN.json,
// the truth as eval reads it (the text without layout marks, the image's
// name, and how it was scanned).
func Render(dir string) error {
	all, err := All()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	var wg sync.WaitGroup
	errs := make([]error, len(all))
	sem := make(chan struct{}, 2)
	for i, l := range all {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			errs[i] = render(dir, i, l)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func render(dir string, i int, l Letter) error {
	s := ScanFor(i)
	img, err := Draw(l.Layout, s)
	if err != nil {
		return fmt.Errorf("%s: %w", l.Name, err)
	}
	ext := map[string]string{"png": ".png", "jpeg": ".jpg"}[s.Format]
	f, err := os.Create(filepath.Join(dir, l.Name+ext))
	if err != nil {
		return err
	}
	if s.Format == "jpeg" {
		err = jpeg.Encode(f, img, &jpeg.Options{Quality: 85})
	} else {
		err = png.Encode(f, img)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	truth := map[string]any{}
	for k, v := range l.Truth {
		truth[k] = v
	}
	truth["text"] = Plain(l.Layout)
	truth["image"] = l.Name + ext
	truth["scan"] = s
	b, err := json.MarshalIndent(truth, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, l.Name+".json"), b, 0o644)
}
