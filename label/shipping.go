package label

import (
	"fmt"
	"strconv"
)

// ShippingPresets are the sizes of a shipping label.
var ShippingPresets = []Size{
	{"100x150mm", 100, 150},
	{"4x6in", 101.6, 152.4},
}

// Shipment is what goes on an envelope besides the salida's own data.
type Shipment struct {
	Name, Address, City string // the recipient
	Guide               string // the courier's guide number ("": not yet given)
	Courier             string
	Attempt             int
}

// Shipping lays out a salida's shipping label: who sends it (the
// organisation, its office), the recipient's block in large type, the
// radicado as Code 128 with its number, and the courier's guide as Code
// 128 when it has one, with the attempt.
func Shipping(c Content, s Shipment, size Size, dpi int) (*Layout, error) {
	if err := checkDPI(dpi); err != nil {
		return nil, err
	}
	if size.W < 90 || size.H < 100 {
		return nil, fmt.Errorf("a shipping label of %.0fx%.0f mm is too small: at least 90x100 mm (presets 100x150mm, 4x6in)", size.W, size.H)
	}
	l := &Layout{W: dots(size.W, dpi), H: dots(size.H, dpi), DPI: dpi}
	m := dots(4, dpi)
	textW := l.W - 2*m
	y := m
	unit := dots(4, dpi)
	add := func(s string, bold bool, px int) {
		s, px = fit(s, bold, px, max(px*6/10, dots(2, dpi)), textW)
		l.Items = append(l.Items, Item{Kind: Text, X: m, Y: y, W: textW, H: px, Text: s, Bold: bold})
		y += px * 13 / 10
	}
	rule := func() {
		y += unit / 2
		l.Items = append(l.Items, Item{Kind: Fill, X: m, Y: y, W: textW, H: max(1, dots(0.4, dpi))})
		y += unit
	}
	add("REMITENTE", true, unit*8/10)
	org := c.Organization
	if org == "" {
		org = "Radicador"
	}
	for _, ln := range wrap(org, true, unit, textW, 2) {
		add(ln, true, unit)
	}
	add("Oficina "+c.Office, false, unit)
	rule()
	add("DESTINATARIO", true, unit*8/10)
	for _, ln := range wrap(s.Name, true, unit*3/2, textW, 2) {
		add(ln, true, unit*3/2)
	}
	for _, ln := range wrap(s.Address, false, unit*5/4, textW, 3) {
		add(ln, false, unit*5/4)
	}
	add(s.City, true, unit*3/2)
	rule()
	code := func(text, caption string) error {
		bc, err := encode128(text)
		if err != nil {
			return err
		}
		mods := len(bc.modules())
		module := min(textW/(mods+2*QuietCode128), max(1, dots(0.5, dpi)))
		if module < 1 || (module == 1 && dpi < 300) {
			return fmt.Errorf("the barcode of %s does not fit a %.0f mm wide label at %d dpi", text, size.W, dpi)
		}
		barH := dots(14, dpi)
		l.Items = append(l.Items, Item{Kind: Code128, X: (l.W - mods*module) / 2, Y: y, W: mods * module, H: barH, Text: text, Module: module})
		y += barH + unit/2
		add(caption, true, unit*5/4)
		return nil
	}
	if err := code(c.Number, "Radicado "+c.Number+" · intento "+strconv.Itoa(max(1, s.Attempt))); err != nil {
		return nil, err
	}
	if s.Guide != "" {
		y += unit / 2
		if err := code(s.Guide, "Guía "+s.Guide+" · "+s.Courier); err != nil {
			return nil, err
		}
	} else if s.Courier != "" {
		add("Transportadora: "+s.Courier, false, unit)
	}
	if y > l.H-m {
		return nil, fmt.Errorf("the shipping label's content does not fit %.0fx%.0f mm", size.W, size.H)
	}
	return l, nil
}
