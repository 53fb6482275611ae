package server

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/sync/wire"
)

// A one-request push (protocol 2): a multipart PUT whose first part is the
// push's JSON and whose next parts are the documents the station has not
// sent before, each named by its SHA-256. The documents are written to the
// file store as they arrive, each flushed and hashed; the folders they go
// in are flushed together with those of the other requests under way
// (dirSyncer), and the radicado is recorded in a commit shared with them
// (the committer): nothing is confirmed before it is on disk, and a day of
// small letters costs about one flush of each kind per letter, not three.

// isMultipart reports whether a request carries a one-request push.
func isMultipart(r *http.Request) bool {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && mt == "multipart/form-data"
}

// partReader gives a part's content, ungzipped when it says so, bounded to
// max bytes (one more is read to tell a part that is too long).
func partReader(p *multipart.Part, max int64) (io.Reader, func(), error) {
	switch enc := strings.ToLower(p.Header.Get("Content-Encoding")); enc {
	case "", "identity":
		return io.LimitReader(p, max+1), func() {}, nil
	case "gzip":
		z, err := gzip.NewReader(p)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: the part's gzip: %v", ErrBody, err)
		}
		return io.LimitReader(z, max+1), func() { z.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("%w: part encoding %q: gzip or none", errBadPart, enc)
	}
}

// bodyErr tells a broken or slow body from the client's own mistake.
func bodyErr(err error) error {
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %v", ErrSlowBody, err)
	case errors.Is(err, ErrBody), errors.Is(err, ErrSlowBody), errors.Is(err, ErrTooLarge):
		return err
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return fmt.Errorf("%w: %v", ErrTooLarge, err)
	}
	return fmt.Errorf("%w: %v", ErrBody, err)
}

// putRadicadoWithFiles takes a one-request push.
func (s *Server) putRadicadoWithFiles(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.Admin {
		problem(w, http.StatusForbidden, "administrators do not radicate", "")
		return
	}
	if r.ContentLength > s.limits.MaxJSON+s.limits.MaxChunk {
		s.fail(w, r, fmt.Errorf("%w: a one-request push carries at most %d bytes", ErrTooLarge, s.limits.MaxJSON+s.limits.MaxChunk))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.limits.MaxJSON+s.limits.MaxChunk+64<<10)
	mr, err := r.MultipartReader()
	if err != nil {
		problem(w, http.StatusBadRequest, "malformed multipart body", err.Error())
		return
	}
	part, err := mr.NextPart()
	if err != nil {
		s.fail(w, r, bodyErr(err))
		return
	}
	if part.FormName() != wire.PartPush {
		problem(w, http.StatusBadRequest, "malformed multipart body", "the first part is the push ("+wire.PartPush+")")
		return
	}
	var push wire.Push
	if err := s.readPushPart(part, &push); err != nil {
		if errors.Is(err, ErrBody) || errors.Is(err, ErrSlowBody) || errors.Is(err, ErrTooLarge) {
			s.fail(w, r, err)
			return
		}
		problem(w, http.StatusBadRequest, "malformed JSON", err.Error())
		return
	}
	if !s.checkPush(w, r, p, push) {
		return
	}
	sent, dirs, err := s.receiveFiles(r.Context(), p, mr, push)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := s.dirs.sync(dirs); err != nil {
		s.fail(w, r, fmt.Errorf("documents: flushing their folders: %w", err))
		return
	}
	res, err := s.db.PutWithFiles(r.Context(), p, push, sent)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerPush(w, p, res)
}

// readPushPart reads the push's JSON from its part: at most MaxJSON bytes,
// valid UTF-8, one value, no unknown fields.
func (s *Server) readPushPart(part *multipart.Part, push *wire.Push) error {
	rd, done, err := partReader(part, s.limits.MaxJSON)
	if err != nil {
		return err
	}
	defer done()
	var buf bytes.Buffer
	if _, err := buf.ReadFrom(rd); err != nil {
		return bodyErr(err)
	}
	if int64(buf.Len()) > s.limits.MaxJSON {
		return fmt.Errorf("%w: the push carries at most %d bytes", ErrTooLarge, s.limits.MaxJSON)
	}
	if !utf8.Valid(buf.Bytes()) {
		return errors.New("the push is not valid UTF-8")
	}
	return decodeStrict(&buf, push)
}

// receiveFiles writes the documents of a one-request push to the file
// store, each whole, flushed and checked against its hash, and gives the
// ones sent and the folders to flush. Every document of the radicado is
// either sent here or held by the station already. The documents are
// placed in the store only once the whole body has been read and found
// right: a refused request leaves nothing behind.
func (s *Server) receiveFiles(ctx context.Context, p Principal, mr *multipart.Reader, push wire.Push) (sent []string, dirs []string, err error) {
	want := map[string]int64{}
	for _, f := range push.Radicado.Files {
		want[f.SHA256] = f.Size
	}
	var temps []string // of the documents received, in the order of sent
	defer func() {
		for _, t := range temps {
			os.Remove(t)
		}
	}()
	var total int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, nil, bodyErr(err)
		}
		sum := part.FileName()
		size, ok := want[sum]
		switch {
		case part.FormName() != wire.PartFile:
			return nil, nil, fmt.Errorf("%w: part %q: only %q parts follow the push", errBadPart, part.FormName(), wire.PartFile)
		case !ok:
			return nil, nil, fmt.Errorf("%w: part %q is not a file of the radicado, or came twice", errBadPart, sum)
		}
		delete(want, sum)
		if total += size; total > s.limits.MaxChunk {
			return nil, nil, fmt.Errorf("%w: the documents of a one-request push are at most %d bytes; send them apart", ErrTooLarge, s.limits.MaxChunk)
		}
		tmp, err := s.db.files.receive(part, sum, size)
		if err != nil {
			return nil, nil, err
		}
		sent, temps = append(sent, sum), append(temps, tmp)
	}
	var missing []string
	for sum := range want {
		held, err := s.db.CanRead(ctx, p, sum)
		if err != nil {
			return nil, nil, err
		}
		if !held {
			missing = append(missing, sum)
		}
	}
	if len(missing) > 0 {
		return nil, nil, &MissingFilesError{missing}
	}
	for len(temps) > 0 {
		dir, err := s.db.files.store.Place(temps[0], sent[len(dirs)])
		if err != nil {
			return nil, nil, err
		}
		temps, dirs = temps[1:], append(dirs, dir)
	}
	return sent, dirs, nil
}

// errBadPart is a part the protocol does not have.
var errBadPart = errors.New("malformed multipart body")

// receive writes one document of a one-request push to a temporary file in
// the file store as it arrives, checks it against its size and hash, and
// flushes it. It gives the file's path, for the store to place.
func (f *files) receive(part *multipart.Part, sum string, size int64) (string, error) {
	rd, done, err := partReader(part, size)
	if err != nil {
		return "", err
	}
	defer done()
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
	n, err := io.Copy(io.MultiWriter(tmp, h), rd)
	switch {
	case err != nil:
		return "", bodyErr(err)
	case n != size:
		return "", fmt.Errorf("%w: document %s is %d bytes, the radicado says %d", ErrHash, sum[:12], n, size)
	case hex.EncodeToString(h.Sum(nil)) != sum:
		return "", fmt.Errorf("%w: document %s", ErrHash, sum[:12])
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

// PutWithFiles stores a radicado pushed with its documents in one request:
// p holds the documents sent, and the radicado is recorded, in one write
// (shared with the other writes under way).
func (d *DB) PutWithFiles(ctx context.Context, p Principal, push wire.Push, sent []string) (wire.PushResult, error) {
	in := d.prepare(push, sent)
	var res wire.PushResult
	err := d.write(ctx, func(tx *sql.Tx) error {
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
