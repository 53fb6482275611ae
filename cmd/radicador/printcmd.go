package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/station"
)

func init() {
	commands = append(commands,
		command{"label", "NUMBER [--format zpl|epl|tspl|png|pdf] [--size 50x25mm] [--dpi 203] [--copies N] [--printer URI] [--out FILE]",
			"print a radicado's sticker, or write it to a file", cmdLabel},
		command{"receipt", "NUMBER [--format pdf|png|zpl|epl|tspl] [--printer URI] [--out FILE]",
			"print the acuse de recibo, or write it to a file", cmdReceipt},
		command{"prints", "[--retry] [--cancel ID] [--json]", "the print queue: jobs waiting for a printer", cmdPrints},
	)
}

func cmdLabel(ctx context.Context, e *env, args []string) error {
	return printCommand(ctx, e, "label", "sticker", args)
}

func cmdReceipt(ctx context.Context, e *env, args []string) error {
	return printCommand(ctx, e, "receipt", "receipt", args)
}

// printCommand writes a sticker or receipt to --out, or queues it for the
// printer and tries to print it.
func printCommand(ctx context.Context, e *env, name, what string, args []string) error {
	usage := "NUMBER [--format FORMAT] [--size SIZE] [--dpi DPI] [--copies N] [--printer URI] [--out FILE]"
	fs := newFlags(e, name, usage)
	var o station.LabelOptions
	fs.StringVar(&o.Format, "format", "", "zpl, epl, tspl, png or pdf (default: the configured printer.language; receipts to an office printer: pdf)")
	fs.StringVar(&o.Size, "size", "", "label size: 50x25mm, 2x1in, 60x40mm, 4x2in or WxHmm (default: label.size)")
	fs.IntVar(&o.DPI, "dpi", 0, "203, 300 or 600 (default: label.dpi)")
	fs.IntVar(&o.Copies, "copies", 1, "how many")
	uri := fs.String("printer", "", "tcp://host:9100, cups://QUEUE, windows://NAME, usb:///dev/usb/lp0, file:///path (default: the configured printer)")
	out := fs.String("out", "", "write to this file instead of printing (- for standard output; the format follows its extension); not recorded as printed")
	number, err := parseOne(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	if *out != "" {
		if ext := strings.TrimPrefix(filepath.Ext(*out), "."); o.Format == "" && slices.Contains(label.Formats, ext) {
			o.Format = ext // --out sticker.png means PNG
		}
		var data []byte
		if what == "sticker" {
			data, _, err = st.Sticker(ctx, number, o)
		} else {
			data, _, err = st.Receipt(ctx, number, o)
		}
		if err != nil {
			return err
		}
		if *out == "-" {
			_, err = e.stdout.Write(data)
			return err
		}
		return writeFile(*out, data)
	}
	job, err := st.Print(ctx, what, number, *uri, o)
	if err != nil {
		if job.ID != 0 {
			return fmt.Errorf("%w; job %d waits in the print queue (radicador prints --retry)", err, job.ID)
		}
		return err
	}
	note := ""
	if job.Reprint {
		note = " (COPIA)"
	}
	fmt.Fprintf(e.stdout, "printed the %s of %s on %s%s\n", what, number, job.Printer, note)
	return nil
}

// writeFile writes data to path through a temporary file, so that a
// failure leaves nothing half-written.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

func cmdPrints(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "prints", "[--retry] [--cancel ID] [--json]")
	retry := fs.Bool("retry", false, "try the waiting jobs again")
	cancel := fs.String("cancel", "", "take a waiting job off the queue (it is kept, as cancelled)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	if *cancel != "" {
		id, err := strconv.ParseInt(*cancel, 10, 64)
		if err != nil {
			return fmt.Errorf("--cancel: a job number, not %q", *cancel)
		}
		if err := st.CancelPrint(ctx, id); err != nil {
			return err
		}
	}
	var retryErr error
	if *retry {
		n, err := st.RetryPrints(ctx)
		retryErr = err
		if !*asJSON {
			fmt.Fprintf(e.stdout, "printed %d\n", n)
		}
	}
	jobs, err := st.PrintQueue(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if jobs == nil {
			printJSON(e.stdout, []any{})
		} else {
			printJSON(e.stdout, jobs)
		}
	} else {
		for _, j := range jobs {
			fmt.Fprintf(e.stdout, "%d\t%s\t%s\t%s\t%d tries\t%s\n", j.ID, j.Number, j.What, j.Printer, j.Attempts, j.LastError)
		}
		if len(jobs) == 0 {
			fmt.Fprintln(e.stdout, "nothing waits to print")
		}
	}
	if retryErr != nil {
		return errors.Join(errors.New("some jobs still wait"), retryErr)
	}
	return nil
}
