// Package escl drives driverless network scanners through eSCL (AirScan):
// a pure Go client of the protocol, discovery over mDNS, and a scanner
// driver registered under escl:URL (escl:http://host:port/eSCL).
package escl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Client talks to one scanner's eSCL root (http://host:port/eSCL).
type Client struct {
	root *url.URL
	http *http.Client
	// Retries bounds the 503 answers waited out for one request, and
	// RetryPause is the wait between them (Retry-After when the scanner
	// gives one, up to MaxRetryPause).
	Retries       int
	RetryPause    time.Duration
	MaxRetryPause time.Duration
}

// NewClient gives a client for the eSCL root at rawURL. A nil hc uses a
// client with connection and header timeouts (the body of a page may take
// long: the context bounds it).
func NewClient(rawURL string, hc *http.Client) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(rawURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("eSCL address %q: give the scanner's http(s)://host[:port]/eSCL", rawURL)
	}
	if u.Path == "" {
		u.Path = "/eSCL"
	}
	if hc == nil {
		tr := http.DefaultTransport.(*http.Transport).Clone()
		tr.ResponseHeaderTimeout = 60 * time.Second
		hc = &http.Client{Transport: tr}
	}
	return &Client{root: u, http: hc, Retries: 30, RetryPause: time.Second, MaxRetryPause: 5 * time.Second}, nil
}

// Root gives the eSCL root URL.
func (c *Client) Root() string { return c.root.String() }

// ErrNotFound is an answer of 404: for NextDocument, the job has no more pages.
var ErrNotFound = errors.New("not found")

// StatusError is an HTTP answer the protocol does not expect.
type StatusError struct {
	Op     string
	Status int
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("eSCL %s: the scanner answered %d %s", e.Op, e.Status, http.StatusText(e.Status))
}

func (c *Client) resolve(path string) string {
	u := *c.root
	u.Path = strings.TrimSuffix(c.root.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	return u.String()
}

// do sends a request, waiting out 503 answers up to c.Retries times.
func (c *Client) do(ctx context.Context, op, method, target string, body []byte) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, target, rd)
		if err != nil {
			return nil, err
		}
		if body != nil {
			req.Header.Set("Content-Type", "text/xml")
		}
		resp, err := c.http.Do(req)
		if err != nil {
			return nil, fmt.Errorf("eSCL %s: %w", op, err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable {
			return resp, nil
		}
		pause := c.RetryPause
		if s, err := strconv.Atoi(resp.Header.Get("Retry-After")); err == nil && s >= 0 {
			pause = time.Duration(s) * time.Second
		}
		pause = min(pause, c.MaxRetryPause)
		io.Copy(io.Discard, io.LimitReader(resp.Body, maxXML))
		resp.Body.Close()
		if attempt >= c.Retries {
			return nil, fmt.Errorf("eSCL %s: the scanner stayed busy (503) after %d attempts", op, attempt+1)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(pause):
		}
	}
}

func (c *Client) getXML(ctx context.Context, op, path string) ([]byte, error) {
	resp, err := c.do(ctx, op, http.MethodGet, c.resolve(path), nil)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, &StatusError{op, resp.StatusCode}
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxXML+1))
	if err != nil {
		return nil, fmt.Errorf("eSCL %s: %w", op, err)
	}
	if len(b) > maxXML {
		return nil, fmt.Errorf("eSCL %s: the answer is larger than %d bytes", op, maxXML)
	}
	return b, nil
}

// Capabilities reads the scanner's capabilities.
func (c *Client) Capabilities(ctx context.Context) (*Capabilities, error) {
	b, err := c.getXML(ctx, "ScannerCapabilities", "ScannerCapabilities")
	if err != nil {
		return nil, err
	}
	return ParseCapabilities(b)
}

// Status reads the scanner's status.
func (c *Client) Status(ctx context.Context) (*Status, error) {
	b, err := c.getXML(ctx, "ScannerStatus", "ScannerStatus")
	if err != nil {
		return nil, err
	}
	return ParseStatus(b)
}

// CreateJob starts a job and gives its URL. The URL keeps the scheme and
// host this client reached the scanner at, and takes only the path from the
// Location header: scanners often name themselves "localhost" or an
// address of another network there.
func (c *Client) CreateJob(ctx context.Context, s Settings) (string, error) {
	resp, err := c.do(ctx, "ScanJobs", http.MethodPost, c.resolve("ScanJobs"), s.Marshal())
	if err != nil {
		return "", err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxXML))
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusCreated:
	case http.StatusConflict:
		return "", fmt.Errorf("eSCL ScanJobs: the scanner is busy with another job (409)")
	default:
		return "", &StatusError{"ScanJobs", resp.StatusCode}
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return "", errors.New("eSCL ScanJobs: the scanner created a job but did not say where (no Location)")
	}
	lu, err := url.Parse(loc)
	if err != nil || lu.Path == "" {
		return "", fmt.Errorf("eSCL ScanJobs: the job location %q is not a URL", loc)
	}
	job := *c.root
	job.Path = lu.Path
	if !strings.HasPrefix(lu.Path, "/") { // relative to the ScanJobs URL
		job.Path = strings.TrimSuffix(c.root.Path, "/") + "/ScanJobs/" + lu.Path
	}
	job.RawQuery = ""
	return job.String(), nil
}

// NextDocument copies the job's next page into w and gives its media type.
// It returns ErrNotFound when the job has no more pages.
func (c *Client) NextDocument(ctx context.Context, job string, w io.Writer) (string, int64, error) {
	resp, err := c.do(ctx, "NextDocument", http.MethodGet, strings.TrimSuffix(job, "/")+"/NextDocument", nil)
	if err != nil {
		return "", 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound, http.StatusGone:
		return "", 0, ErrNotFound
	default:
		return "", 0, &StatusError{"NextDocument", resp.StatusCode}
	}
	n, err := io.Copy(w, resp.Body)
	if err != nil {
		return "", n, fmt.Errorf("eSCL NextDocument: the page broke off after %d bytes: %w", n, err)
	}
	if resp.ContentLength >= 0 && n != resp.ContentLength {
		return "", n, fmt.Errorf("eSCL NextDocument: the page broke off after %d of %d bytes", n, resp.ContentLength)
	}
	ct := resp.Header.Get("Content-Type")
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.TrimSpace(ct), n, nil
}

// DeleteJob cancels a job (or frees a finished one).
func (c *Client) DeleteJob(ctx context.Context, job string) error {
	resp, err := c.do(ctx, "DELETE job", http.MethodDelete, job, nil)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxXML))
	resp.Body.Close()
	if resp.StatusCode >= 300 && resp.StatusCode != http.StatusNotFound {
		return &StatusError{"DELETE job", resp.StatusCode}
	}
	return nil
}
