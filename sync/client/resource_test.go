package client_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/sync/client"
	"github.com/radicador/radicador/sync/server"
)

// TestTrickleAttack: 200 connections, with the tokens of 50 stations,
// announce 8 MiB pieces and trickle 64 KiB every 2 s into them for 20 s.
// The server, run as radicador-server runs it (Serve, with its connection
// caps and body deadlines), keeps its heap under 200 MB (it would take
// 1.6 GB to hold each announced piece), and a valid station that syncs
// at the same time finishes. The attackers come from 127.0.0.2, the
// station from 127.0.0.1.
func TestTrickleAttack(t *testing.T) {
	if testing.Short() {
		t.Skip("20 s of trickling")
	}
	const (
		conns    = 200
		tokens   = 50
		announce = 8 << 20
		piece    = 64 << 10
		every    = 2 * time.Second
		lasting  = 20 * time.Second
		heapMax  = 200 << 20
	)
	ctx := context.Background()
	dir := t.TempDir()
	db, err := central.Open(ctx, filepath.Join(dir, "central.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for i := range tokens {
		if err := db.AddStation(ctx, central.Principal{Office: "900", Station: fmt.Sprintf("%02d", i)}, central.HashToken(fmt.Sprintf("evil-%d", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddStation(ctx, central.Principal{Office: "001", Station: "01"}, central.HashToken("good")); err != nil {
		t.Fatal(err)
	}
	limits := server.DefaultLimits
	limits.MaxConnsPerIP = 256
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().(*net.TCPAddr)
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() {
		served <- server.New(db, nil, limits).Serve(sctx, l, server.ServeOptions{ShutdownGrace: time.Second})
	}()
	defer func() {
		stop()
		if err := <-served; err != nil {
			t.Logf("serve: %v", err)
		}
	}()

	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)

	// The attackers.
	var wg sync.WaitGroup
	var opened, cut atomic.Int64
	done := make(chan struct{})
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.IPv4(127, 0, 0, 2)}, Timeout: 5 * time.Second}
			c, err := d.Dial("tcp", addr.String())
			if err != nil {
				return
			}
			defer c.Close()
			opened.Add(1)
			var sum [32]byte
			rand.Read(sum[:])
			fmt.Fprintf(c, "PATCH /api/v1/files/%s HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer evil-%d\r\nUpload-Offset: 0\r\nUpload-Length: %d\r\nContent-Length: %d\r\n\r\n",
				hex.EncodeToString(sum[:]), i%tokens, announce, announce)
			buf := make([]byte, piece)
			tick := time.NewTicker(every)
			defer tick.Stop()
			for {
				if _, err := c.Write(buf); err != nil {
					cut.Add(1)
					return
				}
				select {
				case <-done:
					return
				case <-tick.C:
				}
			}
		}()
	}

	// The heap, sampled while they trickle.
	var peak atomic.Uint64
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(250 * time.Millisecond):
			}
		}
	}()

	// The valid station, syncing meanwhile.
	time.Sleep(time.Second)
	st := newStation(t, t.TempDir())
	defer st.Close()
	radicate(t, st, 20)
	cl, err := client.New(fmt.Sprintf("http://127.0.0.1:%d", addr.Port), "good", storeOf(t, st), client.Options{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := cl.Sync(ctx)
	took := time.Since(start)
	if err != nil || rep.Sent != 20 {
		t.Errorf("the valid station's sync under attack: %+v, %v", rep, err)
	}

	time.Sleep(time.Until(start.Add(lasting - time.Second)))
	close(done)
	wg.Wait()
	<-sampled
	used := int64(peak.Load()) - int64(before.HeapInuse)
	t.Logf("%d attacking connections (%d cut by the server); heap in use: %.1f MB before, peak %.1f MB (+%.1f MB); the station synced 20 radicados in %s",
		opened.Load(), cut.Load(), float64(before.HeapInuse)/(1<<20), float64(peak.Load())/(1<<20), float64(used)/(1<<20), took.Round(time.Millisecond))
	if peak.Load() > heapMax {
		t.Errorf("heap peaked at %.1f MB, over %d MB", float64(peak.Load())/(1<<20), heapMax>>20)
	}
	if opened.Load() < conns*9/10 {
		t.Errorf("only %d of %d attacking connections opened: the test did not attack", opened.Load(), conns)
	}
	// The attackers' uploads are on disk, not in memory: each holds what
	// it trickled.
	var held int64
	for i := range tokens {
		n, _, _ := db.PartialUsage(central.Principal{Office: "900", Station: fmt.Sprintf("%02d", i)})
		held += n
	}
	if held < int64(conns)*announce*9/10 {
		t.Errorf("the attackers' uploads announce %d bytes in all: they were not being received", held)
	}
}

// TestUploadNeverSpins: a server that disputes every piece's offset (409)
// or fails (500) gets a bounded number of requests and bytes, spaced by
// backoff, and the upload ends with an error.
func TestUploadNeverSpins(t *testing.T) {
	for _, answer := range []int{409, 500} {
		t.Run(fmt.Sprint(answer), func(t *testing.T) {
			var patches, bytesIn atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				switch r.Method {
				case "PATCH":
					patches.Add(1)
					n, _ := io.Copy(io.Discard, r.Body)
					bytesIn.Add(n)
					w.Header().Set("Upload-Offset", "0")
					w.WriteHeader(answer)
				case "HEAD":
					w.Header().Set("Upload-Offset", "0")
					w.WriteHeader(404)
				}
			}))
			defer srv.Close()
			st := newStation(t, t.TempDir())
			defer st.Close()
			rec := radicate(t, st, 1)[0]
			cl, err := client.New(srv.URL, "tok", storeOf(t, st), client.Options{Retries: 4, RetryWait: time.Millisecond, MaxWait: 5 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err = cl.Upload(context.Background(), rec.Files[0])
			if err == nil {
				t.Fatal("an upload the server never takes succeeded")
			}
			size := rec.Files[0].Size
			if p := patches.Load(); p > 2+2*4+2 || bytesIn.Load() > 2*size+client.ChunkSize {
				t.Errorf("%d requests, %d bytes for a %d-byte file: the client spins", p, bytesIn.Load(), size)
			}
			t.Logf("%d requests, %d bytes in %s: %v", patches.Load(), bytesIn.Load(), time.Since(start).Round(time.Millisecond), err)
		})
	}
}
