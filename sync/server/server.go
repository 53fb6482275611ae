// Package server is the central server's sync API: the /api/v1 HTTP API
// that enrolled stations push their radicados, events and documents to,
// exactly once, and that lists and searches what the central store
// (package central) holds. Every client is assumed hostile: each request is
// authenticated, bounded in size, time and number, validated against the
// organisation's number pattern, and answered only with what its principal
// may see (central's access.go).
package server

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/planilla"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

//go:embed openapi.json
var openAPI []byte

// Limits bound what clients may ask of the server. A zero field takes its
// value from DefaultLimits.
type Limits struct {
	MaxJSON  int64 // bytes of a push or a manifest
	MaxChunk int64 // bytes of one piece of a file
	MaxFile  int64 // bytes of a whole file

	// PartialQuota bounds the bytes that one station's unfinished uploads
	// announce in all, and Partials their number; beyond them a new upload
	// is refused (507).
	PartialQuota int64
	Partials     int
	// PartialAge is how long an unfinished upload that does not go on is
	// kept; SweepEvery is how often the running server looks for them.
	PartialAge time.Duration
	SweepEvery time.Duration

	// Requests bounds the requests of one token at once, Uploads its
	// pieces of files being written at once (beyond: 429, Retry-After).
	Requests int
	Uploads  int

	// A request body must arrive within BodyGrace plus its length at
	// MinRate bytes a second, whatever pace it trickles at (408 after).
	MinRate   int64
	BodyGrace time.Duration

	// MaxConns bounds the connections at once; MaxConnsPerIP those from
	// one address (beyond it a connection is closed at once).
	MaxConns      int
	MaxConnsPerIP int
}

// DefaultLimits are generous for scanned letters and refuse the absurd.
var DefaultLimits = Limits{
	MaxJSON: 4 << 20, MaxChunk: 8 << 20, MaxFile: 512 << 20,
	PartialQuota: 2 << 30, Partials: 100, PartialAge: 7 * 24 * time.Hour, SweepEvery: time.Hour,
	Requests: 16, Uploads: 4,
	MinRate: 8 << 10, BodyGrace: 30 * time.Second,
	MaxConns: 1024, MaxConnsPerIP: 64,
}

// withDefaults fills the zero fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits
	fill := func(v *int64, def int64) {
		if *v <= 0 {
			*v = def
		}
	}
	fill(&l.MaxJSON, d.MaxJSON)
	fill(&l.MaxChunk, d.MaxChunk)
	fill(&l.MaxFile, d.MaxFile)
	fill(&l.PartialQuota, d.PartialQuota)
	fill(&l.MinRate, d.MinRate)
	for _, p := range []struct {
		v   *time.Duration
		def time.Duration
	}{{&l.PartialAge, d.PartialAge}, {&l.SweepEvery, d.SweepEvery}, {&l.BodyGrace, d.BodyGrace}} {
		if *p.v <= 0 {
			*p.v = p.def
		}
	}
	for _, p := range []struct {
		v   *int
		def int
	}{{&l.Partials, d.Partials}, {&l.Requests, d.Requests}, {&l.Uploads, d.Uploads}, {&l.MaxConns, d.MaxConns}, {&l.MaxConnsPerIP, d.MaxConnsPerIP}} {
		if *p.v <= 0 {
			*p.v = p.def
		}
	}
	return l
}

// bodyTime is how long a body of n bytes may take to arrive.
func (l Limits) bodyTime(n int64) time.Duration {
	return l.BodyGrace + time.Duration(float64(n)/float64(l.MinRate)*float64(time.Second))
}

// Server answers the API.
type Server struct {
	db     *central.DB
	log    *slog.Logger
	limits Limits
	now    func() time.Time

	mu     sync.Mutex
	clocks map[central.Principal]clockNote // the last clock offset written per station
	gates  map[central.Principal]*gate     // requests and uploads under way per token
	pat    patternCache
}

// clockNote is a station's clock offset as last written to the store.
type clockNote struct {
	at     time.Time
	offset time.Duration
}

// gate counts what one token has under way.
type gate struct{ requests, uploads int }

// patternCache keeps the number pattern for a while: an administrator's
// change reaches a running server within patternTTL.
type patternCache struct {
	pat radicado.Pattern
	at  time.Time
}

const patternTTL = 30 * time.Second

// New gives a server over db.
func New(db *central.DB, log *slog.Logger, limits Limits) *Server {
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	return &Server{db: db, log: log, limits: limits.withDefaults(), now: time.Now,
		clocks: map[central.Principal]clockNote{}, gates: map[central.Principal]*gate{}}
}

// pattern gives the organisation's number pattern.
func (s *Server) pattern(ctx context.Context) (radicado.Pattern, error) {
	s.mu.Lock()
	c := s.pat
	s.mu.Unlock()
	if !c.at.IsZero() && s.now().Sub(c.at) < patternTTL {
		return c.pat, nil
	}
	pat, err := s.db.Pattern(ctx)
	if err != nil {
		return pat, err
	}
	s.mu.Lock()
	s.pat = patternCache{pat: pat, at: s.now()}
	s.mu.Unlock()
	return pat, nil
}

type ctxKey struct{}

func principalOf(r *http.Request) central.Principal {
	return r.Context().Value(ctxKey{}).(central.Principal)
}

// Handler gives the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	p := wire.APIPrefix
	mux.HandleFunc("GET "+p+"/health", s.health)
	mux.HandleFunc("GET "+p+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	auth := func(h http.HandlerFunc) http.Handler {
		return s.authenticate(h, func(*http.Request) bool { return false })
	}
	upload := func(h http.HandlerFunc) http.Handler {
		return s.authenticate(h, func(*http.Request) bool { return true })
	}
	mux.Handle("GET "+p+"/whoami", auth(s.whoami))
	mux.Handle("HEAD "+p+"/files/{sha256}", auth(s.fileState))
	mux.Handle("PATCH "+p+"/files/{sha256}", upload(s.putChunk))
	mux.Handle("GET "+p+"/files/{sha256}", auth(s.getFile))
	mux.Handle("PUT "+p+"/radicados/{number...}", s.authenticate(s.putRadicado, isMultipart))
	mux.Handle("GET "+p+"/radicados/{number...}", auth(s.getRadicado))
	mux.Handle("GET "+p+"/radicados", auth(s.listRadicados))
	mux.Handle("POST "+p+"/manifests", auth(s.checkManifest))
	mux.Handle("GET "+p+"/planilla", auth(s.planilla))
	mux.Handle("GET "+p+"/anchors", auth(s.anchors))
	mux.Handle("GET "+p+"/config", auth(s.orgConfig))
	mux.Handle("GET "+p+"/returned", auth(s.returned))
	mux.Handle("GET "+p+"/acuses", auth(s.acuses))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		problem(w, http.StatusNotFound, "no such resource", r.Method+" "+r.URL.Path)
	})
	return s.guard(mux)
}

// statusWriter remembers the status of an answer, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// guard logs every request, turns a panic into a logged 500, and puts the
// request's body under a deadline from its length (at most the largest
// body its route takes): a client that trickles cannot hold a connection
// longer than its body needs at the slowest pace allowed. The deadline is
// lifted once the body has been read, and a request without a body has
// none (the server's own read for a closed connection would cancel it).
// The answer has a deadline too: the body's time and ten minutes more.
func (s *Server) guard(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		rc := http.NewResponseController(sw)
		max := s.limits.MaxJSON
		switch {
		case r.Method == http.MethodPatch:
			max = s.limits.MaxChunk
		case isMultipart(r):
			max = s.limits.MaxJSON + s.limits.MaxChunk
		}
		var body time.Duration
		if r.ContentLength != 0 && r.Body != nil && r.Body != http.NoBody {
			n := r.ContentLength
			if n < 0 || n > max {
				n = max
			}
			body = s.limits.bodyTime(n)
			rc.SetReadDeadline(start.Add(body))
			r.Body = &liftOnEOF{ReadCloser: r.Body, rc: rc}
		}
		rc.SetWriteDeadline(start.Add(body + 10*time.Minute))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				if sw.status == 0 {
					problem(sw, http.StatusInternalServerError, "internal error", "")
				}
			}
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
				"ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
		}()
		h.ServeHTTP(sw, r)
	})
}

// liftOnEOF lifts a body's read deadline once it has been read to its end.
type liftOnEOF struct {
	io.ReadCloser
	rc *http.ResponseController
}

func (b *liftOnEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.rc.SetReadDeadline(time.Time{})
	}
	return n, err
}

// authenticate finds the request's principal from its bearer token, holds
// it to its share of requests (and of uploads, for a request that
// carries documents), and records a station's clock offset from the time
// it says it is.
func (s *Server) authenticate(h http.HandlerFunc, carriesFiles func(*http.Request) bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" || len(token) > 200 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radicador"`)
			problem(w, http.StatusUnauthorized, "a station token is required", "")
			return
		}
		p, err := s.db.Authenticate(r.Context(), token)
		if errors.Is(err, central.ErrUnauthorized) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radicador", error="invalid_token"`)
			problem(w, http.StatusUnauthorized, "the token is not valid or was revoked", "")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		release, ok := s.enter(p, carriesFiles(r))
		if !ok {
			w.Header().Set("Retry-After", "1")
			w.Header().Set("Connection", "close")
			problem(w, http.StatusTooManyRequests, "too many requests at once from this token",
				fmt.Sprintf("at most %d requests and %d uploads at once", s.limits.Requests, s.limits.Uploads))
			return
		}
		defer release()
		if t, err := time.Parse(time.RFC3339Nano, r.Header.Get(wire.HeaderStationTime)); err == nil && !p.Admin {
			s.noteClock(r.Context(), p, t.Sub(s.now()))
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	})
}

// enter counts a request of p in, when p has room for it.
func (s *Server) enter(p central.Principal, upload bool) (release func(), ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	g := s.gates[p]
	if g == nil {
		g = &gate{}
		s.gates[p] = g
	}
	if g.requests >= s.limits.Requests || (upload && g.uploads >= s.limits.Uploads) {
		return nil, false
	}
	g.requests++
	if upload {
		g.uploads++
	}
	return func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		g.requests--
		if upload {
			g.uploads--
		}
		if g.requests == 0 {
			delete(s.gates, p)
		}
	}, true
}

// noteClock records a station's clock offset when it moved by more than a
// second or a minute has passed: not a write to the store on every request.
func (s *Server) noteClock(ctx context.Context, p central.Principal, offset time.Duration) {
	now := s.now()
	s.mu.Lock()
	last, ok := s.clocks[p]
	s.mu.Unlock()
	if ok && now.Sub(last.at) < time.Minute && (offset-last.offset).Abs() < time.Second {
		return
	}
	if s.db.StationClock(ctx, p, offset) == nil {
		s.mu.Lock()
		s.clocks[p] = clockNote{at: now, offset: offset}
		s.mu.Unlock()
	}
}

func problem(w http.ResponseWriter, status int, title, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(wire.Problem{Status: status, Title: title, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// clientErrors are the errors a client's request causes, with their
// answers; a header, when named, goes with the answer.
var clientErrors = []struct {
	err           error
	status        int
	title         string
	header, value string
}{
	{central.ErrNotFound, http.StatusNotFound, "not found", "", ""},
	{central.ErrHash, http.StatusUnprocessableEntity, "hash mismatch", "", ""},
	{central.ErrPattern, http.StatusBadRequest, "invalid radicado", "", ""},
	{errBadPart, http.StatusBadRequest, "malformed multipart body", "", ""},
	{central.ErrTooLarge, http.StatusRequestEntityTooLarge, "too large", "Connection", "close"},
	{central.ErrQuota, http.StatusInsufficientStorage, "upload quota full: finish the station's unfinished uploads, let them expire, or ask the administrator for a larger quota", "Connection", "close"},
	{central.ErrUploadBusy, http.StatusTooManyRequests, "upload busy", "Retry-After", "2"},
	{central.ErrSlowBody, http.StatusRequestTimeout, "the body came too slowly", "Connection", "close"},
	{central.ErrBody, http.StatusBadRequest, "the body broke off", "Connection", "close"},
	{central.ErrClosed, http.StatusServiceUnavailable, "shutting down", "Retry-After", "5"},
}

// fail answers an error: the client's own as a 4xx that says what was
// wrong, the server's as a logged 500.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var missing *central.MissingFilesError
	if errors.As(err, &missing) {
		problem(w, http.StatusConflict, "files missing", err.Error())
		return
	}
	for _, c := range clientErrors {
		if errors.Is(err, c.err) {
			if c.header != "" {
				w.Header().Set(c.header, c.value)
			}
			detail := err.Error()
			if c.err == central.ErrNotFound || c.err == central.ErrClosed {
				detail = "" // says nothing of what exists
			}
			problem(w, c.status, c.title, detail)
			return
		}
	}
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		problem(w, 499, "request cancelled", "")
		return
	}
	s.log.Error("server fault", "method", r.Method, "path", r.URL.Path, "error", err.Error())
	problem(w, http.StatusInternalServerError, "internal error", "")
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		s.log.Error("health", "error", err.Error())
		problem(w, http.StatusServiceUnavailable, "database unavailable", "")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	pat, err := s.pattern(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.Whoami{Office: p.Office, Station: p.Station, Admin: p.Admin, Pattern: pat.String(), Protocol: wire.Protocol})
}

// fileState answers HEAD: 200 with the size for a file the principal may
// read, else 404 with how much of its own upload has arrived (0 for
// another station's file, as for none).
func (s *Server) fileState(w http.ResponseWriter, r *http.Request) {
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f, err := s.db.File(r.Context(), principalOf(r), sum)
	if errors.Is(err, central.ErrNotFound) {
		w.Header().Set(wire.HeaderUploadOffset, "0")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if err != nil {
		s.log.Error("server fault", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	w.Header().Set(wire.HeaderUploadOffset, strconv.FormatInt(f.Received, 10))
	w.Header().Set(wire.HeaderUploadLength, strconv.FormatInt(f.Size, 10))
	if !f.Complete {
		w.WriteHeader(http.StatusNotFound)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// uploadHeaders reads a piece's Upload-Offset and Upload-Length: decimal
// digits only, the offset within the length, the length within maxFile.
func uploadHeaders(h http.Header, maxFile int64) (offset, size int64, err error) {
	read := func(name string) (int64, error) {
		v := h.Get(name)
		if v == "" || len(v) > 19 || strings.Trim(v, "0123456789") != "" {
			return 0, fmt.Errorf("%s: a number of bytes", name)
		}
		return strconv.ParseInt(v, 10, 64)
	}
	if offset, err = read(wire.HeaderUploadOffset); err != nil {
		return 0, 0, err
	}
	if size, err = read(wire.HeaderUploadLength); err != nil {
		return 0, 0, err
	}
	if size > maxFile {
		return 0, 0, fmt.Errorf("%w: a file has at most %d bytes", central.ErrTooLarge, maxFile)
	}
	if offset > size {
		return 0, 0, fmt.Errorf("%w: the offset %d is past the file's end", central.ErrTooLarge, offset)
	}
	return offset, size, nil
}

// putChunk takes the next piece of a file: Upload-Offset says where it
// starts, Upload-Length how long the whole file is. The piece goes to disk
// as it arrives.
func (s *Server) putChunk(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.Admin {
		problem(w, http.StatusForbidden, "administrators do not upload", "")
		return
	}
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		problem(w, http.StatusBadRequest, "not a SHA-256", "")
		return
	}
	offset, size, err := uploadHeaders(r.Header, s.limits.MaxFile)
	if err != nil {
		if errors.Is(err, central.ErrTooLarge) {
			s.fail(w, r, err)
			return
		}
		problem(w, http.StatusBadRequest, "Upload-Offset and Upload-Length are required", err.Error())
		return
	}
	if r.ContentLength > s.limits.MaxChunk {
		s.fail(w, r, fmt.Errorf("%w: a piece carries at most %d bytes", central.ErrTooLarge, s.limits.MaxChunk))
		return
	}
	if r.ContentLength > size-offset {
		s.fail(w, r, fmt.Errorf("%w: the piece runs past the file's end", central.ErrTooLarge))
		return
	}
	f, err := s.db.PutChunk(r.Context(), p, central.Chunk{Sum: sum, Size: size, Offset: offset, Body: r.Body,
		Max: s.limits.MaxChunk, Quota: s.limits.PartialQuota, MaxPartials: s.limits.Partials})
	if errors.Is(err, central.ErrOffset) {
		w.Header().Set(wire.HeaderUploadOffset, strconv.FormatInt(f.Received, 10))
		problem(w, http.StatusConflict, "upload offset mismatch", fmt.Sprintf("the server holds %d bytes", f.Received))
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set(wire.HeaderUploadOffset, strconv.FormatInt(f.Received, 10))
	if f.Complete {
		w.WriteHeader(http.StatusCreated)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		problem(w, http.StatusBadRequest, "not a SHA-256", "")
		return
	}
	f, err := s.db.OpenFile(r.Context(), principalOf(r), sum)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	if info, err := f.Stat(); err == nil {
		http.NewResponseController(w).SetWriteDeadline(time.Now().Add(s.limits.bodyTime(info.Size())))
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("ETag", `"`+sum+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
}

// readJSON reads a JSON body of one value into v: at most MaxJSON bytes,
// valid UTF-8 throughout, no unknown fields. It answers the client itself
// when it cannot.
func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	if r.ContentLength > s.limits.MaxJSON {
		s.fail(w, r, fmt.Errorf("%w: a request carries at most %d bytes", central.ErrTooLarge, s.limits.MaxJSON))
		return false
	}
	var buf bytes.Buffer
	_, err := buf.ReadFrom(http.MaxBytesReader(w, r.Body, s.limits.MaxJSON))
	if err != nil {
		var mb *http.MaxBytesError
		var ne interface{ Timeout() bool }
		switch {
		case errors.As(err, &mb):
			s.fail(w, r, fmt.Errorf("%w: a request carries at most %d bytes", central.ErrTooLarge, s.limits.MaxJSON))
		case errors.As(err, &ne) && ne.Timeout():
			s.fail(w, r, fmt.Errorf("%w: %v", central.ErrSlowBody, err))
		default:
			s.fail(w, r, fmt.Errorf("%w: %v", central.ErrBody, err))
		}
		return false
	}
	if !utf8.Valid(buf.Bytes()) {
		problem(w, http.StatusBadRequest, "malformed JSON", "the body is not valid UTF-8")
		return false
	}
	if err := decodeStrict(&buf, v); err != nil {
		problem(w, http.StatusBadRequest, "malformed JSON", err.Error())
		return false
	}
	return true
}

// decodeStrict reads one JSON value with no unknown fields.
func decodeStrict(r io.Reader, v any) error {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one value")
	}
	return nil
}

func (s *Server) putRadicado(w http.ResponseWriter, r *http.Request) {
	if isMultipart(r) {
		s.putRadicadoWithFiles(w, r)
		return
	}
	p := principalOf(r)
	if p.Admin {
		problem(w, http.StatusForbidden, "administrators do not radicate", "")
		return
	}
	var push wire.Push
	if !s.readJSON(w, r, &push) {
		return
	}
	if !s.checkPush(w, r, p, push) {
		return
	}
	res, err := s.db.Put(r.Context(), p, push)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.answerPush(w, p, res)
}

// checkPush checks a push before anything of it is stored: its number is
// the path's, it is valid against the organisation's pattern, and it is
// the token's own. It answers the client itself when not.
func (s *Server) checkPush(w http.ResponseWriter, r *http.Request, p central.Principal, push wire.Push) bool {
	if push.Radicado.Number != r.PathValue("number") {
		problem(w, http.StatusBadRequest, "the number in the path and in the body differ", "")
		return false
	}
	pat, err := s.pattern(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return false
	}
	if err := push.Check(pat); err != nil {
		problem(w, http.StatusBadRequest, "invalid radicado", err.Error())
		return false
	}
	// Check has tied the number's office and station to the body's.
	if !p.Scope().Sees(push.Radicado.Office, push.Radicado.Station) {
		problem(w, http.StatusForbidden, "a station writes only its own radicados",
			fmt.Sprintf("this token is office %s station %s", p.Office, p.Station))
		return false
	}
	return true
}

// answerPush answers a push with what the store made of it.
func (s *Server) answerPush(w http.ResponseWriter, p central.Principal, res wire.PushResult) {
	switch res.Status {
	case wire.Created:
		writeJSON(w, http.StatusCreated, res)
	case wire.Conflict:
		s.log.Warn("conflict", "number", res.Number, "office", p.Office, "station", p.Station)
		writeJSON(w, http.StatusConflict, res)
	default:
		writeJSON(w, http.StatusOK, res)
	}
}

func (s *Server) getRadicado(w http.ResponseWriter, r *http.Request) {
	pat, err := s.pattern(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	number := r.PathValue("number")
	if _, err := pat.Parse(number); err != nil {
		s.fail(w, r, central.ErrNotFound)
		return
	}
	h, err := s.db.Get(r.Context(), number)
	if err == nil && !principalOf(r).Scope().Sees(h.Office, h.Station) {
		err = central.ErrNotFound
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	events, err := s.db.Events(r.Context(), h.Number)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"radicado": h, "events": events})
}

// Bounds of a search.
const (
	maxQuery      = 200 // characters of q
	maxQueryWords = 10
	maxLimit      = 1000
	maxOffset     = 1_000_000
)

// listFilter reads a list's query: every parameter well formed and within
// its bounds.
func listFilter(q map[string][]string) (central.Filter, error) {
	get := func(k string) string {
		if v := q[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	f := central.Filter{Office: get("office"), Station: get("station"), Day: get("day")}
	for _, c := range []struct{ name, v string }{{"office", f.Office}, {"station", f.Station}} {
		if c.v != "" && (len(c.v) > 12 || strings.Trim(c.v, "0123456789") != "") {
			return f, fmt.Errorf("%s: digits", c.name)
		}
	}
	if f.Day != "" {
		if d, err := calendar.ParseDate(f.Day); err != nil || d.String() != f.Day {
			return f, errors.New("day: YYYY-MM-DD")
		}
	}
	query, err := radicado.CleanText("q", get("q"), maxQuery)
	if err != nil {
		return f, err
	}
	if len(strings.Fields(query)) > maxQueryWords {
		return f, fmt.Errorf("q: at most %d words", maxQueryWords)
	}
	f.Query = query
	for _, n := range []struct {
		name string
		v    *int
		max  int
	}{{"limit", &f.Limit, maxLimit}, {"offset", &f.Offset, maxOffset}} {
		s := get(n.name)
		if s == "" {
			continue
		}
		v, err := strconv.Atoi(s)
		if err != nil || v < 0 || v > n.max {
			return f, fmt.Errorf("%s: a number from 0 to %d", n.name, n.max)
		}
		*n.v = v
	}
	switch get("status") {
	case "":
	case "annulled":
		t := true
		f.Annulled = &t
	case "active":
		t := false
		f.Annulled = &t
	default:
		return f, errors.New("status: active or annulled")
	}
	return f, nil
}

func (s *Server) listRadicados(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	var f central.Filter
	if err == nil {
		f, err = listFilter(q)
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "invalid query", err.Error())
		return
	}
	list, err := s.db.List(r.Context(), principalOf(r).Scope().Narrow(f))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) checkManifest(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.Admin {
		// The server keeps the day's anchor as a second witness of the
		// station's chain: only the station gives it.
		problem(w, http.StatusForbidden, "administrators do not account for a station's day", "")
		return
	}
	var m wire.Manifest
	if !s.readJSON(w, r, &m) {
		return
	}
	pat, err := s.pattern(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if err := m.Check(pat); err != nil {
		problem(w, http.StatusBadRequest, "invalid manifest", err.Error())
		return
	}
	if !p.Scope().Sees(m.Office, m.Station) {
		problem(w, http.StatusForbidden, "a station accounts only for its own day", "")
		return
	}
	res, err := s.db.CheckManifest(r.Context(), m)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if !res.OK {
		s.log.Warn("manifest differs", "office", m.Office, "station", m.Station, "day", m.Day,
			"missing", len(res.Missing), "mismatched", len(res.Mismatched), "extra", len(res.Extra))
	}
	writeJSON(w, http.StatusOK, res)
}

// planilla gives the day's control sheet of an office (a station sees its
// own radicados), as CSV or PDF.
func (s *Server) planilla(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	var f central.Filter
	if err == nil {
		f, err = listFilter(map[string][]string{"office": q["office"], "day": q["day"]})
	}
	if err == nil && f.Day == "" {
		err = errors.New("day: YYYY-MM-DD")
	}
	format := q.Get("format")
	if err == nil && format != "" && format != "csv" && format != "pdf" {
		err = errors.New("format: csv or pdf")
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "invalid query", err.Error())
		return
	}
	f.Limit = 10000
	f = principalOf(r).Scope().Narrow(f)
	held, err := s.db.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rows := make([]planilla.Row, len(held))
	for i, h := range held {
		rows[i] = planilla.Row{Dept: h.Dept, Number: h.Number, ReceivedAt: h.ReceivedAt, Type: h.Type, Sender: h.SenderName,
			Subject: h.Subject, Pages: h.Pages, Annulled: h.Annulled}
	}
	sheet := planilla.Sheet{Day: f.Day, Office: f.Office, Station: f.Station, Rows: rows}
	anchors, err := s.db.Anchors(r.Context(), f.Office, f.Station)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, a := range anchors {
		if a.Day == f.Day {
			sheet.Anchors = append(sheet.Anchors, planilla.Anchor{Station: a.Office + "-" + a.Station, ID: a.ID, At: a.At,
				Short: a.Anchor.Short(), QR: a.Anchor.QRText(a.Office, a.Station)})
		}
	}
	if format == "pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		if err := sheet.WritePDF(w); err != nil {
			s.log.Error("planilla", "error", err.Error())
		}
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="planilla-`+f.Day+`.csv"`)
	sheet.WriteCSV(w)
}

// anchors lists the heads of audit chains the server holds: a station's
// own, or for an administrator every station's (or one's, with office and
// station).
func (s *Server) anchors(w http.ResponseWriter, r *http.Request) {
	q, err := url.ParseQuery(r.URL.RawQuery)
	var f central.Filter
	if err == nil {
		f, err = listFilter(map[string][]string{"office": q["office"], "station": q["station"]})
	}
	if err == nil && (f.Office == "") != (f.Station == "") {
		err = errors.New("office and station: both or neither")
	}
	if err != nil {
		problem(w, http.StatusBadRequest, "invalid query", err.Error())
		return
	}
	f = principalOf(r).Scope().Narrow(f)
	list, err := s.db.Anchors(r.Context(), f.Office, f.Station)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// orgConfig gives the organisation's configuration; with If-None-Match of
// the version a station has, 304 when it is the current one.
func (s *Server) orgConfig(w http.ResponseWriter, r *http.Request) {
	cfg, err := s.db.OrgConfig(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	etag := fmt.Sprintf(`"v%d"`, cfg.Version)
	w.Header().Set("ETag", etag)
	if r.Header.Get("If-None-Match") == etag {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	writeJSON(w, http.StatusOK, cfg)
}

// acuses answers GET /acuses: where the acuses of the station's
// radicados stand.
func (s *Server) acuses(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Acuses(r.Context(), principalOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

// returned lists the station's radicados that a department returned to
// the ventanilla.
func (s *Server) returned(w http.ResponseWriter, r *http.Request) {
	list, err := s.db.Returned(r.Context(), principalOf(r))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}
