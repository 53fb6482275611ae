//go:build linux

package netemu

import (
	"context"
	"io"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"
)

// pair makes two namespaces joined by a link of cfg.
func pair(t *testing.T, cfg Config) (a, b *Namespace, l *Link) {
	t.Helper()
	if err := Possible(); err != nil {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatalf("a link cannot be made: %v", err)
		}
		t.Skipf("a link cannot be made: %v", err)
	}
	var err error
	if a, err = NewNamespace("emu-a"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	if b, err = NewNamespace("emu-b"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { b.Close() })
	if l, err = Open(a.Name, b.Name, netip.MustParseAddr("10.77.0.1"), netip.MustParseAddr("10.77.0.2"), cfg); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	return a, b, l
}

// sink listens in b and reads whatever comes, until the test ends; it
// gives the address and, for each connection, what it read.
func sink(t *testing.T, b *Namespace) (string, <-chan int64) {
	ln, err := b.Listen("tcp", "10.77.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	got := make(chan int64, 16)
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			n, _ := io.Copy(io.Discard, c)
			c.Close()
			got <- n
		}
	}()
	return ln.Addr().String(), got
}

func TestLink(t *testing.T) {
	const size = 500_000
	for _, tc := range []struct {
		name     string
		cfg      Config
		min, max time.Duration // for size bytes, connection and all
	}{
		// 4 Mbit/s: 1 s for the bytes; 40 ms each way.
		{"rate and delay", Config{Rate: 4e6, Delay: 40 * time.Millisecond}, 1000 * time.Millisecond, 1600 * time.Millisecond},
		{"and losses", Config{Rate: 4e6, Delay: 40 * time.Millisecond, Loss: 0.02, Seed: 3}, 1000 * time.Millisecond, 6 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, b, l := pair(t, tc.cfg)
			addr, got := sink(t, b)
			ctx := context.Background()
			start := time.Now()
			c, err := a.DialContext(ctx, "tcp", addr)
			if err != nil {
				t.Fatal(err)
			}
			if rtt := time.Since(start); rtt < 80*time.Millisecond || rtt > 200*time.Millisecond {
				t.Errorf("connecting took %v: the round trip is 80 ms", rtt)
			}
			if _, err := c.Write(make([]byte, size)); err != nil {
				t.Fatal(err)
			}
			c.Close()
			if n := <-got; n != size {
				t.Fatalf("%d bytes arrived, want %d", n, size)
			}
			took := time.Since(start)
			if took < tc.min || took > tc.max {
				t.Errorf("%d bytes took %v, want %v to %v", size, took, tc.min, tc.max)
			}
			ab, ba := l.Stats()
			// Each byte counts once however often TCP sent it again.
			if ab.Payload != size || ba.Payload != 0 {
				t.Errorf("payload counted: %d one way, %d back; want %d and 0", ab.Payload, ba.Payload, size)
			}
			if tc.cfg.Loss > 0 && (ab.Lost == 0 || ab.Bytes < size+ab.Lost*1000) {
				t.Errorf("with losses: %+v", ab)
			}
			t.Logf("%v: %+v / %+v", took.Round(time.Millisecond), ab, ba)
		})
	}
}

func TestCut(t *testing.T) {
	a, b, l := pair(t, Config{Delay: 5 * time.Millisecond})
	addr, got := sink(t, b)
	l.SetDown(true)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	if c, err := a.DialContext(ctx, "tcp", addr); err == nil {
		c.Close()
		t.Fatal("connected over a cut link")
	}
	// A connection made before the cut waits it out, and what it sent
	// during the cut arrives after.
	l.SetDown(false)
	c, err := a.DialContext(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	l.SetDown(true)
	c.Write([]byte("durante el corte"))
	time.Sleep(400 * time.Millisecond)
	select {
	case <-got:
		t.Fatal("the bytes crossed a cut link")
	default:
	}
	l.SetDown(false)
	c.Close()
	select {
	case n := <-got:
		if n != int64(len("durante el corte")) {
			t.Errorf("%d bytes after the cut", n)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("nothing arrived once the link was back")
	}
	// Nothing of it leaks into the namespace this process runs in.
	if _, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
		t.Error("the far side is reachable from outside the namespaces")
	}
}
