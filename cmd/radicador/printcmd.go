package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/label"
	"github.com/radicador/radicador/station"
)

func cmdLabel(ctx context.Context, e *env, args []string) error {
	return printCommand(ctx, e, "label", "sticker", args)
}

func cmdReceipt(ctx context.Context, e *env, args []string) error {
	return printCommand(ctx, e, "receipt", "receipt", args)
}

// printCommand writes a sticker or receipt to --out, or queues it for the
// printer and tries to print it.
func printCommand(ctx context.Context, e *env, name, what string, args []string) error {
	fs := newFlags(e, name)
	var o station.LabelOptions
	fs.StringVar(&o.Format, "format", "", "zpl, epl, tspl, png or pdf (default: the configured printer.language; receipts to an office printer: pdf)")
	fs.StringVar(&o.Size, "size", "", "label size: 50x25mm, 2x1in, 60x40mm, 4x2in or WxHmm (default: label.size)")
	fs.IntVar(&o.DPI, "dpi", 0, "203, 300 or 600 (default: label.dpi)")
	fs.IntVar(&o.Copies, "copies", 1, "how many")
	uri := fs.String("printer", "", "tcp://host:9100, cups://QUEUE, windows://NAME, usb:///dev/usb/lp0, file:///path (default: the configured printer)")
	out := fs.String("out", "", "write to this file instead of printing (- for standard output; the format follows its extension); not recorded as printed")
	shipping := false
	if what == "sticker" {
		fs.BoolVar(&shipping, "shipping", false, "a salida's shipping label (100x150mm or 4x6in): recipient, number and guide; printed at once, not queued")
	}
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
		switch {
		case shipping:
			data, _, err = st.Printing.Shipping(ctx, number, o)
		case what == "sticker":
			data, _, err = st.Printing.Sticker(ctx, number, o)
		default:
			data, _, err = st.Printing.Receipt(ctx, number, o)
		}
		if err != nil {
			return err
		}
		if *out == "-" {
			_, err = e.stdout.Write(data)
			return err
		}
		return atomicfile.Write(*out, data, 0o644)
	}
	if shipping {
		if err := st.Printing.PrintShipping(ctx, number, *uri, o); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "printed the shipping label of %s\n", number)
		return nil
	}
	job, err := st.Printing.Print(ctx, what, number, *uri, o)
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
	if folder, ok := station.IsPreview(job.Printer); ok {
		fmt.Fprintf(e.stdout, "wrote the %s of %s to %s%s (no printer is configured: radicador config set printer URI)\n", what, number, folder, note)
		return nil
	}
	fmt.Fprintf(e.stdout, "printed the %s of %s on %s%s\n", what, number, job.Printer, note)
	return nil
}

func cmdPrints(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "prints")
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
		if err := st.Printing.CancelPrint(ctx, id); err != nil {
			return err
		}
	}
	var retryErr error
	if *retry {
		n, err := st.Printing.RetryPrints(ctx)
		retryErr = err
		if !*asJSON {
			fmt.Fprintf(e.stdout, "printed %d\n", n)
		}
	}
	jobs, err := st.Printing.PrintQueue(ctx)
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
