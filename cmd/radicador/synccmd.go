package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/internal/atomicfile"
)

func cmdEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "enroll")
	server := fs.String("server", "", "the central server, https://host[:port]")
	token := fs.String("token", "", "the token radicador-server gave for this station")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *server == "" || *token == "" {
		fs.Usage()
		return errUsage
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	who, err := st.Sync.Enroll(ctx, *server, *token)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Enrolled with %s as office %s station %s.\n", *server, who.Office, who.Station)
	return nil
}

func cmdSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync")
	server := fs.String("server", "", "server address (default: the one enrolled with)")
	dayEnd := fs.Bool("day-end", false, "after sending, check the day's manifest with the server")
	day := fs.String("day", time.Now().Format(time.DateOnly), "the day of --day-end")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	if !*dayEnd {
		rep, err := st.Sync.Once(ctx, *server)
		if *asJSON {
			printJSON(e.stdout, rep)
		} else {
			fmt.Fprintf(e.stdout, "sent %d, already there %d, failed %d, conflicts %d\n", rep.Sent, rep.Already, rep.Failed, rep.Conflicts)
		}
		return err
	}
	d, err := calendar.ParseDate(*day)
	if err != nil {
		return err
	}
	rep, res, err := st.Sync.DayEnd(ctx, *server, d, nil)
	if *asJSON {
		printJSON(e.stdout, map[string]any{"sent": rep.Sent, "already": rep.Already, "failed": rep.Failed, "conflicts": rep.Conflicts, "manifest": res})
	} else {
		fmt.Fprintf(e.stdout, "sent %d, already there %d, failed %d, conflicts %d\n", rep.Sent, rep.Already, rep.Failed, rep.Conflicts)
		if err == nil {
			if res.OK {
				fmt.Fprintf(e.stdout, "day %s: the server holds the %d radicados of the day, all matching\n", d, res.Count)
			} else {
				fmt.Fprintf(e.stdout, "day %s: DIFFERENCES: missing %v, different %v, extra on the server %v\n", d, res.Missing, res.Mismatched, res.Extra)
			}
		}
	}
	if err == nil && !res.OK {
		return fmt.Errorf("the server's account of %s differs from the station's", d)
	}
	return err
}

func cmdPlanilla(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "planilla")
	day := fs.String("day", time.Now().Format(time.DateOnly), "the day")
	format := fs.String("format", "pdf", "pdf or csv")
	out := fs.String("out", "", "file to write (default: planilla-DAY.FORMAT)")
	fromServer := fs.Bool("from-server", false, "the server's sheet of what it holds, instead of the station's")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	d, err := calendar.ParseDate(*day)
	if err != nil {
		return err
	}
	if *format != "pdf" && *format != "csv" {
		return fmt.Errorf("format %q: use pdf or csv", *format)
	}
	if *out == "" {
		*out = "planilla-" + d.String() + "." + *format
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	var w io.Writer
	var f *atomicfile.File
	if *out == "-" {
		w = e.stdout
	} else {
		if f, err = atomicfile.Create(*out, 0o644); err != nil {
			return err
		}
		defer f.Close()
		w = f
	}
	if *fromServer {
		err = st.Sync.ServerPlanilla(ctx, d, *format, w)
	} else {
		sheet, _, serr := st.Records.DaySheet(ctx, d)
		switch {
		case serr != nil:
			err = serr
		case *format == "csv":
			err = sheet.WriteCSV(w)
		default:
			err = sheet.WritePDF(w)
		}
	}
	if f != nil && err == nil {
		if err = f.Commit(); err == nil {
			fmt.Fprintln(e.stdout, strings.TrimSpace(*out))
		}
	}
	return err
}

// cmdCierre closes a day as the desktop's Cierre del día does
// (Station.CloseDay).
func cmdCierre(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "cierre")
	day := fs.String("day", time.Now().Format(time.DateOnly), "the day to close")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	d, err := calendar.ParseDate(*day)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	c, err := st.CloseDay(ctx, d)
	if err != nil {
		return err
	}
	if *asJSON {
		out := map[string]any{"day": c.Day.String(), "rows": c.Rows, "pdf": c.PDF, "csv": c.CSV, "enrolled": c.Enrolled}
		if c.Anchor.Hash != "" {
			out["anchor"] = c.Anchor
		}
		if c.Enrolled {
			out["check"] = c.Check
		}
		if c.SyncErr != nil {
			out["sync_error"] = c.SyncErr.Error()
		}
		if err := printJSON(e.stdout, out); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "day %s: %d radicados; planilla %s and %s\n", d, c.Rows, c.PDF, c.CSV)
		if c.Anchor.Hash != "" {
			fmt.Fprintf(e.stdout, "audit anchor: event %d, %s (printed on the planilla; radicador verify --anchor checks it)\n", c.Anchor.ID, c.Anchor.Short())
		}
		switch {
		case !c.Enrolled:
			fmt.Fprintln(e.stdout, "not enrolled: the server's check waits until the station is")
		case c.SyncErr != nil:
		case c.Check.OK:
			fmt.Fprintf(e.stdout, "the server holds the %d radicados of the day, all matching\n", c.Check.Count)
		default:
			fmt.Fprintf(e.stdout, "DIFFERENCES with the server: missing %v, different %v, extra on the server %v, anchor differs %v\n",
				c.Check.Missing, c.Check.Mismatched, c.Check.Extra, c.Check.AnchorMismatch)
		}
	}
	switch {
	case c.SyncErr != nil:
		return fmt.Errorf("the planilla is written, but the server could not check the day: %w", c.SyncErr)
	case c.Enrolled && !c.Check.OK:
		return fmt.Errorf("the server's account of %s differs from the station's", d)
	}
	return nil
}
