package atomicfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWriteReplacesWhole(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "planilla.csv")
	if err := Write(name, []byte("uno"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := Write(name, []byte("dos"), 0o640); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(name); string(b) != "dos" {
		t.Errorf("content %q", b)
	}
	if info, _ := os.Stat(name); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v", info.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left in the folder", len(entries))
	}
}

func TestAbandonedLeavesTheOld(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "f")
	Write(name, []byte("old"), 0o600)
	f, err := Create(name, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("half of the new"))
	f.Close()
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Errorf("content %q after an abandoned write", b)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("%d files left: the temporary file stayed", len(entries))
	}
	// A copy whose source fails leaves the old file too.
	if err := Copy(name, failing{}, 0o600); err == nil {
		t.Error("a failing source was committed")
	}
	if b, _ := os.ReadFile(name); string(b) != "old" {
		t.Errorf("content %q after a failed copy", b)
	}
	if err := Write(filepath.Join(dir, "no", "such", "folder"), []byte("x"), 0o600); err == nil || !strings.Contains(err.Error(), "no such") {
		t.Errorf("a missing folder: %v", err)
	}
}

type failing struct{}

func (failing) Read([]byte) (int, error) { return 0, errors.New("the scanner stopped") }
