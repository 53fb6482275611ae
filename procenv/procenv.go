// Package procenv settles the process environment before the libraries that
// read it at start-up do: the message language of Fyne, and the OpenMP
// thread limit of Tesseract. Import it for its side effect from a main
// package (and from tests that run Tesseract).
//
// It imports nothing but the standard library, so Go initialises it before
// the third-party packages whose paths sort after its own (Go initialises
// packages in import-path order as soon as their imports are ready); in
// particular before Fyne's lang package, which reads the locale in its init.
package procenv

import (
	"os"
	"strings"
)

func init() {
	fixLocale()
	limitOpenMP()
}

// fixLocale gives the "C.UTF-8" locale of containers and CI machines a
// language: Fyne's locale library would otherwise read "C" as a language tag
// and log an error at every start. LANGUAGE only picks the language of
// messages; the character set of LANG stays as it is.
func fixLocale() {
	if os.Getenv("LANGUAGE") != "" {
		return
	}
	locale := ""
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		if locale = os.Getenv(k); locale != "" {
			break
		}
	}
	base, _, _ := strings.Cut(locale, ".")
	if (base == "C" || base == "POSIX") && locale != base {
		os.Setenv("LANGUAGE", "es")
	}
}
