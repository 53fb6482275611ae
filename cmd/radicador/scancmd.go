package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/libp2p/zeroconf/v2"

	"github.com/radicador/radicador/scan"
	"github.com/radicador/radicador/scan/cleanup"
	_ "github.com/radicador/radicador/scan/drivers" // every scanner driver of the platform
	"github.com/radicador/radicador/scan/escl/sim"
)

func cmdDevices(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "devices")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	devs, err := scan.Devices(ctx)
	if err != nil {
		// One driver failing (no TWAIN installed, no network) does not hide
		// the others' devices.
		fmt.Fprintln(e.stderr, "radicador: warning:", oneLine(err))
	}
	if devs == nil {
		devs = []scan.Device{}
	}
	if *asJSON {
		return printJSON(e.stdout, devs)
	}
	if len(devs) == 0 {
		fmt.Fprintln(e.stdout, "No scanner found. To try the station without one, use the device sane:test, or run 'radicador escl-sim'.")
		return nil
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "DEVICE\tNAME")
	for _, d := range devs {
		fmt.Fprintf(tw, "%s\t%s\n", d.URI, d.Name)
	}
	return tw.Flush()
}

func oneLine(err error) string { return strings.ReplaceAll(err.Error(), "\n", "; ") }

// scanJSON is what scan --json prints.
type scanJSON struct {
	Pages     []cleanup.Report   `json:"pages"`
	Documents []cleanup.Document `json:"documents"`
	Error     string             `json:"error,omitempty"`
}

func cmdScan(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "scan")
	device := fs.String("device", "", "device URI (see 'radicador devices'; sane:test is SANE's virtual scanner)")
	source := fs.String("source", "adf", "adf, duplex or flatbed")
	dpi := fs.Int("dpi", 300, "resolution")
	mode := fs.String("mode", "gray", "gray, bw or color")
	size := fs.String("size", "carta", "page size: carta, oficio, a4, legal, max or WxH in mm")
	outDir := fs.String("out", "", "folder for the pages (created if needed)")
	blank := fs.Bool("blank", false, "drop blank pages")
	deskew := fs.Bool("deskew", false, "straighten skewed pages")
	separator := fs.String("separator", "", "barcode text of separator sheets, which split the batch into documents")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *device == "" || *outDir == "" {
		fs.Usage()
		return errUsage
	}
	src, err := scan.ParseSource(*source)
	if err != nil {
		return err
	}
	m, err := scan.ParseMode(*mode)
	if err != nil {
		return err
	}
	ps, err := scan.ParsePageSize(*size)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*outDir, 0o755); err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		return err
	}
	pattern := cfg.ParsedPattern()
	opt := cleanup.Options{DropBlank: *blank, Deskew: *deskew, Separator: *separator,
		IsRadicado: func(s string) bool { _, err := pattern.Parse(s); return err == nil }}

	sc, err := scan.Open(ctx, *device)
	if err != nil {
		return err
	}
	defer sc.Close()
	var reports []cleanup.Report
	out := scan.Output{
		Dir: *outDir,
		Page: func(p scan.Page) error {
			r, err := cleanup.Page(p, opt)
			if err != nil {
				return err
			}
			reports = append(reports, r)
			if !*asJSON {
				note := ""
				switch {
				case r.Separator:
					note = "  (separator)"
				case r.Blank:
					note = "  (blank)"
				case r.Radicado != "":
					note = "  (radicado " + r.Radicado + ")"
				}
				fmt.Fprintf(e.stdout, "%s\t%d×%d %s %d dpi%s\n", r.Page.Path, r.Page.Width, r.Page.Height, r.Page.Mode, r.Page.DPI, note)
			}
			return nil
		},
		Progress: func(p scan.Progress) {
			if !*asJSON && p.Total > 0 && isTerminal(e.stderr) {
				fmt.Fprintf(e.stderr, "\rpage %d: %3d%%", p.Page, p.Bytes*100/p.Total)
			}
		},
	}
	scanErr := sc.Scan(ctx, scan.Settings{Source: src, DPI: *dpi, Mode: m, PageSize: ps}, out)
	if !*asJSON && isTerminal(e.stderr) {
		fmt.Fprint(e.stderr, "\r               \r")
	}
	docs := cleanup.Split(reports, opt)
	if *asJSON {
		r := scanJSON{Pages: reports, Documents: docs}
		if r.Pages == nil {
			r.Pages = []cleanup.Report{}
		}
		if r.Documents == nil {
			r.Documents = []cleanup.Document{}
		}
		if scanErr != nil {
			r.Error = scanErr.Error()
		}
		if err := printJSON(e.stdout, r); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stderr, "%d pages in %d documents\n", len(reports), len(docs))
	}
	return scanErr
}

func cmdESCLSim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "escl-sim")
	listen := fs.String("listen", "127.0.0.1:8090", "address to serve eSCL on")
	sheets := fs.Int("sheets", 10, "sheets in the feeder for each job")
	announce := fs.Bool("announce", false, "announce the scanner on the network over mDNS (_uscan._tcp)")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: sim.New(sim.Options{Sheets: *sheets}), ReadHeaderTimeout: 10 * time.Second}
	port := l.Addr().(*net.TCPAddr).Port
	fmt.Fprintf(e.stdout, "eSCL simulator at escl:http://%s/eSCL (Ctrl+C to stop)\n", l.Addr())
	if *announce {
		zs, err := zeroconf.Register("Radicador eSCL Simulator", "_uscan._tcp", "local.", port,
			[]string{"txtvers=1", "rs=eSCL", "ty=Radicador eSCL Simulator", "pdl=image/jpeg,image/png", "cs=color,grayscale,binary", "is=platen,adf,duplex"}, nil)
		if err != nil {
			return fmt.Errorf("mDNS announcement: %w", err)
		}
		defer zs.Shutdown()
	}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// isTerminal reports whether w is a terminal, where a progress line that
// rewrites itself makes sense.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}
