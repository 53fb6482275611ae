// Package server is the central server: the /api/v1 HTTP API that enrolled
// stations push their radicados, events and documents to, exactly once, and
// that lists and searches what it holds. Storage is SQLite or PostgreSQL
// (DB).
package server

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/planilla"
	"github.com/radicador/radicador/sync/wire"
)

//go:embed openapi.json
var openAPI []byte

// Limits bound what a request may carry.
type Limits struct {
	MaxJSON  int64 // a push or a manifest
	MaxChunk int64 // one chunk of a file
	MaxFile  int64 // a whole file
}

// DefaultLimits are generous for scanned letters and refuse the absurd.
var DefaultLimits = Limits{MaxJSON: 4 << 20, MaxChunk: 8 << 20, MaxFile: 512 << 20}

// Server answers the API.
type Server struct {
	db     *DB
	log    *slog.Logger
	limits Limits
	now    func() time.Time

	mu     sync.Mutex
	clocks map[Principal]clockNote // the last clock offset written per station
}

// clockNote is a station's clock offset as last written to the store.
type clockNote struct {
	at     time.Time
	offset time.Duration
}

// New gives a server over db.
func New(db *DB, log *slog.Logger, limits Limits) *Server {
	if log == nil {
		log = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	return &Server{db: db, log: log, limits: limits, now: time.Now, clocks: map[Principal]clockNote{}}
}

type ctxKey struct{}

func principalOf(r *http.Request) Principal { return r.Context().Value(ctxKey{}).(Principal) }

// Handler gives the API's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	p := wire.APIPrefix
	mux.HandleFunc("GET "+p+"/health", s.health)
	mux.HandleFunc("GET "+p+"/openapi.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(openAPI)
	})
	auth := func(h http.HandlerFunc) http.Handler { return s.authenticate(h) }
	mux.Handle("GET "+p+"/whoami", auth(s.whoami))
	mux.Handle("HEAD "+p+"/files/{sha256}", auth(s.fileState))
	mux.Handle("PATCH "+p+"/files/{sha256}", auth(s.putChunk))
	mux.Handle("GET "+p+"/files/{sha256}", auth(s.getFile))
	mux.Handle("PUT "+p+"/radicados/{number...}", auth(s.putRadicado))
	mux.Handle("GET "+p+"/radicados/{number...}", auth(s.getRadicado))
	mux.Handle("GET "+p+"/radicados", auth(s.listRadicados))
	mux.Handle("POST "+p+"/manifests", auth(s.checkManifest))
	mux.Handle("GET "+p+"/planilla", auth(s.planilla))
	return s.logged(mux)
}

// statusWriter remembers the status of an answer, for the log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) { w.status = code; w.ResponseWriter.WriteHeader(code) }
func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

func (s *Server) logged(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				s.log.Error("panic", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
				problem(sw, http.StatusInternalServerError, "internal error", "")
			}
			s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", sw.status, "bytes", sw.bytes,
				"ms", time.Since(start).Milliseconds(), "remote", r.RemoteAddr)
		}()
		h.ServeHTTP(sw, r)
	})
}

// authenticate finds the request's station from its bearer token, and
// records the station's clock offset from the time it says it is.
func (s *Server) authenticate(h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok || token == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="radicador"`)
			problem(w, http.StatusUnauthorized, "a station token is required", "")
			return
		}
		p, err := s.db.Authenticate(r.Context(), token)
		if errors.Is(err, ErrUnauthorized) {
			problem(w, http.StatusUnauthorized, "the token is not valid or was revoked", "")
			return
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if t, err := time.Parse(time.RFC3339Nano, r.Header.Get(wire.HeaderStationTime)); err == nil && !p.Admin {
			s.noteClock(r.Context(), p, t.Sub(s.now()))
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, p)))
	})
}

// noteClock records a station's clock offset when it moved by more than a
// second or a minute has passed: not a write to the store on every request.
func (s *Server) noteClock(ctx context.Context, p Principal, offset time.Duration) {
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
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(wire.Problem{Status: status, Title: title, Detail: detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// fail answers an error of the store.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var missing *MissingFilesError
	switch {
	case errors.As(err, &missing):
		problem(w, http.StatusConflict, "files missing", err.Error())
	case errors.Is(err, ErrNotFound):
		problem(w, http.StatusNotFound, "not found", "")
	case errors.Is(err, ErrHash):
		problem(w, http.StatusUnprocessableEntity, "hash mismatch", err.Error())
	case errors.Is(err, ErrTooLarge):
		problem(w, http.StatusRequestEntityTooLarge, "too large", err.Error())
	case errors.Is(err, context.Canceled):
		problem(w, 499, "request cancelled", "")
	default:
		s.log.Error("store", "method", r.Method, "path", r.URL.Path, "error", err.Error())
		problem(w, http.StatusInternalServerError, "internal error", "")
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.db.Ping(ctx); err != nil {
		problem(w, http.StatusServiceUnavailable, "database unavailable", err.Error())
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) whoami(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	writeJSON(w, http.StatusOK, wire.Whoami{Office: p.Office, Station: p.Station, Admin: p.Admin})
}

func (s *Server) fileState(w http.ResponseWriter, r *http.Request) {
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	f, err := s.db.File(r.Context(), sum)
	if errors.Is(err, ErrNotFound) {
		w.Header().Set(wire.HeaderUploadOffset, "0")
		w.WriteHeader(http.StatusNotFound)
		return
	}
	if err != nil {
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

// putChunk takes the next piece of a file: Upload-Offset says where it
// starts, Upload-Length how long the whole file is.
func (s *Server) putChunk(w http.ResponseWriter, r *http.Request) {
	if principalOf(r).Admin {
		problem(w, http.StatusForbidden, "administrators do not upload", "")
		return
	}
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		problem(w, http.StatusBadRequest, "not a SHA-256", sum)
		return
	}
	offset, err1 := strconv.ParseInt(r.Header.Get(wire.HeaderUploadOffset), 10, 64)
	size, err2 := strconv.ParseInt(r.Header.Get(wire.HeaderUploadLength), 10, 64)
	if err1 != nil || err2 != nil || offset < 0 || size < 0 {
		problem(w, http.StatusBadRequest, "Upload-Offset and Upload-Length are required", "")
		return
	}
	if size > s.limits.MaxFile {
		problem(w, http.StatusRequestEntityTooLarge, "file too large", fmt.Sprintf("at most %d bytes", s.limits.MaxFile))
		return
	}
	data, err := readBody(http.MaxBytesReader(w, r.Body, s.limits.MaxChunk), r.ContentLength, s.limits.MaxChunk)
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			problem(w, http.StatusRequestEntityTooLarge, "chunk too large", fmt.Sprintf("at most %d bytes", s.limits.MaxChunk))
			return
		}
		problem(w, http.StatusBadRequest, "the chunk broke off", err.Error())
		return
	}
	f, err := s.db.PutChunk(r.Context(), sum, size, offset, data)
	if errors.Is(err, ErrOffset) {
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

// readBody reads a request body whose announced length, when it has one
// within max, sizes the buffer at once.
func readBody(r io.Reader, length, max int64) ([]byte, error) {
	if length < 0 || length > max {
		return io.ReadAll(r)
	}
	data := make([]byte, length)
	if _, err := io.ReadFull(r, data); err != nil {
		return nil, err
	}
	// Nothing may follow what was announced.
	if n, err := r.Read(make([]byte, 1)); n > 0 || (err != nil && err != io.EOF) {
		return nil, fmt.Errorf("the body is longer than its Content-Length: %w", err)
	}
	return data, nil
}

func (s *Server) getFile(w http.ResponseWriter, r *http.Request) {
	sum := r.PathValue("sha256")
	if !wire.ValidSum(sum) {
		problem(w, http.StatusBadRequest, "not a SHA-256", sum)
		return
	}
	f, err := s.db.OpenFile(sum)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	defer f.Close()
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("ETag", `"`+sum+`"`)
	http.ServeContent(w, r, "", time.Time{}, f)
}

func (s *Server) readJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, s.limits.MaxJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			problem(w, http.StatusRequestEntityTooLarge, "request too large", fmt.Sprintf("at most %d bytes", s.limits.MaxJSON))
			return false
		}
		problem(w, http.StatusBadRequest, "malformed JSON", err.Error())
		return false
	}
	if dec.More() {
		problem(w, http.StatusBadRequest, "malformed JSON", "more than one value")
		return false
	}
	return true
}

func (s *Server) putRadicado(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	if p.Admin {
		problem(w, http.StatusForbidden, "administrators do not radicate", "")
		return
	}
	var push wire.Push
	if !s.readJSON(w, r, &push) {
		return
	}
	if push.Radicado.Number != r.PathValue("number") {
		problem(w, http.StatusBadRequest, "the number in the path and in the body differ", "")
		return
	}
	if err := push.Check(); err != nil {
		problem(w, http.StatusBadRequest, "invalid radicado", err.Error())
		return
	}
	if push.Radicado.Office != p.Office || push.Radicado.Station != p.Station {
		problem(w, http.StatusForbidden, "a station writes only its own radicados",
			fmt.Sprintf("this token is office %s station %s", p.Office, p.Station))
		return
	}
	res, err := s.db.Put(r.Context(), p, push)
	if err != nil {
		s.fail(w, r, err)
		return
	}
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

// visible reports whether p may see radicados of office and station.
func visible(p Principal, office, station string) bool {
	return p.Admin || (p.Office == office && p.Station == station)
}

func (s *Server) getRadicado(w http.ResponseWriter, r *http.Request) {
	h, err := s.db.Get(r.Context(), r.PathValue("number"))
	if err == nil && !visible(principalOf(r), h.Office, h.Station) {
		err = ErrNotFound
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

func (s *Server) listRadicados(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	q := r.URL.Query()
	f := Filter{Office: q.Get("office"), Station: q.Get("station"), Day: q.Get("day"), Query: q.Get("q")}
	f.Limit, _ = strconv.Atoi(q.Get("limit"))
	f.Offset, _ = strconv.Atoi(q.Get("offset"))
	switch q.Get("status") {
	case "annulled":
		t := true
		f.Annulled = &t
	case "active":
		t := false
		f.Annulled = &t
	}
	if !p.Admin {
		f.Office, f.Station = p.Office, p.Station
	}
	list, err := s.db.List(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (s *Server) checkManifest(w http.ResponseWriter, r *http.Request) {
	p := principalOf(r)
	var m wire.Manifest
	if !s.readJSON(w, r, &m) {
		return
	}
	if _, err := time.Parse(time.DateOnly, m.Day); err != nil {
		problem(w, http.StatusBadRequest, "day: YYYY-MM-DD", "")
		return
	}
	if !p.Admin && (m.Office != p.Office || m.Station != p.Station) {
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
	p := principalOf(r)
	q := r.URL.Query()
	day := q.Get("day")
	if _, err := time.Parse(time.DateOnly, day); err != nil {
		problem(w, http.StatusBadRequest, "day: YYYY-MM-DD", "")
		return
	}
	f := Filter{Office: q.Get("office"), Day: day, Limit: 10000}
	if !p.Admin {
		f.Office, f.Station = p.Office, p.Station
	}
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
	sheet := planilla.Sheet{Day: day, Office: f.Office, Station: f.Station, Rows: rows}
	if q.Get("format") == "pdf" {
		w.Header().Set("Content-Type", "application/pdf")
		if err := sheet.WritePDF(w); err != nil {
			s.log.Error("planilla", "error", err.Error())
		}
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	sheet.WriteCSV(w)
}
