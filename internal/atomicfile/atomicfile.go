// Package atomicfile replaces files whole or not at all: what is written
// goes to a temporary file in the same folder, is flushed to disk, and is
// renamed over the file's name, and the folder is flushed, so that after a
// crash or a power cut there is either the old file or the new one, never
// a half-written one.
package atomicfile

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write replaces name with data.
func Write(name string, data []byte, perm os.FileMode) error {
	f, err := Create(name, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := f.Write(data); err != nil {
		return err
	}
	return f.Commit()
}

// File is a file being written that replaces its name when committed.
type File struct {
	*os.File
	name string
	done bool
}

// Create starts writing a file that replaces name on Commit. Close
// without Commit throws it away.
func Create(name string, perm os.FileMode) (*File, error) {
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return nil, err
	}
	return &File{File: tmp, name: name}, nil
}

// Commit flushes what was written and puts it in place of the file's name.
func (f *File) Commit() error {
	if f.done {
		return fmt.Errorf("%s: already committed", f.name)
	}
	err := f.File.Sync()
	if cerr := f.File.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.File.Name(), f.name)
	}
	if err != nil {
		os.Remove(f.File.Name())
		f.done = true
		return fmt.Errorf("writing %s: %w", f.name, err)
	}
	f.done = true
	if err := SyncDir(filepath.Dir(f.name)); err != nil {
		return fmt.Errorf("writing %s: flushing its folder: %w", f.name, err)
	}
	return nil
}

// Close throws away a file not committed; after Commit it does nothing.
func (f *File) Close() error {
	if f.done {
		return nil
	}
	f.done = true
	f.File.Close()
	return os.Remove(f.File.Name())
}

// Copy replaces name with what r gives.
func Copy(name string, r io.Reader, perm os.FileMode) error {
	f, err := Create(name, perm)
	if err != nil {
		return err
	}
	defer f.Close()
	if _, err := io.Copy(f, r); err != nil {
		return err
	}
	return f.Commit()
}
