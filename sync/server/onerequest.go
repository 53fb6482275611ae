package server

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/sync/wire"
)

// A one-request push (protocol 2): a multipart PUT whose first part is the
// push's JSON and whose next parts are the documents the station has not
// sent before, each named by its SHA-256, each part gzipped or not. The
// store receives the documents and records the radicado (central's
// receive.go says how it keeps them durable).

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
			return nil, nil, fmt.Errorf("%w: the part's gzip: %v", central.ErrBody, err)
		}
		return io.LimitReader(z, max+1), func() { z.Close() }, nil
	default:
		return nil, nil, fmt.Errorf("%w: part encoding %q: gzip or none", errBadPart, enc)
	}
}

// bodyErr tells a body that broke off, came too slowly or ran too long.
func bodyErr(err error) error {
	var ne interface{ Timeout() bool }
	var mb *http.MaxBytesError
	switch {
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("%w: %v", central.ErrSlowBody, err)
	case errors.As(err, &mb):
		return fmt.Errorf("%w: %v", central.ErrTooLarge, err)
	case errors.Is(err, central.ErrBody), errors.Is(err, central.ErrSlowBody), errors.Is(err, central.ErrTooLarge):
		return err
	}
	return fmt.Errorf("%w: %v", central.ErrBody, err)
}

// putRadicadoWithFiles takes a one-request push.
func (s *Server) putRadicadoWithFiles(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.Admin {
		problem(w, http.StatusForbidden, "administrators do not radicate", "")
		return
	}
	if r.ContentLength > s.limits.MaxJSON+s.limits.MaxChunk {
		s.fail(w, r, fmt.Errorf("%w: a one-request push carries at most %d bytes", central.ErrTooLarge, s.limits.MaxJSON+s.limits.MaxChunk))
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.limits.MaxJSON+s.limits.MaxChunk+64<<10)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" || len(params["boundary"]) > 70 {
		problem(w, http.StatusBadRequest, "malformed multipart body", "the Content-Type is multipart/form-data with a boundary of 1 to 70 characters")
		return
	}
	// The body is read in large pieces: the multipart reader alone reads
	// 4 KiB at a time, a system call each.
	br := bodyReaders.Get().(*bufio.Reader)
	br.Reset(r.Body)
	defer func() { br.Reset(nil); bodyReaders.Put(br) }()
	mr := multipart.NewReader(br, params["boundary"])
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
		if errors.Is(err, central.ErrBody) || errors.Is(err, central.ErrSlowBody) || errors.Is(err, central.ErrTooLarge) {
			s.fail(w, r, err)
			return
		}
		problem(w, http.StatusBadRequest, "malformed JSON", err.Error())
		return
	}
	if !s.checkPush(w, r, p, push) {
		return
	}
	sent, err := s.receiveFiles(r.Context(), p, mr, push)
	if err != nil {
		s.fail(w, r, err)
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
		return fmt.Errorf("%w: the push carries at most %d bytes", central.ErrTooLarge, s.limits.MaxJSON)
	}
	if !utf8.Valid(buf.Bytes()) {
		return errors.New("the push is not valid UTF-8")
	}
	return decodeStrict(&buf, push)
}

// receiveFiles writes the documents of a one-request push to the file
// store, each whole, flushed and checked against its hash, and gives the
// ones sent. Every document of the radicado is either sent here or held by
// the station already. The documents are placed in the store only once the
// whole body has been read and found right: a refused request leaves
// nothing behind.
func (s *Server) receiveFiles(ctx context.Context, p central.Principal, mr *multipart.Reader, push wire.Push) (sent []string, err error) {
	want := map[string]int64{}
	for _, f := range push.Radicado.Files {
		want[f.SHA256] = f.Size
	}
	var temps []string // of the documents received, in the order of sent
	defer func() { s.db.DiscardDocuments(temps) }()
	var total int64
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, bodyErr(err)
		}
		sum := part.FileName()
		size, ok := want[sum]
		switch {
		case part.FormName() != wire.PartFile:
			return nil, fmt.Errorf("%w: part %q: only %q parts follow the push", errBadPart, part.FormName(), wire.PartFile)
		case !ok:
			return nil, fmt.Errorf("%w: part %q is not a file of the radicado, or came twice", errBadPart, sum)
		}
		delete(want, sum)
		if total += size; total > s.limits.MaxChunk {
			return nil, fmt.Errorf("%w: the documents of a one-request push are at most %d bytes; send them apart", central.ErrTooLarge, s.limits.MaxChunk)
		}
		tmp, err := s.receive(part, sum, size)
		if err != nil {
			return nil, err
		}
		sent, temps = append(sent, sum), append(temps, tmp)
	}
	var missing []string
	for sum := range want {
		held, err := s.db.CanRead(ctx, p, sum)
		if err != nil {
			return nil, err
		}
		if !held {
			missing = append(missing, sum)
		}
	}
	if len(missing) > 0 {
		return nil, &central.MissingFilesError{Files: missing}
	}
	err = s.db.PlaceDocuments(temps, sent)
	temps = nil // placed, or removed by PlaceDocuments
	if err != nil {
		return nil, err
	}
	return sent, nil
}

// bodyReaders keeps the buffered readers of one-request pushes' bodies.
var bodyReaders = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 64<<10) }}

// errBadPart is a part the protocol does not have.
var errBadPart = errors.New("malformed multipart body")

// receive writes one document part to the file store, ungzipped when it
// says so, and gives its temporary path.
func (s *Server) receive(part *multipart.Part, sum string, size int64) (string, error) {
	rd, done, err := partReader(part, size)
	if err != nil {
		return "", err
	}
	defer done()
	tmp, err := s.db.ReceiveDocument(rd, sum, size)
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return "", fmt.Errorf("%w: %v", central.ErrTooLarge, err)
	}
	return tmp, err
}
