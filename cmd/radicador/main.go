// Command radicador is the correspondence capture station: with no command
// it opens the desktop app; with one it is the scriptable command line, over
// the same services the screens use.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "github.com/radicador/radicador/procenv" // before Fyne reads the locale
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/ui"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command line and gives the exit code: 0 done, 1 failed,
// 2 not understood.
func run(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	global := flag.NewFlagSet("radicador", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() { usage(stderr) }
	dataDir := global.String("data", "", "data folder (default: $RADICADOR_DATA or the user's data folder)")
	if err := global.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	e := &env{dataDir: *dataDir, stdout: stdout, stderr: stderr}
	if e.dataDir == "" {
		d, err := station.DefaultDataDir()
		if err != nil {
			return fail(stderr, err)
		}
		e.dataDir = d
	}
	args = global.Args()
	if len(args) == 0 {
		if err := ui.Run(ctx, e.dataDir); err != nil {
			return fail(stderr, err)
		}
		return 0
	}
	name, rest := args[0], args[1:]
	if name == "help" || name == "-h" || name == "--help" {
		usage(stdout)
		return 0
	}
	for _, c := range commands {
		if c.name != name {
			continue
		}
		err := c.run(ctx, e, rest)
		if e.st != nil {
			if cerr := e.st.Close(); err == nil {
				err = cerr
			}
		}
		switch {
		case err == nil:
			return 0
		case errors.Is(err, flag.ErrHelp):
			return 0
		case errors.Is(err, errUsage):
			if msg := strings.TrimPrefix(err.Error(), errUsage.Error()+": "); msg != errUsage.Error() {
				fmt.Fprintln(stderr, "radicador: usage:", msg)
			}
			return 2
		case errors.Is(err, errNotOK):
			return 1
		default:
			return fail(stderr, err)
		}
	}
	fmt.Fprintf(stderr, "radicador: unknown command %q\n", name)
	usage(stderr)
	return 2
}

// fail prints err as one line and gives exit code 1.
func fail(w io.Writer, err error) int {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintln(w, "radicador:", msg)
	return 1
}
