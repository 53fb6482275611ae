//go:build !windows

package procenv

import (
	"os"
	"syscall"
)

// limitOpenMP makes Tesseract run single-threaded. Its OpenMP runtime
// (libgomp) reads OMP_THREAD_LIMIT once, when the dynamic loader loads it,
// before any Go code runs; on a small machine its threads make OCR several
// times slower, and the station runs one engine per core instead. So when
// the variable is not set, the program starts itself again with it, before
// anything else happens. A user who sets it keeps the value.
func limitOpenMP() {
	if os.Getenv("OMP_THREAD_LIMIT") != "" {
		return
	}
	os.Setenv("OMP_THREAD_LIMIT", "1")
	exe, err := os.Executable()
	if err != nil {
		return
	}
	// Exec only returns when it fails; the program then runs on, with
	// OpenMP unlimited but otherwise whole.
	syscall.Exec(exe, os.Args, os.Environ())
}
