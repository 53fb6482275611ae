package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/wire"
)

// errUsage marks a command line that could not be understood; it exits 2.
var errUsage = errors.New("usage")

// errNotOK is returned by verify when it found problems; it exits 1 after
// the report is printed.
var errNotOK = errors.New("verification found problems")

type command struct {
	name, args, help string
	run              func(ctx context.Context, e *env, args []string) error
}

// env is what a command runs with.
type env struct {
	dataDir string
	stdout  io.Writer
	stderr  io.Writer
	st      *station.Station
}

func (e *env) open(ctx context.Context) (*station.Station, error) {
	if e.st != nil {
		return e.st, nil
	}
	st, err := station.Open(ctx, e.dataDir, station.Options{})
	if err != nil {
		return nil, err
	}
	e.st = st
	return st, nil
}

// openForReading opens the data folder for a command that only reads it:
// read-only when the folder cannot be written (an auditor's copy, a backup
// mounted read-only), else as open does.
func (e *env) openForReading(ctx context.Context) (*station.Station, error) {
	if e.st != nil || station.Writable(e.dataDir) {
		return e.open(ctx)
	}
	st, err := station.Open(ctx, e.dataDir, station.Options{ReadOnly: true})
	if err != nil {
		return nil, err
	}
	e.st = st
	return st, nil
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "Radicador: the correspondence capture station.")
	fmt.Fprintln(w, "\nUsage:\n  radicador                 open the desktop station\n  radicador [--data DIR] COMMAND [flags]\n\nCommands:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands {
		fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.help)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nRun 'radicador COMMAND --help' for a command's flags. The data folder is --data, else $RADICADOR_DATA, else the user's data folder.")
}

// parseSome parses as parse does and wants at least one positional
// argument.
func parseSome(fs *flag.FlagSet, args []string) ([]string, error) {
	pos, err := parse(fs, args)
	if err == nil && len(pos) == 0 {
		fs.Usage()
		return nil, errUsage
	}
	return pos, err
}

// parseOne parses as parse does and wants exactly one positional argument,
// which it gives.
func parseOne(fs *flag.FlagSet, args []string) (string, error) {
	pos, err := parse(fs, args)
	if err == nil && len(pos) != 1 {
		fs.Usage()
		return "", errUsage
	}
	if err != nil {
		return "", err
	}
	return pos[0], nil
}

// parse reads flags wherever they stand among the positional arguments, as
// in "anular NUMBER --reason …".
func parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage // the flag package has printed what is wrong
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// parseNone parses a command that takes flags only.
func parseNone(fs *flag.FlagSet, args []string) error {
	pos, err := parse(fs, args)
	if err == nil && len(pos) > 0 {
		fmt.Fprintf(fs.Output(), "radicador %s: unexpected argument %q\n", fs.Name(), pos[0])
		fs.Usage()
		return errUsage
	}
	return err
}

func newFlags(e *env, name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	args := argsOf(name)
	fs.Usage = func() {
		fmt.Fprintf(e.stderr, "Usage: radicador %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

func printJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// radicadoJSON is a radicado as the command line prints it.
type radicadoJSON struct {
	Number     string              `json:"number"`
	ReceivedAt string              `json:"received_at"`
	Due        string              `json:"due"`
	Kind       string              `json:"kind"`
	Type       string              `json:"type"`
	Pages      int                 `json:"pages"`
	SHA256     string              `json:"sha256"`
	Sender     *senderJSON         `json:"sender,omitempty"`
	Subject    string              `json:"subject,omitempty"`
	Dept       string              `json:"dept,omitempty"`
	Status     radicado.Status     `json:"status,omitempty"`
	Sync       radicado.SyncState  `json:"sync,omitempty"`
	CreatedBy  string              `json:"created_by,omitempty"`
	Annulment  *radicado.Annulment `json:"annulment,omitempty"`
	Channel    string              `json:"channel,omitempty"` // ventanilla or email
	Files      []radicado.File     `json:"files,omitempty"`
	// Acuse is where the acuse e-mailed by the server stands, as it said
	// at the last sync.
	Acuse *wire.Acuse `json:"acuse,omitempty"`
	// Answers (a salida's) and Recipient, who it goes to.
	Answers   []string            `json:"answers,omitempty"`
	Recipient *radicado.Recipient `json:"recipient,omitempty"`
	// AnsweredBy lists the active salidas that answer this radicado.
	AnsweredBy []answerJSON `json:"answered_by,omitempty"`
	// Cites are the numbers of this organisation the letter cites;
	// CitedBy the radicados that cite this one (an answer to our salida).
	Cites   []string `json:"cites,omitempty"`
	CitedBy []string `json:"cited_by,omitempty"`
	// Delivery is where a salida's latest envelope stands.
	Delivery *deliveryJSON `json:"delivery,omitempty"`
}

// deliveryJSON is a salida's latest envelope.
type deliveryJSON struct {
	State     string `json:"state"` // pendiente, despachado, entregado, devuelto
	Courier   string `json:"courier"`
	Guide     string `json:"guide,omitempty"`
	Reason    string `json:"reason,omitempty"`
	Attempt   int    `json:"attempt"`
	UpdatedAt string `json:"updated_at"`
	Overdue   bool   `json:"overdue,omitempty"` // sent, and past its expected day without a result
}

// answerJSON is a salida that answers a radicado: when, and whether after
// the radicado's due date.
type answerJSON struct {
	Number string `json:"number"`
	At     string `json:"at"`
	Late   bool   `json:"late"`
}

type senderJSON struct {
	Name     string `json:"name"`
	IDType   string `json:"id_type,omitempty"`
	IDNumber string `json:"id,omitempty"`
	Email    string `json:"email,omitempty"`
}

// toJSON gives the fields of radicar's answer; full adds the rest.
func toJSON(r radicado.Record, full bool) radicadoJSON {
	j := radicadoJSON{
		Number: r.Number, ReceivedAt: r.ReceivedAt.Format(time.RFC3339), Due: r.Due.String(),
		Kind: r.Parts.Kind.String(), Type: r.Type, Pages: r.Pages, SHA256: r.SHA256,
	}
	if full {
		j.Sender = &senderJSON{Name: r.Sender.Name, IDType: string(r.Sender.ID.Type), IDNumber: r.Sender.ID.Number, Email: r.Sender.Email}
		j.Subject, j.Dept, j.Status, j.Sync, j.CreatedBy = r.Subject, r.Dept, r.Status, r.Sync, r.CreatedBy
		j.Annulment, j.Files, j.Channel = r.Annulment, r.Files, r.Channel
		j.Answers, j.Recipient, j.Cites = r.Answers, r.Recipient, r.Cites
		if j.Channel == "" {
			j.Channel = radicado.ChannelVentanilla
		}
	}
	return j
}

func cmdRadicar(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "radicar")
	kind := fs.String("kind", "entrada", "entrada, salida or interna")
	typ := fs.String("type", "", "document type code (see 'radicador config')")
	sender := fs.String("sender", "", "sender's name")
	senderID := fs.String("sender-id", "", "sender's ID as TYPE:NUMBER (CC, CE, TI, PA, NIT)")
	subject := fs.String("subject", "", "subject")
	dept := fs.String("dept", "", "department code it goes to")
	asJSON := fs.Bool("json", false, "print JSON")
	noRead := fs.Bool("no-read", false, "leave the pages to be read later ('radicador read', or the app)")
	mailFlag := fs.String("mail", "", "radicate the held message ID (see 'radicador mail list'); the fields not given are read from it")
	senderEmail := fs.String("sender-email", "", "sender's e-mail address, where the acuse goes")
	answers := fs.String("answers", "", "salida or interna: the radicados it answers, NUM[,NUM…]")
	cites := fs.String("cites", "", "numbers of this organisation the letter cites (as 'radicador ocr' reads them), NUM[,NUM…]")
	toName := fs.String("to-name", "", "salida: who it goes to")
	toAddress := fs.String("to-address", "", "salida: the recipient's address")
	toCity := fs.String("to-city", "", "salida: the recipient's city")
	toEmail := fs.String("to-email", "", "salida: the recipient's e-mail")
	sendBy := fs.String("channel", "", "salida: how it is sent: fisico (default), email or ambos")
	files, err := parse(fs, args)
	if err != nil {
		return err
	}
	k, err := radicado.ParseKind(*kind)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	var rec radicado.Record
	if *mailFlag != "" {
		id, err := mailID(*mailFlag)
		if err != nil {
			return err
		}
		if len(files) > 0 {
			return fmt.Errorf("%w: radicar --mail takes no files: they are the message's", errUsage)
		}
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		rec, err = st.Mail.Radicar(ctx, id, func(r *station.Request) {
			for name, field := range map[string]*string{"type": &r.Type, "sender": &r.SenderName, "sender-id": &r.SenderID,
				"subject": &r.Subject, "dept": &r.Dept, "sender-email": &r.SenderEmail} {
				if set[name] {
					*field = fs.Lookup(name).Value.String()
				}
			}
			if set["kind"] {
				r.Kind = k
			}
			if set["cites"] {
				r.Cites = splitList(*cites)
			}
		})
		if err != nil {
			return err
		}
	} else {
		req := station.Request{
			Kind: k, Type: *typ, SenderName: *sender, SenderID: *senderID, Subject: *subject, Dept: *dept, Files: files,
			SenderEmail: *senderEmail,
		}
		req.Answers, req.Cites = splitList(*answers), splitList(*cites)
		if *toName+*toAddress+*toCity+*toEmail+*sendBy != "" {
			req.Recipient = &radicado.Recipient{Name: *toName, Address: *toAddress, City: *toCity, Email: *toEmail, SendBy: *sendBy}
		}
		rec, err = st.Records.Radicar(ctx, req)
		if err != nil {
			return err
		}
	}
	if *asJSON {
		if err := printJSON(e.stdout, toJSON(rec, false)); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(e.stdout, "%s\n", rec.Number)
		fmt.Fprintf(e.stderr, "received %s, %d pages, due %s\n", rec.ReceivedAt.Format("2006-01-02 15:04:05"), rec.Pages, orNone(rec.Due.String()))
	}
	// The number is given and kept; now its pages are read, so that a
	// search finds it by its content. A failure here does not touch the
	// radicado: its pages stay queued.
	if !*noRead {
		if err := st.Reading.ReadRadicado(ctx, rec.Number); err != nil {
			fmt.Fprintf(e.stderr, "radicador: warning: %s is radicated; its pages will be read later: %s\n", rec.Number, oneLine(err))
		}
	}
	return nil
}

// splitList splits a comma-separated flag, dropping empty items.
func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

func cmdAnular(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "anular")
	reason := fs.String("reason", "", "why the number is annulled (required)")
	asJSON := fs.Bool("json", false, "print JSON")
	number, err := parseOne(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	rec, err := st.Records.Anular(ctx, number, *reason)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, toJSON(rec, true))
	}
	fmt.Fprintf(e.stdout, "%s annulled\n", rec.Number)
	return nil
}

func cmdShow(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "show")
	asJSON := fs.Bool("json", false, "print JSON")
	number, err := parseOne(fs, args)
	if err != nil {
		return err
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	r, err := st.Records.Get(ctx, number)
	if err != nil {
		return err
	}
	acuses, err := st.Sync.Acuses(ctx)
	if err != nil {
		return err
	}
	acuse, hasAcuse := acuses[r.Number]
	by, err := st.Records.AnsweredBy(ctx, r.Number)
	if err != nil {
		return err
	}
	var answered []answerJSON
	for _, s := range by {
		if s.Status == radicado.Active {
			at := calendar.DateOf(s.ReceivedAt)
			answered = append(answered, answerJSON{Number: s.Number, At: s.ReceivedAt.Format(time.RFC3339), Late: !r.Due.IsZero() && r.Due.Before(at)})
		}
	}
	delivery, err := deliveryOf(ctx, st, r.Number)
	if err != nil {
		return err
	}
	citing, err := st.Records.CitedBy(ctx, r.Number)
	if err != nil {
		return err
	}
	var citedBy []string
	for _, c := range citing {
		citedBy = append(citedBy, c.Number)
	}
	if *asJSON {
		j := toJSON(r, true)
		if hasAcuse {
			j.Acuse = &acuse
		}
		j.AnsweredBy, j.Delivery, j.CitedBy = answered, delivery, citedBy
		return printJSON(e.stdout, j)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	line := func(k, v string) { fmt.Fprintf(tw, "%s:\t%s\n", k, v) }
	line("Number", r.Number)
	line("Status", string(r.Status))
	line("Received", r.ReceivedAt.Format("2006-01-02 15:04:05 -07:00"))
	line("Kind", r.Parts.Kind.String())
	line("Type", r.Type)
	line("Sender", strings.TrimSpace(r.Sender.Name+"  "+r.Sender.ID.Display()+"  "+r.Sender.Email))
	if r.Channel != "" {
		line("Channel", r.Channel)
	}
	line("Subject", r.Subject)
	line("Department", orNone(r.Dept))
	line("Due", orNone(r.Due.String()))
	line("Pages", strconv.Itoa(r.Pages))
	line("Document SHA-256", r.SHA256)
	line("Radicated by", r.CreatedBy)
	line("Sync", string(r.Sync))
	if len(r.Answers) > 0 {
		line("Answers", strings.Join(r.Answers, ", "))
	}
	if to := r.Recipient; to != nil {
		line("Recipient", strings.Join(slices.DeleteFunc([]string{to.Name, to.Address, to.City, to.Email}, func(s string) bool { return s == "" }), ", ")+" ("+to.SendBy+")")
	}
	if len(r.Cites) > 0 {
		line("Cites", strings.Join(r.Cites, ", "))
	}
	if len(citedBy) > 0 {
		line("Cited by", strings.Join(citedBy, ", "))
	}
	for _, a := range answered {
		late := ""
		if a.Late {
			late = " (late)"
		}
		line("Answered by", a.Number+" "+a.At[:10]+late)
	}
	if d := delivery; d != nil {
		line("Delivery", strings.TrimSpace(fmt.Sprintf("%s (attempt %d, %s, guide %s) %s", d.State, d.Attempt, d.Courier, orNone(d.Guide), d.Reason)))
	}
	if hasAcuse {
		line("Acuse", strings.TrimSpace(fmt.Sprintf("%s to %s, %s %s", acuse.State, acuse.To, acuse.At.Format("2006-01-02 15:04"), acuse.Error)))
	}
	if a := r.Annulment; a != nil {
		line("Annulled", fmt.Sprintf("%s by %s: %s", a.At.Format("2006-01-02 15:04:05"), a.By, a.Reason))
	}
	for i, f := range r.Files {
		line(fmt.Sprintf("File %d", i+1), fmt.Sprintf("%s  %s  %d pages  %s", f.Name, f.MediaType, f.Pages, f.SHA256))
	}
	return tw.Flush()
}

// deliveryOf gives where a salida's latest envelope stands, nil when it
// was never dispatched.
func deliveryOf(ctx context.Context, st *station.Station, number string) (*deliveryJSON, error) {
	env, ok, err := st.Despacho.Delivery(ctx, number)
	if err != nil || !ok {
		return nil, err
	}
	d := &deliveryJSON{State: env.State, Courier: env.Courier, Guide: env.Guide, Reason: env.Reason, Attempt: env.Attempt,
		UpdatedAt: env.UpdatedAt.Format(time.RFC3339)}
	d.Overdue = env.Overdue(calendar.DateOf(st.Now()).String())
	return d, nil
}

// listJSON is one line of list and search.
type listJSON struct {
	Number     string             `json:"number"`
	ReceivedAt string             `json:"received_at"`
	Kind       string             `json:"kind"`
	Type       string             `json:"type"`
	Sender     string             `json:"sender"`
	Subject    string             `json:"subject"`
	Due        string             `json:"due"`
	Status     radicado.Status    `json:"status"`
	Sync       radicado.SyncState `json:"sync"`
}

func printList(e *env, rs []radicado.Record, asJSON bool) error {
	if asJSON {
		out := make([]listJSON, len(rs))
		for i, r := range rs {
			out[i] = listJSON{r.Number, r.ReceivedAt.Format(time.RFC3339), r.Parts.Kind.String(), r.Type,
				r.Sender.Name, r.Subject, r.Due.String(), r.Status, r.Sync}
		}
		return printJSON(e.stdout, out)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NUMBER\tRECEIVED\tKIND\tTYPE\tSENDER\tDUE\tSTATUS\tSYNC")
	for _, r := range rs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Number, r.ReceivedAt.Format("2006-01-02 15:04"),
			r.Parts.Kind, r.Type, clip(r.Sender.Name, 30), orNone(r.Due.String()), r.Status, r.Sync)
	}
	return tw.Flush()
}

func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

func cmdList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "list")
	day := fs.String("day", "", "only radicados received on this day (YYYY-MM-DD)")
	status := fs.String("status", "", "only active or annulled radicados")
	limit := fs.Int("limit", 0, "at most this many (0: all)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	var f station.Filter
	if *day != "" {
		d, err := calendar.ParseDate(*day)
		if err != nil {
			return err
		}
		f.Since, f.Until = d.In(time.Local), d.AddDays(1).In(time.Local)
	}
	switch radicado.Status(*status) {
	case "", radicado.Active, radicado.Annulled:
		f.Status = radicado.Status(*status)
	default:
		return fmt.Errorf("status %q: use active or annulled", *status)
	}
	f.Limit = *limit
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	rs, err := st.Records.List(ctx, f)
	if err != nil {
		return err
	}
	return printList(e, rs, *asJSON)
}

func cmdSearch(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "search")
	limit := fs.Int("limit", 50, "at most this many")
	asJSON := fs.Bool("json", false, "print JSON")
	words, err := parseSome(fs, args)
	if err != nil {
		return err
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	rs, err := st.Records.Search(ctx, strings.Join(words, " "), *limit)
	if err != nil {
		return err
	}
	return printList(e, rs, *asJSON)
}

func cmdVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify")
	anchor := fs.String("anchor", "", "the audit anchor printed on a planilla: its hash (16 digits or more) or its QR code's text")
	withServer := fs.Bool("server", false, "also check every anchor the central server holds for this station")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	var rep station.Report
	if *anchor != "" {
		rep, err = st.Records.VerifyAnchor(ctx, *anchor)
	} else {
		rep, err = st.Records.Verify(ctx)
	}
	if err != nil {
		return err
	}
	if *withServer {
		checks, err := st.Sync.AnchorsOnServer(ctx)
		if err != nil {
			return err
		}
		for _, c := range checks {
			if !c.OK {
				rep.Problems = append(rep.Problems, "the server's anchor: "+c.Problem)
				rep.OK = false
			}
		}
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d anchors held by the server checked", len(checks)))
	}
	if *asJSON {
		if err := printJSON(e.stdout, rep); err != nil {
			return err
		}
	} else {
		for _, p := range rep.Problems {
			fmt.Fprintln(e.stdout, "PROBLEM:", p)
		}
		for _, n := range rep.Notes {
			fmt.Fprintln(e.stdout, "NOTE:", n)
		}
		fmt.Fprintf(e.stdout, "%d radicados, %d audit events, %d files checked: ", rep.Radicados, rep.Events, rep.Files)
		if rep.OK {
			fmt.Fprintln(e.stdout, "ok")
		} else {
			fmt.Fprintf(e.stdout, "%d problems\n", len(rep.Problems))
		}
	}
	if !rep.OK {
		return errNotOK
	}
	return nil
}

func cmdDue(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "due")
	from := fs.String("from", "", "day of receipt (YYYY-MM-DD)")
	days := fs.Int("days", -1, "term in business days")
	typ := fs.String("type", "", "document type whose term applies")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	if *from == "" || (*days < 0) == (*typ == "") {
		fs.Usage()
		return errUsage
	}
	d, err := calendar.ParseDate(*from)
	if err != nil {
		return err
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	var due calendar.Date
	if *typ != "" {
		due, err = st.Records.DueFor(ctx, d, *typ)
	} else {
		due, err = st.Records.DueIn(ctx, d, *days)
	}
	if err != nil {
		return err
	}
	if due.IsZero() {
		fmt.Fprintln(e.stdout, "no term")
		return nil
	}
	fmt.Fprintln(e.stdout, due)
	return nil
}

func cmdHolidays(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "holidays")
	year := fs.Int("year", time.Now().Year(), "year")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseNone(fs, args); err != nil {
		return err
	}
	st, err := e.openForReading(ctx)
	if err != nil {
		return err
	}
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		return err
	}
	cal, err := cfg.Calendar()
	if err != nil {
		return err
	}
	days := cal.Holidays(*year)
	for _, c := range cfg.Closures {
		if c.Date.Year == *year {
			days = append(days, calendar.Holiday{Date: c.Date, Name: c.Reason})
		}
	}
	slices.SortStableFunc(days, func(a, b calendar.Holiday) int { return strings.Compare(a.Date.String(), b.Date.String()) })
	if *asJSON {
		return printJSON(e.stdout, days)
	}
	for _, h := range days {
		fmt.Fprintf(e.stdout, "%s  %s  %s\n", h.Date, h.Date.Weekday().String()[:3], h.Name)
	}
	return nil
}

func cmdConfig(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "config")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parse(fs, args)
	if err != nil {
		return err
	}
	st, err := e.open(ctx)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		changes := make(map[string]*string)
		switch pos[0] {
		case "set":
			kv := pos[1:]
			if len(kv) == 0 || len(kv)%2 != 0 {
				return fmt.Errorf("%w: config set KEY VALUE [KEY VALUE…]", errUsage)
			}
			for i := 0; i < len(kv); i += 2 {
				changes[kv[i]] = &kv[i+1]
			}
		case "unset":
			if len(pos) < 2 {
				return fmt.Errorf("%w: config unset KEY…", errUsage)
			}
			for _, k := range pos[1:] {
				changes[k] = nil
			}
		default:
			fs.Usage()
			return errUsage
		}
		if err := st.Settings.Set(ctx, changes); err != nil {
			return err
		}
	}
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.stdout, cfg)
	}
	tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintf(tw, "organization\t%s\noffice\t%s\nstation\t%s\npattern\t%s\nhours\t%s\nlanguage\t%s\ndata folder\t%s\n",
		cfg.Organization, cfg.Office, cfg.Station, cfg.Pattern, cfg.Hours, cfg.Language, st.Dir())
	p := cfg.Printing
	printerName := p.Printer
	if printerName == "" {
		printerName = "(none: stickers go to " + filepath.Join(st.Dir(), station.PreviewFolder) + ")"
	}
	fmt.Fprintf(tw, "printer\t%s\nlabel\t%s %s, %d dpi\n", printerName, p.Language, p.Size.Name, p.DPI)
	if p.Receipts != "" {
		fmt.Fprintf(tw, "receipt printer\t%s\n", p.Receipts)
	}
	sc := cfg.Scanning
	fmt.Fprintf(tw, "blank pages\t%s\ndeskew\t%v\nseparator\t%s\n",
		map[bool]string{true: "drop", false: "keep"}[sc.DropBlank], sc.Deskew, sc.Separator)
	for _, pr := range sc.Profiles {
		fmt.Fprintf(tw, "profile %s\t%s\n", pr.Name, pr)
	}
	for _, code := range slices.Sorted(maps.Keys(cfg.Depts)) {
		fmt.Fprintf(tw, "department %s\t%s\n", code, cfg.Depts[code])
	}
	for _, t := range slices.Sorted(maps.Keys(cfg.Routes)) {
		fmt.Fprintf(tw, "route %s\t%s\n", t, cfg.Routes[t])
	}
	fmt.Fprintln(tw, "\nTYPE\tTERM (business days)\tNAME")
	for _, t := range cfg.Types {
		fmt.Fprintf(tw, "%s\t%d\t%s\n", t.Code, t.Days, t.Name)
	}
	if len(cfg.Closures) > 0 {
		fmt.Fprintln(tw, "\nEXTRA NON-WORKING DAY\tREASON")
		for _, c := range cfg.Closures {
			fmt.Fprintf(tw, "%s\t%s\n", c.Date, c.Reason)
		}
	}
	fmt.Fprintln(tw, "\nSettable keys:")
	for _, k := range station.Keys() {
		fmt.Fprintf(tw, "  %s\t%s\n", k[0], k[1])
	}
	return tw.Flush()
}
