package central

import (
	"bufio"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/sync/wire"
)

// A radicado received with its documents in one request: each document is
// written to a temporary file of the file store as it arrives, checked and
// flushed (ReceiveDocument); once the whole request is found right they
// are placed in the store, their folders flushed together with those of
// the other requests under way (PlaceDocuments); and the radicado is
// recorded in a commit shared with them (PutWithFiles). Nothing is
// confirmed before it is on disk, and a day of small letters costs about
// one flush of each kind per letter, not three.

// ReceiveDocument writes a document as it is read from r (at most size+1
// bytes are read) to a temporary file of the file store, checks it has
// size bytes and the SHA-256 sum, and flushes it. It gives the file's path
// for PlaceDocuments, or DiscardDocuments. A body that breaks off is
// ErrBody (ErrSlowBody when too slow), a document that is not what it was
// said to be ErrHash.
func (d *DB) ReceiveDocument(r io.Reader, sum string, size int64) (string, error) {
	return d.files.receive(r, sum, size)
}

// receive is ReceiveDocument.
func (f *files) receive(r io.Reader, sum string, size int64) (string, error) {
	tmp, err := f.store.TempFile(sum, "part-*")
	if err != nil {
		return "", err
	}
	keep := false
	defer func() {
		if !keep {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	n, err := copyWhole(io.MultiWriter(tmp, h), io.LimitReader(r, size+1))
	switch {
	case err != nil:
		var ne interface{ Timeout() bool }
		if errors.As(err, &ne) && ne.Timeout() {
			return "", fmt.Errorf("%w: %w", ErrSlowBody, err)
		}
		if isBodyError(err) {
			return "", fmt.Errorf("%w: %w", ErrBody, err)
		}
		return "", fmt.Errorf("documents: %w", err)
	case n != size:
		return "", fmt.Errorf("%w: document %s is not %d bytes", ErrHash, sum[:min(12, len(sum))], size)
	case hex.EncodeToString(h.Sum(nil)) != sum:
		return "", fmt.Errorf("%w: document %s", ErrHash, sum[:min(12, len(sum))])
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("documents: flushing to disk: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("documents: %w", err)
	}
	keep = true
	return tmp.Name(), nil
}

// copyWhole copies r to w in pieces of 64 KiB, each filled before it is
// written (a buffered writer's ReadFrom, over a writer that has none): a
// reader that gives a few KiB at a time (a multipart part) does not cost
// a write to the file for each. What was read before an error is written.
func copyWhole(w io.Writer, r io.Reader) (int64, error) {
	bw := pieces.Get().(*bufio.Writer)
	bw.Reset(w)
	defer func() { bw.Reset(nil); pieces.Put(bw) }()
	n, err := bw.ReadFrom(r)
	if ferr := bw.Flush(); err == nil {
		err = ferr
	}
	return n, err
}

// pieces keeps copyWhole's buffered writers.
var pieces = sync.Pool{New: func() any { return bufio.NewWriterSize(nil, 64<<10) }}

// PlaceDocuments moves documents received by ReceiveDocument into the file
// store (temps[i] holds the document sums[i]) and returns once their
// folders are flushed. What it could not place is removed.
func (d *DB) PlaceDocuments(temps, sums []string) error {
	var dirs []string
	for i, tmp := range temps {
		dir, err := d.files.store.Place(tmp, sums[i])
		if err != nil {
			d.DiscardDocuments(temps[i:])
			return err
		}
		dirs = append(dirs, dir)
	}
	if err := d.dirs.sync(dirs); err != nil {
		return fmt.Errorf("documents: flushing their folders: %w", err)
	}
	return nil
}

// DiscardDocuments removes documents received and not placed.
func (d *DB) DiscardDocuments(temps []string) {
	for _, t := range temps {
		os.Remove(t)
	}
}

// PutWithFiles stores a radicado pushed with its documents in one request:
// p holds the documents sent (placed by PlaceDocuments), and the radicado
// is recorded, in one write shared with the other writes under way.
func (d *DB) PutWithFiles(ctx context.Context, p Principal, push wire.Push, sent []string) (wire.PushResult, error) {
	in := d.prepare(push, sent)
	var err error
	if in.acuse, err = d.prepareAcuse(ctx, push); err != nil {
		return wire.PushResult{}, err
	}
	var res wire.PushResult
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for _, sum := range sent {
			if _, err := d.txExec(ctx, tx, `INSERT INTO file_holders (sha256, office, station, at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				sum, p.Office, p.Station, d.stamp()); err != nil {
				return err
			}
		}
		var err error
		res, err = d.put(ctx, tx, p, in)
		return err
	})
	return res, err
}

// dirSyncer flushes folders for many requests at once: a request adds its
// folders and waits; one flush of each folder serves every request that
// added it before the flush began.
type dirSyncer struct {
	mu      sync.Mutex
	pending map[string]bool
	waiting []chan error
	running bool
}

// sync returns once every folder of dirs has been flushed after the call.
func (d *dirSyncer) sync(dirs []string) error {
	if len(dirs) == 0 {
		return nil
	}
	done := make(chan error, 1)
	d.mu.Lock()
	if d.pending == nil {
		d.pending = map[string]bool{}
	}
	for _, dir := range dirs {
		d.pending[dir] = true
	}
	d.waiting = append(d.waiting, done)
	if !d.running {
		d.running = true
		go d.run()
	}
	d.mu.Unlock()
	return <-done
}

// run flushes what is pending, round after round, until nothing is.
func (d *dirSyncer) run() {
	for {
		d.mu.Lock()
		if len(d.waiting) == 0 {
			d.running = false
			d.mu.Unlock()
			return
		}
		dirs, waiting := d.pending, d.waiting
		d.pending, d.waiting = map[string]bool{}, nil
		d.mu.Unlock()
		var err error
		for dir := range dirs {
			if e := atomicfile.SyncDir(dir); e != nil && err == nil {
				err = e
			}
		}
		for _, w := range waiting {
			w <- err
		}
	}
}
