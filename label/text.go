package label

import (
	"strings"
	"sync"

	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"
	"golang.org/x/image/font/opentype"
	"golang.org/x/image/math/fixed"
)

var (
	fontsOnce           sync.Once
	regularTTF, boldTTF *opentype.Font
	facesMu             sync.Mutex
	faces               = map[faceKey]font.Face{}
)

type faceKey struct {
	bold bool
	px   int
}

// face gives the Go font at a height of px pixels (dots), as the preview
// draws and measures text.
func face(bold bool, px int) font.Face {
	fontsOnce.Do(func() {
		regularTTF, _ = opentype.Parse(goregular.TTF)
		boldTTF, _ = opentype.Parse(gobold.TTF)
	})
	facesMu.Lock()
	defer facesMu.Unlock()
	k := faceKey{bold, px}
	if f, ok := faces[k]; ok {
		return f
	}
	ttf := regularTTF
	if bold {
		ttf = boldTTF
	}
	// The em is the text height: ascent and descent of the Go fonts fit in
	// it with a little to spare, like a printer font's cell.
	f, err := opentype.NewFace(ttf, &opentype.FaceOptions{Size: float64(px) * 0.86, DPI: 72, Hinting: font.HintingNone})
	if err != nil {
		panic(err) // the embedded fonts parse
	}
	faces[k] = f
	return f
}

// textWidth is the width of s in dots at height px.
func textWidth(s string, bold bool, px int) int {
	return font.MeasureString(face(bold, px), s).Ceil()
}

// fit gives the largest height from want down to min at which s fits in
// width, and s, shortened with an ellipsis when even min is too wide.
func fit(s string, bold bool, want, min, width int) (string, int) {
	for px := want; px >= min; px-- {
		if textWidth(s, bold, px) <= width {
			return s, px
		}
	}
	return clip(s, bold, min, width), min
}

// clip shortens s with an ellipsis to fit width at height px.
func clip(s string, bold bool, px, width int) string {
	if textWidth(s, bold, px) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && textWidth(string(r)+"…", bold, px) > width {
		r = r[:len(r)-1]
	}
	return strings.TrimSpace(string(r)) + "…"
}

// wrap breaks s into lines that fit width at height px, at most max lines
// (the last clipped).
func wrap(s string, bold bool, px, width, max int) []string {
	var lines []string
	line := ""
	for _, w := range strings.Fields(s) {
		try := w
		if line != "" {
			try = line + " " + w
		}
		if textWidth(try, bold, px) <= width || line == "" {
			line = try
			continue
		}
		lines = append(lines, line)
		line = w
	}
	if line != "" {
		lines = append(lines, line)
	}
	for i := range lines {
		lines[i] = clip(lines[i], bold, px, width)
	}
	if len(lines) > max {
		lines = append(lines[:max-1], clip(strings.Join(lines[max-1:], " "), bold, px, width))
	}
	return lines
}

// ascent is how far the baseline is below the top of a line of height px.
func ascent(bold bool, px int) int {
	m := face(bold, px).Metrics()
	spare := fixed.I(px) - m.Ascent - m.Descent
	return (spare/2 + m.Ascent).Round()
}
