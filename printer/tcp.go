package printer

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"
)

// TCP is a printer that takes raw jobs on a socket (port 9100).
type TCP struct {
	Addr     string
	Timeouts Timeouts
}

func (p *TCP) String() string { return "tcp://" + p.Addr }

func (p *TCP) timeouts() Timeouts {
	t := p.Timeouts
	if t.Connect <= 0 {
		t.Connect = DefaultTimeouts.Connect
	}
	if t.Write <= 0 {
		t.Write = DefaultTimeouts.Write
	}
	if t.Status <= 0 {
		t.Status = DefaultTimeouts.Status
	}
	return t
}

func (p *TCP) fail(reason string, err error) error {
	return &Error{Printer: p.Addr, Reason: reason, Err: err}
}

// Print connects, sends the job and closes. A ZPL or TSPL printer is
// asked how it is before the job (out of labels, paused, head open: the job
// is not sent) and after it (an answer means it took the whole job).
// EPL2 printers have no status query: for them a job written is a job
// printed, as far as the socket can tell.
func (p *TCP) Print(ctx context.Context, job Job) error {
	t := p.timeouts()
	d := net.Dialer{Timeout: t.Connect}
	conn, err := d.DialContext(ctx, "tcp", p.Addr)
	if err != nil {
		switch {
		case errors.Is(err, syscall.ECONNREFUSED):
			return p.fail("refused the connection: is it on, and is this its address?", err)
		case isTimeout(err):
			return p.fail(fmt.Sprintf("did not answer in %v: is it on the network?", t.Connect), err)
		}
		return p.fail("could not connect", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	r := bufio.NewReader(conn)
	if err := p.status(conn, r, job.Language, t); err != nil {
		return err
	}
	conn.SetWriteDeadline(time.Now().Add(t.Write))
	if _, err := conn.Write(job.Data); err != nil {
		if isTimeout(err) {
			return p.fail(fmt.Sprintf("did not take the job in %v", t.Write), err)
		}
		return p.fail("closed the connection before taking the whole job", err)
	}
	if err := p.status(conn, r, job.Language, t); err != nil {
		return err
	}
	return ctx.Err()
}

// status asks a ZPL or TSPL printer whether it can print.
func (p *TCP) status(conn net.Conn, r *bufio.Reader, lang string, t Timeouts) error {
	var query string
	switch lang {
	case "zpl":
		query = "~HS"
	case "tspl":
		query = "\x1b!?"
	default:
		return nil
	}
	conn.SetWriteDeadline(time.Now().Add(t.Write))
	if _, err := io.WriteString(conn, query); err != nil {
		return p.fail("closed the connection", err)
	}
	conn.SetReadDeadline(time.Now().Add(t.Status))
	defer conn.SetReadDeadline(time.Time{})
	if lang == "tspl" {
		b, err := r.ReadByte()
		if err != nil {
			return p.noAnswer(err, t)
		}
		return p.tsplStatus(b)
	}
	var lines []string
	for len(lines) < 3 {
		line, err := r.ReadString('\n')
		if err != nil {
			return p.noAnswer(err, t)
		}
		if line = strings.Trim(line, "\x02\x03\r\n "); line != "" {
			lines = append(lines, line)
		}
	}
	return p.zplStatus(lines)
}

func (p *TCP) noAnswer(err error, t Timeouts) error {
	if isTimeout(err) {
		return p.fail(fmt.Sprintf("did not answer its status in %v: is it a label printer, and on?", t.Status), err)
	}
	return p.fail("closed the connection in the middle of the job", err)
}

// zplStatus reads the three lines of ~HS: the first has the paper-out and
// pause flags (fields 2 and 3), the second the head-up and ribbon-out ones
// (fields 3 and 4).
func (p *TCP) zplStatus(lines []string) error {
	one := strings.Split(lines[0], ",")
	two := strings.Split(lines[1], ",")
	if len(one) < 3 || len(two) < 4 {
		return p.fail("answered its status in a form this program does not know", fmt.Errorf("%q", lines))
	}
	switch {
	case one[1] == "1":
		return p.fail("is out of labels", nil)
	case two[2] == "1":
		return p.fail("has its head open", nil)
	case two[3] == "1":
		return p.fail("is out of ribbon", nil)
	case one[2] == "1":
		return p.fail("is paused: press its pause button", nil)
	}
	return nil
}

// tsplStatus reads the status byte of <ESC>!?.
func (p *TCP) tsplStatus(b byte) error {
	switch {
	case b&0x04 != 0:
		return p.fail("is out of labels", nil)
	case b&0x01 != 0:
		return p.fail("has its head open", nil)
	case b&0x02 != 0:
		return p.fail("has a paper jam", nil)
	case b&0x08 != 0:
		return p.fail("is out of ribbon", nil)
	case b&0x10 != 0:
		return p.fail("is paused: press its pause button", nil)
	case b&0x80 != 0:
		return p.fail("reports an error", nil)
	}
	return nil
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
