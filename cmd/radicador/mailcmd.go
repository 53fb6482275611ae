package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/radicador/radicador/store"
)

// mailJSON is a held message as mail list prints it.
type mailJSON struct {
	ID          int64  `json:"id"`
	From        string `json:"from"`
	FromName    string `json:"from_name,omitempty"`
	Subject     string `json:"subject"`
	Date        string `json:"date"`
	Attachments int    `json:"attachments"`
	MessageID   string `json:"message_id"`
	State       string `json:"state"`
	Number      string `json:"number,omitempty"`
	Reason      string `json:"reason,omitempty"`
	Source      string `json:"source"`
	// Elsewhere is a Message-ID of it found in the mailbox's Radicados
	// folder: another station radicated it.
	Elsewhere string `json:"radicated_elsewhere,omitempty"`
}

func toMailJSON(m store.MailEntry) mailJSON {
	date := ""
	if !m.Date.IsZero() {
		date = m.Date.Format(time.RFC3339)
	}
	return mailJSON{ID: m.ID, From: m.From, FromName: m.FromName, Subject: m.Subject, Date: date, Attachments: m.Attachments,
		MessageID: m.MessageID, State: m.State, Number: m.Number, Reason: m.Reason, Source: m.Source, Elsewhere: m.Elsewhere}
}

// cmdMail is the mail command: the messages the ventanilla takes in.
func cmdMail(ctx context.Context, e *env, args []string) error {
	sub, args, err := subcommand(e, "mail", args)
	if err != nil {
		return err
	}
	fs := newFlags(e, "mail")
	asJSON := fs.Bool("json", false, "print JSON")
	limit := fs.Int("limit", 20, "fetch: how many new messages to claim at most")
	all := fs.Bool("all", false, "list: also the messages radicated or discarded")
	reason := fs.String("reason", "", "discard: why the message is not correspondence (required)")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	switch sub {
	case "fetch":
		if len(pos) != 0 || *limit < 0 {
			return fmt.Errorf("%w: mail fetch [--limit N] [--json]", errUsage)
		}
		res, err := st.Mail.Fetch(ctx, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, res)
		}
		fmt.Fprintf(e.stdout, "%d new messages (%d claimed from the inbox), %d done moved on\n", res.New, res.Claimed, res.Finished)
		if res.TooLarge > 0 {
			fmt.Fprintf(e.stderr, "radicador: %d messages larger than a message may be were left in the inbox\n", res.TooLarge)
		}
		return nil
	case "list":
		state := store.MailWaiting
		if *all {
			state = ""
		}
		list, err := st.Mail.List(ctx, state)
		if err != nil {
			return err
		}
		if *asJSON {
			out := make([]mailJSON, len(list))
			for i, m := range list {
				out[i] = toMailJSON(m)
			}
			return printJSON(e.stdout, out)
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDATE\tFROM\tSUBJECT\tATTACHMENTS\tSTATE")
		for _, m := range list {
			j := toMailJSON(m)
			state := m.State
			if m.Number != "" {
				state += " " + m.Number
			}
			if m.Elsewhere != "" {
				state += " (radicated by another station)"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\n", m.ID, j.Date, m.From, m.Subject, m.Attachments, state)
		}
		return tw.Flush()
	case "import":
		if len(pos) == 0 {
			return fmt.Errorf("%w: mail import FILE.eml…", errUsage)
		}
		var out []mailJSON
		for _, p := range pos {
			m, added, err := st.Mail.Import(ctx, p)
			if err != nil {
				return err
			}
			out = append(out, toMailJSON(m))
			if !*asJSON {
				note := ""
				if !added {
					note = " (held already)"
				}
				fmt.Fprintf(e.stdout, "%d\t%s%s\n", m.ID, p, note)
			}
		}
		if *asJSON {
			return printJSON(e.stdout, out)
		}
		return nil
	case "discard":
		if len(pos) != 1 {
			return fmt.Errorf("%w: mail discard ID --reason TEXT", errUsage)
		}
		id, err := mailID(pos[0])
		if err != nil {
			return err
		}
		m, err := st.Mail.Discard(ctx, id, *reason)
		if err != nil {
			return err
		}
		if *asJSON {
			return printJSON(e.stdout, toMailJSON(m))
		}
		fmt.Fprintf(e.stdout, "message %d discarded\n", m.ID)
		return nil
	case "password":
		if len(pos) > 1 {
			return fmt.Errorf("%w: mail password [FILE] (the password's first line; without FILE, from the standard input)", errUsage)
		}
		var r io.Reader = os.Stdin
		if len(pos) == 1 && pos[0] != "-" {
			f, err := os.Open(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			r = f
		}
		line, err := bufio.NewReader(io.LimitReader(r, 4096)).ReadString('\n')
		if err != nil && err != io.EOF {
			return err
		}
		if err := st.Settings.SetMailPassword(strings.TrimRight(line, "\r\n")); err != nil {
			return err
		}
		fmt.Fprintln(e.stderr, "the mailbox's password is kept, readable by this user only")
		return nil
	}
	return usageOf(e, "mail")
}

// subcommand splits a command's arguments into its subcommand and the
// rest; with none, it says the command's usage.
func subcommand(e *env, name string, args []string) (string, []string, error) {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return "", nil, usageOf(e, name)
	}
	return args[0], args[1:], nil
}

// usageOf says a command's usage and gives errUsage.
func usageOf(e *env, name string) error {
	fmt.Fprintf(e.stderr, "Usage: radicador %s %s\n", name, argsOf(name))
	return errUsage
}

// mailID reads a held message's id.
func mailID(s string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || id < 1 {
		return 0, fmt.Errorf("%w: %q is not a message id (see 'radicador mail list')", errUsage, s)
	}
	return id, nil
}
