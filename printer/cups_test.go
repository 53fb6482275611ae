package printer

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// cupsd is a CUPS scheduler of the test's own: its configuration, spool
// and logs in a temporary folder, listening on a free port of 127.0.0.1.
type cupsd struct {
	dir, server string
	cmd         *exec.Cmd
}

func startCUPS(t *testing.T) *cupsd {
	t.Helper()
	for _, tool := range []string{"cupsd", "lpadmin", "lp"} {
		if _, err := exec.LookPath(tool); err != nil {
			if _, err := os.Stat("/usr/sbin/" + tool); err == nil {
				continue
			}
			if os.Getenv("RADICADOR_STRICT") != "" {
				t.Fatalf("%s is missing (Debian packages cups and cups-client; make test installs them)", tool)
			}
			t.Skipf("%s is missing (Debian packages cups and cups-client)", tool)
		}
	}
	if _, err := os.Stat("/usr/lib/cups/backend/socket"); err != nil {
		t.Fatal("CUPS's socket backend is missing (Debian package cups)")
	}
	dir, err := os.MkdirTemp("", "radicador-cups-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	// CUPS runs its backends as an unprivileged user: the folder must be
	// open to it.
	os.Chmod(dir, 0o755)
	for _, d := range []string{"state", "cache", "spool", "tmp", "log", "ppd"} {
		os.MkdirAll(filepath.Join(dir, d), 0o755)
	}
	os.Chmod(filepath.Join(dir, "spool"), 0o1777)
	os.Chmod(filepath.Join(dir, "tmp"), 0o1777)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	server := ln.Addr().String()
	ln.Close()
	conf := fmt.Sprintf(`Listen %s
LogLevel warn
WebInterface No
Browsing Off
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Location /admin>
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
`, server)
	me, _ := user.Current()
	runAs := "User lp\nGroup lp\n"
	if me.Uid != "0" {
		g, _ := user.LookupGroupId(me.Gid)
		runAs = fmt.Sprintf("User %s\nGroup %s\n", me.Username, g.Name)
	}
	files := fmt.Sprintf(`ServerRoot %[1]s
StateDir %[1]s/state
CacheDir %[1]s/cache
RequestRoot %[1]s/spool
TempDir %[1]s/tmp
ErrorLog %[1]s/log/error_log
AccessLog %[1]s/log/access_log
PageLog %[1]s/log/page_log
ServerBin /usr/lib/cups
DataDir /usr/share/cups
SystemGroup root
Sandboxing Relaxed
%[2]s`, dir, runAs)
	os.WriteFile(filepath.Join(dir, "cupsd.conf"), []byte(conf), 0o644)
	os.WriteFile(filepath.Join(dir, "cups-files.conf"), []byte(files), 0o644)
	bin := "cupsd"
	if _, err := exec.LookPath(bin); err != nil {
		bin = "/usr/sbin/cupsd"
	}
	cmd := exec.Command(bin, "-f", "-c", filepath.Join(dir, "cupsd.conf"), "-s", filepath.Join(dir, "cups-files.conf"))
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &cupsd{dir: dir, server: server, cmd: cmd}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", server, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return c
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(dir, "log", "error_log"))
			t.Fatalf("cupsd did not start: %s\n%s", out.String(), log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (c *cupsd) admin(t *testing.T, args ...string) {
	t.Helper()
	bin := "lpadmin"
	if _, err := exec.LookPath(bin); err != nil {
		bin = "/usr/sbin/lpadmin"
	}
	out, err := exec.Command(bin, append([]string{"-h", c.server}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("lpadmin %v: %v: %s", args, err, out)
	}
}

// TestCUPSRaw prints through a real CUPS: a raw queue pointed at a socket
// of the test receives exactly the job's bytes.
func TestCUPSRaw(t *testing.T) {
	c := startCUPS(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	got := make(chan []byte, 1)
	go func() {
		conn, err := ln.Accept()
		if err != nil {
			return
		}
		defer conn.Close()
		b, _ := io.ReadAll(conn)
		got <- b
	}()
	c.admin(t, "-p", "etiquetas", "-E", "-v", "socket://"+ln.Addr().String())
	p, err := Open("cups://"+c.server+"/etiquetas", fast())
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Print(context.Background(), Job{Data: zplJob, Language: "zpl", Title: "2026001010000012"}); err != nil {
		t.Fatal(err)
	}
	select {
	case b := <-got:
		if !bytes.Equal(b, zplJob) {
			t.Errorf("the printer received %q, want %q", b, zplJob)
		}
	case <-time.After(20 * time.Second):
		log, _ := os.ReadFile(filepath.Join(c.dir, "log", "error_log"))
		t.Fatalf("nothing reached the printer in 20 s; CUPS's log:\n%s", log)
	}

	// A queue that does not exist: a clear error.
	bad, _ := Open("cups://"+c.server+"/no_such_queue", fast())
	if err := bad.Print(context.Background(), Job{Data: zplJob}); err == nil || !strings.Contains(err.Error(), "no_such_queue") {
		t.Errorf("an unknown queue: %v", err)
	}
}
