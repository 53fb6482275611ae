//go:build !windows

package printer

import "context"

// Print is only possible on Windows.
func (p *Spooler) Print(ctx context.Context, job Job) error {
	return &Error{Printer: p.Name, Reason: "the Windows spooler is only on Windows; use cups://QUEUE or tcp://host:9100 here"}
}
