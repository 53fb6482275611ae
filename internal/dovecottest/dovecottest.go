// Package dovecottest runs a real IMAP server for tests: Dovecot, from
// Debian's dovecot-imapd, in a temporary folder on a loopback port, with
// one mailbox user; it stops when the test ends.
package dovecottest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Server is a running Dovecot.
type Server struct {
	Port           int
	User, Password string
	dir            string
}

// Start runs Dovecot for the test. Without it installed the test fails:
// make test installs it.
func Start(t testing.TB) *Server {
	t.Helper()
	bin, err := exec.LookPath("dovecot")
	if err != nil {
		bin = "/usr/sbin/dovecot"
		if _, err := os.Stat(bin); err != nil {
			t.Fatal("Dovecot (Debian package dovecot-imapd) is needed")
		}
	}
	dir, err := os.MkdirTemp("", "radicador-dovecot-")
	if err != nil {
		t.Fatal(err)
	}
	// Dovecot's own users must reach its folders.
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	s := &Server{Port: port, User: "ventanilla", Password: "clave-de-prueba", dir: dir}
	internal, login, mailUser := "dovecot", "dovenull", "dovecot"
	if os.Geteuid() != 0 {
		me, err := user.Current()
		if err != nil {
			t.Fatal(err)
		}
		internal, login, mailUser = me.Username, me.Username, me.Username
	}
	conf := fmt.Sprintf(`base_dir = %[1]s/run
state_dir = %[1]s/state
log_path = %[1]s/dovecot.log
instance_name = radicador-test-%[2]d
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = %[3]s
default_internal_group = %[3]s
default_login_user = %[4]s
first_valid_uid = 0
mail_location = maildir:~/Maildir
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = %[2]d
  }
  inet_listener imaps {
    port = 0
  }
  chroot =
}
service anvil {
  chroot =
}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%%u %[1]s/passwd
}
userdb {
  driver = static
  args = uid=%[5]s gid=%[5]s home=%[1]s/home/%%u
}
namespace inbox {
  inbox = yes
  separator = /
}
`, dir, port, internal, login, mailUser)
	for _, d := range []string{"run", "state", "home"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "passwd"), []byte(s.User+":{PLAIN}"+s.Password+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		if err := exec.Command("chown", mailUser+":"+mailUser, filepath.Join(dir, "home")).Run(); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "dovecot.conf")
	if err := os.WriteFile(path, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-F", "-c", path)
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-done
		}
		os.RemoveAll(dir)
	})
	deadline := time.Now().Add(20 * time.Second)
	for {
		if greeted(port) {
			break
		}
		select {
		case <-done:
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("Dovecot stopped: %s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "dovecot.log"))
			t.Fatalf("Dovecot did not answer on port %d: %s", port, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return s
}

// greeted reports whether an IMAP server greets on port.
func greeted(port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)), time.Second)
	if err != nil {
		return false
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Client logs in as the mailbox's user.
func (s *Server) Client(t testing.TB) *imapclient.Client {
	t.Helper()
	c, err := imapclient.DialInsecure(net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)), nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Login(s.User, s.Password).Wait(); err != nil {
		c.Close()
		t.Fatal(err)
	}
	return c
}

// Deliver puts a message in folder (created when missing), as a mail
// server's delivery would.
func (s *Server) Deliver(t testing.TB, folder string, raw []byte) {
	t.Helper()
	c := s.Client(t)
	defer c.Close()
	c.Create(folder, nil).Wait() // exists already, or made now
	w := c.Append(folder, int64(len(raw)), nil)
	if _, err := w.Write(raw); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Wait(); err != nil {
		t.Fatalf("delivering to %s: %v", folder, err)
	}
}

// Count gives how many messages folder holds (0 when it does not exist).
func (s *Server) Count(t testing.TB, folder string) int {
	t.Helper()
	c := s.Client(t)
	defer c.Close()
	data, err := c.Status(folder, &imap.StatusOptions{NumMessages: true}).Wait()
	if err != nil || data.NumMessages == nil {
		return 0
	}
	return int(*data.NumMessages)
}

// MessageIDs gives the Message-IDs of the messages in folder.
func (s *Server) MessageIDs(t testing.TB, folder string) []string {
	t.Helper()
	c := s.Client(t)
	defer c.Close()
	sel, err := c.Select(folder, nil).Wait()
	if err != nil {
		t.Fatal(err)
	}
	if sel.NumMessages == 0 {
		return nil
	}
	msgs, err := c.Fetch(imap.SeqSetNum(seq(sel.NumMessages)...), &imap.FetchOptions{Envelope: true}).Collect()
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range msgs {
		if m.Envelope != nil {
			ids = append(ids, m.Envelope.MessageID)
		}
	}
	return ids
}

func seq(n uint32) []uint32 {
	out := make([]uint32, n)
	for i := range out {
		out[i] = uint32(i + 1)
	}
	return out
}
