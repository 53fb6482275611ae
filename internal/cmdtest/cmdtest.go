// Package cmdtest runs a program's run function in its own tests: in the
// test process, or with the test binary started as the program itself (for
// signals, environments and mounts of the test's choosing).
package cmdtest

import (
	"bytes"
	"io"
	"os"
	"testing"
)

// Run is a program's main body: its arguments and outputs, and its exit
// code.
type Run func(args []string, stdout, stderr io.Writer) int

// Main runs the program when the variable env is set (the test binary
// started by a test as the program), else the tests; it does not return.
func Main(m *testing.M, env string, run Run) {
	if os.Getenv(env) != "" {
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// Result is what a run of the program gave.
type Result struct {
	Code           int
	Stdout, Stderr string
}

// Call runs the program with args in this process.
func Call(run Run, args ...string) Result {
	var out, errb bytes.Buffer
	code := run(args, &out, &errb)
	return Result{code, out.String(), errb.String()}
}

// OK fails the test unless the run exited 0.
func (r Result) OK(t testing.TB) Result {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("exit %d: %s", r.Code, r.Stderr)
	}
	return r
}
