// Package label lays out the radicado's sticker and the receipt once, in
// the printer's dots, and writes that one layout in the languages label
// printers speak (ZPL II, EPL2, TSPL) and as PNG and PDF: the preview is
// what the printer prints.
package label

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/boombuler/barcode/qr"
)

// Size is a label's size in millimetres.
type Size struct {
	Name string
	W, H float64
}

// Presets are the label sizes offered by name.
var Presets = []Size{
	{"50x25mm", 50, 25},
	{"2x1in", 50.8, 25.4},
	{"60x40mm", 60, 40},
	{"4x2in", 101.6, 50.8},
}

// ParseSize reads a preset name or a custom size such as 70x30mm or 3x2in.
func ParseSize(s string) (Size, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	for _, p := range Presets {
		if p.Name == s {
			return p, nil
		}
	}
	unit := 1.0
	body, ok := strings.CutSuffix(s, "mm")
	if !ok {
		if body, ok = strings.CutSuffix(s, "in"); !ok {
			return Size{}, fmt.Errorf("label size %q: give it as WxHmm or WxHin (presets: 50x25mm, 2x1in, 60x40mm, 4x2in)", s)
		}
		unit = 25.4
	}
	ws, hs, ok := strings.Cut(body, "x")
	w, err1 := strconv.ParseFloat(ws, 64)
	h, err2 := strconv.ParseFloat(hs, 64)
	if !ok || err1 != nil || err2 != nil {
		return Size{}, fmt.Errorf("label size %q: give it as WxHmm or WxHin", s)
	}
	sz := Size{Name: s, W: w * unit, H: h * unit}
	if sz.W < 30 || sz.H < 15 || sz.W > 220 || sz.H > 400 {
		return Size{}, fmt.Errorf("label size %q: from 30x15 mm to 220x400 mm", s)
	}
	return sz, nil
}

// DPIs are the print resolutions a layout can be made for.
var DPIs = []int{203, 300, 600}

// Content is what a sticker or a receipt says.
type Content struct {
	Number       string
	ReceivedAt   time.Time
	Organization string
	Office       string // office code
	Dept         string // department, code and name
	Kind         string // entrada, salida, interna
	Type         string // document type's name
	Pages        int    // folios
	Annexes      int
	DocSHA256    string // the document hash
	Due          string // YYYY-MM-DD, or empty
	Sender       string
	Subject      string
	Copy         bool   // a reprint: says COPIA
	Code         string // the consultation code of a communication handed in on the web, shown on its receipt
	Channel      string // how it came, when not to the ventanilla (shown on the receipt: "Buzón web")
	Logo         []byte // the organisation's logo (PNG), at the receipt's top; nil: none
}

// QR is the text of the QR code: number, time of receipt, office and the
// first 12 hex digits of the document hash, separated by |.
func (c Content) QR() string {
	h := c.DocSHA256
	if len(h) > 12 {
		h = h[:12]
	}
	return strings.Join([]string{c.Number, c.ReceivedAt.Format("2006-01-02T15:04"), c.Office, h}, "|")
}

// Kind of a layout item.
type Kind int

// The items a layout is made of.
const (
	Text    Kind = iota // a line of text: X, Y its top left, H its height, W the room it has
	Code128             // a Code 128 symbol: X, Y the first bar, H the bars' height, Module dots per module
	QR                  // a QR code: X, Y its first module, Module dots per module
	Box                 // a rectangle's outline: X, Y, W, H, Thick
	Fill                // a black rectangle: X, Y, W, H
	Bitmap              // a picture in dots (the logo): X, Y, W, H, Bits row by row; drawn in PNG and PDF only
)

// Item is one element of a layout, in dots.
type Item struct {
	Kind       Kind
	X, Y, W, H int
	Text       string // the text, or the barcode's data
	Bold       bool
	Module     int // barcodes: dots per module
	Thick      int // box: line thickness
	Align      byte
	Bits       []bool // bitmap: W×H dots, row by row, true black
}

// Layout is a label laid out in dots.
type Layout struct {
	W, H, DPI int
	Items     []Item
}

// Quiet zones, in modules.
const (
	QuietCode128 = 10
	QuietQR      = 4
)

func dots(mm float64, dpi int) int { return int(math.Round(mm * float64(dpi) / 25.4)) }

// qrMatrix encodes text as a QR code with error correction M.
func qrMatrix(text string) ([][]bool, error) {
	code, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("QR: %w", err)
	}
	n := code.Bounds().Dx()
	m := make([][]bool, n)
	for y := range n {
		m[y] = make([]bool, n)
		for x := range n {
			r, _, _, _ := code.At(x, y).RGBA()
			m[y][x] = r < 0x8000
		}
	}
	return m, nil
}

func checkDPI(dpi int) error {
	for _, d := range DPIs {
		if d == dpi {
			return nil
		}
	}
	return fmt.Errorf("%d dpi: label printers print at 203, 300 or 600", dpi)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func capitalize(s string) string {
	if s == "" {
		return s
	}
	r := []rune(s)
	return strings.ToUpper(string(r[0])) + string(r[1:])
}

// when gives the date and time of receipt as a front desk writes them.
func when(t time.Time) string { return t.Format("02/01/2006 15:04") }

// Sticker lays out the sticker for a radicado on a label of size at dpi:
// on top the organisation, the number in large type, date and time,
// office and department, kind, folios and annexes, with the QR code on the
// right; across the bottom the Code 128 of the number. Barcodes keep their
// quiet zones and scale by whole dots.
func Sticker(c Content, size Size, dpi int) (*Layout, error) {
	if err := checkDPI(dpi); err != nil {
		return nil, err
	}
	l := &Layout{W: dots(size.W, dpi), H: dots(size.H, dpi), DPI: dpi}
	m := dots(1.5, dpi)
	gap := dots(0.8, dpi)

	// The Code 128 across the bottom: the widest whole-dot module that
	// fits with its quiet zones, at most 0.4 mm.
	bc, err := encode128(c.Number)
	if err != nil {
		return nil, err
	}
	mods := len(bc.modules())
	module := min((l.W-2*m)/(mods+2*QuietCode128), max(1, dots(0.4, dpi)))
	if module < 1 || (module == 1 && dpi < 300) {
		return nil, fmt.Errorf("the number's barcode does not fit a %.0f mm wide label at %d dpi", size.W, dpi)
	}
	barH := max(dots(6, dpi), min(dots(15, dpi), (l.H-2*m)*30/100))
	barW := mods * module
	barX := (l.W - barW) / 2
	barY := l.H - m - barH
	l.Items = append(l.Items, Item{Kind: Code128, X: barX, Y: barY, W: barW, H: barH, Text: c.Number, Module: module})

	// The QR code on the right of the block above.
	top := m
	block := barY - gap - top
	matrix, err := qrMatrix(c.QR())
	if err != nil {
		return nil, err
	}
	n := len(matrix)
	qm := min(block/(n+2*QuietQR), dots(0.6, dpi))
	if qm < 2 && dpi < 300 || qm < 1 {
		return nil, fmt.Errorf("the QR code does not fit a %.0f mm high label at %d dpi", size.H, dpi)
	}
	qrSide := n * qm
	qrX := l.W - m - QuietQR*qm - qrSide
	qrY := top + QuietQR*qm
	l.Items = append(l.Items, Item{Kind: QR, X: qrX, Y: qrY, W: qrSide, H: qrSide, Text: c.QR(), Module: qm})

	// The text on the left.
	textW := qrX - QuietQR*qm - m
	// Heights as shares of the block: heading 15 %, number 28 %, three lines
	// of detail 14 % each, and four gaps of 3 %: 97 %.
	small := block * 14 / 100
	headPx := block * 15 / 100
	big := block * 28 / 100
	y := top
	line := func(s string, bold bool, want int) {
		s, px := fit(s, bold, want, max(want*7/10, dots(1.6, dpi)), textW)
		l.Items = append(l.Items, Item{Kind: Text, X: m, Y: y, W: textW, H: px, Text: s, Bold: bold})
		y += px + block*3/100
	}
	head := c.Organization
	if c.Copy {
		head = strings.TrimSpace("COPIA · " + head)
	}
	if head == "" {
		head = "Radicado"
	}
	line(head, true, headPx)
	// The number is never cut short: smaller, or no sticker.
	num, px := fit(c.Number, true, big, dots(2, dpi), textW)
	if num != c.Number {
		return nil, fmt.Errorf("the number %s does not fit a %.0f mm wide label at %d dpi", c.Number, size.W, dpi)
	}
	l.Items = append(l.Items, Item{Kind: Text, X: m, Y: y, W: textW, H: px, Text: num, Bold: true})
	y += px + block*3/100
	detail := capitalize(c.Kind)
	if c.Dept != "" {
		detail += " · " + c.Dept
	}
	folios := plural(c.Pages, "folio", "folios")
	if c.Annexes > 0 {
		folios += " · " + plural(c.Annexes, "anexo", "anexos")
	}
	// The three lines of detail at one size: the largest all fit at.
	lines := []string{when(c.ReceivedAt) + " · Of. " + c.Office, detail, folios}
	px = small
	for _, s := range lines {
		_, p := fit(s, false, small, max(small*7/10, dots(1.6, dpi)), textW)
		px = min(px, p)
	}
	for _, s := range lines {
		l.Items = append(l.Items, Item{Kind: Text, X: m, Y: y, W: textW, H: px, Text: clip(s, false, px, textW)})
		y += px + block*3/100
	}
	if c.Copy {
		// COPIA framed, so that a reprint cannot pass for the original.
		first := l.Items[len(l.Items)-5]
		w := textWidth("COPIA", true, first.H)
		pad := max(1, dots(0.3, dpi))
		l.Items = append(l.Items, Item{Kind: Box, X: first.X - pad, Y: first.Y - pad, W: w + 2*pad, H: first.H + 2*pad, Thick: max(1, dots(0.2, dpi))})
	}
	return l, nil
}

// Receipt lays out the acuse de recibo for the person who delivered the
// letter, in a column width wide (mm) at dpi, as long as it needs to be.
func Receipt(c Content, width float64, dpi int) (*Layout, error) {
	if err := checkDPI(dpi); err != nil {
		return nil, err
	}
	W := dots(width, dpi)
	m := dots(3, dpi)
	textW := W - 2*m
	unit := min(dots(4, dpi), textW/22) // the body text's height
	l := &Layout{W: W, DPI: dpi}
	y := m
	add := func(s string, bold bool, px int) {
		l.Items = append(l.Items, Item{Kind: Text, X: m, Y: y, W: textW, H: px, Text: s, Bold: bold})
		y += px * 13 / 10
	}
	para := func(label, s string, lines int) {
		for _, ln := range wrap(label+s, false, unit, textW, lines) {
			add(ln, false, unit)
		}
	}
	if c.Logo != nil {
		lw, lh, bits, err := logoBits(c.Logo, textW/2, dots(14, dpi))
		if err != nil {
			return nil, err
		}
		l.Items = append(l.Items, Item{Kind: Bitmap, X: m, Y: y, W: lw, H: lh, Bits: bits})
		y += lh + unit/2
	}
	if c.Organization != "" {
		for _, ln := range wrap(c.Organization, true, unit*12/10, textW, 2) {
			add(ln, true, unit*12/10)
		}
	}
	title := "ACUSE DE RECIBO"
	if c.Copy {
		title += " — COPIA"
	}
	add(title, true, unit)
	y += unit / 2
	num, px := fit(c.Number, true, unit*2, unit, textW)
	add(num, true, px)

	bc, err := encode128(c.Number)
	if err != nil {
		return nil, err
	}
	mods := len(bc.modules())
	module := min(textW/(mods+2*QuietCode128), max(1, dots(0.4, dpi)))
	if module < 1 {
		return nil, fmt.Errorf("the number's barcode does not fit a %.0f mm wide receipt", width)
	}
	barH := dots(10, dpi)
	l.Items = append(l.Items, Item{Kind: Code128, X: (W - mods*module) / 2, Y: y, W: mods * module, H: barH, Text: c.Number, Module: module})
	y += barH + unit

	para("Recibido: ", when(c.ReceivedAt), 1)
	if c.Channel != "" {
		para("Canal: ", c.Channel, 1)
	}
	if c.Code != "" {
		add("Código de consulta: "+c.Code, true, unit)
	}
	if c.Due != "" {
		if d, err := time.Parse(time.DateOnly, c.Due); err == nil {
			para("Respuesta a más tardar: ", d.Format("02/01/2006"), 1)
		}
	}
	para("Oficina: ", c.Office, 1)
	if c.Dept != "" {
		para("Dependencia: ", c.Dept, 2)
	}
	if c.Type != "" {
		para("Tipo: ", c.Type, 2)
	}
	got := plural(c.Pages, "folio", "folios")
	if c.Annexes > 0 {
		got += " y " + plural(c.Annexes, "anexo", "anexos")
	}
	para("Se recibió: ", got, 2)
	if c.Sender != "" {
		para("Remitente: ", c.Sender, 3)
	}
	if c.Subject != "" {
		para("Asunto: ", c.Subject, 4)
	}
	y += unit / 2

	matrix, err := qrMatrix(c.QR())
	if err != nil {
		return nil, err
	}
	n := len(matrix)
	qm := max(1, min(dots(0.6, dpi), textW/2/(n+2*QuietQR)))
	y += QuietQR * qm
	l.Items = append(l.Items, Item{Kind: QR, X: (W - n*qm) / 2, Y: y, W: n * qm, H: n * qm, Text: c.QR(), Module: qm})
	y += n*qm + QuietQR*qm
	for _, ln := range wrap("Conserve este acuse: el número de radicado identifica su comunicación en todo trámite.", false, unit*85/100, textW, 3) {
		add(ln, false, unit*85/100)
	}
	l.H = y + m
	return l, nil
}
