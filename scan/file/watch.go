package file

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radicador/radicador/document"
)

// The folders a Watcher moves files into, inside the watched folder.
const (
	DoneDir     = "procesados"
	RejectedDir = "rechazados"
)

// Watcher takes the files a multifunction printer scans into a folder,
// often a network share. It polls rather than waiting for change events,
// which network file systems do not deliver reliably.
//
// A file is taken once its size and time have not changed for Settle and it
// reads to its end (document.Inspect). After Handle has taken it, the file
// is moved to procesados/. A file that still cannot be read GiveUp after it
// last changed, or that Handle refused MaxAttempts times, is moved to
// rechazados/ with a text file beside it giving the reason. No file is
// deleted, and none is retried forever.
type Watcher struct {
	Dir         string
	Settle      time.Duration // default 3 s
	Poll        time.Duration // default 1 s
	GiveUp      time.Duration // default 2 min
	MaxAttempts int           // default 5
	// Handle takes a complete file; it must keep its own copy of what it
	// needs, for the file is moved away when it returns nil.
	Handle func(ctx context.Context, path string) error
	// Logf, when set, reports what the watcher did with each file.
	Logf func(format string, args ...any)

	seen map[string]*candidate
}

type candidate struct {
	size     int64
	mod      time.Time
	changed  time.Time // when size or time last changed
	attempts int
	lastErr  error
}

func (w *Watcher) defaults() {
	if w.Settle == 0 {
		w.Settle = 3 * time.Second
	}
	if w.Poll == 0 {
		w.Poll = time.Second
	}
	if w.GiveUp == 0 {
		w.GiveUp = 2 * time.Minute
	}
	if w.MaxAttempts == 0 {
		w.MaxAttempts = 5
	}
	if w.seen == nil {
		w.seen = map[string]*candidate{}
	}
}

// Run watches until ctx ends.
func (w *Watcher) Run(ctx context.Context) error {
	w.defaults()
	for _, d := range []string{DoneDir, RejectedDir} {
		if err := os.MkdirAll(filepath.Join(w.Dir, d), 0o755); err != nil {
			return fmt.Errorf("watch folder: %w", err)
		}
	}
	t := time.NewTicker(w.Poll)
	defer t.Stop()
	for {
		if err := w.Scan(ctx, time.Now()); err != nil {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// partial tells the names of files still being written by their convention.
func partial(name string) bool {
	l := strings.ToLower(name)
	return hidden(name) || strings.HasSuffix(l, ".tmp") || strings.HasSuffix(l, ".part") ||
		strings.HasSuffix(l, ".crdownload") || strings.HasSuffix(l, ".partial")
}

// Scan looks at the folder once, at time now, and takes what is ready.
func (w *Watcher) Scan(ctx context.Context, now time.Time) error {
	w.defaults()
	entries, err := os.ReadDir(w.Dir)
	if err != nil {
		return fmt.Errorf("watch folder %s: %w", w.Dir, err)
	}
	present := map[string]bool{}
	for _, e := range entries {
		if e.IsDir() || partial(e.Name()) || strings.HasSuffix(e.Name(), ".motivo.txt") {
			continue
		}
		info, err := e.Info()
		if err != nil || !info.Mode().IsRegular() {
			continue
		}
		name := e.Name()
		present[name] = true
		c := w.seen[name]
		if c == nil || c.size != info.Size() || !c.mod.Equal(info.ModTime()) {
			attempts := 0
			if c != nil {
				attempts = c.attempts
			}
			w.seen[name] = &candidate{size: info.Size(), mod: info.ModTime(), changed: now, attempts: attempts}
			continue
		}
		if now.Sub(c.changed) < w.Settle {
			continue
		}
		path := filepath.Join(w.Dir, name)
		if _, err := document.Inspect(path); err != nil {
			// Perhaps the printer paused while writing; wait up to GiveUp.
			if now.Sub(c.changed) >= w.GiveUp {
				w.reject(name, fmt.Errorf("still unreadable %s after it last changed: %w", w.GiveUp, err))
			}
			continue
		}
		err = w.Handle(ctx, path)
		if ctx.Err() != nil {
			return nil
		}
		if err == nil {
			w.move(name, DoneDir)
			w.logf("%s: taken", name)
			continue
		}
		c.attempts++
		c.lastErr = err
		if c.attempts >= w.MaxAttempts || errors.Is(err, document.ErrUnreadable) {
			w.reject(name, fmt.Errorf("refused %d times: %w", c.attempts, err))
		}
	}
	for name := range w.seen {
		if !present[name] {
			delete(w.seen, name)
		}
	}
	return nil
}

// move puts a file into sub, under a name no earlier file has there.
func (w *Watcher) move(name, sub string) (string, error) {
	dst := filepath.Join(w.Dir, sub, name)
	ext := filepath.Ext(name)
	base := strings.TrimSuffix(name, ext)
	for i := 2; ; i++ {
		if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
			break
		}
		dst = filepath.Join(w.Dir, sub, fmt.Sprintf("%s (%d)%s", base, i, ext))
	}
	if err := os.Rename(filepath.Join(w.Dir, name), dst); err != nil {
		w.logf("%s: cannot move it to %s: %v", name, sub, err)
		return "", err
	}
	delete(w.seen, name)
	return dst, nil
}

// reject moves a file aside with the reason beside it.
func (w *Watcher) reject(name string, reason error) {
	dst, err := w.move(name, RejectedDir)
	if err != nil {
		return
	}
	msg := fmt.Sprintf("%s\r\n%s\r\n", time.Now().Format("2006-01-02 15:04:05"), reason)
	os.WriteFile(dst+".motivo.txt", []byte(msg), 0o644)
	w.logf("%s: moved to %s: %v", name, RejectedDir, reason)
}

func (w *Watcher) logf(format string, args ...any) {
	if w.Logf != nil {
		w.Logf(format, args...)
	}
}
