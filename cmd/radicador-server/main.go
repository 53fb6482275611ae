// Command radicador-server is the central server: the stations sync to it,
// and the departments work their radicados in its console. "serve" runs
// it; "station" and "admin" enrol stations and API administrators; "dept"
// and "user" manage the console's people; "verify" checks its journal.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/radicador/radicador/alerting"
	"github.com/radicador/radicador/buzon"
	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/console"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/server"
	"github.com/radicador/radicador/sync/wire"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `Radicador central server.

Usage:
  radicador-server serve [--listen ADDR] [--db URL] [--data DIR] [--tls-cert FILE --tls-key FILE] [--secure-cookies]
                   [--public-url URL]   the console's address, for the links in e-mails
                   [--trusted-proxy ADDR|CIDR,…]   reverse proxies whose X-Forwarded-For is believed
  radicador-server station add --office CODE --station CODE [--db URL] [--data DIR]
  radicador-server station revoke --office CODE --station CODE
  radicador-server station list
  radicador-server admin add --name NAME
  radicador-server config                       the organisation's configuration, as stations take it
  radicador-server config set pattern PATTERN   the number pattern stations use
  radicador-server config set organization|hours|time_zone VALUE
  radicador-server config set login.max_failures|login.lock_minutes|session.hours|session.idle_minutes N
  radicador-server config type CODE NAME [DAYS]  a document type and its term (business days)
  radicador-server config route TYPE DEPT       where letters of a type go
  radicador-server config public TYPE yes|no    whether the public may choose it at the Buzón
  radicador-server config closed YYYY-MM-DD [REASON]   an extra non-working day (no reason: not any more)
  radicador-server dept add --code CODE --name NAME [--head USER]    (dept set, dept list)
  radicador-server user add --name NAME --role funcionario|jefe|supervisor|admin [--dept CODE]
                   [--full-name NAME] [--email ADDR] [--lang es|en] [--password-stdin]
  radicador-server user password NAME [--password-stdin]   user disable NAME   user enable NAME   user list
  radicador-server user token NAME              user revoke-tokens NAME
  radicador-server verify                       check the console's journal, entry by entry
  radicador-server config escalation [TYPE|- DEPT|- UNASSIGNED_HOURS UNTOUCHED_HOURS]
                                                when what waits goes to the head (business hours)
  radicador-server mail set --host H [--port P] [--security starttls|tls|none] --from ADDR [--user U --password-stdin] [--hour HH:MM]
  radicador-server mail show   mail test ADDRESS   mail outbox
  radicador-server buzon enable --office CODE --station CODE   the web Buzón (/buzon) numbers as this office and station
  radicador-server buzon show   buzon disable
  radicador-server stats [--from D] [--to D] [--as-of D] [--dept CODE]   the dashboard's figures, as JSON
  radicador-server alerts [--as-of D]           what each person would be told that day, as JSON
  radicador-server report peticiones --from D --to D [--as-of D] [--csv] [--out FILE]
                                                the petitions report (Decreto 1081 de 2015), PDF or CSV

serve's limits (defaults in brackets; see the README):
  --max-file BYTES [512 MiB]  --partial-quota BYTES [2 GiB] and --partials N [100]: a station's unfinished uploads
  --partial-age DURATION [168h] unfinished uploads kept  --max-conns N [1024]  --max-conns-per-ip N [64]
  --requests N [16] and --uploads N [4] at once per token  --min-rate BYTES/S [8192] slowest body

--data is the folder of the documents (default: $RADICADOR_SERVER_DATA,
else ./radicador-server-data). --db is postgres://… for PostgreSQL; without
it, an SQLite file in --data. Several instances on one PostgreSQL database
share one --data folder (a network volume).
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprint(stdout, usage)
		return 0
	}
	var err error
	switch {
	case args[0] == "serve":
		err = serve(ctx, args[1:], stdout, stderr)
	case args[0] == "station" && len(args) > 1:
		err = station(ctx, args[1], args[2:], stdout)
	case args[0] == "admin" && len(args) > 1 && args[1] == "add":
		err = adminAdd(ctx, args[2:], stdout)
	case args[0] == "config":
		err = config(ctx, args[1:], stdout)
	case args[0] == "dept" && len(args) > 1:
		err = dept(ctx, args[1], args[2:], stdout)
	case args[0] == "user" && len(args) > 1:
		err = users(ctx, args[1], args[2:], stdin, stdout)
	case args[0] == "verify":
		err = verify(ctx, args[1:], stdout)
	case args[0] == "mail" && len(args) > 1:
		err = mailCmd(ctx, args[1], args[2:], stdin, stdout)
	case args[0] == "buzon" && len(args) > 1:
		err = buzonCmd(ctx, args[1], args[2:], stdout)
	case args[0] == "stats":
		err = stats(ctx, args[1:], stdout)
	case args[0] == "alerts":
		err = alertsCmd(ctx, args[1:], stdout)
	case args[0] == "report" && len(args) > 1 && args[1] == "peticiones":
		err = report(ctx, args[2:], stdout)
	default:
		fmt.Fprint(stderr, usage)
		return 2
	}
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		fmt.Fprintln(stderr, "radicador-server:", strings.Join(strings.Fields(err.Error()), " "))
		return 1
	}
	return 0
}

type dbFlags struct{ db, data *string }

func addDB(fs *flag.FlagSet) dbFlags {
	def := os.Getenv("RADICADOR_SERVER_DATA")
	if def == "" {
		def = "radicador-server-data"
	}
	return dbFlags{
		db:   fs.String("db", "", "database: postgres://… for PostgreSQL (default: SQLite in --data)"),
		data: fs.String("data", def, "folder for the documents and the SQLite database (shared by all instances on PostgreSQL)"),
	}
}

func (f dbFlags) open(ctx context.Context) (*central.DB, error) {
	if err := os.MkdirAll(*f.data, 0o750); err != nil {
		return nil, err
	}
	url := *f.db
	if url == "" {
		url = filepath.Join(*f.data, "radicador-server.db")
	}
	return central.Open(ctx, url, *f.data)
}

// parseOpen parses a command's flags and opens the server's database.
func (f dbFlags) parseOpen(ctx context.Context, fs *flag.FlagSet, args []string) (*central.DB, error) {
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return f.open(ctx)
}

func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8390", "address to listen on")
	cert := fs.String("tls-cert", "", "TLS certificate (PEM); with --tls-key the server speaks HTTPS")
	key := fs.String("tls-key", "", "TLS private key (PEM)")
	secure := fs.Bool("secure-cookies", false, "mark the console's cookies Secure (behind a proxy that speaks HTTPS; with --tls-cert always)")
	publicURL := fs.String("public-url", "", "the console's address as people reach it, for the links in e-mails")
	alertsEvery := fs.Duration("alerts-every", time.Minute, "how often escalations, alerts and the outbox are looked at")
	proxies := fs.String("trusted-proxy", "", "reverse proxies in front of the server (addresses or CIDR, comma-separated): the limits per address count whom they forward")
	d := server.DefaultLimits
	limits := d
	fs.Int64Var(&limits.MaxFile, "max-file", d.MaxFile, "largest file accepted, in bytes")
	fs.Int64Var(&limits.PartialQuota, "partial-quota", d.PartialQuota, "bytes one station's unfinished uploads may announce in all")
	fs.IntVar(&limits.Partials, "partials", d.Partials, "unfinished uploads one station may have")
	fs.DurationVar(&limits.PartialAge, "partial-age", d.PartialAge, "how long an unfinished upload that does not go on is kept")
	fs.DurationVar(&limits.SweepEvery, "sweep-every", d.SweepEvery, "how often abandoned uploads are looked for")
	fs.IntVar(&limits.MaxConns, "max-conns", d.MaxConns, "connections open at once")
	fs.IntVar(&limits.MaxConnsPerIP, "max-conns-per-ip", d.MaxConnsPerIP, "connections open at once from one address")
	fs.IntVar(&limits.Requests, "requests", d.Requests, "requests of one token at once")
	fs.IntVar(&limits.Uploads, "uploads", d.Uploads, "file pieces one station sends at once")
	fs.Int64Var(&limits.MinRate, "min-rate", d.MinRate, "bytes a second a request body must keep up")
	dbf := addDB(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("serve: unexpected %q", fs.Arg(0))
	}
	if (*cert == "") != (*key == "") {
		return errors.New("give both --tls-cert and --tls-key, or neither")
	}
	if *alertsEvery < time.Second {
		return errors.New("--alerts-every: at least a second")
	}
	trusted, err := parsePrefixes(*proxies)
	if err != nil {
		return fmt.Errorf("--trusted-proxy: %w", err)
	}
	for _, v := range []int64{limits.MaxFile, limits.PartialQuota, int64(limits.Partials), int64(limits.PartialAge), int64(limits.SweepEvery),
		int64(limits.MaxConns), int64(limits.MaxConnsPerIP), int64(limits.Requests), int64(limits.Uploads), limits.MinRate} {
		if v <= 0 {
			return errors.New("limits must be above zero")
		}
	}
	log := slog.New(slog.NewJSONHandler(stdout, nil))
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	l, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	log.Info("listening", "addr", l.Addr().String(), "tls", *cert != "")
	api := server.New(db, log, limits)
	tracking := &alerting.Service{DB: db, Log: log, URL: *publicURL, Every: *alertsEvery}
	estado := ""
	if *publicURL != "" {
		estado = strings.TrimRight(*publicURL, "/") + "/buzon/estado"
	}
	db.SetAcuse(func(rec central.Receipt, r wire.Radicado) (central.AcuseMail, error) {
		return buzon.AcuseMail(rec, r, estado)
	})
	con, err := console.New(db, console.Options{SecureCookies: *secure || *cert != "", Log: log, SendTest: tracking.SendTest, PublicURL: *publicURL,
		TrustedProxies: trusted})
	if err != nil {
		return err
	}
	stopAlerts := runAlerts(ctx, tracking)
	defer stopAlerts()
	mux := http.NewServeMux()
	mux.Handle(wire.APIPrefix+"/", api.Handler())
	con.Mount(mux)
	return api.Serve(ctx, l, server.ServeOptions{TLSCert: *cert, TLSKey: *key, Handler: mux})
}

// parsePrefixes reads addresses and CIDR prefixes, comma-separated.
func parsePrefixes(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if p, err := netip.ParsePrefix(f); err == nil {
			out = append(out, p.Masked())
			continue
		}
		a, err := netip.ParseAddr(f)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR prefix", f)
		}
		out = append(out, netip.PrefixFrom(a, a.BitLen()))
	}
	return out, nil
}

// config shows or sets the organisation's settings kept by the server.
func config(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("config", flag.ContinueOnError)
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	rest := fs.Args()
	switch {
	case len(rest) == 0 || (len(rest) == 1 && rest[0] == "show"):
		cfg, err := db.OrgConfig(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintf(tw, "version\t%d\norganization\t%s\npattern\t%s\nhours\t%s\n", cfg.Version, cfg.Organization, cfg.Pattern, cfg.Hours)
		for _, t := range cfg.Types {
			route := cfg.Routes[t.Code]
			if route == "" {
				route = "—"
			}
			fmt.Fprintf(tw, "type %s\t%s, %d business days, to %s\n", t.Code, t.Name, t.Days, route)
		}
		for _, c := range cfg.Closures {
			fmt.Fprintf(tw, "closed %s\t%s\n", c.Date, c.Reason)
		}
		return tw.Flush()
	case len(rest) == 3 && rest[0] == "set" && rest[1] == "pattern":
		if err := db.SetPattern(ctx, rest[2]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Number pattern set to %s: stations enrolled from now on must use it, and running servers take it within a minute.\n", rest[2])
		return nil
	case len(rest) == 3 && rest[0] == "set":
		if err := db.SetOrgSetting(ctx, cliActor(), rest[1], rest[2]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "%s set; the stations take it at their next sync.\n", rest[1])
		return nil
	case len(rest) >= 3 && rest[0] == "type":
		days := 0
		if len(rest) == 4 {
			var err error
			if days, err = strconv.Atoi(rest[3]); err != nil {
				return fmt.Errorf("config type: the term %q is not a number of business days", rest[3])
			}
		}
		if err := db.SetDocType(ctx, cliActor(), radicado.DocType{Code: rest[1], Name: rest[2], Days: days}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Document type %s: %s, %d business days.\n", rest[1], rest[2], days)
		return nil
	case len(rest) == 3 && rest[0] == "public" && (rest[2] == "yes" || rest[2] == "no"):
		if err := db.SetTypePublic(ctx, cliActor(), rest[1], rest[2] == "yes"); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Type %s offered at the Buzón: %s.\n", rest[1], rest[2])
		return nil
	case len(rest) == 3 && rest[0] == "route":
		if err := db.SetRoute(ctx, cliActor(), rest[1], rest[2]); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Letters of type %s go to %s.\n", rest[1], rest[2])
		return nil
	case len(rest) >= 1 && rest[0] == "escalation":
		return escalation(ctx, db, rest, stdout)
	case len(rest) == 2 && rest[0] == "logo":
		var png []byte
		if rest[1] != "-" {
			var err error
			if png, err = os.ReadFile(rest[1]); err != nil {
				return err
			}
		}
		if err := db.SetLogo(ctx, cliActor(), png); err != nil {
			return err
		}
		if png == nil {
			fmt.Fprintln(stdout, "The acuse carries no logo.")
		} else {
			fmt.Fprintln(stdout, "The acuse carries the logo from now on.")
		}
		return nil
	case len(rest) >= 2 && rest[0] == "acuse":
		return acuseTemplate(ctx, db, rest[1:], stdout)
	case len(rest) >= 2 && rest[0] == "closed":
		day, err := calendar.ParseDate(rest[1])
		if err != nil {
			return err
		}
		reason := strings.Join(rest[2:], " ")
		if err := db.SetClosure(ctx, cliActor(), day, reason); err != nil {
			return err
		}
		if reason == "" {
			fmt.Fprintf(stdout, "%s is a business day again (unless a holiday).\n", day)
		} else {
			fmt.Fprintf(stdout, "%s is a non-working day: %s.\n", day, reason)
		}
		return nil
	}
	return errors.New("config: use 'config', 'config set KEY VALUE', 'config type CODE NAME [DAYS]', 'config route TYPE DEPT', 'config closed YYYY-MM-DD [REASON]', " +
		"'config logo FILE.png|-' or 'config acuse LANG [SUBJECT BODY-FILE | default]'")
}

// acuseTemplate shows, sets or resets the acuse's e-mail in a language:
// LANG shows it; LANG SUBJECT BODY-FILE sets it; LANG default goes back to
// the built-in one.
func acuseTemplate(ctx context.Context, db *central.DB, args []string, stdout io.Writer) error {
	lang := args[0]
	switch len(args) {
	case 1:
		t, _, err := db.AcuseStyle(ctx, lang)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Subject: %s\n\n%s", t.Subject, t.Body)
		return nil
	case 2:
		if args[1] != "default" {
			break
		}
		if err := db.SetAcuseTemplate(ctx, cliActor(), lang, central.AcuseTemplate{}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The acuse in %s is the built-in one again.\n", lang)
		return nil
	case 3:
		body, err := os.ReadFile(args[2])
		if err != nil {
			return err
		}
		if err := db.SetAcuseTemplate(ctx, cliActor(), lang, central.AcuseTemplate{Subject: args[1], Body: string(body)}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "The acuse in %s is set.\n", lang)
		return nil
	}
	return errors.New("config acuse LANG [SUBJECT BODY-FILE | default]: the template's fields are {{.Number}}, {{.Code}}, {{.Subject}}, {{.Due}}, {{.Org}}, {{.Estado}}, {{.ReceivedAt}}")
}

// newToken gives a random token; only its hash is kept.
func newToken() string {
	var b [32]byte
	rand.Read(b[:])
	return "rdc_" + base64.RawURLEncoding.EncodeToString(b[:])
}

func station(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("station "+verb, flag.ContinueOnError)
	office := fs.String("office", "", "office code")
	st := fs.String("station", "", "station code")
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "add":
		if *office == "" || *st == "" || strings.Trim(*office+*st, "0123456789") != "" {
			return errors.New("give --office and --station, digits (as in the station's numbers)")
		}
		token := newToken()
		if err := db.AddStation(ctx, central.Principal{Office: *office, Station: *st}, central.HashToken(token)); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Station %s-%s enrolled. Its token, shown this once (only its hash is kept):\n\n  %s\n\nOn the station: radicador enroll --server URL --token %s\n", *office, *st, token, token)
		return nil
	case "revoke":
		return db.RevokeStation(ctx, *office, *st)
	case "list":
		list, err := db.Stations(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "OFFICE\tSTATION\tROLE\tSTATE\tCLOCK OFFSET\tLAST SEEN")
		for _, s := range list {
			role, state := "station", "active"
			if s.Admin {
				role = "admin"
			}
			if s.Revoked {
				state = "revoked"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", s.Office, s.Station, role, state, s.ClockOffset, s.LastSeen)
		}
		return tw.Flush()
	}
	return fmt.Errorf("station %s: use add, revoke or list", verb)
}

func adminAdd(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("admin add", flag.ContinueOnError)
	name := fs.String("name", "", "who the token is for")
	dbf := addDB(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *name == "" {
		return errors.New("give --name")
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	token := newToken()
	if err := db.AddStation(ctx, central.Principal{Office: "admin", Station: *name, Admin: true}, central.HashToken(token)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Administrator %s added. Token, shown this once:\n\n  %s\n", *name, token)
	return nil
}
