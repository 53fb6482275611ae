// Package printertest is a ZPL label printer on a local socket, for tests:
// it answers the host status query (~HS) with the flags it is set to, and
// hands over what else each connection sent. A Zebra printer cannot run in
// a test; its socket protocol can.
package printertest

import (
	"bufio"
	"bytes"
	"io"
	"net"
	"sync/atomic"
	"testing"
)

// Zebra is the printer. Its flags may change while it runs.
type Zebra struct {
	ln                         net.Listener
	PaperOut, Paused, HeadOpen atomic.Bool
	// Jobs receives, per connection, the bytes it sent besides ~HS.
	Jobs chan []byte
}

// NewZebra starts a printer on 127.0.0.1 (addr "" for any free port), closed
// when the test ends.
func NewZebra(t testing.TB, addr string) *Zebra {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	z := &Zebra{ln: ln, Jobs: make(chan []byte, 100)}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go z.serve(conn)
		}
	}()
	return z
}

// Addr is where the printer listens.
func (z *Zebra) Addr() string { return z.ln.Addr().String() }

// URI names the printer for printer.Open.
func (z *Zebra) URI() string { return "tcp://" + z.Addr() }

func flag(b *atomic.Bool) string {
	if b.Load() {
		return "1"
	}
	return "0"
}

func (z *Zebra) serve(conn net.Conn) {
	defer conn.Close()
	var job bytes.Buffer
	r := bufio.NewReader(conn)
	for {
		b, err := r.ReadByte()
		if err != nil {
			if job.Len() > 0 {
				z.Jobs <- job.Bytes()
			}
			return
		}
		job.WriteByte(b)
		if bytes.HasSuffix(job.Bytes(), []byte("~HS")) {
			job.Truncate(job.Len() - 3)
			io.WriteString(conn, "\x02030,"+flag(&z.PaperOut)+","+flag(&z.Paused)+",1245,000,0,0,0,000,0,0,0\x03\r\n"+
				"\x02001,0,"+flag(&z.HeadOpen)+",0,0,2,6,0,00000000,1,000\x03\r\n\x021234,0\x03\r\n")
		}
	}
}
