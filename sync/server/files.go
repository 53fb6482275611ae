package server

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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/cas"
)

// files keeps the documents on disk: whole ones in a content-addressed
// store, uploads under way in partial/ as <sha256>-<size>, each growing
// chunk by chunk until it is whole, hashed and moved into the store. With
// several server instances the folder is shared by all of them; two
// uploads of the same file write the same bytes at the same places, so
// they cannot spoil each other.
type files struct {
	store   *cas.Store
	partial string
	locks   [64]sync.Mutex // by the hash's first byte, within one instance
}

// partialAge is how long an upload that does not go on is kept.
const partialAge = 30 * 24 * time.Hour

func openFiles(dir string) (*files, error) {
	store, err := cas.Open(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	f := &files{store: store, partial: filepath.Join(dir, "partial")}
	if err := os.MkdirAll(f.partial, 0o750); err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	entries, err := os.ReadDir(f.partial)
	if err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	for _, e := range entries {
		if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > partialAge {
			os.Remove(filepath.Join(f.partial, e.Name()))
		}
	}
	return f, nil
}

func (f *files) lock(sum string) *sync.Mutex {
	b, _ := hex.DecodeString(sum[:2])
	return &f.locks[int(b[0])%len(f.locks)]
}

// findPartial gives the upload under way of sum and the size it was
// announced with.
func (f *files) findPartial(sum string) (path string, size int64, ok bool) {
	matches, _ := filepath.Glob(filepath.Join(f.partial, sum+"-*"))
	for _, m := range matches {
		n, err := strconv.ParseInt(strings.TrimPrefix(filepath.Base(m), sum+"-"), 10, 64)
		if err == nil {
			return m, n, true
		}
	}
	return "", 0, false
}

// state says how much of the file with hash sum is held.
func (f *files) state(sum string) (FileState, error) {
	if !cas.ValidSum(sum) {
		return FileState{}, ErrNotFound
	}
	if info, err := os.Stat(f.store.Path(sum)); err == nil {
		return FileState{Size: info.Size(), Received: info.Size(), Complete: true}, nil
	}
	path, size, ok := f.findPartial(sum)
	if !ok {
		return FileState{}, ErrNotFound
	}
	info, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return FileState{}, ErrNotFound
	}
	if err != nil {
		return FileState{}, fmt.Errorf("documents: %w", err)
	}
	return FileState{Size: size, Received: info.Size()}, nil
}

// put writes data at offset of the file with hash sum and whole size size.
func (f *files) put(ctx context.Context, sum string, size, offset int64, data []byte) (FileState, error) {
	if !cas.ValidSum(sum) {
		return FileState{}, fmt.Errorf("%w: %q is not a SHA-256", ErrHash, sum)
	}
	mu := f.lock(sum)
	mu.Lock()
	defer mu.Unlock()
	st, err := f.state(sum)
	switch {
	case err == nil && st.Complete:
		return st, nil
	case err == nil && st.Size != size:
		return st, fmt.Errorf("%w: the file was announced as %d bytes, now %d", ErrOffset, st.Size, size)
	case err != nil && !errors.Is(err, ErrNotFound):
		return st, err
	}
	if offset != st.Received {
		return FileState{Size: size, Received: st.Received}, ErrOffset
	}
	if offset+int64(len(data)) > size {
		return st, fmt.Errorf("%w: %d bytes past the file's end", ErrTooLarge, offset+int64(len(data))-size)
	}
	path := filepath.Join(f.partial, sum+"-"+strconv.FormatInt(size, 10))
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return st, fmt.Errorf("documents: %w", err)
	}
	defer file.Close()
	if _, err := file.WriteAt(data, offset); err != nil {
		file.Truncate(offset) // a disk that filled up keeps what came before
		return FileState{Size: size, Received: offset}, fmt.Errorf("documents: %w", err)
	}
	st = FileState{Size: size, Received: offset + int64(len(data))}
	if st.Received < size {
		return st, nil
	}
	h := sha256.New()
	if offset == 0 {
		h.Write(data) // the whole file came in one chunk
	} else if _, err := io.Copy(h, io.NewSectionReader(file, 0, size)); err != nil {
		return st, fmt.Errorf("documents: %w", err)
	}
	if hex.EncodeToString(h.Sum(nil)) != sum {
		// Thrown away whole: the next upload starts from nothing.
		os.Remove(path)
		return FileState{}, ErrHash
	}
	if err := file.Sync(); err != nil {
		return st, fmt.Errorf("documents: flushing to disk: %w", err)
	}
	if err := f.store.Adopt(path, sum); err != nil {
		return st, err
	}
	st.Complete = true
	return st, ctx.Err()
}

// open opens a whole file.
func (f *files) open(sum string) (*os.File, error) {
	file, err := f.store.Open(sum)
	if err != nil {
		return nil, ErrNotFound
	}
	return file, nil
}
