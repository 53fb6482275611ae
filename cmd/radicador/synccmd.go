package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/sync/client"
)

func init() {
	commands = append(commands,
		command{"enroll", "--server URL --token TOKEN", "enrol this station with the central server", cmdEnroll},
		command{"sync", "[--server URL] [--day-end [--day YYYY-MM-DD]] [--json]", "send the radicados waiting for the central server", cmdSync},
		command{"planilla", "--day YYYY-MM-DD [--format pdf|csv] [--out FILE] [--from-server]", "the day's control sheet, by department", cmdPlanilla},
	)
}

func cmdEnroll(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "enroll", "--server URL --token TOKEN")
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
	who, err := st.Enroll(ctx, *server, *token)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "Enrolled with %s as office %s station %s.\n", *server, who.Office, who.Station)
	return nil
}

func cmdSync(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sync", "[--server URL] [--day-end [--day YYYY-MM-DD]] [--json]")
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
		rep, err := st.Sync(ctx, *server)
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
	rep, res, err := st.DayEnd(ctx, *server, d)
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
	fs := newFlags(e, "planilla", "--day YYYY-MM-DD [--format pdf|csv] [--out FILE] [--from-server]")
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
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	var w io.Writer
	var f *os.File
	if *out == "-" {
		w = e.stdout
	} else {
		if f, err = os.Create(*out + ".tmp"); err != nil {
			return err
		}
		w = f
	}
	if *fromServer {
		c, cerr := st.SyncClient("", clientOptions())
		if cerr != nil {
			err = cerr
		} else {
			err = c.Planilla(ctx, d.String(), *format, w)
		}
	} else {
		sheet, serr := st.Planilla(ctx, d)
		switch {
		case serr != nil:
			err = serr
		case *format == "csv":
			err = sheet.WriteCSV(w)
		default:
			err = sheet.WritePDF(w)
		}
	}
	if f != nil {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(f.Name())
			return err
		}
		if err := os.Rename(f.Name(), *out); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, strings.TrimSpace(*out))
	}
	return err
}

func clientOptions() client.Options { return client.Options{} }
