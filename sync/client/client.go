// Package client syncs a station's outbox to the central server, with
// resty: files first, uploaded in chunks that resume where they stopped,
// then each radicado with its events. Every request can be repeated without
// harm; a radicado is marked synced only once the server has confirmed it
// holds the same content and document hash.
package client

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"mime/multipart"
	"net"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
	"github.com/radicador/radicador/sync/wire"
)

// ChunkSize is the size of each piece of a file sent.
const ChunkSize = 4 << 20

// Options tune a client.
type Options struct {
	// Retries of one request after a network error, a 5xx or a 429 (default
	// 6), waiting from RetryWait (default 500 ms) doubling up to MaxWait
	// (default 30 s), with jitter; a Retry-After answer sets the wait.
	Retries   int
	RetryWait time.Duration
	MaxWait   time.Duration
	// Timeout bounds one request (default 2 min).
	Timeout time.Duration
	// Transport, when set, carries the requests (tests put faults in it).
	Transport http.RoundTripper
	// Dial, when set, makes the connections of the client's own transport
	// (a benchmark makes them in a network namespace).
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Clock gives the station's time sent with each request.
	Clock func() time.Time
	// InFlight is how many radicados are sent at once (default 4): a
	// branch's link far from the server is not left idle while one waits
	// for its answer.
	InFlight int
	// Protocol forces the protocol version to speak (0: what the server
	// says it speaks). Tests use 1 to send as an older station.
	Protocol int
}

// Client talks to one server for one station.
type Client struct {
	rc    *resty.Client // retries on its own
	once  *resty.Client // no retries: file chunks, retried by Upload itself
	store *store.Store
	clock func() time.Time
	opt   Options

	base  string // the server's API, for requests made without resty
	token string

	mu    sync.Mutex
	proto int // the protocol the server speaks, once asked
}

// userAgent names the station's requests.
const userAgent = "Radicador-station/2"

// New gives a client of the server at base (https://host[:port]) with the
// station's token.
func New(base, token string, st *store.Store, opt Options) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(base, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server address %q: give http(s)://host[:port]", base)
	}
	if opt.Retries == 0 {
		opt.Retries = 6
	}
	if opt.RetryWait == 0 {
		opt.RetryWait = 500 * time.Millisecond
	}
	if opt.MaxWait == 0 {
		opt.MaxWait = 30 * time.Second
	}
	if opt.Timeout == 0 {
		opt.Timeout = 2 * time.Minute
	}
	if opt.Clock == nil {
		opt.Clock = time.Now
	}
	if opt.InFlight <= 0 {
		opt.InFlight = 4
	}
	rc := resty.New().
		SetBaseURL(u.String()+wire.APIPrefix).
		SetAuthToken(token).
		SetTimeout(opt.Timeout).
		SetRetryCount(opt.Retries).
		SetRetryWaitTime(opt.RetryWait).
		SetRetryMaxWaitTime(opt.MaxWait).
		SetRetryAfter(retryAfter).
		AddRetryCondition(func(r *resty.Response, err error) bool {
			if err != nil {
				return !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
			}
			return r.StatusCode() >= 500 || r.StatusCode() == http.StatusTooManyRequests
		}).
		SetHeader("User-Agent", userAgent).
		SetLogger(quiet{})
	once := resty.New().SetBaseURL(u.String()+wire.APIPrefix).SetAuthToken(token).SetTimeout(opt.Timeout).
		SetHeader("User-Agent", userAgent).SetLogger(quiet{})
	tr := opt.Transport
	if tr == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		// Each radicado in flight keeps its connection from one request to
		// the next: over a branch's link, a new connection costs round
		// trips and a slow start.
		t.MaxIdleConnsPerHost = opt.InFlight + 2
		if opt.Dial != nil {
			t.DialContext = opt.Dial
		}
		tr = t
	}
	rc.SetTransport(tr)
	once.SetTransport(tr)
	c := &Client{rc: rc, once: once, store: st, clock: opt.Clock, opt: opt, base: u.String() + wire.APIPrefix, token: token}
	for _, r := range []*resty.Client{rc, once} {
		r.OnBeforeRequest(func(_ *resty.Client, r *resty.Request) error {
			r.SetHeader(wire.HeaderStationTime, c.clock().Format(time.RFC3339Nano))
			return nil
		})
	}
	return c, nil
}

// Close lets go of the connections the client keeps open.
func (c *Client) Close() {
	c.rc.GetClient().CloseIdleConnections()
	c.once.GetClient().CloseIdleConnections()
}

// backoff gives the wait before retry attempt (from 1): exponential with
// full jitter, or what the server asked for in Retry-After.
func (c *Client) backoff(attempt int, r *resty.Response) time.Duration {
	if d, _ := retryAfter(nil, r); d > 0 {
		return min(d, c.opt.MaxWait)
	}
	d := min(c.opt.MaxWait, c.opt.RetryWait<<min(attempt, 20))
	return d/2 + time.Duration(mrand.Int64N(int64(d/2)+1))
}

// retryAfter honours Retry-After (seconds or an HTTP date).
func retryAfter(_ *resty.Client, r *resty.Response) (time.Duration, error) {
	if r == nil {
		return 0, nil
	}
	v := r.Header().Get("Retry-After")
	if v == "" {
		return 0, nil
	}
	if s, err := strconv.Atoi(v); err == nil {
		return time.Duration(s) * time.Second, nil
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t), nil
	}
	return 0, nil
}

// StatusError is an answer the protocol did not expect.
type StatusError struct {
	Op      string
	Status  int
	Problem wire.Problem
}

func (e *StatusError) Error() string {
	msg := e.Problem.Title
	if e.Problem.Detail != "" {
		msg += ": " + e.Problem.Detail
	}
	if msg == "" {
		msg = http.StatusText(e.Status)
	}
	return fmt.Sprintf("%s: the server answered %d (%s)", e.Op, e.Status, msg)
}

func statusError(op string, r *resty.Response) error {
	return problemError(op, r.StatusCode(), r.Body())
}

// problemError is an answer the protocol did not expect, from its status
// and body.
func problemError(op string, status int, body []byte) error {
	e := &StatusError{Op: op, Status: status}
	json.Unmarshal(body, &e.Problem)
	return e
}

// Whoami asks the server whom the token belongs to.
func (c *Client) Whoami(ctx context.Context) (wire.Whoami, error) {
	var w wire.Whoami
	r, err := c.rc.R().SetContext(ctx).SetResult(&w).Get("/whoami")
	if err != nil {
		return w, fmt.Errorf("whoami: %w", err)
	}
	if r.StatusCode() != http.StatusOK {
		return w, statusError("whoami", r)
	}
	return w, nil
}

// Report counts what a sync did.
type Report struct {
	Sent      int `json:"sent"`      // radicados the server did not hold and now does
	Already   int `json:"already"`   // radicados the server held already (a repeat)
	Failed    int `json:"failed"`    // radicados left for the next attempt
	Conflicts int `json:"conflicts"` // radicados the server holds with other content
}

// Sync sends every radicado with pending changes, oldest first, several
// at once (Options.InFlight): a radicado whose documents fit in one piece
// goes in one request with them when the server speaks protocol 2; a
// larger one, or to an older server, sends its documents apart (resumable
// pieces) and then its record. The radicados flow to the senders without
// pause: one slow request does not hold up the ones after it. The
// server's confirmations are written to the store a few at a time (after
// a crash, the last few are sent again and the server answers that it
// holds them). Each radicado is sent at most once in a call. Sync stops at
// the first failure that is the server's or the network's, and returns
// its error; what failed stays queued.
func (c *Client) Sync(ctx context.Context) (Report, error) {
	var rep Report
	proto, err := c.protocol(ctx)
	if err != nil {
		return rep, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	work := make(chan store.Sending)
	results := make(chan sent)
	fed := make(chan error, 1)
	var wg sync.WaitGroup
	for range c.opt.InFlight {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range work {
				status, err := c.send(ctx, proto, s)
				results <- sent{s.Record.Number, status, s.Upto, err}
			}
		}()
	}
	go func() {
		defer close(results)
		defer wg.Wait()
		defer close(work)
		fed <- c.feed(ctx, work)
	}()
	stop, last := c.collect(ctx, cancel, results, &rep)
	if err := <-fed; err != nil && !stop {
		last = err
	}
	return rep, last
}

// protocol gives the protocol version the server speaks (asked once), or
// the one Options.Protocol forces.
func (c *Client) protocol(ctx context.Context) (int, error) {
	if c.opt.Protocol > 0 {
		return c.opt.Protocol, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.proto == 0 {
		who, err := c.Whoami(ctx)
		if err != nil {
			return 0, err
		}
		c.proto = max(1, min(who.Protocol, wire.Protocol))
	}
	return c.proto, nil
}

// feed gives the senders the radicados with pending changes, oldest
// first, each once, until none is left that it has not given or ctx ends.
func (c *Client) feed(ctx context.Context, work chan<- store.Sending) error {
	given := map[string]bool{}
	for {
		batch, err := c.store.PendingSending(ctx, 100, given)
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		if len(batch) == 0 {
			return nil
		}
		for _, s := range batch {
			select {
			case work <- s:
				given[s.Record.Number] = true
			case <-ctx.Done():
				return nil
			}
		}
	}
}

// markEvery is how many confirmations are written to the store together.
const markEvery = 32

// sent is what sending one radicado came to.
type sent struct {
	number string
	status string
	upto   int64
	err    error
}

// collect takes the senders' results until there are no more: it counts
// them, writes the confirmations to the store, notes the failures, and
// cancels the rest on a failure of the server or the network. It reports
// whether the sync stopped so, and the last error.
func (c *Client) collect(ctx context.Context, cancel func(), results <-chan sent, rep *Report) (stop bool, last error) {
	var marks []store.Synced
	flush := func() {
		// Written even when ctx ended: what the server confirmed is not
		// sent again for nothing.
		if err := c.store.MarkSynced(context.WithoutCancel(ctx), marks...); err != nil && !stop {
			stop, last = true, err
			cancel()
		}
		marks = marks[:0]
	}
	for r := range results {
		if r.err != nil {
			rep.Failed++
			if errors.Is(r.err, context.Canceled) && stop {
				continue // cut short by the failure that stopped the sync
			}
			if nerr := c.store.NoteSyncFailure(context.WithoutCancel(ctx), r.number, r.err); nerr != nil {
				stop, last = true, errors.Join(r.err, fmt.Errorf("recording the failure: %w", nerr))
				cancel()
				continue
			}
			if serverFault(r.err) || ctx.Err() != nil {
				if !stop {
					stop, last = true, r.err
				}
				cancel()
				continue
			}
			if !stop {
				last = r.err
			}
			continue
		}
		switch r.status {
		case wire.Created:
			rep.Sent++
		case wire.Already:
			rep.Already++
		case wire.Conflict:
			rep.Conflicts++
			continue
		}
		marks = append(marks, store.Synced{Number: r.number, Upto: r.upto})
		if len(marks) >= markEvery {
			flush()
		}
	}
	flush()
	return stop, last
}

// send sends one radicado: with its documents in one request when they
// fit in one piece and the server takes it, else its documents apart and
// then its record.
func (c *Client) send(ctx context.Context, proto int, s store.Sending) (string, error) {
	var size int64
	for _, f := range s.Record.Files {
		size += f.Size
	}
	if proto >= 2 && size <= ChunkSize {
		return c.push(ctx, s, true)
	}
	if err := c.uploadAll(ctx, s.Record); err != nil {
		return "", err
	}
	return c.push(ctx, s, false)
}

// serverFault tells a failure of the server or the network, which the next
// radicado would meet too, from one of a radicado's own.
func serverFault(err error) bool {
	var se *StatusError
	if errors.As(err, &se) {
		return se.Status >= 500 || se.Status == http.StatusTooManyRequests || se.Status == http.StatusUnauthorized
	}
	return true
}

// Send sends one radicado, as Sync does, and records the server's
// confirmation.
func (c *Client) Send(ctx context.Context, number string) (string, error) {
	proto, err := c.protocol(ctx)
	if err != nil {
		return "", err
	}
	rec, err := c.store.Get(ctx, number)
	if err != nil {
		return "", err
	}
	out, err := c.store.Outgoing(ctx, number)
	if err != nil {
		return "", err
	}
	status, err := c.send(ctx, proto, store.Sending{Record: rec, Outgoing: out})
	if err != nil || status == wire.Conflict {
		return status, err
	}
	return status, c.store.MarkSynced(ctx, store.Synced{Number: number, Upto: out.Upto})
}

func (c *Client) uploadAll(ctx context.Context, rec radicado.Record) error {
	for _, f := range rec.Files {
		if err := c.Upload(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// push sends a radicado with its events: alone, when the server holds its
// documents, or with them in one request (withFiles). It gives the
// server's answer; a conflict is recorded in the store.
func (c *Client) push(ctx context.Context, s store.Sending, withFiles bool) (string, error) {
	rec := s.Record
	number := rec.Number
	push := wire.Push{Radicado: ToWire(rec)}
	for _, e := range s.Events {
		push.Events = append(push.Events, wire.Event{ID: e.ID, At: e.At, Actor: e.Actor, Action: e.Action, Number: e.Number,
			Data: e.Data, Prev: e.Prev, Hash: e.Hash})
	}
	if c.proto != 0 && c.proto < 3 && push.NeedsV3() {
		// An older server would refuse it, or keep it without what it
		// cannot hold and answer with another hash: it waits, and the
		// others go.
		return "", &StatusError{Op: "sending " + number, Status: http.StatusUpgradeRequired,
			Problem: wire.Problem{Title: "the central server is older than this station", Detail: "upgrade it to take e-mail, answers and deliveries"}}
	}
	if c.proto != 0 && c.proto < 4 && push.NeedsV4() {
		return "", &StatusError{Op: "sending " + number, Status: http.StatusUpgradeRequired,
			Problem: wire.Problem{Title: "the central server is older than this station", Detail: "upgrade it to take the numbers a letter cites"}}
	}
	var res wire.PushResult
	var status int
	var problem []byte
	if withFiles {
		body := bodies.Get().(*bytes.Buffer)
		body.Reset()
		defer bodies.Put(body)
		contentType, err := c.multipartPush(push, body)
		if err != nil {
			return "", err
		}
		if status, problem, err = c.putOnce(ctx, "/radicados/"+url.PathEscape(number), contentType, body.Bytes(), &res); err != nil {
			return "", fmt.Errorf("sending %s: %w", number, err)
		}
	} else {
		r, err := c.rc.R().SetContext(ctx).SetResult(&res).SetError(&res).SetBody(push).Put("/radicados/" + url.PathEscape(number))
		if err != nil {
			return "", fmt.Errorf("sending %s: %w", number, err)
		}
		status, problem = r.StatusCode(), r.Body()
	}
	switch status {
	case http.StatusCreated, http.StatusOK:
	case http.StatusConflict:
		if res.Status == wire.Conflict {
			msg := fmt.Sprintf("the server holds %s with other content (%s)", number, res.ContentSHA256)
			if err := c.store.MarkConflict(ctx, number, msg); err != nil {
				return "", err
			}
			return wire.Conflict, nil
		}
		return "", problemError("sending "+number, status, problem)
	default:
		return "", problemError("sending "+number, status, problem)
	}
	// Synced only when the server confirms it holds what we hold.
	if res.ContentSHA256 != push.Radicado.Content() || res.DocumentSHA != rec.SHA256 {
		return "", fmt.Errorf("sending %s: the server answered with other hashes (content %s, document %s)", number, res.ContentSHA256, res.DocumentSHA)
	}
	if rec.Status == radicado.Annulled && !res.Annulled {
		return "", fmt.Errorf("sending %s: the server did not record the annulment", number)
	}
	return res.Status, nil
}

// putOnce PUTs a body that is already whole, straight through the
// client's transport (resty would copy it), retrying as resty does: after
// a network error, a 5xx or a 429, with backoff. It gives the final
// answer's status, its body, and decodes a JSON answer into res.
func (c *Client) putOnce(ctx context.Context, path, contentType string, body []byte, res any) (int, []byte, error) {
	hc := c.rc.GetClient()
	for attempt := 0; ; attempt++ {
		req, err := http.NewRequestWithContext(ctx, http.MethodPut, c.base+path, bytes.NewReader(body))
		if err != nil {
			return 0, nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		req.Header.Set("Content-Type", contentType)
		req.Header.Set("User-Agent", userAgent)
		req.Header.Set(wire.HeaderStationTime, c.clock().Format(time.RFC3339Nano))
		resp, err := hc.Do(req)
		var answer []byte
		if err == nil {
			answer, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		if ctx.Err() != nil {
			return 0, nil, ctx.Err()
		}
		retry := err != nil || resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests
		if !retry {
			if strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				json.Unmarshal(answer, res)
			}
			return resp.StatusCode, answer, nil
		}
		if attempt >= c.opt.Retries {
			if err != nil {
				return 0, nil, err
			}
			return resp.StatusCode, answer, nil
		}
		var r *resty.Response
		if err == nil {
			r = &resty.Response{RawResponse: resp}
		}
		select {
		case <-ctx.Done():
			return 0, nil, ctx.Err()
		case <-time.After(c.backoff(attempt+1, r)):
		}
	}
}

// multipartPush makes the body of a one-request push: the push's JSON,
// then each document, each part compressed where it pays.
func (c *Client) multipartPush(push wire.Push, body *bytes.Buffer) (string, error) {
	mw := multipart.NewWriter(body)
	js, err := json.Marshal(push)
	if err != nil {
		return "", err
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="`+wire.PartPush+`"`)
	h.Set("Content-Type", "application/json")
	if err := writePart(mw, h, bytes.NewReader(js), len(js) > 16<<10); err != nil {
		return "", err
	}
	for _, f := range push.Radicado.Files {
		file, err := c.store.Blobs().Open(f.SHA256)
		if err != nil {
			return "", err
		}
		h := textproto.MIMEHeader{}
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, wire.PartFile, f.SHA256))
		h.Set("Content-Type", f.MediaType)
		err = writePart(mw, h, file, compressible(f.MediaType))
		file.Close()
		if err != nil {
			return "", err
		}
	}
	if err := mw.Close(); err != nil {
		return "", err
	}
	return mw.FormDataContentType(), nil
}

// bodies keeps the buffers of one-request pushes for the next ones: a
// letter's pages are hundreds of kilobytes, and a new buffer for each would
// be cleared and collected each time.
var bodies = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writePart writes one part, gzipped when zip says so.
func writePart(mw *multipart.Writer, h textproto.MIMEHeader, r io.Reader, zip bool) error {
	if zip {
		h.Set("Content-Encoding", "gzip")
	}
	pw, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	if !zip {
		_, err = io.Copy(pw, r)
		return err
	}
	z, _ := gzip.NewWriterLevel(pw, gzip.BestSpeed)
	if _, err := io.Copy(z, r); err != nil {
		return err
	}
	return z.Close()
}

// compressible tells the media types that shrink on the wire: JPEG, PNG
// and PDF are compressed already, and are sent as they are.
func compressible(mediaType string) bool {
	switch mediaType {
	case "image/tiff", "image/bmp", "application/json", "message/rfc822":
		return true
	}
	return strings.HasPrefix(mediaType, "text/")
}

// Upload sends a file the server does not hold whole, from where the
// server's copy ends. When a piece gets no answer, it asks the server how
// much it holds before sending anything again: a piece the server took is
// not sent twice, and a broken upload goes on instead of starting over.
// Every failure, an offset the server disputes (409) included, waits before
// the next try; and an upload stops with an error once it has spent twice
// the file's bytes (plus a piece) or twice its requests (plus the retries),
// whatever the server answers.
func (c *Client) Upload(ctx context.Context, f radicado.File) error {
	// A file of one piece goes at once: the server answers a file this
	// station holds whole with 201 and a part of one with its offset. A
	// longer one starts where the server's copy ends.
	var offset int64
	if f.Size > ChunkSize {
		var complete bool
		var err error
		if offset, complete, err = c.held(ctx, f.SHA256); err != nil || complete {
			return err
		}
	}
	file, err := c.store.Blobs().Open(f.SHA256)
	if err != nil {
		return err
	}
	defer file.Close()
	pieces := int((f.Size + ChunkSize - 1) / ChunkSize)
	budget := uploadBudget{bytes: 2*f.Size + ChunkSize, requests: 2*pieces + 2*c.opt.Retries + 2}
	buf := make([]byte, min(int64(ChunkSize), f.Size))
	failures := 0
	// fail counts a failure and waits before the next try, or gives up.
	fail := func(r *resty.Response, err error) error {
		failures++
		if failures > c.opt.Retries {
			if err == nil {
				err = statusError("upload", r)
			}
			return fmt.Errorf("file %s: %w", f.SHA256[:12], err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(c.backoff(failures, r)):
			return nil
		}
	}
	for {
		if offset > f.Size || offset < 0 {
			offset = 0
		}
		n, err := file.ReadAt(buf[:min(int64(ChunkSize), f.Size-offset)], offset)
		if err != nil && !errors.Is(err, io.EOF) {
			return err
		}
		if err := budget.spend(n); err != nil {
			return fmt.Errorf("file %s (%d bytes): %w", f.SHA256[:12], f.Size, err)
		}
		r, err := c.once.R().SetContext(ctx).
			SetHeader(wire.HeaderUploadOffset, strconv.FormatInt(offset, 10)).
			SetHeader(wire.HeaderUploadLength, strconv.FormatInt(f.Size, 10)).
			SetHeader("Content-Type", "application/octet-stream").
			SetBody(buf[:n]).
			Patch("/files/" + f.SHA256)
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if err != nil || r.StatusCode() >= 500 || r.StatusCode() == http.StatusTooManyRequests || r.StatusCode() == http.StatusRequestTimeout {
			if err := fail(r, err); err != nil {
				return err
			}
			var done bool
			if offset, done, err = c.held(ctx, f.SHA256); err != nil || done {
				return err
			}
			continue
		}
		switch r.StatusCode() {
		case http.StatusCreated, http.StatusOK:
			return nil
		case http.StatusNoContent:
			failures = 0
			offset += int64(n)
		case http.StatusConflict:
			// The server holds a different amount: go on from there, after
			// a wait (a server that keeps disputing must not make us spin).
			next, err := strconv.ParseInt(r.Header().Get(wire.HeaderUploadOffset), 10, 64)
			if err != nil {
				return statusError("file "+f.SHA256[:12], r)
			}
			if err := fail(r, nil); err != nil {
				return err
			}
			offset = next
		default:
			return statusError("file "+f.SHA256[:12], r)
		}
	}
}

// uploadBudget is what one file's upload may still spend.
type uploadBudget struct {
	bytes    int64
	requests int
}

// ErrNoProgress is returned when an upload spent its budget without the
// server taking the file.
var ErrNoProgress = errors.New("the server does not take the file: the upload spent its budget of bytes and requests")

func (b *uploadBudget) spend(n int) error {
	b.bytes -= int64(n)
	b.requests--
	if b.bytes < 0 || b.requests < 0 {
		return ErrNoProgress
	}
	return nil
}

// held asks how much of a file the server holds.
func (c *Client) held(ctx context.Context, sum string) (int64, bool, error) {
	r, err := c.rc.R().SetContext(ctx).Head("/files/" + sum)
	if err != nil {
		return 0, false, fmt.Errorf("file %s: %w", sum[:12], err)
	}
	switch r.StatusCode() {
	case http.StatusOK:
		return 0, true, nil
	case http.StatusNotFound:
		off, _ := strconv.ParseInt(r.Header().Get(wire.HeaderUploadOffset), 10, 64)
		return off, false, nil
	}
	return 0, false, statusError("file "+sum[:12], r)
}

// ToWire gives a radicado as the protocol carries it.
func ToWire(r radicado.Record) wire.Radicado {
	w := wire.Radicado{
		Number: r.Number, Year: r.Parts.Year, Office: r.Parts.Office, Station: r.Parts.Station, Kind: int(r.Parts.Kind),
		Seq: r.Parts.Seq, ReceivedAt: r.ReceivedAt, Type: r.Type, SenderName: r.Sender.Name, SenderID: r.Sender.ID.String(),
		Subject: r.Subject, Dept: r.Dept, Due: r.Due.String(), Pages: r.Pages, SHA256: r.SHA256,
		Channel: r.Channel, SenderEmail: r.Sender.Email, Answers: r.Answers, Recipient: r.Recipient, Cites: r.Cites,
	}
	for _, f := range r.Files {
		w.Files = append(w.Files, wire.File{SHA256: f.SHA256, Size: f.Size, Name: f.Name, MediaType: f.MediaType, Pages: f.Pages})
	}
	return w
}

// Manifest gives the station's account of a day: every radicado received
// that day (its local day), with its hashes and state.
func (c *Client) Manifest(ctx context.Context, office, station string, day calendar.Date, loc *time.Location) (wire.Manifest, error) {
	list, err := c.store.List(ctx, store.Filter{Since: day.In(loc), Until: day.AddDays(1).In(loc)})
	if err != nil {
		return wire.Manifest{}, err
	}
	m := wire.Manifest{Office: office, Station: station, Day: day.String(), Radicados: []wire.ManifestEntry{}}
	for _, r := range list {
		if r.Parts.Office != office || r.Parts.Station != station {
			continue
		}
		full, err := c.store.Get(ctx, r.Number)
		if err != nil {
			return m, err
		}
		m.Radicados = append(m.Radicados, wire.ManifestEntry{Number: r.Number, ContentSHA256: ToWire(full).Content(),
			DocumentSHA: full.SHA256, Annulled: full.Status == radicado.Annulled})
	}
	m.Count = len(m.Radicados)
	return m, nil
}

// CheckManifest sends a day's manifest for the server to check.
func (c *Client) CheckManifest(ctx context.Context, m wire.Manifest) (wire.ManifestResult, error) {
	var res wire.ManifestResult
	r, err := c.rc.R().SetContext(ctx).SetBody(m).SetResult(&res).Post("/manifests")
	if err != nil {
		return res, fmt.Errorf("manifest: %w", err)
	}
	if r.StatusCode() != http.StatusOK {
		return res, statusError("manifest", r)
	}
	return res, nil
}

// AnchorCheck is an anchor the server holds, checked against the station's
// audit chain.
type AnchorCheck struct {
	Anchor  wire.HeldAnchor `json:"anchor"`
	OK      bool            `json:"ok"`
	Problem string          `json:"problem,omitempty"`
}

// CheckAnchors fetches the anchors the server holds for this station and
// checks that each event is still in the station's audit chain with the
// same hash.
func (c *Client) CheckAnchors(ctx context.Context) ([]AnchorCheck, error) {
	var held []wire.HeldAnchor
	r, err := c.rc.R().SetContext(ctx).SetResult(&held).Get("/anchors")
	if err != nil {
		return nil, fmt.Errorf("anchors: %w", err)
	}
	if r.StatusCode() != http.StatusOK {
		return nil, statusError("anchors", r)
	}
	out := make([]AnchorCheck, len(held))
	for i, a := range held {
		out[i] = AnchorCheck{Anchor: a}
		e, err := c.store.Event(ctx, a.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			out[i].Problem = fmt.Sprintf("event %d of %s is no longer in the audit chain", a.ID, a.Day)
		case err != nil:
			return out, err
		case e.Hash != a.Hash:
			out[i].Problem = fmt.Sprintf("event %d of %s has another hash than the server's witness: the chain was rewritten", a.ID, a.Day)
		default:
			out[i].OK = true
		}
	}
	return out, nil
}

// Download fetches the server's day sheet (planilla) as CSV or PDF.
func (c *Client) Planilla(ctx context.Context, day, format string, w io.Writer) error {
	r, err := c.rc.R().SetContext(ctx).SetDoNotParseResponse(true).
		SetQueryParams(map[string]string{"day": day, "format": format}).Get("/planilla")
	if err != nil {
		return err
	}
	defer r.RawBody().Close()
	if r.StatusCode() != http.StatusOK {
		return fmt.Errorf("planilla: the server answered %d", r.StatusCode())
	}
	_, err = io.Copy(w, r.RawBody())
	return err
}

// Credentials are what a station needs to reach its server.
type Credentials struct {
	Server string `json:"server"`
	Token  string `json:"token"`
}

// CredentialsFile is the file in the data folder that keeps them, readable
// by the station's user only. (Not in the database: settings are in the
// audit log, and a token has no place there.)
const CredentialsFile = "server.json"

// ErrNotEnrolled is returned when the station has no server yet.
var ErrNotEnrolled = errors.New("this station is not enrolled: run 'radicador enroll --server URL --token TOKEN'")

// LoadCredentials reads the credentials kept in dir.
func LoadCredentials(dir string) (Credentials, error) {
	var c Credentials
	b, err := os.ReadFile(filepath.Join(dir, CredentialsFile))
	if errors.Is(err, os.ErrNotExist) {
		return c, ErrNotEnrolled
	}
	if err != nil {
		return c, err
	}
	return c, json.Unmarshal(b, &c)
}

// SaveCredentials keeps credentials in dir.
func SaveCredentials(dir string, c Credentials) error {
	b, _ := json.MarshalIndent(c, "", "  ")
	return atomicfile.Write(filepath.Join(dir, CredentialsFile), b, 0o600)
}

// quiet drops resty's own log lines: retries are expected, and what fails
// in the end comes back as an error.
type quiet struct{}

func (quiet) Errorf(string, ...any) {}
func (quiet) Warnf(string, ...any)  {}
func (quiet) Debugf(string, ...any) {}

// Config gives the organisation's configuration when the server has one
// other than version have; changed is false when it has not (or is an
// older server, without one).
func (c *Client) Config(ctx context.Context, have int64) (cfg wire.OrgConfig, changed bool, err error) {
	resp, err := c.rc.R().SetContext(ctx).SetHeader("If-None-Match", fmt.Sprintf(`"v%d"`, have)).SetResult(&cfg).Get("/config")
	if err != nil {
		return cfg, false, err
	}
	switch resp.StatusCode() {
	case http.StatusNotModified, http.StatusNotFound:
		return wire.OrgConfig{}, false, nil
	case http.StatusOK:
		return cfg, cfg.Version != have, nil
	}
	return cfg, false, statusError("configuration", resp)
}

// Acuses gives where the acuses of the station's radicados stand (nil from
// an older server).
func (c *Client) Acuses(ctx context.Context) ([]wire.Acuse, error) {
	return getList[wire.Acuse](ctx, c, "/acuses", "acuses")
}

// Returned gives the station's radicados that a department returned to
// the ventanilla (none from an older server).
func (c *Client) Returned(ctx context.Context) ([]wire.Returned, error) {
	return getList[wire.Returned](ctx, c, "/returned", "returned radicados")
}

// getList gets a list the server gives the station at path; nil when the
// server is older than it (404).
func getList[T any](ctx context.Context, c *Client, path, what string) ([]T, error) {
	var list []T
	resp, err := c.rc.R().SetContext(ctx).SetResult(&list).Get(path)
	if err != nil {
		return nil, err
	}
	switch resp.StatusCode() {
	case http.StatusOK:
		return list, nil
	case http.StatusNotFound:
		return nil, nil
	}
	return nil, statusError(what, resp)
}
