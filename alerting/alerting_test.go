package alerting_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/alerting"
	"github.com/radicador/radicador/buzon"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/mailer"
	"github.com/radicador/radicador/sync/wire"
)

// The digests go through a real mail server: Debian's OpenSMTPD, started
// here on a loopback port, delivering every address to a maildir the test
// reads back. (Its TLS does not work with Debian 12's OpenSSL 3, so it is
// spoken to in plain text, as on the same machine.)

var cot = time.FixedZone("COT", -5*3600)

// smtpd is a running OpenSMTPD.
type smtpd struct {
	port  int
	mail  string // maildirs, one per recipient
	stop  func()
	ended bool
}

func startSMTPD(t *testing.T, reject bool) *smtpd {
	t.Helper()
	bin, err := exec.LookPath("smtpd")
	if err != nil {
		bin = "/usr/sbin/smtpd"
	}
	if _, err := os.Stat(bin); err != nil || os.Geteuid() != 0 {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatalf("OpenSMTPD (Debian package opensmtpd) and root are needed: %v", err)
		}
		t.Skip("OpenSMTPD is not installed or this is not root (make test installs it and runs as root)")
	}
	// Its own folder, which the user it delivers as (nobody) can enter.
	dir, err := os.MkdirTemp("", "radicador-smtpd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	os.Chmod(dir, 0o755)
	maildirs := filepath.Join(dir, "mail")
	os.Mkdir(maildirs, 0o777)
	os.Chmod(maildirs, 0o777) // delivered as nobody
	port := freePort(t)
	conf := fmt.Sprintf("listen on 127.0.0.1 port %d\n", port)
	if reject {
		conf += "match from any for any reject\n"
	} else {
		conf += "table vusers { \"@\" = \"nobody\" }\n" +
			"action \"box\" maildir \"" + maildirs + "/%{rcpt}\" virtual <vusers>\n" +
			"match from any for any action \"box\"\n"
	}
	path := filepath.Join(dir, "smtpd.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	// Its spool and control socket are its own: a private mount namespace
	// puts folders of the test over /var/spool/smtpd and /run.
	spool, run := filepath.Join(dir, "spool"), filepath.Join(dir, "run")
	os.Mkdir(spool, 0o711)
	os.Mkdir(run, 0o755)
	var log bytes.Buffer
	cmd := exec.Command("unshare", "--mount", "--propagation", "private", "sh", "-c",
		`mount --bind "$1" /var/spool/smtpd && mount --bind "$2" /run && exec "$3" -d -f "$4"`, "sh", spool, run, bin, path)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &smtpd{port: port, mail: maildirs}
	s.stop = func() {
		if s.ended {
			return
		}
		s.ended = true
		cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	}
	t.Cleanup(s.stop)
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			c.Close()
			break
		}
		if i == 100 {
			t.Fatalf("OpenSMTPD did not start: %s", log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// received is an e-mail as delivered.
type received struct {
	subject, body, id string
}

// inbox reads the messages delivered to addr.
func (s *smtpd) inbox(t *testing.T, addr string) []received {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(s.mail, addr, "new", "*"))
	var out []received
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		m, err := mail.ReadMessage(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
		if err != nil {
			t.Fatal(err)
		}
		var r io.Reader = m.Body
		if m.Header.Get("Content-Transfer-Encoding") == "quoted-printable" {
			r = quotedprintable.NewReader(m.Body)
		}
		body, err := io.ReadAll(r)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, received{subject: subject, body: string(body), id: m.Header.Get("Message-Id")})
	}
	return out
}

// waitFor waits until addr has n messages (delivery is asynchronous: the
// mail server took them, and writes them to the maildir soon after).
func (s *smtpd) waitFor(t *testing.T, addr string, n int) []received {
	t.Helper()
	for i := 0; i < 600; i++ {
		if got := s.inbox(t, addr); len(got) >= n {
			return got
		}
		time.Sleep(50 * time.Millisecond)
	}
	got := s.inbox(t, addr)
	t.Fatalf("%s has %d messages, want %d", addr, len(got), n)
	return got
}

// clock is a test's clock, moved by hand.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

const (
	A = "2026001010000012" // GC, assigned to beto; due Fri 4 Dec
	B = "2026001010000022" // GC, unassigned; due Thu 10 Dec
	C = "2026001010000032" // JUR, caro's; overdue since Mon 23 Nov
)

// org makes the people and the radicados: ana heads GC (Spanish), beto
// works in GC (English), caro in JUR (no address), sara supervises.
func org(t *testing.T, db *central.DB, c *clock) map[string]central.User {
	ctx := context.Background()
	for _, d := range []central.Dept{{Code: "GC", Name: "Gestión de Clientes"}, {Code: "JUR", Name: "Jurídica"}} {
		if err := db.AddDept(ctx, "admin", d); err != nil {
			t.Fatal(err)
		}
	}
	users := map[string]central.User{}
	for _, u := range []central.User{
		{Name: "ana", Dept: "GC", Role: central.Jefe, Email: "ana@org.co", Lang: "es"},
		{Name: "beto", Dept: "GC", Role: central.Funcionario, Email: "beto@org.co", Lang: "en"},
		{Name: "caro", Dept: "JUR", Role: central.Funcionario},
		{Name: "sara", Role: central.Supervisor, Email: "sara@org.co", Lang: "es"},
	} {
		added, _, err := db.AddUser(ctx, "admin", u, "contraseña segura 1")
		if err != nil {
			t.Fatal(err)
		}
		users[u.Name] = added
	}
	c.set(time.Date(2026, 11, 13, 9, 0, 0, 0, cot))
	centraltest.Receive(t, db, C, "JUR", "informacion", time.Date(2026, 11, 6, 9, 0, 0, 0, cot), "2026-11-23")
	c.set(time.Date(2026, 11, 20, 9, 0, 0, 0, cot))
	centraltest.Receive(t, db, A, "GC", "informacion", time.Date(2026, 11, 20, 8, 30, 0, 0, cot), "2026-12-04")
	centraltest.Receive(t, db, B, "GC", "peticion", time.Date(2026, 11, 20, 8, 40, 0, 0, cot), "2026-12-10")
	for _, a := range []struct {
		user, number string
		act          central.Action
	}{{"ana", A, central.Action{Kind: "assign", User: "beto"}}, {"caro", C, central.Action{Kind: "assign", User: "caro"}}} {
		if _, err := db.Act(ctx, users[a.user], a.number, a.act); err != nil {
			t.Fatal(err)
		}
	}
	return users
}

func setMail(t *testing.T, db *central.DB, port int) {
	t.Helper()
	if err := db.SetMail(context.Background(), "admin", central.MailSettings{Host: "127.0.0.1", Port: port, Security: central.MailPlain,
		From: "alertas@org.co", Hour: "08:00"}); err != nil {
		t.Fatal(err)
	}
}

func TestDigestsSQLite(t *testing.T)     { digests(t, centraltest.SQLite) }
func TestDigestsPostgreSQL(t *testing.T) { digests(t, centraltest.Postgres) }

func digests(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	mta := startSMTPD(t, false)
	db := open(t)
	c := &clock{}
	db.SetClock(c.now)
	users := org(t, db, c)
	setMail(t, db, mta.port)
	svc := &alerting.Service{DB: db, URL: "https://radicador.org.co"}

	// Monday 30 November, 07:00: the alerts are raised and shown in the
	// console, no e-mail before 08:00. A (10 days, due 4 Dec): yellow
	// from 30 Nov (4 left); B unassigned; C overdue.
	c.set(time.Date(2026, 11, 30, 7, 0, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]int{"ana": 2, "beto": 1, "caro": 1, "sara": 1} {
		if n, err := db.UnseenAlerts(ctx, users[name]); err != nil || n != want {
			t.Errorf("%s has %d new alerts in the console, want %d (%v)", name, n, want, err)
		}
	}
	if got := mta.inbox(t, "ana@org.co"); len(got) != 0 {
		t.Fatalf("an e-mail before the hour: %+v", got)
	}

	c.set(time.Date(2026, 11, 30, 8, 1, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	ana := mta.waitFor(t, "ana@org.co", 1)
	beto := mta.waitFor(t, "beto@org.co", 1)
	sara := mta.waitFor(t, "sara@org.co", 1)
	check := func(who string, m received, subject string, has, hasNot []string) {
		t.Helper()
		if m.subject != subject {
			t.Errorf("%s: subject %q, want %q", who, m.subject, subject)
		}
		for _, s := range has {
			if !strings.Contains(m.body, s) {
				t.Errorf("%s: the digest does not say %q:\n%s", who, s, m.body)
			}
		}
		for _, s := range hasNot {
			if strings.Contains(m.body, s) {
				t.Errorf("%s: the digest says %q:\n%s", who, s, m.body)
			}
		}
	}
	check("ana", ana[0], "Radicador: 2 radicados requieren su atención",
		[]string{"Hola, ana:", "En amarillo", A, "quedan 4 días hábiles", "Sin asignar", B, "https://radicador.org.co/radicados/" + A}, []string{C})
	check("beto", beto[0], "Radicador: 1 radicado needs your attention", []string{"Hello beto,", "Turned yellow", A, "4 business days left"}, []string{B, C})
	check("sara", sara[0], "Radicador: 1 radicado requiere su atención", []string{"Vencidos", C, "vencido hace 5 días hábiles"}, []string{A, B})
	if files, _ := filepath.Glob(filepath.Join(mta.mail, "*")); len(files) != 3 {
		t.Errorf("mailboxes %v: caro has no address, only ana, beto and sara are written to", files)
	}

	// Another round, a restart (a new service), a retry: nothing twice.
	for range 2 {
		if err := (&alerting.Service{DB: db}).Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	c.set(time.Date(2026, 11, 30, 16, 0, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	for _, who := range []string{"ana@org.co", "beto@org.co", "sara@org.co"} {
		if got := mta.inbox(t, who); len(got) != 1 {
			t.Errorf("%s has %d e-mails after more rounds the same day, want 1", who, len(got))
		}
	}

	// Thursday 3 December: A turned red on 2 Dec (2 left), told once; beto chose no e-mail meanwhile. Wednesday 2
	// December was not a round (the server was off): nothing is lost.
	if err := db.SetAlerts(ctx, "beto", "beto", central.AlertsNone); err != nil {
		t.Fatal(err)
	}
	c.set(time.Date(2026, 12, 3, 9, 0, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	ana = mta.waitFor(t, "ana@org.co", 2)
	var second received
	for _, m := range ana {
		if !strings.Contains(m.body, "Sin asignar") {
			second = m
		}
	}
	// B (due 10 Dec, 13 business days; 8 Dec a holiday) turned yellow on
	// 2 Dec, with 5 left.
	check("ana, Thursday", second, "Radicador: 2 radicados requieren su atención",
		[]string{"En rojo\n-------\n* " + A, "queda 1 día hábil", "En amarillo\n-----------\n* " + B, "quedan 4 días hábiles"}, []string{C, "Sin asignar"})
	time.Sleep(300 * time.Millisecond)
	if got := mta.inbox(t, "beto@org.co"); len(got) != 1 {
		t.Errorf("beto chose no e-mail and has %d", len(got))
	}
	if n, _ := db.UnseenAlerts(ctx, users["beto"]); n != 1 {
		t.Errorf("beto sees %d radicados with new alerts in the console, want 1 (A: yellow, then red)", n)
	}
}

// TestMailServerTrouble: a mail server that is down, refuses, or never
// answers loses no e-mail; each is tried again and goes once it can.
func TestMailServerTrouble(t *testing.T) {
	ctx := context.Background()
	db := centraltest.SQLite(t)
	c := &clock{}
	db.SetClock(c.now)
	org(t, db, c)
	svc := &alerting.Service{DB: db, Config: func(m *mailer.Config) { m.Timeout = time.Second }}
	outbox := func() []central.Mail {
		t.Helper()
		m, err := db.Outbox(ctx, 50)
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	pending := func() (n int, errs []string) {
		for _, m := range outbox() {
			if m.Sent.IsZero() {
				n++
				errs = append(errs, m.Error)
			}
		}
		return n, errs
	}

	// Down: nothing listens.
	setMail(t, db, freePort(t))
	c.set(time.Date(2026, 11, 30, 8, 30, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if n, errs := pending(); n != 3 || !strings.Contains(errs[0], "refused") {
		t.Fatalf("down: %d waiting, errors %q; want 3, connection refused", n, errs)
	}

	// Never answers: a connection that says nothing.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var held []net.Conn
	var mu sync.Mutex
	go func() {
		for {
			conn, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, conn)
			mu.Unlock()
		}
	}()
	defer func() {
		l.Close()
		mu.Lock()
		for _, c := range held {
			c.Close()
		}
		mu.Unlock()
	}()
	setMail(t, db, l.Addr().(*net.TCPAddr).Port)
	c.set(c.now().Add(2 * time.Minute)) // past the first retry (1 min)
	start := time.Now()
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if n, errs := pending(); n != 3 || !strings.Contains(errs[0], "timeout") || time.Since(start) > 10*time.Second {
		t.Fatalf("silent: %d waiting, errors %q after %v", n, errs, time.Since(start))
	}

	// Working again: before the retry is due nothing goes; after, each
	// once.
	mta := startSMTPD(t, false)
	setMail(t, db, mta.port)
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	if n, _ := pending(); n != 3 {
		t.Errorf("sent before its retry was due: %d waiting", n)
	}
	c.set(c.now().Add(5 * time.Minute))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	for _, who := range []string{"ana@org.co", "beto@org.co", "sara@org.co"} {
		if got := mta.waitFor(t, who, 1); len(got) != 1 {
			t.Errorf("%s: %d e-mails", who, len(got))
		}
	}
	if n, _ := pending(); n != 0 {
		t.Errorf("%d still waiting", n)
	}
	for _, m := range outbox() {
		if m.Attempts != 3 || m.Sent.IsZero() {
			t.Errorf("%s: %d attempts, sent %v; want 3, sent", m.To, m.Attempts, m.Sent)
		}
	}

	// Refuses (a 5xx): not tried again, and the administrator sees why.
	// Wednesday 2 December: B turned yellow, ana's digest; A red, beto's.
	rej := startSMTPD(t, true)
	setMail(t, db, rej.port)
	c.set(time.Date(2026, 12, 2, 8, 30, 0, 0, cot))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	c.set(c.now().Add(2 * time.Hour))
	if err := svc.Round(ctx); err != nil {
		t.Fatal(err)
	}
	// (and A turned red: beto's)
	var refused []string
	for _, m := range outbox() {
		if m.Day == "2026-12-02" {
			refused = append(refused, m.To)
			if !m.GaveUp || m.Attempts != 1 || !strings.Contains(m.Error, "550") {
				t.Errorf("refused: %+v", m)
			}
		}
	}
	if len(refused) != 2 {
		t.Errorf("the digests of 2 December: %v, want ana's and beto's", refused)
	}
	rej.stop()
	setMail(t, db, mta.port)
	if err := svc.SendTest(ctx, "admin@org.co"); err != nil {
		t.Fatal(err)
	}
	if got := mta.waitFor(t, "admin@org.co", 1); !strings.Contains(got[0].subject, "prueba") {
		t.Errorf("test message: %+v", got)
	}
}

// TestTwoInstances: two servers on one PostgreSQL database, each running
// its rounds at the same time, send each digest once.
func TestTwoInstances(t *testing.T) {
	ctx := context.Background()
	mta := startSMTPD(t, false)
	url := centraltest.PostgresURL(t)
	c := &clock{}
	var dbs []*central.DB
	for range 2 {
		db, err := central.Open(ctx, url, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		db.SetClock(c.now)
		dbs = append(dbs, db)
	}
	org(t, dbs[0], c)
	setMail(t, dbs[0], mta.port)
	c.set(time.Date(2026, 11, 30, 8, 30, 0, 0, cot))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		wg.Go(func() { errs <- (&alerting.Service{DB: dbs[i%2]}).Round(ctx) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	time.Sleep(500 * time.Millisecond)
	for _, who := range []string{"ana@org.co", "beto@org.co", "sara@org.co"} {
		if got := mta.waitFor(t, who, 1); len(got) != 1 {
			t.Errorf("%s: %d e-mails from two instances, want 1", who, len(got))
		}
	}
	var n int
	m, _ := dbs[1].Outbox(ctx, 50)
	for _, x := range m {
		if x.Sent.IsZero() || x.Attempts != 1 {
			n++
		}
	}
	if len(m) != 3 || n != 0 {
		t.Errorf("outbox %+v", m)
	}
	if errors.Is(ctx.Err(), context.Canceled) {
		t.Fatal("cancelled")
	}
}

// TestAcuseByEmail: a communication handed in at the Buzón with an e-mail
// address gets its acuse there, once, with the receipt attached, through
// a real mail server; the same form sent again sends nothing more.
// acuse gives the text and the attached PDF of the one acuse addr got.
func (s *smtpd) acuse(t *testing.T, addr string) (string, []byte) {
	t.Helper()
	s.waitFor(t, addr, 1)
	time.Sleep(300 * time.Millisecond)
	if got := s.inbox(t, addr); len(got) != 1 {
		t.Fatalf("%d acuses, want 1", len(got))
	}
	files, _ := filepath.Glob(filepath.Join(s.mail, addr, "new", "*"))
	raw, _ := os.ReadFile(files[0])
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	_, params, _ := mime.ParseMediaType(m.Header.Get("Content-Type"))
	mr := multipart.NewReader(m.Body, params["boundary"])
	text, _ := mr.NextPart()
	body, _ := io.ReadAll(quotedprintable.NewReader(text))
	part, err := mr.NextPart()
	if err != nil {
		t.Fatalf("%v:\n%s", err, raw[:min(len(raw), 3000)])
	}
	pdf, _ := io.ReadAll(base64.NewDecoder(base64.StdEncoding, part))
	if !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatal("no PDF attached")
	}
	return string(body), pdf
}

func TestAcuseByEmail(t *testing.T) {
	ctx := context.Background()
	mta := startSMTPD(t, false)
	db := centraltest.SQLite(t)
	c := &clock{}
	c.set(time.Date(2026, 11, 30, 10, 0, 0, 0, cot))
	db.SetClock(c.now)
	if err := db.EnableBuzon(ctx, "admin", "001", "90"); err != nil {
		t.Fatal(err)
	}
	setMail(t, db, mta.port)
	s := central.Submission{Name: "Juan Ciudadano", Email: "juan@correo.co", Type: "peticion", Subject: "Paz y salvo", Form: "el-token-del-formulario"}
	acuse := func(r central.Receipt, held wire.Radicado) (central.AcuseMail, error) {
		return buzon.AcuseMail(r, held, "https://radicador.org.co/buzon/estado")
	}
	var rec central.Receipt
	for range 2 { // a double click
		doc := []byte("%PDF-1.4 comunicación")
		temp, sum, size, err := db.ReceiveUpload(bytes.NewReader(doc), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		if rec, err = db.Submit(ctx, s, []central.BuzonDoc{{Temp: temp, File: wire.File{SHA256: sum, Size: size, Name: "comunicacion.pdf",
			MediaType: "application/pdf", Pages: 1}}}, acuse); err != nil {
			t.Fatal(err)
		}
	}
	if err := (&alerting.Service{DB: db}).Round(ctx); err != nil {
		t.Fatal(err)
	}
	body, pdf := mta.acuse(t, "juan@correo.co")
	if !strings.Contains(body, rec.Number) || !strings.Contains(body, "Código de consulta: "+rec.Code) ||
		!strings.Contains(body, "https://radicador.org.co/buzon/estado") {
		t.Errorf("the acuse's text:\n%s", body)
	}
	cmd := exec.Command("pdftotext", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	if out, err := cmd.Output(); err == nil && (!strings.Contains(string(out), rec.Number) || !strings.Contains(string(out), rec.Code)) {
		t.Errorf("the attached acuse says:\n%s", out)
	}
}
