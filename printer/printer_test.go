package printer

import (
	"bytes"
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/printer/printertest"
)

var zplJob = []byte("^XA\n^CI28\n^FO10,10^A0N,30,30^FDAlcaldía de Ñuñoa^FS\n^PQ1\n^XZ\n")

func fast() Timeouts {
	return Timeouts{Connect: time.Second, Write: time.Second, Status: 500 * time.Millisecond}
}

func TestTCPZebra(t *testing.T) {
	cases := []struct {
		name    string
		setup   func(*printertest.Zebra)
		reason  string // "" prints
		printed bool
	}{
		{"ready", func(*printertest.Zebra) {}, "", true},
		{"out of labels", func(z *printertest.Zebra) { z.PaperOut.Store(true) }, "out of labels", false},
		{"paused", func(z *printertest.Zebra) { z.Paused.Store(true) }, "paused", false},
		{"head open", func(z *printertest.Zebra) { z.HeadOpen.Store(true) }, "head open", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			z := printertest.NewZebra(t, "")
			tc.setup(z)
			p := &TCP{Addr: z.Addr(), Timeouts: fast()}
			err := p.Print(context.Background(), Job{Data: zplJob, Language: "zpl"})
			if tc.reason == "" && err != nil {
				t.Fatal(err)
			}
			if tc.reason != "" && (err == nil || !strings.Contains(err.Error(), tc.reason)) {
				t.Fatalf("got %v, want an error saying %q", err, tc.reason)
			}
			var got []byte
			wait := 200 * time.Millisecond // for nothing to come
			if tc.printed {
				wait = 5 * time.Second
			}
			select {
			case got = <-z.Jobs:
			case <-time.After(wait):
			}
			if tc.printed != bytes.Equal(got, zplJob) {
				t.Errorf("the printer received %q", got)
			}
		})
	}
}

// TestTCPFaults: a printer that takes the connection and never reads, one
// that refuses it, one that closes in the middle: each a clear error within
// the timeouts.
func TestTCPFaults(t *testing.T) {
	silent, _ := net.Listen("tcp", "127.0.0.1:0")
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never read
		}
	}()
	refusing, _ := net.Listen("tcp", "127.0.0.1:0")
	refusedAddr := refusing.Addr().String()
	refusing.Close()
	closing, _ := net.Listen("tcp", "127.0.0.1:0")
	defer closing.Close()
	go func() {
		for {
			c, err := closing.Accept()
			if err != nil {
				return
			}
			c.Read(make([]byte, 2)) // two bytes of the job, then gone
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}
	}()
	big := bytes.Repeat([]byte("^FO10,10^GB100,100,100^FS\n"), 1<<20) // 27 MB: more than loopback's socket buffers
	cases := []struct {
		name, addr, lang string
		job              []byte
		reason           string
	}{
		{"never reads (zpl)", silent.Addr().String(), "zpl", zplJob, "did not answer its status"},
		{"never reads (tspl)", silent.Addr().String(), "tspl", []byte("CLS\nPRINT 1,1\n"), "did not answer its status"},
		{"never reads (epl, a long job)", silent.Addr().String(), "epl", big, "did not take the job"},
		{"refuses", refusedAddr, "zpl", zplJob, "refused the connection"},
		{"closes mid-job (zpl)", closing.Addr().String(), "zpl", zplJob, "closed the connection"},
		{"closes mid-job (epl, a long job)", closing.Addr().String(), "epl", big, "closed the connection"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := &TCP{Addr: tc.addr, Timeouts: fast()}
			start := time.Now()
			err := p.Print(context.Background(), Job{Data: tc.job, Language: tc.lang})
			took := time.Since(start)
			var pe *Error
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("got %v, want an error saying %q", err, tc.reason)
			}
			if took > 3*time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
}

func TestTSPLStatus(t *testing.T) {
	for _, tc := range []struct {
		b      byte
		reason string
	}{{0x00, ""}, {0x04, "out of labels"}, {0x01, "head open"}, {0x10, "paused"}, {0x20, ""}} {
		ln, _ := net.Listen("tcp", "127.0.0.1:0")
		got := make(chan []byte, 1)
		go func() {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
			var all bytes.Buffer
			buf := make([]byte, 512)
			for {
				n, err := c.Read(buf)
				all.Write(buf[:n])
				for bytes.Count(all.Bytes(), []byte("\x1b!?")) > bytes.Count(all.Bytes()[:all.Len()-n], []byte("\x1b!?")) {
					c.Write([]byte{tc.b})
					break
				}
				if err != nil {
					got <- all.Bytes()
					return
				}
			}
		}()
		p := &TCP{Addr: ln.Addr().String(), Timeouts: fast()}
		err := p.Print(context.Background(), Job{Data: []byte("CLS\nPRINT 1,1\n"), Language: "tspl"})
		if (tc.reason == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.reason)) {
			t.Errorf("status %#x: %v, want %q", tc.b, err, tc.reason)
		}
		ln.Close()
		<-got
	}
}

func TestFile(t *testing.T) {
	dir := t.TempDir()
	p, err := Open("file://"+filepath.Join(dir, "out.zpl"), fast())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(context.Background(), Job{Data: zplJob}); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "out.zpl")); !bytes.Equal(got, zplJob) {
		t.Errorf("the file holds %q", got)
	}
	// A folder: one file per job, named after it, replaced by a new one.
	folder, err := Open("file://"+dir+"/preview/", fast())
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range []Job{
		{Data: []byte("first"), Language: "png", Title: "2026001010000012-sticker"},
		{Data: []byte("second"), Language: "png", Title: "2026001010000012-sticker"},
		{Data: []byte("receipt"), Language: "pdf", Title: "2026001010000012-receipt"},
		{Data: []byte("odd"), Language: "", Title: "../x"},
	} {
		if err := folder.Print(context.Background(), j); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(dir, "preview"))
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != ".._x.prn 2026001010000012-receipt.pdf 2026001010000012-sticker.png" {
		t.Errorf("the folder holds %v", names)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "preview", "2026001010000012-sticker.png")); string(got) != "second" {
		t.Errorf("the sticker file holds %q", got)
	}
	// A USB printer that is not plugged in has no device file.
	usb, _ := Open("usb://"+filepath.Join(dir, "lp0"), fast())
	if err := usb.Print(context.Background(), Job{Data: zplJob}); err == nil || !strings.Contains(err.Error(), "not connected") {
		t.Errorf("a missing device: %v", err)
	}
	// A device nobody reads (a FIFO without a reader blocks like a printer
	// that is off): an error within the timeout.
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	blocked := &File{Path: fifo, Device: true, Timeout: 300 * time.Millisecond}
	start := time.Now()
	if err := blocked.Print(context.Background(), Job{Data: zplJob}); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("a blocked device: %v after %v", err, time.Since(start))
	}
	os.Remove(fifo) // the goroutine still waiting on it stays blocked; the test ends
}

func TestOpen(t *testing.T) {
	cases := []struct {
		uri, want string
		ok        bool
	}{
		{"tcp://10.0.0.5", "tcp://10.0.0.5:9100", true},
		{"tcp://zebra.local:6101", "tcp://zebra.local:6101", true},
		{"cups://Zebra_GK420", "cups://Zebra_GK420", true},
		{"cups://print.local:631/Zebra", "cups://print.local:631/Zebra", true},
		{"windows://ZDesigner GK420t", "windows://ZDesigner GK420t", true},
		{"usb:///dev/usb/lp0", "/dev/usb/lp0", true},
		{"file:///tmp/x.zpl", "/tmp/x.zpl", true},
		{"lpt1", "", false},
		{"ftp://x", "", false},
		{"tcp://", "", false},
	}
	for _, tc := range cases {
		p, err := Open(tc.uri, fast())
		if (err == nil) != tc.ok || (tc.ok && p.String() != tc.want) {
			t.Errorf("Open(%q) = %v, %v", tc.uri, p, err)
		}
	}
}
