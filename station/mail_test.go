package station

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/dovecottest"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/mailfixture"
	"github.com/radicador/radicador/mailbox"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

func openMailStation(t *testing.T, dir, code string) *Station {
	t.Helper()
	st, err := Open(context.Background(), dir, Options{Actor: "ventanilla-" + code})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if err := st.Settings.Set(context.Background(), map[string]*string{KeyStation: &code}); err != nil {
		t.Fatal(err)
	}
	return st
}

// TestMailImport: an .eml imported and radicated keeps its original byte
// for byte as the first file, the message as pages, its PDF as a document
// and its spreadsheet as an annex; the same message is refused a second
// time, also when it comes back forwarded; a message discarded is in the
// audit log; verify is ok.
func TestMailImport(t *testing.T) {
	ctx := context.Background()
	st := openMailStation(t, t.TempDir(), "01")
	src := t.TempDir()
	pdf, err := os.ReadFile(fixture.TextPDF(t, src, "solicitud.pdf", "Solicitud de copia del contrato 17", "Cédula 52.123.456"))
	if err != nil {
		t.Fatal(err)
	}
	raw := mailfixture.Message{ID: "pet-1@correo.example", From: `"Ana Gómez" <Ana.Gomez@correo.example>`, To: "radicacion@entidad.gov.co",
		Subject: "Derecho de petición: copia del contrato", Text: "Señores:\nSolicito copia del contrato 17.\nAna Gómez\nC.C. 52.123.456",
		Parts: []mailfixture.Part{{Type: "application/pdf", Name: "solicitud.pdf", Disposition: "attachment", Data: pdf},
			{Type: "application/vnd.ms-excel", Name: "anexo.xls", Disposition: "attachment", Data: []byte("hoja de cálculo")}}}.Bytes()
	path := fixture.Write(t, src, "peticion.eml", raw)

	e, added, err := st.Mail.Import(ctx, path)
	if err != nil || !added || e.State != store.MailWaiting || e.From != "ana.gomez@correo.example" || e.Attachments != 2 {
		t.Fatalf("import: %+v %v %v", e, added, err)
	}
	if again, added, err := st.Mail.Import(ctx, path); err != nil || added || again.ID != e.ID {
		t.Fatalf("the same file imported again: %+v %v %v", again, added, err)
	}
	rec, err := st.Mail.Radicar(ctx, e.ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Channel != radicado.ChannelEmail || rec.Sender.Email != "ana.gomez@correo.example" || rec.Sender.Name != "Ana Gómez" ||
		rec.Subject != "Derecho de petición: copia del contrato" || rec.Sender.ID.String() != "CC:52123456" {
		t.Errorf("record: channel %q sender %+v subject %q", rec.Channel, rec.Sender, rec.Subject)
	}
	var got []string
	for _, f := range rec.Files {
		got = append(got, fmt.Sprintf("%s %s %d", f.Name, f.MediaType, f.Pages))
	}
	want := []string{"mensaje.eml message/rfc822 0", "mensaje.pdf application/pdf 1", "solicitud.pdf application/pdf 1", "anexo.xls application/vnd.ms-excel 0"}
	if !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
	if kept, err := os.ReadFile(st.core.store.Blobs().Path(rec.Files[0].SHA256)); err != nil || !bytes.Equal(kept, raw) {
		t.Errorf("the original is not kept byte for byte: %v", err)
	}
	if e, _ := st.Mail.Get(ctx, e.ID); e.State != store.MailRadicated || e.Number != rec.Number {
		t.Errorf("the message after radicación: %+v", e)
	}
	if _, err := st.Mail.Radicar(ctx, e.ID, nil); !errors.Is(err, store.ErrMailDone) {
		t.Errorf("radicated twice: %v", err)
	}

	// The same message forwarded back, and the same message with other
	// bytes (another copy of it): refused, nothing numbered.
	fwd := mailfixture.Message{ID: "fwd-1@entidad.gov.co", From: "jefe@entidad.gov.co", Subject: "RV: Derecho de petición",
		Text: "Para radicar.", Parts: []mailfixture.Part{{Type: "message/rfc822", Name: "peticion.eml", Disposition: "attachment", Data: raw}}}.Bytes()
	copyOf := append([]byte("X-Copia: 2\r\n"), raw...)
	for name, b := range map[string][]byte{"forwarded": fwd, "copy": copyOf} {
		e2, _, err := st.Mail.Import(ctx, fixture.Write(t, src, name+".eml", b))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.Mail.Radicar(ctx, e2.ID, nil); !errors.Is(err, store.ErrMailRadicated) || !strings.Contains(err.Error(), rec.Number) {
			t.Errorf("%s: %v, want refused as radicated as %s", name, err, rec.Number)
		}
		if _, err := st.Mail.Discard(ctx, e2.ID, ""); err == nil {
			t.Errorf("%s: discarded without a reason", name)
		}
		if d, err := st.Mail.Discard(ctx, e2.ID, "copia de "+rec.Number); err != nil || d.State != store.MailDiscarded {
			t.Errorf("%s: discard: %+v %v", name, d, err)
		}
		if _, err := st.Mail.Radicar(ctx, e2.ID, nil); !errors.Is(err, store.ErrMailDone) {
			t.Errorf("%s: radicated after being discarded: %v", name, err)
		}
	}
	all, _ := st.Records.List(ctx, store.Filter{})
	if len(all) != 1 {
		t.Errorf("%d radicados, want 1", len(all))
	}
	events, _ := st.Records.Audit(ctx, 0, 0)
	discards := 0
	for _, ev := range events {
		if ev.Action == store.ActionDiscardMail && strings.Contains(string(ev.Data), "copia de "+rec.Number) {
			discards++
		}
	}
	if discards != 2 {
		t.Errorf("%d discards in the audit log, want 2", discards)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}

	// What is not a message is refused, and nothing is held.
	for _, b := range [][]byte{[]byte("%PDF-1.4\n%%EOF\n"), {}} {
		if _, _, err := st.Mail.Import(ctx, fixture.Write(t, src, "no.eml", b)); err == nil {
			t.Errorf("%q imported", b)
		}
	}
	if held, _ := st.Mail.List(ctx, ""); len(held) != 3 {
		t.Errorf("%d messages held, want 3", len(held))
	}
}

// mailSettings points a station at the test's Dovecot.
func mailSettings(t *testing.T, st *Station, srv *dovecottest.Server) {
	t.Helper()
	port := strconv.Itoa(srv.Port)
	none := "none"
	if err := st.Settings.Set(context.Background(), map[string]*string{KeyMailHost: ptr("127.0.0.1"), KeyMailPort: &port,
		KeyMailSecurity: &none, KeyMailUser: &srv.User}); err != nil {
		t.Fatal(err)
	}
	if err := st.Settings.SetMailPassword(srv.Password); err != nil {
		t.Fatal(err)
	}
}

func ptr(s string) *string { return &s }

// TestMailTwoStations: two stations share one mailbox and fetch and
// radicate at the same time: each message is radicated exactly once, also
// those delivered twice (the same Message-ID, other bytes), whose copies
// go to one station, which discards the second; every one ends in the
// Radicados folder, each copy in Descartados.
func TestMailTwoStations(t *testing.T) {
	ctx := context.Background()
	srv := dovecottest.Start(t)
	const n = 24
	for i := range n {
		raw := mailfixture.Message{ID: fmt.Sprintf("m%02d@x.example", i), From: fmt.Sprintf("Remitente %d <r%d@x.example>", i, i),
			Subject: fmt.Sprintf("Solicitud %d", i), Text: fmt.Sprintf("Solicito información del trámite %d.", i)}.Bytes()
		srv.Deliver(t, "INBOX", raw)
		if i%3 == 0 {
			// Sent to two of the organisation's addresses: a second copy,
			// other bytes, the same Message-ID.
			srv.Deliver(t, "INBOX", append([]byte("Delivered-To: archivo@entidad.gov.co\r\n"), raw...))
		}
	}
	stations := []*Station{openMailStation(t, t.TempDir(), "01"), openMailStation(t, t.TempDir(), "02")}
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for _, st := range stations {
		mailSettings(t, st, srv)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				res, err := st.Mail.Fetch(ctx, 3)
				if err != nil {
					errs <- err
					return
				}
				waiting, err := st.Mail.List(ctx, store.MailWaiting)
				if err != nil {
					errs <- err
					return
				}
				for _, e := range waiting {
					_, err := st.Mail.Radicar(ctx, e.ID, nil)
					if errors.Is(err, store.ErrMailRadicated) {
						_, err = st.Mail.Discard(ctx, e.ID, "copia")
					}
					if err != nil {
						errs <- err
						return
					}
				}
				if res.Claimed == 0 && res.New == 0 && len(waiting) == 0 && res.Finished == 0 {
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := map[string]string{}
	copies := 0
	for i, st := range stations {
		if _, err := st.Mail.Fetch(ctx, 0); err != nil { // moves what is left
			t.Fatal(err)
		}
		recs, _ := st.Records.List(ctx, store.Filter{})
		held, _ := st.Mail.List(ctx, "")
		radicated := 0
		for _, e := range held {
			switch e.State {
			case store.MailRadicated:
				if other, ok := seen[e.MessageID]; ok {
					t.Errorf("%s radicated twice: %s and %s", e.MessageID, other, e.Number)
				}
				seen[e.MessageID] = e.Number
				radicated++
			case store.MailDiscarded:
				copies++
			default:
				t.Errorf("station %d: message %s is %s", i+1, e.MessageID, e.State)
			}
		}
		if len(recs) != radicated {
			t.Errorf("station %d: %d radicados for %d messages", i+1, len(recs), radicated)
		}
		t.Logf("station %d radicated %d", i+1, len(recs))
	}
	if len(seen) != n {
		t.Errorf("%d messages radicated, want %d", len(seen), n)
	}
	if got := srv.Count(t, "Radicados"); got != n {
		t.Errorf("Radicados holds %d, want %d", got, n)
	}
	if got := srv.Count(t, "Descartados"); got != n/3 || copies != n/3 {
		t.Errorf("Descartados holds %d (%d discarded), want the %d second copies", got, copies, n/3)
	}
	for _, f := range []string{"INBOX", "Radicador/001-01", "Radicador/001-02"} {
		if got := srv.Count(t, f); got != 0 {
			t.Errorf("%s still holds %d", f, got)
		}
	}
}

// mailChildEnv makes the test binary a child that fetches from the mailbox
// of the data folder the variable names, and stops where mailChildAtEnv
// says (marked: between marking and moving; moved: between moving and
// downloading), saying so, until it is killed.
const (
	mailChildEnv   = "RADICADOR_MAIL_CHILD"
	mailChildAtEnv = "RADICADOR_MAIL_CHILD_AT"
)

func mailChild(dir string) {
	ctx := context.Background()
	st, err := Open(ctx, dir, Options{Actor: "crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	cfg, err := st.Mail.mailboxConfig(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	pause := func(at string) func() {
		return func() {
			fmt.Println(at)
			time.Sleep(time.Minute)
		}
	}
	switch os.Getenv(mailChildAtEnv) {
	case "marked": // between the conditional store and the move
		cfg.AfterMark = pause("marked")
		_, err = st.Mail.fetch(ctx, cfg, 100)
	default: // between the move and the download
		var box *mailbox.Box
		if box, err = mailbox.Dial(ctx, cfg); err == nil {
			if _, _, err = box.Claim(100, 1<<30); err == nil {
				pause("moved")()
			}
		}
	}
	fmt.Fprintln(os.Stderr, "not killed:", err)
	os.Exit(4)
}

// TestMailClaimKilled: a station killed with SIGKILL after it marked
// messages as its own and before it moved them, or after it moved them and
// before it downloaded them, finds them at its next fetch: nothing is
// lost, nothing is left in the inbox, nothing is held twice.
func TestMailClaimKilled(t *testing.T) {
	for _, at := range []string{"marked", "moved"} {
		t.Run(at, func(t *testing.T) {
			ctx := context.Background()
			srv := dovecottest.Start(t)
			const n = 5
			for i := range n {
				srv.Deliver(t, "INBOX", mailfixture.Message{ID: fmt.Sprintf("k%d@x.example", i), From: "a@x.example",
					Subject: fmt.Sprintf("Carta %d", i), Text: "Texto."}.Bytes())
			}
			dir := t.TempDir()
			st := openMailStation(t, dir, "01")
			mailSettings(t, st, srv)
			exe, err := os.Executable()
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), mailChildEnv+"="+dir, mailChildAtEnv+"="+at)
			out, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			cmd.Stderr = os.Stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			line, _ := bufio.NewReader(out).ReadString('\n')
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			if line != at+"\n" {
				t.Fatalf("the child said %q", line)
			}
			inbox, mine := srv.Count(t, "INBOX"), srv.Count(t, "Radicador/001-01")
			if (at == "marked" && inbox != n) || (at == "moved" && mine != n) {
				t.Fatalf("after the kill: %d in the inbox, %d in the station's folder", inbox, mine)
			}
			// Another station sees them as this one's and leaves them.
			other := openMailStation(t, t.TempDir(), "02")
			mailSettings(t, other, srv)
			if res, err := other.Mail.Fetch(ctx, 10); err != nil || res.Claimed != 0 || res.New != 0 {
				t.Errorf("another station's fetch: %+v %v", res, err)
			}
			res, err := st.Mail.Fetch(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			if res.New != n {
				t.Errorf("the next fetch: %+v, want %d new", res, n)
			}
			if held, _ := st.Mail.List(ctx, store.MailWaiting); len(held) != n {
				t.Errorf("%d held, want %d", len(held), n)
			}
			if res, err := st.Mail.Fetch(ctx, 10); err != nil || res.New != 0 {
				t.Errorf("a second fetch: %+v %v", res, err)
			}
			if srv.Count(t, "INBOX") != 0 {
				t.Error("messages left in the inbox")
			}
		})
	}
}

// TestMailRadicatedElsewhere: a message one station radicated, delivered
// again to the shared mailbox (or forwarded back inside another), is
// found in the Radicados folder by the station that takes it next: it is
// refused, and can be discarded as the copy it is.
func TestMailRadicatedElsewhere(t *testing.T) {
	ctx := context.Background()
	srv := dovecottest.Start(t)
	raw := mailfixture.Message{ID: "twice@x.example", From: "Ana <ana@x.example>", Subject: "Solicitud", Text: "Texto."}.Bytes()
	srv.Deliver(t, "INBOX", raw)
	one, two := openMailStation(t, t.TempDir(), "01"), openMailStation(t, t.TempDir(), "02")
	mailSettings(t, one, srv)
	mailSettings(t, two, srv)
	if res, err := one.Mail.Fetch(ctx, 5); err != nil || res.New != 1 {
		t.Fatalf("%+v %v", res, err)
	}
	held, _ := one.Mail.List(ctx, store.MailWaiting)
	rec, err := one.Mail.Radicar(ctx, held[0].ID, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := one.Mail.Fetch(ctx, 0); err != nil { // moves it to Radicados
		t.Fatal(err)
	}
	srv.Deliver(t, "INBOX", raw)
	srv.Deliver(t, "INBOX", mailfixture.Message{ID: "fwd@y.example", From: "jefe@y.example", Subject: "RV: Solicitud", Text: "Va.",
		Parts: []mailfixture.Part{{Type: "message/rfc822", Name: "s.eml", Disposition: "attachment", Data: raw}}}.Bytes())
	if res, err := two.Mail.Fetch(ctx, 5); err != nil || res.New != 2 {
		t.Fatalf("%+v %v", res, err)
	}
	waiting, _ := two.Mail.List(ctx, store.MailWaiting)
	for _, e := range waiting {
		if e.Elsewhere != "twice@x.example" {
			t.Errorf("%s: elsewhere %q", e.MessageID, e.Elsewhere)
		}
		if _, err := two.Mail.Radicar(ctx, e.ID, nil); !errors.Is(err, store.ErrMailRadicated) {
			t.Errorf("%s radicated again (the first is %s): %v", e.MessageID, rec.Number, err)
		}
		if _, err := two.Mail.Discard(ctx, e.ID, "copia de "+rec.Number); err != nil {
			t.Error(err)
		}
	}
	if recs, _ := two.Records.List(ctx, store.Filter{}); len(recs) != 0 {
		t.Errorf("station 02 numbered %d", len(recs))
	}
	if _, err := two.Mail.Fetch(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if got := srv.Count(t, "Descartados"); got != 2 {
		t.Errorf("Descartados holds %d, want 2", got)
	}
}

// TestMailKinds: messages as mail programs write them, through a real
// IMAP server, each radicated with the right files: its original first,
// byte for byte, the message's pages, documents read, the rest kept.
func TestMailKinds(t *testing.T) {
	ctx := context.Background()
	srv := dovecottest.Start(t)
	src := t.TempDir()
	pdf, err := os.ReadFile(fixture.TextPDF(t, src, "cuenta.pdf", "Cuenta de cobro 17", "NIT 900.123.456-7"))
	if err != nil {
		t.Fatal(err)
	}
	png, err := os.ReadFile(fixture.PNG(t, src, "logo.png", "LOGO"))
	if err != nil {
		t.Fatal(err)
	}
	original := mailfixture.Message{ID: "orig@p.example", From: "Proveedor <p@p.example>", Subject: "Cuenta de cobro 17", Text: "Adjunta.",
		Parts: []mailfixture.Part{{Type: "application/pdf", Name: "cuenta.pdf", Disposition: "attachment", Data: pdf}}}.Bytes()
	big := bytes.Repeat([]byte("0123456789abcdef"), 20<<20/16)
	kinds := map[string]struct {
		raw   []byte
		files []string // media types after the original and the message's pages
	}{
		"multipart": {mailfixture.Message{ID: "k1@x.example", From: "Ana <ana@x.example>", Subject: "Petición", Text: "Texto", HTML: "<p>Texto</p>",
			Parts: []mailfixture.Part{{Type: "application/pdf", Name: "cuenta.pdf", Disposition: "attachment", Data: pdf},
				{Type: "application/vnd.ms-excel", Name: "anexo.xls", Disposition: "attachment", Data: []byte("xls")}}}.Bytes(),
			[]string{"application/pdf", "application/vnd.ms-excel"}},
		"html only": {mailfixture.Message{ID: "k2@x.example", From: "q@x.example", Subject: "Queja", HTML: "<h1>Queja</h1><p>Texto</p>"}.Bytes(), nil},
		"latin-1":   {mailfixture.Latin1("k3@x.example"), nil},
		"inline image": {mailfixture.Message{ID: "k4@x.example", From: "a@x.example", Subject: "Logo", HTML: `<p>Hola</p><img src="cid:l">`,
			Parts: []mailfixture.Part{{Type: "image/png", Name: "logo.png", Disposition: "inline", ContentID: "l", Data: png}}}.Bytes(),
			[]string{"image/png"}},
		"forward": {mailfixture.Message{ID: "k5@x.example", From: "jefe@x.example", Subject: "RV: Cuenta", Text: "Radicar.",
			Parts: []mailfixture.Part{{Type: "message/rfc822", Name: "cuenta.eml", Disposition: "attachment", Data: original}}}.Bytes(),
			[]string{"application/pdf", "message/rfc822"}},
		"20 MB": {mailfixture.Message{ID: "k6@x.example", From: "a@x.example", Subject: "Grande", Text: "Va.",
			Parts: []mailfixture.Part{{Type: "application/octet-stream", Name: "grande.bin", Disposition: "attachment", Data: big}}}.Bytes(),
			[]string{"application/octet-stream"}},
		"malformed": {mailfixture.Malformed("k7@x.example"), []string{"application/pdf"}},
	}
	for _, k := range kinds {
		srv.Deliver(t, "INBOX", k.raw)
	}
	st := openMailStation(t, t.TempDir(), "01")
	mailSettings(t, st, srv)
	if res, err := st.Mail.Fetch(ctx, 20); err != nil || res.New != len(kinds) {
		t.Fatalf("fetch: %+v %v", res, err)
	}
	held, _ := st.Mail.List(ctx, store.MailWaiting)
	byID := map[string]MailEntry{}
	for _, e := range held {
		byID[e.MessageID] = e
	}
	for name, k := range kinds {
		t.Run(name, func(t *testing.T) {
			id := regexp.MustCompile(`Message-ID: <([^>]+)>`).FindSubmatch(k.raw)
			e, ok := byID[string(id[1])]
			if !ok {
				t.Fatalf("%s not held", id[1])
			}
			rec, err := st.Mail.Radicar(ctx, e.ID, func(r *Request) { r.Type = "peticion" })
			if err != nil {
				t.Fatal(err)
			}
			got := []string{}
			for _, f := range rec.Files[2:] {
				got = append(got, f.MediaType)
			}
			want := append([]string{}, k.files...)
			slices.Sort(got)
			slices.Sort(want)
			if rec.Files[0].MediaType != radicado.MediaMessage || rec.Files[1].Name != "mensaje.pdf" || !slices.Equal(got, want) {
				t.Errorf("files %+v, want %v after the original and the pages", rec.Files, want)
			}
			if kept, err := os.ReadFile(st.core.store.Blobs().Path(rec.Files[0].SHA256)); err != nil || !bytes.Equal(kept, k.raw) {
				t.Errorf("the original is not kept byte for byte (%d of %d bytes): %v", len(kept), len(k.raw), err)
			}
		})
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}

// A header that a broken encoding spoiled still gives a form that
// radicación takes: what was lost is left out.
func TestMailBrokenHeader(t *testing.T) {
	ctx := context.Background()
	st := openMailStation(t, t.TempDir(), "01")
	raw := mailfixture.Message{ID: "roto-1@correo.example", From: "=?utf-8?q?Jos=E9_P=E9rez?= <jose@correo.example>", To: "radicacion@entidad.gov.co",
		Subject: "=?utf-8?q?Petici=F3n_de_informaci=F3n?=", Text: "Solicito información."}.Bytes()
	e, _, err := st.Mail.Import(ctx, fixture.Write(t, t.TempDir(), "roto.eml", raw))
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Mail.Radicar(ctx, e.ID, nil)
	if err != nil {
		t.Fatalf("a message with a spoiled header is not radicated: %v", err)
	}
	if rec.Sender.Name != "Jos P rez" || rec.Subject != "Petici n de informaci n" {
		t.Errorf("sender %q subject %q", rec.Sender.Name, rec.Subject)
	}
}
