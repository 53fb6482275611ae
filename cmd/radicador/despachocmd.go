package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"text/tabwriter"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/radicado"
)

// cmdDespacho is the despacho command: salidas sent out by courier.
func cmdDespacho(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(e, "despacho", args)
	if err != nil {
		return err
	}
	fs := newFlags(e, "despacho")
	asJSON := fs.Bool("json", false, "print JSON")
	courier := fs.String("courier", "", "new: the courier (see 'radicador config': courier.NAME)")
	service := fs.String("service", "", "new: the courier's service")
	out := fs.String("out", "", "close: write the planilla to this file (default: planillas/despacho-ID.FORMAT in the data folder)")
	format := fs.String("format", "pdf", "close: the planilla as pdf or csv")
	colMap := fs.String("map", "", "results: which column holds each field, guide=COL,state=COL,reason=COL,date=COL (a header or a number from 1)")
	reason := fs.String("reason", "", "return: why it came back (a code or text of the configured reasons)")
	on := fs.String("on", "", "delivered: the day, YYYY-MM-DD (default today)")
	toName := fs.String("to-name", "", "new: a corrected recipient's name for this attempt (default: the salida's)")
	toAddress := fs.String("to-address", "", "new: a corrected address for this attempt")
	toCity := fs.String("to-city", "", "new: a corrected city for this attempt")
	toEmail := fs.String("to-email", "", "new, by e-mail: the address this attempt goes to (default: the salida's recipient's)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "new":
		var to *radicado.Recipient
		if *toName+*toAddress+*toCity+*toEmail != "" {
			to = &radicado.Recipient{Name: *toName, Address: *toAddress, City: *toCity, Email: *toEmail}
		}
		d, err := st.Despacho.New(ctx, *courier, *service, pos, to)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, map[string]any{"id": d.ID, "courier": d.Courier, "service": d.Service, "envelopes": d.Envelopes})
		}
		fmt.Fprintf(e.stdout, "%d\n", d.ID)
		fmt.Fprintf(e.stderr, "dispatch %d for %s: %d envelope(s)\n", d.ID, d.Courier, len(d.Envelopes))
		return nil
	case "guide":
		if len(pos) != 2 {
			return fmt.Errorf("%w: despacho guide NUM GUIDE", errUsage)
		}
		env, err := st.Despacho.Guide(ctx, pos[0], pos[1])
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, env)
		}
		fmt.Fprintf(e.stdout, "%s: guide %s (dispatch %d)\n", env.Number, env.Guide, env.Dispatch)
		return nil
	case "guides":
		if len(pos) != 1 {
			return fmt.Errorf("%w: despacho guides FILE.csv [--map number=COL,guide=COL]", errUsage)
		}
		cols, err := despacho.ParseGuideColumns(*colMap)
		if err != nil {
			return fmt.Errorf("%w: --map number=COL,guide=COL: %v", errUsage, err)
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		n, err := st.Despacho.Guides(ctx, f, cols.Number, cols.Guide)
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was recorded", pos[0], err)
		}
		fmt.Fprintf(e.stdout, "%d guides recorded\n", n)
		return nil
	case "close":
		if len(pos) != 1 {
			return fmt.Errorf("%w: despacho close ID [--out FILE] [--format pdf|csv]", errUsage)
		}
		id, err := strconv.ParseInt(pos[0], 10, 64)
		if err != nil {
			return fmt.Errorf("%w: %q is not a dispatch id", errUsage, pos[0])
		}
		if *format != "pdf" && *format != "csv" {
			return fmt.Errorf("%w: --format pdf or csv", errUsage)
		}
		d, err := st.Despacho.Close(ctx, id)
		if err != nil {
			return err
		}
		var path string
		if *out == "" {
			if path, err = st.Despacho.WritePlanilla(ctx, id, *format); err != nil {
				return err
			}
		} else {
			sheet, err := st.Despacho.Sheet(ctx, id)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if *format == "csv" {
				err = sheet.WriteCSV(&buf)
			} else {
				err = sheet.WritePDF(&buf)
			}
			if err != nil {
				return err
			}
			path = *out
			if err := atomicfile.Write(path, buf.Bytes(), 0o640); err != nil {
				return err
			}
		}
		if *asJSON {
			return printJSON(e.stdout, map[string]any{"id": d.ID, "handed_on": d.HandedOn, "planilla": path, "envelopes": d.Envelopes})
		}
		fmt.Fprintf(e.stdout, "dispatch %d handed to %s on %s; planilla %s\n", d.ID, d.Courier, d.HandedOn, path)
		return nil
	case "results":
		if len(pos) != 1 {
			return fmt.Errorf("%w: despacho results FILE.csv [--map guide=COL,state=COL,reason=COL,date=COL]", errUsage)
		}
		cols, err := despacho.ParseColumns(*colMap)
		if err != nil {
			return fmt.Errorf("%w: %v", errUsage, err)
		}
		f, err := os.Open(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		envs, err := st.Despacho.Results(ctx, f, cols)
		if err != nil {
			return fmt.Errorf("%s: %w; nothing was recorded", pos[0], err)
		}
		if *asJSON {
			return printJSON(e.stdout, envs)
		}
		for _, env := range envs {
			fmt.Fprintf(e.stdout, "%s\t%s\t%s\t%s\n", env.Number, env.Guide, env.State, env.Reason)
		}
		return nil
	case "delivered":
		if len(pos) != 1 {
			return fmt.Errorf("%w: despacho delivered NUM [--on YYYY-MM-DD]", errUsage)
		}
		day := calendar.DateOf(st.Now())
		if *on != "" {
			if day, err = calendar.ParseDate(*on); err != nil {
				return err
			}
		}
		env, err := st.Despacho.Delivered(ctx, pos[0], day)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, env)
		}
		fmt.Fprintf(e.stdout, "%s delivered on %s\n", env.Number, env.ResultOn)
		return nil
	case "return":
		// NUM first, then scans; or only scans, whose sticker says the
		// number.
		number, scans := "", pos
		if len(pos) > 0 {
			if _, err := os.Stat(pos[0]); err != nil {
				number, scans = pos[0], pos[1:]
			}
		}
		env, err := st.Despacho.Return(ctx, number, *reason, scans)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, env)
		}
		fmt.Fprintf(e.stdout, "%s returned (attempt %d): %s\n", env.Number, env.Attempt, env.Reason)
		return nil
	case "list":
		list, err := st.Despacho.List(ctx, 100)
		if err != nil {
			return err
		}
		waiting, err := st.Despacho.Waiting(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			numbers := []string{}
			for _, r := range waiting {
				numbers = append(numbers, r.Number)
			}
			return printJSON(e.stdout, map[string]any{"dispatches": list, "waiting": numbers})
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DISPATCH\tCOURIER\tHANDED ON\tNUMBER\tATTEMPT\tGUIDE\tSTATE\tEXPECTED BY")
		today := calendar.DateOf(st.Now()).String()
		for _, d := range list {
			for _, env := range d.Envelopes {
				state := env.State
				if env.Overdue(today) {
					state += " (OVERDUE)"
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", d.ID, d.Courier, orNone(d.HandedOn), env.Number, env.Attempt,
					orNone(env.Guide), state, orNone(env.ExpectedBy))
			}
		}
		for _, r := range waiting {
			fmt.Fprintf(tw, "—\t—\t—\t%s\t\t\twaiting\t\n", r.Number)
		}
		return tw.Flush()
	}
	return usageOf(e, "despacho")
}
