package procenv

import "os"

// limitOpenMP sets OMP_THREAD_LIMIT for the processes the station starts.
// Windows builds of Tesseract read it when their DLL loads; the installer
// sets it for the station's shortcut (see README).
func limitOpenMP() {
	if os.Getenv("OMP_THREAD_LIMIT") == "" {
		os.Setenv("OMP_THREAD_LIMIT", "1")
	}
}
