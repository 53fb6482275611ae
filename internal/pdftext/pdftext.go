// Package pdftext makes text safe to write with the PDF library the project
// uses (go-pdf/fpdf), whose Unicode fonts reach only the Basic Multilingual
// Plane: a character beyond it (an emoji, 𝔘) would make it panic. Every
// text a user or a letter gave goes through Safe before it is drawn.
package pdftext

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Safe gives s with each character the PDF fonts cannot hold (beyond
// U+FFFF, or not valid UTF-8) replaced by U+FFFD.
func Safe(s string) string {
	if !needsFix(s) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if r > 0xFFFF || r == utf8.RuneError {
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

func needsFix(s string) bool {
	for _, r := range s {
		if r > 0xFFFF || r == utf8.RuneError {
			return true
		}
	}
	return false
}

// Recover turns a panic of the PDF library into an error in *err: a
// document that cannot be drawn is an error, never a crash. Call it
// deferred.
func Recover(err *error) {
	if v := recover(); v != nil {
		*err = fmt.Errorf("the PDF could not be drawn: %v", v)
	}
}

// Clip cuts s with an ellipsis to fit width (less a margin of 2) in the
// current font of pdf.
func Clip(pdf interface{ GetStringWidth(string) float64 }, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width-2 {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width-2 {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
