package server

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"
)

// ServeOptions say how Serve listens.
type ServeOptions struct {
	TLSCert, TLSKey string // PEM files; both set: HTTPS
	// ShutdownGrace is how long the requests under way may take to finish
	// once ctx ends (default 30 s).
	ShutdownGrace time.Duration
	// Handler is what is served: the API's routes when nil (the server
	// program adds the console's beside them).
	Handler http.Handler
}

// Serve answers the API on l until ctx ends, then stops taking
// connections, lets the requests under way finish (within ShutdownGrace)
// and returns. While it runs it removes abandoned uploads every
// Limits.SweepEvery.
func (s *Server) Serve(ctx context.Context, l net.Listener, opt ServeOptions) error {
	if opt.ShutdownGrace <= 0 {
		opt.ShutdownGrace = 30 * time.Second
	}
	h := opt.Handler
	if h == nil {
		h = s.Handler()
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Bodies and answers have deadlines of their own, from their
		// length (guard, getFile).
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
	}
	l = limitListener(l, s.limits.MaxConns, s.limits.MaxConnsPerIP)

	jctx, stopJanitor := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.janitor(jctx)
	}()
	defer func() {
		stopJanitor()
		wg.Wait()
	}()

	errc := make(chan error, 1)
	go func() {
		if opt.TLSCert != "" {
			errc <- srv.ServeTLS(l, opt.TLSCert, opt.TLSKey)
		} else {
			errc <- srv.Serve(l)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down: finishing the requests under way")
	sctx, cancel := context.WithTimeout(context.Background(), opt.ShutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		// The grace is over: what still runs is cut (its client retries).
		s.log.Warn("shutting down: connections still open were cut", "error", err.Error())
		srv.Close()
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// janitor removes abandoned uploads until ctx ends: at once, then every
// SweepEvery.
func (s *Server) janitor(ctx context.Context) {
	for {
		n, err := s.db.SweepPartials(s.limits.PartialAge)
		if err != nil {
			s.log.Error("removing abandoned uploads", "error", err.Error())
		} else if n > 0 {
			s.log.Info("removed abandoned uploads", "count", n, "older_than", s.limits.PartialAge.String())
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(s.limits.SweepEvery):
		}
	}
}

// limitListener bounds the connections open at once: beyond max in all,
// Accept waits for one to close; beyond perIP from one address, the new
// connection is closed at once.
func limitListener(l net.Listener, max, perIP int) net.Listener {
	return &limited{Listener: l, slots: make(chan struct{}, max), perIP: perIP, byIP: map[string]int{}, done: make(chan struct{})}
}

type limited struct {
	net.Listener
	slots chan struct{}
	perIP int
	done  chan struct{}
	stop  sync.Once

	mu   sync.Mutex
	byIP map[string]int
}

func (l *limited) Accept() (net.Conn, error) {
	for {
		select {
		case l.slots <- struct{}{}:
		case <-l.done:
			return nil, net.ErrClosed
		}
		c, err := l.Listener.Accept()
		if err != nil {
			<-l.slots
			return nil, err
		}
		ip := remoteIP(c)
		l.mu.Lock()
		if l.byIP[ip] >= l.perIP {
			l.mu.Unlock()
			c.Close()
			<-l.slots
			continue
		}
		l.byIP[ip]++
		l.mu.Unlock()
		return &limitedConn{Conn: c, l: l, ip: ip}, nil
	}
}

func (l *limited) Close() error {
	l.stop.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func remoteIP(c net.Conn) string {
	host, _, err := net.SplitHostPort(c.RemoteAddr().String())
	if err != nil {
		return c.RemoteAddr().String()
	}
	return host
}

type limitedConn struct {
	net.Conn
	l    *limited
	ip   string
	once sync.Once
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() {
		c.l.mu.Lock()
		if c.l.byIP[c.ip]--; c.l.byIP[c.ip] <= 0 {
			delete(c.l.byIP, c.ip)
		}
		c.l.mu.Unlock()
		<-c.l.slots
	})
	return err
}
