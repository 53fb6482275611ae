package central

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/radicador/radicador/cas"
)

// files keeps the documents on disk: whole ones in a content-addressed
// store, uploads under way in partial/<office>-<station>/<sha256>/<size>,
// one folder per station, each growing piece by piece until it is whole,
// hashed and moved into the store. No station's upload can be seen,
// blocked or written into by another. With several server instances the
// folder is shared by all of them.
type files struct {
	store   *cas.Store
	partial string

	mu       sync.Mutex
	busy     map[string]bool        // uploads being written by this instance, by folder
	stations map[string]*sync.Mutex // held while a station starts an upload: its quota is checked and taken at once
}

func openFiles(dir string) (*files, error) {
	store, err := cas.Open(filepath.Join(dir, "files"))
	if err != nil {
		return nil, err
	}
	if err := store.MakeFolders(); err != nil {
		return nil, err
	}
	f := &files{store: store, partial: filepath.Join(dir, "partial"), busy: map[string]bool{}, stations: map[string]*sync.Mutex{}}
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

// upload is the folder of p's upload of sum.
func (f *files) upload(p Principal, sum string) string { return filepath.Join(f.dir(p), sum) }

// find gives p's upload under way of sum and the size it was announced
// with.
func (f *files) find(p Principal, sum string) (path string, size int64, ok bool) {
	entries, err := os.ReadDir(f.upload(p, sum))
	if err != nil {
		return "", 0, false
	}
	for _, e := range entries {
		n, err := strconv.ParseInt(e.Name(), 10, 64)
		if err == nil && n >= 0 && e.Type().IsRegular() {
			return filepath.Join(f.upload(p, sum), e.Name()), n, true
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
	count := 0
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		if _, size, ok := f.find(p, e.Name()); ok {
			total += size
			count++
		}
	}
	return total, count, nil
}

// stationLock gives the lock a station holds while it starts an upload.
func (f *files) stationLock(p Principal) *sync.Mutex {
	f.mu.Lock()
	defer f.mu.Unlock()
	key := p.Office + "-" + p.Station
	m := f.stations[key]
	if m == nil {
		m = &sync.Mutex{}
		f.stations[key] = m
	}
	return m
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
	key := f.upload(p, c.Sum)
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
		if c.Offset != 0 {
			return st, ErrOffset
		}
		// The quota is checked and the upload made under the station's
		// lock, so that uploads starting together cannot pass it together.
		lock := f.stationLock(p)
		lock.Lock()
		used, count, err := f.usage(p)
		switch {
		case err != nil:
		case c.MaxPartials > 0 && count >= c.MaxPartials:
			err = fmt.Errorf("%w: %d unfinished uploads, at most %d", ErrQuota, count, c.MaxPartials)
		case c.Quota > 0 && used+c.Size > c.Quota:
			err = fmt.Errorf("%w: %d bytes announced by unfinished uploads, %d more asked, %d allowed", ErrQuota, used, c.Size, c.Quota)
		}
		if err == nil {
			path = filepath.Join(f.upload(p, c.Sum), strconv.FormatInt(c.Size, 10))
			// The sweep may remove an empty folder at the same moment:
			// make it again.
			for try := 0; try < 3; try++ {
				if err = os.MkdirAll(filepath.Dir(path), 0o750); err == nil {
					var file *os.File
					if file, err = os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o640); err == nil {
						file.Close()
						break
					}
				}
				if !errors.Is(err, fs.ErrNotExist) {
					break
				}
			}
			if err != nil {
				err = fmt.Errorf("documents: %w", err)
			}
		}
		lock.Unlock()
		if err != nil {
			return FileState{}, err
		}
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
	n, err := io.Copy(io.NewOffsetWriter(file, c.Offset), io.LimitReader(c.Body, room+1))
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
	// Whole: copied into a file of its own, hashed as it is copied, and
	// that copy is kept. The upload's file itself never becomes the kept
	// document: another request (on another instance sharing the folder)
	// may still hold it open for writing.
	kept, err := f.receive(io.NewSectionReader(file, 0, c.Size), c.Sum, c.Size)
	if errors.Is(err, ErrHash) {
		// Thrown away whole: the next upload starts from nothing.
		os.RemoveAll(filepath.Dir(path))
		return FileState{}, ErrHash
	}
	if err != nil {
		return st, err
	}
	if err := f.store.Adopt(kept, c.Sum); err != nil {
		os.Remove(kept)
		return st, err
	}
	os.RemoveAll(filepath.Dir(path)) // the upload, now kept
	st.Complete = true
	return st, nil
}

// isBodyError tells a request body that failed from a file that did.
func isBodyError(err error) bool {
	var pe *fs.PathError
	return !errors.As(err, &pe)
}

// sweep removes unfinished uploads not written to for age, and the
// folders they leave empty (and, from servers before uploads had owners,
// the ones kept directly in partial/).
func (f *files) sweep(age time.Duration) (int, error) {
	removed := 0
	cutoff := time.Now().Add(-age)
	var dirs []string
	err := filepath.WalkDir(f.partial, func(path string, e fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			return err
		}
		if e.IsDir() {
			if path != f.partial {
				dirs = append(dirs, path)
			}
			return nil
		}
		info, err := e.Info()
		if err != nil || !info.ModTime().Before(cutoff) {
			return nil
		}
		f.mu.Lock()
		busy := f.busy[filepath.Dir(path)]
		f.mu.Unlock()
		if busy {
			return nil
		}
		if err := os.Remove(path); err == nil {
			removed++
		}
		return nil
	})
	// Empty folders go, deepest first; one in use is not empty.
	for i := len(dirs) - 1; i >= 0; i-- {
		os.Remove(dirs[i])
	}
	return removed, err
}

// open opens a whole file.
func (f *files) open(sum string) (*os.File, error) {
	file, err := f.store.Open(sum)
	if err != nil {
		return nil, ErrNotFound
	}
	return file, nil
}
