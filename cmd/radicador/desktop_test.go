package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"image"
	"image/png"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/seed"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/store"
)

// needTool gives the path of a program the test needs; under
// RADICADOR_STRICT (make test) a missing one fails the test.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatalf("%s is missing", name)
		}
		t.Skipf("%s is missing", name)
	}
	return p
}

// startXvfb starts a virtual X display and gives its name.
func startXvfb(t testing.TB) string {
	t.Helper()
	xvfb := needTool(t, "Xvfb")
	for n := 90; n < 140; n++ {
		if !displayFree(n) {
			continue
		}
		display := fmt.Sprintf(":%d", n)
		cmd := exec.Command(xvfb, display, "-screen", "0", "1366x768x24", "-nolisten", "tcp")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		for range 100 {
			if _, err := os.Stat(fmt.Sprintf("/tmp/.X11-unix/X%d", n)); err == nil {
				t.Cleanup(func() {
					// Asked to stop, Xvfb removes its lock file; killed, it
					// leaves it, and fifty runs would use up the displays.
					cmd.Process.Signal(syscall.SIGTERM)
					select {
					case <-exited:
					case <-time.After(5 * time.Second):
						cmd.Process.Kill()
						<-exited
					}
				})
				return display
			}
			select {
			case <-exited:
			case <-time.After(50 * time.Millisecond):
				continue
			}
			break
		}
		cmd.Process.Kill()
	}
	t.Fatal("no X display could be started")
	return ""
}

// screensDir is where the screenshots are kept after the test, for people
// to look at: $RADICADOR_SCREENS, or artefacts/screens in the repository.
func screensDir(t *testing.T) string {
	dir := os.Getenv("RADICADOR_SCREENS")
	if dir == "" {
		dir = filepath.Join("..", "..", "artefacts", "screens")
	}
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// displayFree reports whether X display n can be started: no X server
// answers on it. What a killed server left (its lock file naming a process
// that is gone, its socket) is removed.
func displayFree(n int) bool {
	lock, sock := fmt.Sprintf("/tmp/.X%d-lock", n), fmt.Sprintf("/tmp/.X11-unix/X%d", n)
	if c, err := net.Dial("unix", sock); err == nil {
		c.Close()
		return false
	}
	if b, err := os.ReadFile(lock); err == nil {
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil || syscall.Kill(pid, 0) == nil {
			return false // a server starting, or a lock not understood
		}
		os.Remove(lock)
	}
	os.Remove(sock)
	return true
}

// TestDesktopUnderXvfb starts the real app in a real window on a virtual
// display. It scans a letter from the built-in simulator, radicates it and
// visits every screen, saving a screenshot of each, then quits: the
// process must exit cleanly, every picture must be the whole screen with
// something drawn on it, and the number the station gave must be legible
// on the screenshot taken after radicación (read back with tesseract).
func TestDesktopUnderXvfb(t *testing.T) {
	display := startXvfb(t)
	tesseract := needTool(t, "tesseract")
	data, dir := t.TempDir(), screensDir(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, self, "--data", data)
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "DISPLAY="+display, "RADICADOR_SCREENSHOTS="+dir, "XAUTHORITY=/dev/null")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("the app did not exit cleanly: %v\n%s", err, out.String())
	}

	names := []string{"1-recepcion", "2-datos", "3-radicado", "3b-correo", "4-bandeja", "4b-despacho", "5-buscar", "6-ajustes",
		"7-ajustes-escaneres", "8-ajustes-impresora", "9-ajustes-servidor", "10-ajustes-correo", "11-ajustes-terminos"}
	for _, name := range names {
		path := filepath.Join(dir, name+".png")
		f, err := os.Open(path)
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			continue
		}
		img, err := png.Decode(f)
		f.Close()
		if err != nil {
			t.Errorf("screenshot %s: %v", name, err)
			continue
		}
		if img.Bounds() != image.Rect(0, 0, 1366, 768) {
			t.Errorf("screenshot %s is %v, want the 1366×768 screen", name, img.Bounds())
		}
		if n := colours(img); n < 20 {
			t.Errorf("screenshot %s has %d colours: nothing was drawn", name, n)
		}
	}

	st, err := station.Open(context.Background(), data, station.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rs, err := st.Records.List(context.Background(), store.Filter{})
	// Newest first: the e-mail, then the scanned letter.
	if err != nil || len(rs) != 2 || rs[1].Pages != 3 || rs[1].Sender.Name != "Ana María Pérez" ||
		rs[0].Channel != "email" || rs[0].Sender.Name != "Jorge Andrés Suárez" || rs[0].Sender.Email != "jorge.suarez@correo.example" {
		t.Fatalf("the app radicated %+v, %v", rs, err)
	}
	rs = rs[1:]
	read, err := exec.Command(tesseract, filepath.Join(dir, "3-radicado.png"), "-", "--psm", "11").Output()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(strings.ReplaceAll(string(read), " ", ""), rs[0].Number) {
		t.Errorf("the number %s is not legible on the screen; tesseract read:\n%s", rs[0].Number, read)
	}
	t.Logf("screenshots in %s", dir)
}

// colours counts the distinct colours of an image, up to 1000.
func colours(img image.Image) int {
	seen := map[[3]uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			r, g, bl, _ := img.At(x, y).RGBA()
			seen[[3]uint32{r, g, bl}] = true
			if len(seen) >= 1000 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// TestDesktopQuitsWhileBusy: the window closed (here by SIGTERM, as a
// session logout does) while background work is under way, the looking
// for scanners on the network, the process still ends at once and cleanly.
func TestDesktopQuitsWhileBusy(t *testing.T) {
	display := startXvfb(t)
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, "--data", t.TempDir())
	cmd.Env = append(os.Environ(), asMainEnv+"=1", "DISPLAY="+display)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(2 * time.Second) // the window is up; the scanner search takes up to 8 s
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("exit: %v\n%s", err, out.String())
		}
		if d := time.Since(start); d > 7*time.Second {
			t.Errorf("the app took %v to close", d)
		}
	case <-time.After(20 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("the app did not exit 20 s after SIGTERM\n%s", out.String())
	}
}

// BenchmarkStartupX starts the real program in a real window on a virtual
// display over a store of 100,000 radicados, and times it from exec to a
// usable window (on screen, its footer filled), the whole process: Go and
// C libraries loading, the OpenMP guard's re-exec, the store, the GL
// window. Beside it, the plain alternative: the same program printing its
// version, which loads the same libraries and opens nothing.
func BenchmarkStartupX(b *testing.B) {
	display := startXvfb(b)
	dir := seed.Station(b, seed.Size())
	self, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	run := func(b *testing.B, args []string, env ...string) {
		for b.Loop() {
			cmd := exec.Command(self, args...)
			cmd.Env = append(os.Environ(), append(env, asMainEnv+"=1", "DISPLAY="+display)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.StdoutPipe()
			if err != nil {
				b.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			first, _ := bufio.NewReader(out).ReadString('\n')
			if len(env) > 0 {
				// Ready is what is timed; the process is ended then.
				if first != "ready\n" {
					cmd.Process.Kill()
					cmd.Wait()
					b.Fatalf("the window never said it was ready: %q %s", first, stderr.String())
				}
				cmd.Process.Kill()
				cmd.Wait()
				continue
			}
			io.Copy(io.Discard, out)
			if err := cmd.Wait(); err != nil {
				b.Fatalf("%v: %s", err, stderr.String())
			}
		}
	}
	b.Run("window", func(b *testing.B) { run(b, []string{"--data", dir}, "RADICADOR_SAY_READY=1") })
	b.Run("version", func(b *testing.B) { run(b, []string{"version"}) })
}
