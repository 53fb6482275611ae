package file

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/fixture"
)

type taken struct {
	paths []string
	sizes []int64
	fail  error
}

func (tk *taken) handle(_ context.Context, p string) error {
	if tk.fail != nil {
		return tk.fail
	}
	st, _ := os.Stat(p)
	tk.paths = append(tk.paths, filepath.Base(p))
	tk.sizes = append(tk.sizes, st.Size())
	return nil
}

func newWatcher(t *testing.T, tk *taken) (*Watcher, string) {
	dir := t.TempDir()
	for _, d := range []string{DoneDir, RejectedDir} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	return &Watcher{Dir: dir, Settle: 2 * time.Second, GiveUp: time.Minute, MaxAttempts: 3, Handle: tk.handle}, dir
}

func TestWatchTakesCompleteFiles(t *testing.T) {
	var tk taken
	w, dir := newWatcher(t, &tk)
	ctx := context.Background()
	t0 := time.Now()
	src := fixture.PNG(t, t.TempDir(), "scan.png", "carta escaneada")
	data, _ := os.ReadFile(src)

	// The printer writes half the file, then the rest.
	target := filepath.Join(dir, "scan0001.png")
	os.WriteFile(target, data[:len(data)/2], 0o644)
	w.Scan(ctx, t0)
	w.Scan(ctx, t0.Add(3*time.Second)) // stable, but cut short: not taken yet
	if len(tk.paths) != 0 {
		t.Fatal("a half-written file was taken")
	}
	os.WriteFile(target, data, 0o644)
	w.Scan(ctx, t0.Add(4*time.Second)) // changed: waits again
	if len(tk.paths) != 0 {
		t.Fatal("a file was taken before it settled")
	}
	// A temporary name is never looked at.
	os.WriteFile(filepath.Join(dir, "scan0002.png.part"), data, 0o644)
	w.Scan(ctx, t0.Add(7*time.Second))
	if len(tk.paths) != 1 || tk.sizes[0] != int64(len(data)) {
		t.Fatalf("taken %v %v, want the whole scan0001.png once", tk.paths, tk.sizes)
	}
	if _, err := os.Stat(filepath.Join(dir, DoneDir, "scan0001.png")); err != nil {
		t.Errorf("the taken file is not in %s: %v", DoneDir, err)
	}
	w.Scan(ctx, t0.Add(20*time.Second))
	if len(tk.paths) != 1 {
		t.Errorf("a file was taken twice: %v", tk.paths)
	}
	// The same name again does not overwrite the earlier one.
	os.WriteFile(target, data, 0o644)
	w.Scan(ctx, t0.Add(21*time.Second))
	w.Scan(ctx, t0.Add(24*time.Second))
	if _, err := os.Stat(filepath.Join(dir, DoneDir, "scan0001 (2).png")); err != nil {
		t.Errorf("a second file of the same name: %v", err)
	}
}

func TestWatchMovesAsideWhatItCannotRead(t *testing.T) {
	var tk taken
	w, dir := newWatcher(t, &tk)
	ctx := context.Background()
	t0 := time.Now()
	os.WriteFile(filepath.Join(dir, "roto.pdf"), []byte("%PDF-1.4 cut"), 0o644)
	w.Scan(ctx, t0)
	w.Scan(ctx, t0.Add(30*time.Second))
	if _, err := os.Stat(filepath.Join(dir, "roto.pdf")); err != nil {
		t.Fatal("an unreadable file was moved before GiveUp")
	}
	w.Scan(ctx, t0.Add(61*time.Second))
	reason, err := os.ReadFile(filepath.Join(dir, RejectedDir, "roto.pdf.motivo.txt"))
	if err != nil || !strings.Contains(string(reason), "still unreadable") {
		t.Fatalf("reason file: %q, %v", reason, err)
	}
	if _, err := os.Stat(filepath.Join(dir, RejectedDir, "roto.pdf")); err != nil {
		t.Error("the unreadable file is not kept in rechazados")
	}
	if len(tk.paths) != 0 {
		t.Error("an unreadable file was handed over")
	}
}

func TestWatchGivesUpAfterAttempts(t *testing.T) {
	tk := taken{fail: errors.New("disk full")}
	w, dir := newWatcher(t, &tk)
	ctx := context.Background()
	t0 := time.Now()
	fixture.PNG(t, dir, "a.png", "x")
	w.Scan(ctx, t0)
	for i := 1; i <= 3; i++ {
		w.Scan(ctx, t0.Add(time.Duration(2+i)*time.Second))
	}
	reason, err := os.ReadFile(filepath.Join(dir, RejectedDir, "a.png.motivo.txt"))
	if err != nil || !strings.Contains(string(reason), "refused 3 times: disk full") {
		t.Fatalf("reason %q, %v", reason, err)
	}
}
