package cas

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestPutOpenCheck(t *testing.T) {
	ctx := context.Background()
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := []byte("página 1 de una carta")
	want := sha256.Sum256(data)
	sum, size, err := s.Put(ctx, bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sum != hex.EncodeToString(want[:]) || size != int64(len(data)) {
		t.Fatalf("Put = %s, %d", sum, size)
	}
	// The same content again is the same file.
	if sum2, _, err := s.Put(ctx, bytes.NewReader(data)); err != nil || sum2 != sum {
		t.Fatalf("second Put = %s, %v", sum2, err)
	}
	if err := s.Check(ctx, sum, size); err != nil {
		t.Fatal(err)
	}
	f, err := s.Open(sum)
	if err != nil {
		t.Fatal(err)
	}
	got := new(bytes.Buffer)
	got.ReadFrom(f)
	f.Close()
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatalf("Open read %q", got)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("%d temporary files left", len(tmp))
	}
}

func TestCheckDetectsChanges(t *testing.T) {
	ctx := context.Background()
	s, _ := Open(t.TempDir())
	sum, size, err := s.Put(ctx, bytes.NewReader([]byte("original")))
	if err != nil {
		t.Fatal(err)
	}
	p := s.Path(sum)
	os.Chmod(p, 0o640)
	if err := os.WriteFile(p, []byte("tampered"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(ctx, sum, size); err == nil {
		t.Error("Check passed a changed file")
	}
	os.Remove(p)
	if err := s.Check(ctx, sum, size); !errors.Is(err, ErrNotFound) {
		t.Errorf("Check of a missing file = %v, want ErrNotFound", err)
	}
	if _, err := s.Open("../../etc/passwd"); err == nil {
		t.Error("Open accepted a path")
	}
}

type failingReader struct{}

func (failingReader) Read([]byte) (int, error) { return 0, errors.New("disk read error") }

func TestPutFailureLeavesNothing(t *testing.T) {
	s, _ := Open(t.TempDir())
	if _, _, err := s.Put(context.Background(), failingReader{}); err == nil {
		t.Fatal("Put of a failing reader succeeded")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := s.Put(ctx, bytes.NewReader([]byte("x"))); !errors.Is(err, context.Canceled) {
		t.Fatalf("Put with a cancelled context = %v", err)
	}
	tmp, _ := os.ReadDir(filepath.Join(s.dir, "tmp"))
	if len(tmp) != 0 {
		t.Errorf("%d temporary files left after failures", len(tmp))
	}
}

func TestOpenSweepsOldTemporaries(t *testing.T) {
	dir := t.TempDir()
	s, _ := Open(dir)
	old := filepath.Join(s.dir, "tmp", "put-old")
	fresh := filepath.Join(s.dir, "tmp", "put-fresh")
	os.WriteFile(old, []byte("x"), 0o600)
	os.WriteFile(fresh, []byte("x"), 0o600)
	past := time.Now().Add(-2 * time.Hour)
	os.Chtimes(old, past, past)
	if _, err := Open(dir); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(old); !os.IsNotExist(err) {
		t.Error("an old temporary file was kept")
	}
	if _, err := os.Stat(fresh); err != nil {
		t.Error("a fresh temporary file (maybe being written) was removed")
	}
}
