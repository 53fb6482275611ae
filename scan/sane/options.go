//go:build linux || darwin || freebsd

package sane

import (
	"math"
	"slices"
	"strings"

	"github.com/radicador/radicador/scan"
)

// sourceOf tells which kind of source a backend's source name is. Vendors
// name them freely: "Flatbed", "ADF", "ADF Front", "ADF Duplex",
// "Automatic Document Feeder", "Document Table", "Transparency Unit"…
// It gives "" for sources a front desk does not scan letters from (film,
// the back side alone).
func sourceOf(name string) scan.Source {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "duplex"), strings.Contains(n, "both"):
		return scan.Duplex
	case strings.Contains(n, "back"), strings.Contains(n, "film"), strings.Contains(n, "transparen"),
		strings.Contains(n, "negative"), strings.Contains(n, "slide"), strings.Contains(n, "tpu"):
		return ""
	case strings.Contains(n, "adf"), strings.Contains(n, "feeder"), strings.Contains(n, "adc"):
		return scan.ADF
	case strings.Contains(n, "flatbed"), strings.Contains(n, "platen"), strings.Contains(n, "document table"),
		strings.Contains(n, "normal"), n == "glass":
		return scan.Flatbed
	}
	return ""
}

// modeOf tells which colour mode a backend's mode name is.
func modeOf(name string) scan.Mode {
	n := strings.ToLower(name)
	switch {
	case strings.Contains(n, "color"), strings.Contains(n, "colour"):
		return scan.Color
	case strings.Contains(n, "gray"), strings.Contains(n, "grey"):
		return scan.Gray
	case strings.Contains(n, "lineart"), strings.Contains(n, "line art"), strings.Contains(n, "binary"),
		strings.Contains(n, "black"), strings.Contains(n, "halftone"), strings.Contains(n, "mono"):
		return scan.BW
	}
	return ""
}

// pick gives the backend name of the first choice that matches want.
func pick[T comparable](names []string, want T, kind func(string) T) (string, bool) {
	for _, n := range names {
		if kind(n) == want {
			return n, true
		}
	}
	return "", false
}

// commonDPI are the resolutions a form offers when a device gives a range.
var commonDPI = []int{75, 100, 150, 200, 240, 300, 400, 600, 1200}

// resolutions lists the resolutions an option allows.
func resolutions(o option) []int {
	var out []int
	switch o.constraint {
	case constraintWordList:
		for _, w := range o.words {
			out = append(out, int(math.Round(w)))
		}
	case constraintRange:
		for _, d := range commonDPI {
			if float64(d) >= o.min && float64(d) <= o.max {
				out = append(out, d)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// nearest gives the value of the option's constraint closest to v.
func nearest(o option, v float64) float64 {
	switch o.constraint {
	case constraintWordList:
		best := v
		for i, w := range o.words {
			if i == 0 || math.Abs(w-v) < math.Abs(best-v) {
				best = w
			}
		}
		return best
	case constraintRange:
		v = math.Max(o.min, math.Min(o.max, v))
		if o.quant > 0 {
			v = o.min + math.Round((v-o.min)/o.quant)*o.quant
		}
		return math.Min(v, o.max)
	}
	return v
}

// find gives the active option named name.
func find(opts []option, name string) (option, bool) {
	for _, o := range opts {
		if o.name == name && o.active() {
			return o, true
		}
	}
	return option{}, false
}
