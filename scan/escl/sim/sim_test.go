package sim

import (
	"fmt"
	"image"
	_ "image/png"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// strict is set by make test: a tool the test needs must be there.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatalf("%s is not installed (make test installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
}

// TestSaneAirscan scans from the simulator with scanimage through
// sane-airscan, the eSCL backend of Linux: a real client, so that the
// simulator speaks the protocol as scanners do.
func TestSaneAirscan(t *testing.T) {
	needTool(t, "scanimage")
	if _, err := os.Stat("/usr/lib/x86_64-linux-gnu/sane/libsane-airscan.so.1"); err != nil {
		if matches, _ := filepath.Glob("/usr/lib/*/sane/libsane-airscan.so*"); len(matches) == 0 {
			if os.Getenv("RADICADOR_STRICT") != "" {
				t.Fatal("sane-airscan is not installed (make test installs it)")
			}
			t.Skip("sane-airscan is not installed")
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := New(Options{Sheets: 3})
	go http.Serve(l, srv)
	defer l.Close()

	conf := t.TempDir()
	os.WriteFile(filepath.Join(conf, "dll.conf"), []byte("airscan\n"), 0o644)
	os.WriteFile(filepath.Join(conf, "airscan.conf"), []byte(fmt.Sprintf(
		"[devices]\n\"Radicador Sim\" = http://%s/eSCL, eSCL\n[options]\ndiscovery = disable\n", l.Addr())), 0o644)
	env := append(os.Environ(), "SANE_CONFIG_DIR="+conf)

	list := exec.Command("scanimage", "-L")
	list.Env = env
	out, err := list.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "airscan:e0:Radicador Sim") {
		t.Fatalf("scanimage -L: %v\n%s", err, out)
	}

	dir := t.TempDir()
	batch := exec.Command("scanimage", "-d", "airscan:e0:Radicador Sim", "--source", "ADF", "--mode", "Gray",
		"--resolution", "100", "--format=png", "--batch="+filepath.Join(dir, "p%d.png"))
	batch.Env = env
	if out, err := batch.CombinedOutput(); err != nil && !strings.Contains(string(out), "3 pages scanned") {
		t.Fatalf("scanimage batch: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "p*.png"))
	if len(files) != 3 {
		t.Fatalf("scanimage wrote %d pages from a feeder of 3", len(files))
	}
	for _, f := range files {
		fh, err := os.Open(f)
		if err != nil {
			t.Fatal(err)
		}
		img, _, err := image.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if w := img.Bounds().Dx(); w < 800 || w > 860 { // 8.5 in at 100 dpi
			t.Errorf("%s is %v", f, img.Bounds())
		}
	}
}
