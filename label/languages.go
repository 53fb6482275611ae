package label

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding/charmap"
)

// Formats are the outputs a layout can be written in.
var Formats = []string{"zpl", "epl", "tspl", "png", "pdf"}

// Write writes the layout in format, for copies labels.
func (l *Layout) Write(w io.Writer, format string, copies int) error {
	if copies < 1 || copies > 99 {
		return fmt.Errorf("copies: from 1 to 99, not %d", copies)
	}
	var data []byte
	var err error
	switch format {
	case "zpl":
		data, err = l.ZPL(copies)
	case "epl":
		data, err = l.EPL(copies)
	case "tspl":
		data, err = l.TSPL(copies)
	case "png":
		return l.WritePNG(w)
	case "pdf":
		return l.WritePDF(w)
	default:
		return fmt.Errorf("format %q: one of %s", format, strings.Join(Formats, ", "))
	}
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// zplText escapes text for a ^FH field: the command characters and the
// escape character itself go as hexadecimal.
func zplText(s string) string {
	r := strings.NewReplacer("_", "_5F", "^", "_5E", "~", "_7E")
	return r.Replace(s)
}

// ZPL writes the layout in ZPL II, with the printer's own barcode
// commands, UTF-8 text (^CI28) and ^PQ for the copies.
func (l *Layout) ZPL(copies int) ([]byte, error) {
	var b bytes.Buffer
	fmt.Fprintf(&b, "^XA\n^CI28\n^PW%d\n^LL%d\n^LH0,0\n", l.W, l.H)
	for _, it := range l.Items {
		switch it.Kind {
		case Text:
			fmt.Fprintf(&b, "^FO%d,%d^A0N,%d,%d^FH^FD%s^FS\n", it.X, it.Y, it.H, it.H, zplText(it.Text))
		case Code128:
			c, err := encode128(it.Text)
			if err != nil {
				return nil, err
			}
			if strings.ContainsAny(it.Text, "^~") {
				return nil, fmt.Errorf("ZPL: %q cannot go in a barcode field", it.Text)
			}
			fmt.Fprintf(&b, "^FO%d,%d^BY%d,3,%d^BCN,%d,N,N,N,N^FD%s^FS\n", it.X, it.Y, it.Module, it.H, it.H, c.zpl)
		case QR:
			if strings.ContainsAny(it.Text, "^~") {
				return nil, fmt.Errorf("ZPL: %q cannot go in a QR field", it.Text)
			}
			fmt.Fprintf(&b, "^FO%d,%d^BQN,2,%d^FDMA,%s^FS\n", it.X, it.Y, it.Module, it.Text)
		case Box:
			fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", it.X, it.Y, it.W, it.H, it.Thick)
		case Fill:
			fmt.Fprintf(&b, "^FO%d,%d^GB%d,%d,%d^FS\n", it.X, it.Y, it.W, it.H, min(it.W, it.H))
		}
	}
	fmt.Fprintf(&b, "^PQ%d\n^XZ\n", copies)
	return b.Bytes(), nil
}

// bitmapFont is a printer's resident font: its name and cell in dots.
type bitmapFont struct {
	name string
	w, h int
}

// The resident fonts of EPL2 (by resolution) and TSPL printers. EPL's
// font 5 and TSPL's larger ones hold only capitals and digits: left out.
var (
	eplFonts203 = []bitmapFont{{"1", 8, 12}, {"2", 10, 16}, {"3", 12, 20}, {"4", 14, 24}}
	eplFonts300 = []bitmapFont{{"1", 12, 20}, {"2", 16, 28}, {"3", 20, 36}, {"4", 24, 44}}
	tsplFonts   = []bitmapFont{{"1", 8, 12}, {"2", 12, 20}, {"3", 16, 24}}
)

// pickFont chooses the resident font and multiplier that come closest to
// the text's height without going over and fit it in its width; when even
// the smallest is too wide, the text is cut with an ellipsis.
func pickFont(fonts []bitmapFont, it Item) (bitmapFont, int, string) {
	r := []rune(it.Text)
	best, bestMul := fonts[0], 1
	for _, f := range fonts {
		for mul := 1; mul <= 8; mul++ {
			if f.h*mul > it.H || f.w*mul*len(r) > it.W {
				break
			}
			if f.h*mul > best.h*bestMul {
				best, bestMul = f, mul
			}
		}
	}
	if room := it.W / (best.w * bestMul); len(r) > room {
		r = append(r[:max(0, room-1)], '…')
	}
	return best, bestMul, string(r)
}

// latin1 gives text in Windows-1252, which EPL's I8,A and TSPL's CODEPAGE
// 1252 print; a character it lacks becomes ?.
func latin1(s string) string {
	var b strings.Builder
	enc := charmap.Windows1252.NewEncoder()
	for _, r := range s {
		out, err := enc.String(string(r))
		if err != nil {
			out = "?"
		}
		b.WriteString(out)
	}
	return b.String()
}

// EPL writes the layout in EPL2, text in Windows-1252 (I8,A).
func (l *Layout) EPL(copies int) ([]byte, error) {
	if l.DPI == 600 {
		return nil, fmt.Errorf("EPL2 printers print at 203 or 300 dpi")
	}
	fonts := eplFonts203
	if l.DPI == 300 {
		fonts = eplFonts300
	}
	quote := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	var b bytes.Buffer
	fmt.Fprintf(&b, "\nN\nI8,A,001\nq%d\nQ%d,%d\n", l.W, l.H, dots(3, l.DPI))
	for _, it := range l.Items {
		switch it.Kind {
		case Text:
			f, mul, text := pickFont(fonts, it)
			fmt.Fprintf(&b, "A%d,%d,0,%s,%d,%d,N,\"%s\"\n", it.X, it.Y, f.name, mul, mul, quote.Replace(latin1(text)))
		case Code128:
			fmt.Fprintf(&b, "B%d,%d,0,1,%d,%d,%d,N,\"%s\"\n", it.X, it.Y, it.Module, it.Module*2, it.H, quote.Replace(it.Text))
		case QR:
			fmt.Fprintf(&b, "b%d,%d,Q,m2,s%d,eM,\"%s\"\n", it.X, it.Y, it.Module, quote.Replace(it.Text))
		case Box:
			fmt.Fprintf(&b, "X%d,%d,%d,%d,%d\n", it.X, it.Y, it.Thick, it.X+it.W, it.Y+it.H)
		case Fill:
			fmt.Fprintf(&b, "LO%d,%d,%d,%d\n", it.X, it.Y, it.W, it.H)
		}
	}
	fmt.Fprintf(&b, "P%d\n", copies)
	return b.Bytes(), nil
}

// TSPL writes the layout in TSPL (TSC and compatible printers), text in
// Windows-1252 (CODEPAGE 1252).
func (l *Layout) TSPL(copies int) ([]byte, error) {
	quote := strings.NewReplacer(`"`, `\["]`)
	mm := func(d int) string { return fmt.Sprintf("%.1f", float64(d)*25.4/float64(l.DPI)) }
	var b bytes.Buffer
	fmt.Fprintf(&b, "SIZE %s mm,%s mm\nGAP 3 mm,0 mm\nDIRECTION 1\nREFERENCE 0,0\nCODEPAGE 1252\nCLS\n", mm(l.W), mm(l.H))
	for _, it := range l.Items {
		switch it.Kind {
		case Text:
			f, mul, text := pickFont(tsplFonts, it)
			fmt.Fprintf(&b, "TEXT %d,%d,\"%s\",0,%d,%d,\"%s\"\n", it.X, it.Y, f.name, mul, mul, quote.Replace(latin1(text)))
		case Code128:
			fmt.Fprintf(&b, "BARCODE %d,%d,\"128\",%d,0,0,%d,%d,\"%s\"\n", it.X, it.Y, it.H, it.Module, it.Module, quote.Replace(it.Text))
		case QR:
			fmt.Fprintf(&b, "QRCODE %d,%d,M,%d,A,0,\"%s\"\n", it.X, it.Y, it.Module, quote.Replace(it.Text))
		case Box:
			fmt.Fprintf(&b, "BOX %d,%d,%d,%d,%d\n", it.X, it.Y, it.X+it.W, it.Y+it.H, it.Thick)
		case Fill:
			fmt.Fprintf(&b, "BAR %d,%d,%d,%d\n", it.X, it.Y, it.W, it.H)
		}
	}
	fmt.Fprintf(&b, "PRINT 1,%d\n", copies)
	return b.Bytes(), nil
}
