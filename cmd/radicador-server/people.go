package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/radicador/radicador/central"
)

// The console's people, from the command line: departments, users, their
// passwords and tokens; and the check of the server's journal.

// cliActor is who the journal says made a change from the command line.
func cliActor() string {
	name := "?"
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	return "cli:" + name
}

// readPassword reads a password from the first line of r.
func readPassword(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func dept(ctx context.Context, verb string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("dept "+verb, flag.ContinueOnError)
	code := fs.String("code", "", "the department's code (as stations route to it)")
	name := fs.String("name", "", "its name")
	head := fs.String("head", "", "its head: a user of the department")
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	switch verb {
	case "add", "set":
		if err := db.AddDept(ctx, cliActor(), central.Dept{Code: *code, Name: *name, Head: *head}); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Department %s (%s) saved.\n", *code, *name)
		return nil
	case "list":
		list, err := db.Depts(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CODE\tNAME\tHEAD")
		for _, d := range list {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", d.Code, d.Name, d.Head)
		}
		return tw.Flush()
	}
	return fmt.Errorf("dept %s: use add, set or list", verb)
}

func users(ctx context.Context, verb string, args []string, stdin io.Reader, stdout io.Writer) error {
	fs := flag.NewFlagSet("user "+verb, flag.ContinueOnError)
	name := fs.String("name", "", "log-in name: lower-case letters, digits, . _ -")
	full := fs.String("full-name", "", "the person's name")
	deptCode := fs.String("dept", "", "department code")
	role := fs.String("role", "funcionario", "funcionario, jefe, supervisor or admin")
	email := fs.String("email", "", "e-mail address")
	lang := fs.String("lang", "es", "language of the console: es or en")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of standard input (else one is made up and shown once)")
	dbf := addDB(fs)
	// The user's name may come first: "user disable ana".
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		*name, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("user %s: unexpected %q", verb, fs.Arg(0))
	}
	password := ""
	if *fromStdin {
		var err error
		if password, err = readPassword(stdin); err != nil {
			return err
		}
		if password == "" {
			return errors.New("no password on standard input")
		}
	}
	db, err := dbf.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	actor := cliActor()
	switch verb {
	case "add":
		u, pw, err := db.AddUser(ctx, actor, central.User{Name: *name, FullName: *full, Dept: *deptCode, Role: central.Role(*role), Email: *email, Lang: *lang}, password)
		if err != nil {
			return err
		}
		if password == "" {
			fmt.Fprintf(stdout, "User %s added (%s). Password, shown this once:\n\n  %s\n", u.Name, u.Role, pw)
		} else {
			fmt.Fprintf(stdout, "User %s added (%s).\n", u.Name, u.Role)
		}
		return nil
	case "password":
		pw, err := db.SetPassword(ctx, actor, *name, password)
		if err != nil {
			return err
		}
		if password == "" {
			fmt.Fprintf(stdout, "New password of %s, shown this once:\n\n  %s\n", *name, pw)
		} else {
			fmt.Fprintf(stdout, "Password of %s changed; their sessions ended.\n", *name)
		}
		return nil
	case "disable":
		if err := db.DisableUser(ctx, actor, *name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "User %s disabled: their sessions and tokens no longer work.\n", *name)
		return nil
	case "enable":
		if err := db.EnableUser(ctx, actor, *name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "User %s enabled again: they log in with their password (user password %s gives a new one).\n", *name, *name)
		return nil
	case "token":
		token, err := db.NewUserToken(ctx, actor, *name)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "API token of %s, shown this once (only its hash is kept):\n\n  %s\n\nUse it as: Authorization: Bearer %s\n", *name, token, token)
		return nil
	case "revoke-tokens":
		if err := db.RevokeUserTokens(ctx, actor, *name); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Every API token of %s is revoked.\n", *name)
		return nil
	case "list":
		list, err := db.Users(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tFULL NAME\tDEPT\tROLE\tSTATE")
		for _, u := range list {
			state := "active"
			if u.Disabled {
				state = "disabled"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Name, u.FullName, u.Dept, u.Role, state)
		}
		return tw.Flush()
	}
	return fmt.Errorf("user %s: use add, password, disable, enable, token, revoke-tokens or list", verb)
}

// verify checks the server's journal from its first entry, and what the
// Buzón numbered.
func verify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	db, err := addDB(fs).parseOpen(ctx, fs, args)
	if err != nil {
		return err
	}
	defer db.Close()
	n, problems, err := db.VerifyJournal(ctx)
	if err != nil {
		return err
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "The journal holds: %d entries, each chained to the one before.\n", n)
	}
	for _, p := range problems {
		fmt.Fprintf(stdout, "entry %d: %s\n", p.ID, p.Reason)
	}
	// What the Buzón numbered: no hole, its events chained.
	m, wrong, err := db.VerifyBuzon(ctx)
	if err != nil {
		return err
	}
	if m > 0 && len(wrong) == 0 {
		fmt.Fprintf(stdout, "The Buzón holds: %d radicados, numbered without a hole, their events chained.\n", m)
	}
	for _, w := range wrong {
		fmt.Fprintf(stdout, "Buzón: %s\n", w)
	}
	switch {
	case len(problems) > 0:
		return fmt.Errorf("the journal does not hold: %d problems in %d entries", len(problems), n)
	case len(wrong) > 0:
		return fmt.Errorf("the Buzón's radicados do not hold: %d problems", len(wrong))
	}
	return nil
}
