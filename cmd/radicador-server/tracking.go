package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/radicador/radicador/alerting"
	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/atomicfile"
	"github.com/radicador/radicador/petitions"
)

// mailCmd sets, shows and tries the mail server the alerts go through,
// and lists the outbox.
func mailCmd(ctx context.Context, verb string, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("mail "+verb, flag.ContinueOnError)
	host := fs.String("host", "", "the SMTP server's host name (\"\": no e-mail)")
	port := fs.Int("port", 587, "its port: 587 with STARTTLS, 465 with implicit TLS")
	security := fs.String("security", central.MailStartTLS, "starttls, tls or none (none only to this machine)")
	user := fs.String("user", "", "the SMTP user, if it asks for one")
	from := fs.String("from", "", "the sender's address")
	hour := fs.String("hour", "08:00", "when the day's digests go out, on business days")
	fromStdin := fs.Bool("password-stdin", false, "read the SMTP password from the first line of standard input")
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	switch {
	case verb == "set" && fs.NArg() == 0:
		// What is not given stays as it was.
		m, err := db.Mail(ctx)
		if err != nil {
			return err
		}
		m.Password = ""
		fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "host":
				m.Host = *host
			case "port":
				m.Port = *port
			case "security":
				m.Security = *security
			case "user":
				m.User = *user
			case "from":
				m.From = *from
			case "hour":
				m.Hour = *hour
			}
		})
		if *fromStdin {
			if m.Password, err = readPassword(stdin); err != nil {
				return err
			}
		}
		if err := db.SetMail(ctx, cliActor(), m); err != nil {
			return err
		}
		if m.Host == "" {
			fmt.Fprintln(stdout, "No mail server: alerts are shown in the console only.")
			return nil
		}
		fmt.Fprintf(stdout, "Mail goes through %s:%d (%s) from %s; digests at %s on business days. Try it: radicador-server mail test ADDRESS\n",
			m.Host, m.Port, m.Security, m.From, m.Hour)
		return nil
	case verb == "show" && fs.NArg() == 0:
		m, err := db.Mail(ctx)
		if err != nil {
			return err
		}
		if m.Host == "" {
			fmt.Fprintln(stdout, "No mail server is set.")
			return nil
		}
		pw := "no"
		if m.Password != "" {
			pw = "yes"
		}
		fmt.Fprintf(stdout, "host\t%s\nport\t%d\nsecurity\t%s\nuser\t%s\npassword set\t%s\nfrom\t%s\nhour\t%s\n", m.Host, m.Port, m.Security, m.User, pw, m.From, m.Hour)
		return nil
	case verb == "test" && fs.NArg() == 1:
		if err := (&alerting.Service{DB: db}).SendTest(ctx, fs.Arg(0)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The mail server took a test message for %s.\n", fs.Arg(0))
		return nil
	case verb == "outbox" && fs.NArg() == 0:
		mails, err := db.Outbox(ctx, 200)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tDAY\tWHAT\tTO\tTRIES\tSENT\tNEXT TRY\tLAST ERROR")
		for _, m := range mails {
			sent, next := "—", "—"
			if !m.Sent.IsZero() {
				sent = m.Sent.Local().Format("2006-01-02 15:04")
			} else {
				next = m.NextTry.Local().Format("2006-01-02 15:04")
			}
			what := m.Kind
			if m.Number != "" {
				what += " " + m.Number
			}
			if m.GaveUp {
				next = "given up"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%s\t%s\t%s\n", m.ID, m.Day, what, m.To, m.Attempts, sent, next, m.Error)
		}
		return tw.Flush()
	}
	return errors.New("mail: use 'mail set --host H --port P --security starttls|tls|none --from ADDR [--user U --password-stdin] [--hour HH:MM]', 'mail show', 'mail test ADDRESS' or 'mail outbox'")
}

// escalation sets or lists the escalation rules.
func escalation(ctx context.Context, db *central.DB, rest []string, stdout io.Writer) error {
	if len(rest) == 1 {
		rules, err := db.EscalationRules(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "TYPE\tDEPT\tUNASSIGNED HOURS\tUNTOUCHED HOURS")
		for _, r := range rules {
			fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", dash(r.Type), dash(r.Dept), r.UnassignedHours, r.UntouchedHours)
		}
		return tw.Flush()
	}
	if len(rest) != 5 {
		return errors.New("config escalation TYPE|- DEPT|- UNASSIGNED_HOURS UNTOUCHED_HOURS (business hours; 0: none; - any)")
	}
	unassigned, err1 := strconv.Atoi(rest[3])
	untouched, err2 := strconv.Atoi(rest[4])
	if err1 != nil || err2 != nil {
		return errors.New("config escalation: the hours are whole numbers of business hours")
	}
	r := central.EscalationRule{Type: undash(rest[1]), Dept: undash(rest[2]), UnassignedHours: unassigned, UntouchedHours: untouched}
	if err := db.SetEscalationRule(ctx, cliActor(), r); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Type %s in %s: to the head after %d business hours unassigned, %d assigned and not opened.\n", dash(r.Type), dash(r.Dept), unassigned, untouched)
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func undash(s string) string {
	if s == "-" {
		return ""
	}
	return s
}

// periodFlags are a period and the day it is taken on.
type periodFlags struct{ from, to, asOf, dept *string }

func addPeriod(fs *flag.FlagSet) periodFlags {
	return periodFlags{
		from: fs.String("from", "", "first day of the period, YYYY-MM-DD (default: the first of as-of's month)"),
		to:   fs.String("to", "", "last day (default: as-of)"),
		asOf: fs.String("as-of", "", "the day the figures are taken on (default: today)"),
		dept: fs.String("dept", "", "one department"),
	}
}

func (p periodFlags) filter(ctx context.Context, db *central.DB) (central.StatsFilter, error) {
	today, err := db.Today(ctx)
	if err != nil {
		return central.StatsFilter{}, err
	}
	return central.ParsePeriod(today, *p.from, *p.to, *p.asOf, *p.dept)
}

// stats prints the indicators of a period as JSON (the API's).
func stats(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	pf := addPeriod(fs)
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := pf.filter(ctx, db)
	if err != nil {
		return err
	}
	s, err := db.Stats(ctx, central.User{Role: central.Admin}, f)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// alertsCmd prints what each user would be told on a day, as JSON.
func alertsCmd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("alerts", flag.ContinueOnError)
	asOf := fs.String("as-of", "", "the day (default: today)")
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	day, err := db.Today(ctx)
	if err != nil {
		return err
	}
	if *asOf != "" {
		if day, err = calendar.ParseDate(*asOf); err != nil {
			return fmt.Errorf("--as-of %q: YYYY-MM-DD", *asOf)
		}
	}
	d, err := db.PendingDigests(ctx, central.User{Role: central.Admin}, day)
	if err != nil {
		return err
	}
	if d == nil {
		d = []central.Digest{}
	}
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"as_of": day.String(), "digests": d})
}

// runAlerts runs the tracking loop until ctx ends, and returns when it has
// stopped.
func runAlerts(ctx context.Context, svc *alerting.Service) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		svc.Run(ctx)
	}()
	return func() {
		cancel()
		<-done
	}
}

// report writes the petitions report of a period.
func report(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("report peticiones", flag.ContinueOnError)
	pf := addPeriod(fs)
	asCSV := fs.Bool("csv", false, "CSV instead of PDF")
	types := fs.String("types", strings.Join(central.PetitionTypes, ","), "the document types counted as petitions, by code")
	out := fs.String("out", "", "the file to write (default: standard output)")
	dbf := addDB(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *pf.from == "" || *pf.to == "" {
		return errors.New("report peticiones: give the period: --from YYYY-MM-DD --to YYYY-MM-DD")
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	f, err := pf.filter(ctx, db)
	if err != nil {
		return err
	}
	rep, err := db.Petitions(ctx, central.User{Role: central.Admin}, f, strings.Split(*types, ","))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if *asCSV {
		err = petitions.WriteCSV(&buf, rep)
	} else {
		err = petitions.WritePDF(&buf, rep)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err = stdout.Write(buf.Bytes())
		return err
	}
	if err := atomicfile.Write(*out, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%s: %d petitions received, %d transferred, %d denied, %d pending on %s.\n", *out, rep.Received, rep.Transferred, rep.Denied, rep.Pending, rep.AsOf)
	return nil
}

// buzonCmd opens the web Buzón, or says how it numbers.
func buzonCmd(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("buzon "+verb, flag.ContinueOnError)
	office := fs.String("office", "", "the office code the Buzón numbers as")
	station := fs.String("station", "", "its station code: of no enrolled station")
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "enable":
		if err := db.EnableBuzon(ctx, cliActor(), *office, *station); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The Buzón is open at /buzon: it numbers as office %s, station %s.\n", *office, *station)
		return nil
	case "disable":
		if err := db.DisableBuzon(ctx, cliActor()); err != nil {
			return err
		}
		fmt.Fprintln(stdout, "The Buzón is closed; its codes stay its own.")
		return nil
	case "show":
		p, err := db.BuzonStation(ctx)
		if errors.Is(err, central.ErrBuzonClosed) {
			fmt.Fprintln(stdout, "The Buzón is not open.")
			return nil
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The Buzón numbers as office %s, station %s.\n", p.Office, p.Station)
		return nil
	}
	return errors.New("buzon: use 'buzon enable --office CODE --station CODE', 'buzon disable' or 'buzon show'")
}
