package printer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// CUPS prints through a CUPS queue with lp, raw: the job's bytes reach the
// printer as they are.
type CUPS struct {
	Queue   string
	Server  string // host[:port]; empty: the local CUPS
	Timeout time.Duration
}

func (p *CUPS) String() string {
	if p.Server != "" {
		return "cups://" + p.Server + "/" + p.Queue
	}
	return "cups://" + p.Queue
}

// Print hands the job to lp and checks that CUPS accepted it.
func (p *CUPS) Print(ctx context.Context, job Job) error {
	if _, err := exec.LookPath("lp"); err != nil {
		return &Error{Printer: p.String(), Reason: "CUPS's lp command is not installed (Debian package cups-client)", Err: err}
	}
	timeout := p.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeouts.Write
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	args := []string{"-d", p.Queue, "-o", "raw"}
	if p.Server != "" {
		args = append([]string{"-h", p.Server}, args...)
	}
	if job.Title != "" {
		args = append(args, "-t", job.Title)
	}
	cmd := exec.CommandContext(ctx, "lp", args...)
	cmd.Stdin = bytes.NewReader(job.Data)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(out.String())
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			return &Error{Printer: p.String(), Reason: fmt.Sprintf("CUPS did not take the job in %v", timeout), Err: err}
		}
		if msg == "" {
			msg = "lp failed"
		}
		return &Error{Printer: p.String(), Reason: msg, Err: err}
	}
	if !strings.Contains(out.String(), "request id is") {
		return &Error{Printer: p.String(), Reason: "CUPS did not say it queued the job: " + strings.TrimSpace(out.String())}
	}
	return nil
}
