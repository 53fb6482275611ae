package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
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
// store, uploads under way in partial/<office>-<station>/ as
// <sha256>-<size>, one folder per station, each growing piece by piece
// until it is whole, hashed and moved into the store. No station's upload
// can be seen, blocked or written into by another. With several server
// instances the folder is shared by all of them.
type files struct {
	store   *cas.Store
	partial string

	mu   sync.Mutex
	busy map[string]bool // uploads being written by this instance, by path
}

func openFiles(dir string) (*files, error) {
	store, err := cas.Open(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	f := &files{store: store, partial: filepath.Join(dir, "partial"), busy: map[string]bool{}}
	if err := os.MkdirAll(f.partial, 0o750); err != nil {
		return nil, fmt.Errorf("documents: %w", err)
	}
	return f, nil
}

// whole gives the size of a file held whole.
func (f *files) whole(sum string) (int64, bool) {
	if !cas.ValidSum(sum) {
		return 0, false
	}
	info, err := os.Stat(f.store.Path(sum))
	if err != nil {
		return 0, false
	}
	return info.Size(), true
}

// dir is the folder of p's uploads.
func (f *files) dir(p Principal) string { return filepath.Join(f.partial, p.Office+"-"+p.Station) }

// find gives p's upload under way of sum and the size it was announced with.
func (f *files) find(p Principal, sum string) (path string, size int64, ok bool) {
	matches, _ := filepath.Glob(filepath.Join(f.dir(p), sum+"-*"))
	for _, m := range matches {
		n, err := strconv.ParseInt(strings.TrimPrefix(filepath.Base(m), sum+"-"), 10, 64)
		if err == nil && n >= 0 {
			return m, n, true
		}
	}
	return "", 0, false
}

// partialState says how much of p's upload of sum has arrived.
func (f *files) partialState(p Principal, sum string) (FileState, error) {
	path, size, ok := f.find(p, sum)
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

// usage gives the bytes announced by p's uploads under way, and their
// count.
func (f *files) usage(p Principal) (int64, int, error) {
	entries, err := os.ReadDir(f.dir(p))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, 0, nil
	}
	if err != nil {
		return 0, 0, fmt.Errorf("documents: %w", err)
	}
	var total int64
	for _, e := range entries {
		_, size, ok := strings.Cut(e.Name(), "-")
		if n, err := strconv.ParseInt(size, 10, 64); ok && err == nil {
			total += n
		}
	}
	return total, len(entries), nil
}

// claim marks an upload as being written by this instance, so that two
// requests of one station for one file do not write at once.
func (f *files) claim(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.busy[path] {
		return false
	}
	f.busy[path] = true
	return true
}

func (f *files) release(path string) {
	f.mu.Lock()
	delete(f.busy, path)
	f.mu.Unlock()
}

// write streams a piece of p's upload to disk as it arrives. A piece that
// breaks off keeps what arrived (the upload goes on from there); one that
// would run past the file's end or c.Max is refused and leaves nothing.
func (f *files) write(ctx context.Context, p Principal, c Chunk) (FileState, error) {
	if !cas.ValidSum(c.Sum) {
		return FileState{}, fmt.Errorf("%w: %q is not a SHA-256", ErrHash, c.Sum)
	}
	key := filepath.Join(f.dir(p), c.Sum)
	if !f.claim(key) {
		return FileState{}, ErrUploadBusy
	}
	defer f.release(key)

	path, announced, ok := f.find(p, c.Sum)
	st := FileState{Size: c.Size}
	if ok {
		info, err := os.Stat(path)
		if err != nil {
			return FileState{}, fmt.Errorf("documents: %w", err)
		}
		st.Received = info.Size()
		if announced != c.Size {
			if c.Offset != 0 {
				return FileState{Size: announced, Received: st.Received},
					fmt.Errorf("%w: the file was announced as %d bytes, now %d", ErrOffset, announced, c.Size)
			}
			// Started again from nothing with another size: the old
			// upload cannot be the same file.
			if err := os.Remove(path); err != nil {
				return FileState{}, fmt.Errorf("documents: %w", err)
			}
			ok, st.Received = false, 0
		}
	}
	if !ok {
		used, _, err := f.usage(p)
		if err != nil {
			return FileState{}, err
		}
		if c.Quota > 0 && used+c.Size > c.Quota {
			return FileState{}, fmt.Errorf("%w: %d bytes announced by unfinished uploads, %d more asked, %d allowed", ErrQuota, used, c.Size, c.Quota)
		}
		if err := os.MkdirAll(f.dir(p), 0o750); err != nil {
			return FileState{}, fmt.Errorf("documents: %w", err)
		}
		path = filepath.Join(f.dir(p), c.Sum+"-"+strconv.FormatInt(c.Size, 10))
	}
	if c.Offset != st.Received {
		return st, ErrOffset
	}
	room := c.Size - c.Offset
	if c.Max > 0 && c.Max < room {
		room = c.Max
	}
	file, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return st, fmt.Errorf("documents: %w", err)
	}
	defer file.Close()
	var h hash.Hash
	w := io.Writer(io.NewOffsetWriter(file, c.Offset))
	if c.Offset == 0 {
		h = sha256.New() // hashed as it arrives when the file comes in one piece
		w = io.MultiWriter(w, h)
	}
	n, err := io.Copy(w, io.LimitReader(c.Body, room+1))
	switch {
	case n > room:
		file.Truncate(c.Offset)
		if c.Offset+n > c.Size {
			return st, fmt.Errorf("%w: the piece runs past the file's end", ErrTooLarge)
		}
		return st, fmt.Errorf("%w: a piece carries at most %d bytes", ErrTooLarge, c.Max)
	case err != nil:
		// Keep what arrived whole: the upload goes on from there. (A write
		// that failed, a full disk, leaves the file as it was.)
		st.Received = c.Offset + n
		file.Truncate(st.Received)
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			return st, fmt.Errorf("%w: %d bytes arrived", ErrSlowBody, n)
		}
		if errors.Is(err, io.ErrUnexpectedEOF) || ctx.Err() != nil || isBodyError(err) {
			return st, fmt.Errorf("%w: %v", ErrBody, err)
		}
		return st, fmt.Errorf("documents: %w", err)
	}
	st.Received = c.Offset + n
	if st.Received < c.Size {
		return st, nil
	}
	if h == nil || n != c.Size {
		h = sha256.New()
		if _, err := io.Copy(h, io.NewSectionReader(file, 0, c.Size)); err != nil {
			return st, fmt.Errorf("documents: %w", err)
		}
	}
	if hex.EncodeToString(h.Sum(nil)) != c.Sum {
		// Thrown away whole: the next upload starts from nothing.
		os.Remove(path)
		return FileState{}, ErrHash
	}
	if err := file.Sync(); err != nil {
		return st, fmt.Errorf("documents: flushing to disk: %w", err)
	}
	if err := f.store.Adopt(path, c.Sum); err != nil {
		return st, err
	}
	st.Complete = true
	return st, nil
}

// isBodyError tells a request body that failed from a file that did.
func isBodyError(err error) bool {
	var pe *fs.PathError
	return !errors.As(err, &pe)
}

// sweep removes unfinished uploads not written to for age (and, from
// servers before uploads had owners, the ones kept directly in partial/).
func (f *files) sweep(age time.Duration) (int, error) {
	removed := 0
	cutoff := time.Now().Add(-age)
	err := filepath.WalkDir(f.partial, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			return nil
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			return nil
		}
		f.mu.Lock()
		busy := f.busy[trimSize(path)]
		f.mu.Unlock()
		if busy {
			return nil
		}
		if err := os.Remove(path); err == nil {
			removed++
		}
		return nil
	})
	return removed, err
}

// trimSize gives the key an upload's path is claimed under (without its
// -size).
func trimSize(path string) string {
	if i := strings.LastIndexByte(path, '-'); i > len(filepath.Dir(path)) {
		return path[:i]
	}
	return path
}

// open opens a whole file.
func (f *files) open(sum string) (*os.File, error) {
	file, err := f.store.Open(sum)
	if err != nil {
		return nil, ErrNotFound
	}
	return file, nil
}
