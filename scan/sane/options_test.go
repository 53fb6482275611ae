//go:build linux || darwin || freebsd

package sane

import (
	"testing"

	"github.com/radicador/radicador/scan"
)

func TestSourceNames(t *testing.T) {
	for name, want := range map[string]scan.Source{
		"Flatbed": scan.Flatbed, "FlatBed": scan.Flatbed, "Platen": scan.Flatbed, "Document Table": scan.Flatbed, "Normal": scan.Flatbed,
		"ADF": scan.ADF, "ADF Front": scan.ADF, "Automatic Document Feeder": scan.ADF, "Automatic Document Feeder(left aligned)": scan.ADF,
		"ADF Duplex": scan.Duplex, "Automatic Document Feeder (duplex)": scan.Duplex, "ADF Both": scan.Duplex, "Duplex": scan.Duplex,
		"ADF Back": "", "Transparency Unit": "", "Film": "", "Negative": "",
	} {
		if got := sourceOf(name); got != want {
			t.Errorf("sourceOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestModeNames(t *testing.T) {
	for name, want := range map[string]scan.Mode{
		"Color": scan.Color, "24bit Color": scan.Color, "Colour": scan.Color,
		"Gray": scan.Gray, "Grayscale": scan.Gray, "True Gray": scan.Gray, "Grey": scan.Gray,
		"Lineart": scan.BW, "Binary": scan.BW, "Black & White": scan.BW, "Halftone": scan.BW,
	} {
		if got := modeOf(name); got != want {
			t.Errorf("modeOf(%q) = %q, want %q", name, got, want)
		}
	}
}

func TestNearest(t *testing.T) {
	list := option{constraint: constraintWordList, words: []float64{75, 150, 300, 600}}
	rng := option{constraint: constraintRange, min: 50, max: 1200, quant: 25}
	for _, tc := range []struct {
		o        option
		in, want float64
	}{
		{list, 300, 300}, {list, 200, 150}, {list, 250, 300}, {list, 2400, 600}, {list, 10, 75},
		{rng, 310, 300}, {rng, 2000, 1200}, {rng, 10, 50},
	} {
		if got := nearest(tc.o, tc.in); got != tc.want {
			t.Errorf("nearest(%v, %g) = %g, want %g", tc.o.words, tc.in, got, tc.want)
		}
	}
	if got := resolutions(rng); len(got) != 9 || got[0] != 75 || got[len(got)-1] != 1200 {
		t.Errorf("resolutions of a range = %v", got)
	}
}
