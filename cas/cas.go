// Package cas keeps files by the SHA-256 of their content, in a folder beside
// the database: each file is written to a temporary name, flushed to disk,
// and renamed into place, so that a file under its final name is always whole.
package cas

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/radicador/radicador/internal/atomicfile"
)

// Store is a folder of content-addressed files.
type Store struct {
	dir string
}

// ErrNotFound is returned for a hash the store does not hold.
var ErrNotFound = errors.New("file not in the store")

// Open opens (creating it if needed) the store in dir and removes temporary
// files left by a process that died while writing, once they are an hour old.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o750); err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	s := &Store{dir: dir}
	err := filepath.WalkDir(filepath.Join(dir, "tmp"), func(path string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > time.Hour {
			os.Remove(path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return s, nil
}

// MakeFolders makes at once the folders by the first two digits of a hash,
// for the files and for those being written, so that none is made on the
// way of the first file of each: a server that takes many files at once
// calls it when it starts (a folder made while a file is written costs
// about what writing the file does).
func (s *Store) MakeFolders() error {
	for i := range 256 {
		sub := fmt.Sprintf("%02x", i)
		for _, d := range []string{filepath.Join(s.dir, sub), filepath.Join(s.dir, "tmp", sub)} {
			if err := os.Mkdir(d, 0o750); err != nil && !errors.Is(err, fs.ErrExist) {
				return fmt.Errorf("file store: %w", err)
			}
		}
	}
	return nil
}

// OpenExisting opens the store in dir without writing to it: for reading a
// data folder that may be on a read-only file system.
func OpenExisting(dir string) (*Store, error) {
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return nil, fmt.Errorf("file store %s: not a folder (%v)", dir, err)
	}
	return &Store{dir: dir}, nil
}

// ValidSum reports whether sum is a lower-case hex SHA-256.
func ValidSum(sum string) bool {
	if len(sum) != 64 {
		return false
	}
	_, err := hex.DecodeString(sum)
	return err == nil && strings.ToLower(sum) == sum
}

// Path gives where the file with hash sum lives.
func (s *Store) Path(sum string) string {
	return filepath.Join(s.dir, sum[:2], sum)
}

// Put copies r into the store and gives its hash and size. A file already
// held is not written again.
func (s *Store) Put(ctx context.Context, r io.Reader) (sum string, size int64, err error) {
	tmp, err := os.CreateTemp(filepath.Join(s.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, fmt.Errorf("file store: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	size, err = io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r})
	if err != nil {
		return "", 0, fmt.Errorf("file store: writing: %w", err)
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("file store: flushing to disk: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("file store: %w", err)
	}
	sum = hex.EncodeToString(h.Sum(nil))
	if err = s.Adopt(tmp.Name(), sum); err != nil {
		return "", 0, err
	}
	return sum, size, nil
}

// Adopt moves the file at path, already flushed to disk and known to hash
// to sum, into the store under its final name. The file must be on the
// store's file system. A file already held is not replaced: path is removed.
func (s *Store) Adopt(path, sum string) error {
	dir, err := s.Place(path, sum)
	if err != nil {
		return err
	}
	if err := atomicfile.SyncDir(dir); err != nil {
		return fmt.Errorf("file store: flushing the folder: %w", err)
	}
	return nil
}

// Place is Adopt without flushing the folder the file goes in: it gives
// that folder, which the caller flushes (with others, at once) before it
// counts the file as kept, also when the store held it already (its
// folder may not be flushed yet).
func (s *Store) Place(path, sum string) (dir string, err error) {
	if !ValidSum(sum) {
		return "", fmt.Errorf("file store: %q is not a SHA-256", sum)
	}
	final := s.Path(sum)
	dir = filepath.Dir(final)
	if _, err := os.Stat(final); err == nil {
		return dir, os.Remove(path)
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("file store: %w", err)
	}
	if err := os.Chmod(path, 0o440); err != nil {
		return "", fmt.Errorf("file store: %w", err)
	}
	if err := os.Rename(path, final); err != nil {
		return "", fmt.Errorf("file store: %w", err)
	}
	return dir, nil
}

// TempFile creates a file in the store's folder for files being written,
// on its file system (Place takes it from there), in a subfolder by the
// first two digits of sum: files written at once do not all wait for one
// folder.
func (s *Store) TempFile(sum, pattern string) (*os.File, error) {
	dir := filepath.Join(s.dir, "tmp")
	if ValidSum(sum) {
		dir = filepath.Join(dir, sum[:2])
	}
	f, err := os.CreateTemp(dir, pattern)
	if errors.Is(err, fs.ErrNotExist) {
		if err = os.MkdirAll(dir, 0o750); err == nil {
			f, err = os.CreateTemp(dir, pattern)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("file store: %w", err)
	}
	return f, nil
}

// Remove takes the file with hash sum out of the store. The caller makes
// sure nothing needs it.
func (s *Store) Remove(sum string) error {
	if !ValidSum(sum) {
		return fmt.Errorf("file store: %q is not a SHA-256", sum)
	}
	err := os.Remove(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Has reports whether the store holds the file with hash sum.
func (s *Store) Has(sum string) bool {
	if !ValidSum(sum) {
		return false
	}
	_, err := os.Stat(s.Path(sum))
	return err == nil
}

// PutFile copies the file at path into the store.
func (s *Store) PutFile(ctx context.Context, path string) (sum string, size int64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	return s.Put(ctx, f)
}

// Open opens the file with hash sum for reading.
func (s *Store) Open(sum string) (*os.File, error) {
	if !ValidSum(sum) {
		return nil, fmt.Errorf("%q is not a SHA-256", sum)
	}
	f, err := os.Open(s.Path(sum))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w", sum, ErrNotFound)
	}
	return f, err
}

// Check reads the file with hash sum and verifies that its content still has
// that hash and the expected size.
func (s *Store) Check(ctx context.Context, sum string, size int64) error {
	f, err := s.Open(sum)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, ctxReader{ctx, f})
	if err != nil {
		return fmt.Errorf("%s: %w", sum, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != sum {
		return fmt.Errorf("%s: content changed, it now hashes to %s", sum, got)
	}
	if n != size {
		return fmt.Errorf("%s: %d bytes, want %d", sum, n, size)
	}
	return nil
}

// ctxReader stops a long copy when its context ends.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
