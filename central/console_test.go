package central_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// The console's part of the conformance suite: departments, users,
// log-in and sessions, the inbox, every action and the journal, on SQLite
// and PostgreSQL alike.

func TestConsoleSQLite(t *testing.T)     { consoleSuite(t, centraltest.SQLiteRaw, "sqlite") }
func TestConsolePostgreSQL(t *testing.T) { consoleSuite(t, centraltest.PostgresRaw, "postgres") }

// clock is a test's clock, moved by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

var cot = time.FixedZone("COT", -5*3600)

// org is a store with two departments and their people.
type org struct {
	db    *central.DB
	raw   *sql.DB
	clock *clock
	users map[string]central.User
}

const password = "contraseña segura 1"

func newOrg(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) *org {
	t.Helper()
	db, raw := open(t)
	c := &clock{time.Date(2026, 11, 23, 9, 0, 0, 0, cot)}
	db.SetClock(c.now)
	ctx := context.Background()
	o := &org{db: db, raw: raw, clock: c, users: map[string]central.User{}}
	for _, d := range []central.Dept{{Code: "GC", Name: "Gestión de Clientes"}, {Code: "JUR", Name: "Jurídica"}} {
		if err := db.AddDept(ctx, "admin", d); err != nil {
			t.Fatal(err)
		}
	}
	for _, u := range []central.User{
		{Name: "ana", FullName: "Ana Pérez", Dept: "GC", Role: central.Jefe},
		{Name: "beto", FullName: "Beto Ruiz", Dept: "GC", Role: central.Funcionario},
		{Name: "caro", FullName: "Carolina Gil", Dept: "JUR", Role: central.Funcionario},
		{Name: "sara", FullName: "Sara Supervisora", Role: central.Supervisor},
	} {
		added, pw, err := db.AddUser(ctx, "admin", u, password)
		if err != nil || pw != password {
			t.Fatal(err)
		}
		o.users[u.Name] = added
	}
	return o
}

// entrada pushes an entrada of station 001-01 for dept, received on the
// 23rd of November 2026 at 10:00 with a 15-day term: due on the 15th of
// December (the 8th is a holiday).
func (o *org) entrada(t *testing.T, number, dept, subject string) {
	t.Helper()
	o.put(t, number, dept, subject, "2026-12-15")
}

func (o *org) put(t *testing.T, number, dept, subject, due string) {
	t.Helper()
	f := o.upload(t, []byte("carta "+number))
	p := centraltest.Push(number, "001", "01", f)
	p.Radicado.Dept, p.Radicado.Subject, p.Radicado.Due = dept, subject, due
	if res, err := o.db.Put(context.Background(), central.Principal{Office: "001", Station: "01"}, p); err != nil || res.Status != wire.Created {
		t.Fatalf("push %s: %+v %v", number, res, err)
	}
}

func (o *org) upload(t *testing.T, data []byte) wire.File {
	t.Helper()
	sum := centraltest.SumOf(data)
	if _, err := o.db.PutChunk(context.Background(), central.Principal{Office: "001", Station: "01"},
		central.Chunk{Sum: sum, Size: int64(len(data)), Body: strings.NewReader(string(data)), Max: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	return centraltest.File(data)
}

func (o *org) inbox(t *testing.T, user string, f central.InboxFilter) []string {
	t.Helper()
	items, _, err := o.db.Inbox(context.Background(), o.users[user], f)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range items {
		out = append(out, it.Number)
	}
	return out
}

func consoleSuite(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB), kind string) {
	ctx := context.Background()

	t.Run("departments and users", func(t *testing.T) {
		o := newOrg(t, open)
		for _, tc := range []struct {
			name string
			dept central.Dept
		}{{"a code with a space", central.Dept{Code: "G C", Name: "x"}}, {"no name", central.Dept{Code: "X"}},
			{"a name with a line break", central.Dept{Code: "X", Name: "a\nb"}}, {"a head of another department", central.Dept{Code: "GC", Name: "GC", Head: "caro"}}} {
			if err := o.db.AddDept(ctx, "admin", tc.dept); !errors.Is(err, central.ErrInvalid) {
				t.Errorf("%s: %v", tc.name, err)
			}
		}
		if err := o.db.AddDept(ctx, "admin", central.Dept{Code: "GC", Name: "Gestión de Clientes", Head: "ana"}); err != nil {
			t.Error(err)
		}
		for _, tc := range []struct {
			name string
			user central.User
			pw   string
			want error
		}{
			{"a name with capitals", central.User{Name: "Ana", Role: central.Supervisor}, password, central.ErrInvalid},
			{"a name with a slash", central.User{Name: "a/b", Role: central.Supervisor}, password, central.ErrInvalid},
			{"an unknown role", central.User{Name: "zoe", Role: "rey"}, password, central.ErrInvalid},
			{"a funcionario without department", central.User{Name: "zoe", Role: central.Funcionario}, password, central.ErrInvalid},
			{"an unknown department", central.User{Name: "zoe", Dept: "XX", Role: central.Funcionario}, password, central.ErrInvalid},
			{"a short password", central.User{Name: "zoe", Role: central.Supervisor}, "corta", central.ErrInvalid},
			{"a name taken", central.User{Name: "ana", Role: central.Supervisor}, password, central.ErrExists},
		} {
			if _, _, err := o.db.AddUser(ctx, "admin", tc.user, tc.pw); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
		u, pw, err := o.db.AddUser(ctx, "admin", central.User{Name: "zoe", Role: central.Admin}, "")
		if err != nil || len(pw) < central.MinPassword {
			t.Fatalf("a made-up password: %q %v", pw, err)
		}
		if got, _, err := o.db.Login(ctx, "zoe", pw, "test"); err != nil || got.ID != u.ID {
			t.Errorf("logging in with the made-up password: %v", err)
		}
		list, _ := o.db.Users(ctx)
		if len(list) != 5 {
			t.Errorf("%d users", len(list))
		}
	})

	t.Run("log-in, lock-out and sessions", func(t *testing.T) {
		o := newOrg(t, open)
		u, s, err := o.db.Login(ctx, "beto", password, "127.0.0.1")
		if err != nil || u.Name != "beto" || s.ID == "" || s.CSRF == "" {
			t.Fatalf("log-in: %+v %v", u, err)
		}
		if got, gs, err := o.db.SessionUser(ctx, s.ID); err != nil || got.ID != u.ID || gs.CSRF != s.CSRF {
			t.Errorf("the session: %v", err)
		}
		if _, _, err := o.db.SessionUser(ctx, s.ID+"x"); !errors.Is(err, central.ErrSession) {
			t.Errorf("a forged session: %v", err)
		}
		_, _, errUnknown := o.db.Login(ctx, "nadie", password, "127.0.0.1")
		_, _, errWrong := o.db.Login(ctx, "beto", "otra contraseña", "127.0.0.1")
		if !errors.Is(errUnknown, central.ErrLogin) || !errors.Is(errWrong, central.ErrLogin) || errUnknown.Error() != errWrong.Error() {
			t.Errorf("an unknown name and a wrong password answer apart: %v / %v", errUnknown, errWrong)
		}
		for range 4 {
			o.db.Login(ctx, "beto", "otra contraseña", "127.0.0.1")
		}
		if _, _, err := o.db.Login(ctx, "beto", password, "127.0.0.1"); !errors.Is(err, central.ErrLocked) {
			t.Errorf("the right password after 5 failures: %v, want locked", err)
		}
		o.clock.t = o.clock.t.Add(16 * time.Minute)
		if _, _, err := o.db.Login(ctx, "beto", password, "127.0.0.1"); err != nil {
			t.Errorf("after the lock: %v", err)
		}
		// Idle too long, or past its life: over.
		o.clock.t = o.clock.t.Add(3 * time.Hour)
		if _, _, err := o.db.SessionUser(ctx, s.ID); !errors.Is(err, central.ErrSession) {
			t.Errorf("an idle session: %v", err)
		}
		_, s2, _ := o.db.Login(ctx, "beto", password, "127.0.0.1")
		if err := o.db.Logout(ctx, s2.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := o.db.SessionUser(ctx, s2.ID); !errors.Is(err, central.ErrSession) {
			t.Errorf("a session after log-out: %v", err)
		}
		// Disabling ends sessions and tokens.
		_, s3, _ := o.db.Login(ctx, "beto", password, "127.0.0.1")
		token, err := o.db.NewUserToken(ctx, "admin", "beto")
		if err != nil {
			t.Fatal(err)
		}
		if got, err := o.db.UserByToken(ctx, token); err != nil || got.Name != "beto" {
			t.Errorf("the token: %v", err)
		}
		if err := o.db.DisableUser(ctx, "admin", "beto"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := o.db.SessionUser(ctx, s3.ID); !errors.Is(err, central.ErrSession) {
			t.Errorf("a disabled user's session: %v", err)
		}
		if _, err := o.db.UserByToken(ctx, token); !errors.Is(err, central.ErrUnauthorized) {
			t.Errorf("a disabled user's token: %v", err)
		}
		if _, _, err := o.db.Login(ctx, "beto", password, "127.0.0.1"); !errors.Is(err, central.ErrLogin) {
			t.Errorf("a disabled user logs in: %v", err)
		}
		// Let in again, the old session and token stay ended.
		if err := o.db.EnableUser(ctx, "admin", "beto"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.db.UserByToken(ctx, token); !errors.Is(err, central.ErrUnauthorized) {
			t.Errorf("a token of before the disabling, after the enabling: %v", err)
		}
		if _, _, err := o.db.SessionUser(ctx, s3.ID); !errors.Is(err, central.ErrSession) {
			t.Errorf("a session of before the disabling, after the enabling: %v", err)
		}
		if err := o.db.DisableUser(ctx, "admin", "beto"); err != nil {
			t.Fatal(err)
		}
		// Neither tokens, sessions nor passwords are stored as they are.
		var stored int
		for _, secret := range []string{token, s3.ID, password} {
			for _, q := range []string{`SELECT COUNT(*) FROM user_tokens WHERE token_hash = '` + strings.ReplaceAll(secret, "'", "") + `'`,
				`SELECT COUNT(*) FROM sessions WHERE id_hash = '` + strings.ReplaceAll(secret, "'", "") + `'`,
				`SELECT COUNT(*) FROM users WHERE password_hash LIKE '%` + strings.ReplaceAll(secret, "'", "") + `%'`} {
				var n int
				if err := o.raw.QueryRow(q).Scan(&n); err != nil {
					t.Fatal(err)
				}
				stored += n
			}
		}
		if stored != 0 {
			t.Errorf("%d secrets stored as they are", stored)
		}
		if kind == "sqlite" {
			raw, _ := os.ReadFile(filepath.Join(o.db.Dir(), "server.db"))
			if strings.Contains(string(raw), token) || strings.Contains(string(raw), s3.ID) {
				t.Error("a token or session id is in the database file")
			}
		}
		// Failures at once count each: twenty wrong passwords together lock
		// after the fifth, and the others find it locked.
		o.clock.t = o.clock.t.Add(time.Hour)
		done := make(chan error, 20)
		for range 20 {
			go func() {
				_, _, err := o.db.Login(ctx, "ana", "no es la de ana", "10.0.0.9")
				done <- err
			}()
		}
		locked := 0
		for range 20 {
			if errors.Is(<-done, central.ErrLocked) {
				locked++
			}
		}
		if locked != 15 {
			t.Errorf("%d of 20 failures at once found the account locked, want 15", locked)
		}
		// A name that is no user's locks alike: the answer does not tell.
		for i := range 6 {
			_, _, err := o.db.Login(ctx, "fantasma", "x", "10.0.0.9")
			if want := central.ErrLogin; i == 5 {
				if !errors.Is(err, central.ErrLocked) {
					t.Errorf("the sixth failure of an unknown name: %v", err)
				}
			} else if !errors.Is(err, want) {
				t.Errorf("failure %d of an unknown name: %v", i+1, err)
			}
		}
		// A new password revokes the user's tokens.
		tok, _ := o.db.NewUserToken(ctx, "admin", "caro")
		if _, err := o.db.SetPassword(ctx, "admin", "caro", "otra contraseña larga"); err != nil {
			t.Fatal(err)
		}
		if _, err := o.db.UserByToken(ctx, tok); !errors.Is(err, central.ErrUnauthorized) {
			t.Errorf("a token after a new password: %v", err)
		}
		// Every log-in and failure is in the journal.
		entries, _ := o.db.JournalSince(ctx, 0, 1000)
		count := map[string]int{}
		for _, e := range entries {
			count[e.Action]++
		}
		if count["login"] != 4 || count["login.failed"] != 7+5+5 || count["login.locked"] != 1+15+1 || count["logout"] != 1 {
			t.Errorf("the journal's log-ins: %v", count)
		}
	})

	t.Run("the inbox and its lights", func(t *testing.T) {
		o := newOrg(t, open)
		o.entrada(t, "2026001010000012", "GC", "Solicitud de certificado laboral")
		o.entrada(t, "2026001010000022", "JUR", "Reclamación sobre contrato")
		o.entrada(t, "2026001010000032", "", "Carta sin destino")
		o.put(t, "2026001010000041", "GC", "Respuesta", "") // a salida: no work
		for _, tc := range []struct {
			user string
			f    central.InboxFilter
			want string
		}{
			{"beto", central.InboxFilter{}, "2026001010000012"},
			{"ana", central.InboxFilter{}, "2026001010000012"},
			{"caro", central.InboxFilter{}, "2026001010000022"},
			{"sara", central.InboxFilter{}, "2026001010000012 2026001010000022 2026001010000032"},
			{"sara", central.InboxFilter{Queue: "unrouted"}, "2026001010000032"},
			{"beto", central.InboxFilter{Queue: "unrouted"}, ""},
			{"sara", central.InboxFilter{Dept: "JUR"}, "2026001010000022"},
			{"sara", central.InboxFilter{Query: "certificado"}, "2026001010000012"},
			{"sara", central.InboxFilter{Query: "CERTIF"}, "2026001010000012"},
			{"sara", central.InboxFilter{Query: "contrato reclamación"}, "2026001010000022"},
			{"beto", central.InboxFilter{Query: "contrato"}, ""},
			{"sara", central.InboxFilter{Query: `"); DROP TABLE work; --`}, ""},
		} {
			if got := strings.Join(o.inbox(t, tc.user, tc.f), " "); got != tc.want {
				t.Errorf("%s %+v: %q, want %q", tc.user, tc.f, got, tc.want)
			}
		}
		if kind == "sqlite" { // the Spanish configuration of PostgreSQL keeps accents
			if got := strings.Join(o.inbox(t, "sara", central.InboxFilter{Query: "reclamacion"}), " "); got != "2026001010000022" {
				t.Errorf("a search without the accent: %q", got)
			}
		}
		// Due on 15 December; yellow with 6 business days left (4
		// December), red with 3 (10 December), overdue after.
		for _, tc := range []struct {
			day   string
			light central.Light
			left  int
		}{{"2026-11-23", central.Green, 15}, {"2026-12-03", central.Green, 7}, {"2026-12-04", central.Yellow, 6},
			{"2026-12-09", central.Yellow, 4}, {"2026-12-10", central.Red, 3}, {"2026-12-15", central.Red, 0}, {"2026-12-17", central.Red, -2}} {
			day, _ := calendar.ParseDate(tc.day)
			items, _, err := o.db.Inbox(ctx, o.users["beto"], central.InboxFilter{AsOf: day})
			if err != nil || len(items) != 1 {
				t.Fatalf("%s: %v %v", tc.day, items, err)
			}
			if it := items[0]; it.Light != tc.light || it.DaysLeft == nil || *it.DaysLeft != tc.left {
				t.Errorf("%s: light %q, %v days left; want %q, %d", tc.day, it.Light, *it.DaysLeft, tc.light, tc.left)
			}
			for _, l := range []central.Light{central.Green, central.Yellow, central.Red} {
				got := o.inbox(t, "beto", central.InboxFilter{AsOf: day, Light: l})
				if (len(got) == 1) != (l == tc.light) {
					t.Errorf("%s: filtering by %s gives %v", tc.day, l, got)
				}
			}
		}
		for _, f := range []central.InboxFilter{{Queue: "todo"}, {State: "perdido"}, {Light: "azul"}, {From: "ayer"}, {Office: "0;1"},
			{Query: strings.Repeat("x", 201)}, {Limit: 10000}} {
			if _, _, err := o.db.Inbox(ctx, o.users["sara"], f); !errors.Is(err, central.ErrInvalid) {
				t.Errorf("filter %+v: %v", f, err)
			}
		}
	})

	t.Run("actions", func(t *testing.T) {
		o := newOrg(t, open)
		const n = "2026001010000012"
		o.entrada(t, n, "GC", "Solicitud de certificado")
		o.put(t, "2026001010000021", "JUR", "Respuesta al certificado", "")
		o.put(t, "2026001010000031", "GC", "Una salida de Gestión de Clientes", "")
		act := func(user, kind string, a central.Action) (central.Item, error) {
			a.Kind = kind
			return o.db.Act(ctx, o.users[user], n, a)
		}
		must := func(user, kind string, a central.Action) central.Item {
			t.Helper()
			it, err := act(user, kind, a)
			if err != nil {
				t.Fatalf("%s %s: %v", user, kind, err)
			}
			return it
		}
		for _, tc := range []struct {
			name, user, kind string
			a                central.Action
			want             error
		}{
			{"another department's user", "caro", "assign", central.Action{User: "caro"}, central.ErrNotFound},
			{"a funcionario assigning another", "beto", "assign", central.Action{User: "ana"}, central.ErrForbid},
			{"to a user of another department", "ana", "assign", central.Action{User: "caro"}, central.ErrInvalid},
			{"to nobody", "ana", "assign", central.Action{User: "nadie"}, central.ErrInvalid},
			{"a reassignment without reason", "ana", "reassign", central.Action{Dept: "JUR"}, central.ErrInvalid},
			{"to a department that is not", "ana", "reassign", central.Action{Dept: "XX", Reason: "no es nuestro"}, central.ErrInvalid},
			{"an answer by a number not held", "ana", "answer", central.Action{By: "2026001010009991"}, central.ErrInvalid},
			{"an answer by an entrada", "ana", "answer", central.Action{By: n}, central.ErrInvalid},
			{"an answer in the future", "ana", "answer", central.Action{Channel: "email", At: "2027-01-01"}, central.ErrInvalid},
			{"an extension of more than double", "ana", "extend", central.Action{Days: 16, Reason: "falta información"}, central.ErrInvalid},
			{"an extension without reason", "ana", "extend", central.Action{Days: 5}, central.ErrInvalid},
			{"archiving what is not answered", "ana", "archive", central.Action{}, central.ErrConflict},
			{"a reason with a control character", "ana", "return", central.Action{Reason: "no\x07"}, central.ErrInvalid},
			{"an action that is not", "ana", "borrar", central.Action{}, central.ErrInvalid},
		} {
			if _, err := act(tc.user, tc.kind, tc.a); !errors.Is(err, tc.want) {
				t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
			}
		}
		if it := must("ana", "assign", central.Action{User: "beto"}); it.State != central.StateAssigned || it.Assignee != "beto" {
			t.Errorf("assigned: %+v", it)
		}
		if err := o.db.MarkRead(ctx, o.users["beto"], n); err != nil {
			t.Fatal(err)
		}
		if it, _ := o.db.Work(ctx, o.users["beto"], n); it.State != central.StateWorking || it.Unread {
			t.Errorf("opened by its assignee: %+v", it)
		}
		// Informed, caro sees it as a copy, and may not act on it.
		must("beto", "inform", central.Action{Users: []string{"caro"}, Note: "para su conocimiento"})
		if got := o.inbox(t, "caro", central.InboxFilter{}); len(got) != 0 {
			t.Errorf("a copy among the department's own: %v", got)
		}
		if got := o.inbox(t, "caro", central.InboxFilter{Queue: "copies"}); len(got) != 1 {
			t.Errorf("caro's copies: %v", got)
		}
		if got := o.inbox(t, "sara", central.InboxFilter{Queue: "copies"}); len(got) != 0 {
			t.Errorf("a supervisor's copies list caro's: %v", got)
		}
		if it, err := o.db.Work(ctx, o.users["caro"], n); err != nil || !it.Copied {
			t.Errorf("the copy: %+v %v", it, err)
		}
		if _, err := act("caro", "archive", central.Action{}); !errors.Is(err, central.ErrForbid) {
			t.Errorf("acting on a copy: %v", err)
		}
		// Extended before its term ends, once: 15 business days after 15
		// December, past Christmas, New Year and the weekends (Reyes moves
		// to Monday 11 January).
		o.clock.t = time.Date(2026, 12, 14, 9, 0, 0, 0, cot)
		if it := must("beto", "extend", central.Action{Days: 15, Reason: "se requiere concepto jurídico"}); it.Due != "2027-01-07" || !it.Extended {
			t.Errorf("extended by 15 business days from 15 December: due %s", it.Due)
		}
		if _, err := act("beto", "extend", central.Action{Days: 2, Reason: "otra vez"}); !errors.Is(err, central.ErrConflict) {
			t.Errorf("a second extension: %v", err)
		}
		// Reassigned, it leaves GC for JUR.
		must("ana", "reassign", central.Action{Dept: "JUR", Reason: "es un asunto jurídico"})
		if got := o.inbox(t, "beto", central.InboxFilter{}); len(got) != 0 {
			t.Errorf("GC still sees it: %v", got)
		}
		if it, err := o.db.Work(ctx, o.users["caro"], n); err != nil || it.Copied || it.State != central.StateNew || it.Assignee != "" {
			t.Errorf("in JUR: %+v %v", it, err)
		}
		// Answered by a salida of its department, then archived; another
		// department's salida is not one it may name (it would see it).
		_, errOther := act("caro", "answer", central.Action{By: "2026001010000031"})
		_, errNone := act("caro", "answer", central.Action{By: "2026001010009991"})
		if !errors.Is(errOther, central.ErrInvalid) || strings.Replace(errOther.Error(), "0000031", "0009991", 1) != errNone.Error() {
			t.Errorf("answering with another department's salida: %v (for none: %v)", errOther, errNone)
		}
		if _, err := o.db.Work(ctx, o.users["caro"], "2026001010000031"); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("caro sees GC's salida: %v", err)
		}
		if it := must("caro", "answer", central.Action{By: "2026001010000021"}); it.State != central.StateAnswered || it.AnsweredAt != "2026-11-23" || it.Light != "" {
			t.Errorf("answered: %+v", it)
		}
		if got, _ := o.db.AnsweredBy(ctx, o.users["caro"], "2026001010000021"); strings.Join(got, "") != n {
			t.Errorf("the salida answers %v", got)
		}
		if _, err := o.db.Work(ctx, o.users["caro"], "2026001010000021"); err != nil {
			t.Errorf("the department cannot see its answer: %v", err)
		}
		if _, err := o.db.Work(ctx, o.users["beto"], "2026001010000021"); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("another department sees the salida: %v", err)
		}
		// The salida annulled at its station: the radicado is open again.
		annul := centraltest.Push("2026001010000021", "001", "01", o.upload(t, []byte("carta 2026001010000021")))
		annul.Radicado.Dept, annul.Radicado.Subject = "JUR", "Respuesta al certificado"
		first := annul.Events[0]
		annul.Events = append(annul.Events, centraltest.Event(first.ID+1, first.Hash, "anular", annul.Radicado.Number, `{"reason":"dirección errada"}`, first.At.Add(time.Hour)))
		if res, err := o.db.Put(ctx, central.Principal{Office: "001", Station: "01"}, annul); err != nil || !res.Annulled {
			t.Fatalf("annulling the salida: %+v %v", res, err)
		}
		if it, _ := o.db.Work(ctx, o.users["caro"], n); it.State != central.StateNew || it.AnswerBy != "" {
			t.Errorf("after its answer was annulled: %+v", it)
		}
		must("caro", "answer", central.Action{Channel: "email", At: "2026-12-14"})
		if it := must("caro", "archive", central.Action{}); it.State != central.StateArchived {
			t.Errorf("archived: %+v", it)
		}
		if got := o.inbox(t, "caro", central.InboxFilter{}); len(got) != 0 {
			t.Errorf("an archived radicado among the open ones: %v", got)
		}
		if got := o.inbox(t, "caro", central.InboxFilter{State: "all"}); len(got) != 1 {
			t.Errorf("all states: %v", got)
		}
		// The history, in order, and the journal holds.
		hist, _ := o.db.History(ctx, n)
		var actions []string
		for _, e := range hist {
			actions = append(actions, e.Action)
		}
		want := "radicado.assign radicado.start radicado.inform radicado.extend radicado.reassign radicado.answer radicado.answer_void radicado.answer radicado.archive"
		if strings.Join(actions, " ") != want {
			t.Errorf("history: %s\nwant     %s", strings.Join(actions, " "), want)
		}
		if n, problems, err := o.db.VerifyJournal(ctx); err != nil || len(problems) != 0 || n < 10 {
			t.Errorf("verify: %d entries, %v %v", n, problems, err)
		}
	})

	t.Run("the journal tells a change", func(t *testing.T) {
		for _, tc := range []struct{ name, sql string }{
			{"a changed actor", `UPDATE journal SET actor = 'otro' WHERE id = 3`},
			{"a changed data", `UPDATE journal SET data = '{}' WHERE id = 2`},
			{"an entry taken out", `DELETE FROM journal WHERE id = 3`},
			{"an entry forged in place", `UPDATE journal SET hash = 'f' || substr(hash, 2) WHERE id = 4`},
		} {
			t.Run(tc.name, func(t *testing.T) {
				o := newOrg(t, open)
				if n, problems, _ := o.db.VerifyJournal(ctx); n != 6 || len(problems) != 0 {
					t.Fatalf("before: %d entries, %v", n, problems)
				}
				if _, err := o.raw.Exec(tc.sql); err != nil {
					t.Fatal(err)
				}
				if _, problems, _ := o.db.VerifyJournal(ctx); len(problems) == 0 {
					t.Errorf("%s went unseen", tc.name)
				}
			})
		}
	})
}

func TestOrgConfigSQLite(t *testing.T)     { orgConfig(t, centraltest.SQLiteRaw) }
func TestOrgConfigPostgreSQL(t *testing.T) { orgConfig(t, centraltest.PostgresRaw) }

// orgConfig: the organisation's configuration, each change a new version
// in the journal, and the server's own calendar following it.
func orgConfig(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	first, err := o.db.OrgConfig(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(first.Types) != len(radicado.DefaultTypes()) || first.Depts["GC"] != "Gestión de Clientes" || first.Pattern != "{year}{office:3}{station:2}{seq:6}{kind}" || first.Hours != "08:00-17:00" {
		t.Errorf("the first configuration: %+v", first)
	}
	for _, tc := range []struct {
		name string
		err  error
	}{
		{"a type code with capitals", o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "Peticion", Name: "x", Days: 5})},
		{"a term of a year and more", o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "x", Name: "x", Days: 400})},
		{"a route of no type", o.db.SetRoute(ctx, "admin", "nada", "GC")},
		{"a route to no department", o.db.SetRoute(ctx, "admin", "peticion", "XX")},
		{"hours backwards", o.db.SetOrgSetting(ctx, "admin", "hours", "17:00-08:00")},
		{"a zone that is not", o.db.SetOrgSetting(ctx, "admin", "time_zone", "Marte/Olympus")},
		{"a setting that is not", o.db.SetOrgSetting(ctx, "admin", "color", "azul")},
	} {
		if !errors.Is(tc.err, central.ErrInvalid) {
			t.Errorf("%s: %v", tc.name, tc.err)
		}
	}
	day := calendar.Date{Year: 2026, Month: 12, Day: 11}
	for _, err := range []error{
		o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "peticion", Name: "Derecho de petición", Days: 20}),
		o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "garantia", Name: "Reclamo de garantía", Days: 8}),
		o.db.SetRoute(ctx, "admin", "garantia", "GC"),
		o.db.SetClosure(ctx, "admin", day, "Aniversario del municipio"),
		o.db.SetOrgSetting(ctx, "admin", "organization", "Alcaldía de Ejemplo"),
		o.db.SetOrgSetting(ctx, "admin", "hours", "07:00-16:00"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	cfg, _ := o.db.OrgConfig(ctx)
	if cfg.Version != first.Version+6 || cfg.Organization != "Alcaldía de Ejemplo" || cfg.Hours != "07:00-16:00" || cfg.Routes["garantia"] != "GC" ||
		len(cfg.Closures) != 1 || cfg.Closures[0].Date != day || len(cfg.Types) != len(radicado.DefaultTypes())+1 {
		t.Errorf("after the changes (version %d → %d): %+v", first.Version, cfg.Version, cfg)
	}
	// The server's calendar takes the closure at once: a radicado due on
	// 15 December has a business day less left from the 9th.
	o.entrada(t, "2026001010000012", "GC", "Solicitud")
	items, _, _ := o.db.Inbox(ctx, o.users["ana"], central.InboxFilter{AsOf: calendar.Date{Year: 2026, Month: 12, Day: 9}})
	if len(items) != 1 || items[0].DaysLeft == nil || *items[0].DaysLeft != 3 {
		t.Errorf("days left from 9 December with the 11th closed: %v", items)
	}
	if err := o.db.SetClosure(ctx, "admin", day, ""); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := o.db.OrgConfig(ctx); len(cfg.Closures) != 0 {
		t.Errorf("a closure taken away: %v", cfg.Closures)
	}
	entries, _ := o.db.JournalSince(ctx, 0, 1000)
	n := 0
	for _, e := range entries {
		if strings.HasPrefix(e.Action, "config.") || e.Action == "dept.set" {
			n++
		}
	}
	if n != 9 { // two departments, six changes, the closure taken away
		t.Errorf("%d configuration entries in the journal", n)
	}
}

// TestCalendarFollowsAnotherProcess: a closure set by another process (the
// command line, another instance) reaches a running server's calendar
// within its recheck, without a restart.
func TestCalendarFollowsAnotherProcess(t *testing.T) {
	ctx := context.Background()
	db := centraltest.SQLite(t)
	c := &clock{time.Date(2026, 12, 9, 9, 0, 0, 0, cot)}
	db.SetClock(c.now)
	other, err := central.Open(ctx, filepath.Join(db.Dir(), "server.db"), db.Dir())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	day := calendar.Date{Year: 2026, Month: 12, Day: 11}
	cal, _, _ := db.Calendar(ctx)
	if !cal.IsBusinessDay(day) {
		t.Fatal("11 December 2026 is a business day")
	}
	if err := other.SetClosure(ctx, "cli", day, "Aniversario"); err != nil {
		t.Fatal(err)
	}
	c.t = c.t.Add(31 * time.Second)
	if cal, _, _ := db.Calendar(ctx); cal.IsBusinessDay(day) {
		t.Error("the closure set by another process is not in the calendar after its recheck")
	}
}

// TestDateFilterInTheOrganisationsZone: a letter received at 21:00 in
// Bogotá (02:00 UTC the next day) is found under its own day.
func TestDateFilterInTheOrganisationsZone(t *testing.T) {
	o := newOrg(t, centraltest.SQLiteRaw)
	f := o.upload(t, []byte("tarde"))
	p := centraltest.Push("2026001010000012", "001", "01", f)
	p.Radicado.Dept, p.Radicado.ReceivedAt = "GC", time.Date(2026, 11, 23, 21, 0, 0, 0, cot)
	if _, err := o.db.Put(context.Background(), central.Principal{Office: "001", Station: "01"}, p); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		from, to string
		found    bool
	}{{"2026-11-23", "2026-11-23", true}, {"2026-11-24", "2026-11-24", false}, {"", "2026-11-22", false}, {"2026-11-23", "", true}} {
		got := o.inbox(t, "sara", central.InboxFilter{From: tc.from, To: tc.to})
		if (len(got) == 1) != tc.found {
			t.Errorf("from %q to %q: %v", tc.from, tc.to, got)
		}
	}
}
