package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/cmdtest"
)

// The test binary is also the program when this variable is set, so that
// tests can run it as a process and send it signals.
const asMainEnv = "RADICADOR_SERVER_TEST_AS_MAIN"

func TestMain(m *testing.M) { cmdtest.Main(m, asMainEnv, withStdin) }

// withStdin is run with the process's standard input.
func withStdin(args []string, stdout, stderr io.Writer) int {
	return run(args, os.Stdin, stdout, stderr)
}

type result = cmdtest.Result

func cli(args ...string) result { return cmdtest.Call(withStdin, args...) }

// cliIn runs the program with stdin as its standard input.
func cliIn(stdin string, args ...string) result {
	return cmdtest.Call(func(args []string, stdout, stderr io.Writer) int {
		return run(args, strings.NewReader(stdin), stdout, stderr)
	}, args...)
}

var tokenRE = regexp.MustCompile(`rdc_[A-Za-z0-9_-]{43}`)

func TestStationsAndAdmins(t *testing.T) {
	data := t.TempDir()
	add := cli("station", "add", "--office", "001", "--station", "01", "--data", data)
	token := tokenRE.FindString(add.Stdout)
	if add.Code != 0 || token == "" {
		t.Fatalf("station add: %d %s %s", add.Code, add.Stdout, add.Stderr)
	}
	if r := cli("station", "add", "--office", "001", "--station", "01", "--data", data); r.Code != 1 || !strings.Contains(r.Stderr, "revoke it first") {
		t.Errorf("a second live token: %d %s", r.Code, r.Stderr)
	}
	for _, bad := range [][]string{{"--office", "0a1", "--station", "01"}, {"--office", "001"}, {"--station", "01"}} {
		if r := cli(append([]string{"station", "add", "--data", data}, bad...)...); r.Code != 1 {
			t.Errorf("station add %v: exit %d", bad, r.Code)
		}
	}
	admin := cli("admin", "add", "--name", "auditora", "--data", data)
	if admin.Code != 0 || tokenRE.FindString(admin.Stdout) == "" {
		t.Fatalf("admin add: %d %s", admin.Code, admin.Stderr)
	}
	list := cli("station", "list", "--data", data)
	if list.Code != 0 || !regexp.MustCompile(`001\s+01\s+station\s+active`).MatchString(list.Stdout) ||
		!regexp.MustCompile(`admin\s+auditora\s+admin\s+active`).MatchString(list.Stdout) {
		t.Errorf("station list:\n%s", list.Stdout)
	}
	if r := cli("station", "revoke", "--office", "001", "--station", "01", "--data", data); r.Code != 0 {
		t.Errorf("revoke: %s", r.Stderr)
	}
	if r := cli("station", "revoke", "--office", "001", "--station", "01", "--data", data); r.Code != 1 {
		t.Errorf("revoking twice: exit %d", r.Code)
	}
	if list := cli("station", "list", "--data", data); !regexp.MustCompile(`001\s+01\s+station\s+revoked`).MatchString(list.Stdout) {
		t.Errorf("after revoke:\n%s", list.Stdout)
	}
	// Only the token's hash is kept.
	db, _ := os.ReadFile(filepath.Join(data, "radicador-server.db"))
	wal, _ := os.ReadFile(filepath.Join(data, "radicador-server.db-wal"))
	if bytes.Contains(append(db, wal...), []byte(token)) {
		t.Error("the token itself is in the database")
	}
	if r := cli("nada"); r.Code != 2 {
		t.Errorf("an unknown command: exit %d", r.Code)
	}
}

func TestConfigPattern(t *testing.T) {
	data := t.TempDir()
	if r := cli("config", "--data", data); r.Code != 0 || !strings.Contains(r.Stdout, "{year}{office:3}{station:2}{seq:6}{kind}") {
		t.Errorf("config: %d %q", r.Code, r.Stdout)
	}
	if r := cli("config", "--data", data, "set", "pattern", "{year}{office:3}"); r.Code != 1 || !strings.Contains(r.Stderr, "missing") {
		t.Errorf("an incomplete pattern: %d %s", r.Code, r.Stderr)
	}
	if r := cli("config", "--data", data, "set", "pattern", "{year}-{office:2}{station:2}-{seq:7}{kind}"); r.Code != 0 {
		t.Fatalf("set pattern: %s", r.Stderr)
	}
	if r := cli("config", "--data", data); !strings.Contains(r.Stdout, "{year}-{office:2}{station:2}-{seq:7}{kind}") {
		t.Errorf("config after set: %q", r.Stdout)
	}
}

// TestPeopleAndConfig: departments, users, their tokens and the
// organisation's configuration from the command line, each recorded in the
// journal that verify checks.
func TestPeopleAndConfig(t *testing.T) {
	data := t.TempDir()
	ok := func(r result) result {
		t.Helper()
		return r.OK(t)
	}
	ok(cli("dept", "add", "--data", data, "--code", "GC", "--name", "Gestión de Clientes"))
	if r := cli("dept", "add", "--data", data, "--code", "G C", "--name", "x"); r.Code != 1 || !strings.Contains(r.Stderr, "department code") {
		t.Errorf("a bad department code: %d %s", r.Code, r.Stderr)
	}
	r := ok(cliIn("una contraseña larga\n", "user", "add", "--data", data, "--name", "ana", "--full-name", "Ana Pérez", "--dept", "GC", "--role", "jefe", "--password-stdin"))
	if strings.Contains(r.Stdout, "una contraseña larga") {
		t.Error("the password given is printed")
	}
	r = ok(cli("user", "add", "--data", data, "--name", "sara", "--role", "supervisor"))
	made := strings.TrimSpace(r.Stdout[strings.LastIndex(r.Stdout, "\n\n")+2:])
	if len(made) < 10 {
		t.Errorf("the made-up password: %q", r.Stdout)
	}
	if r := cliIn("corta\n", "user", "add", "--data", data, "--name", "zoe", "--role", "admin", "--password-stdin"); r.Code != 1 || !strings.Contains(r.Stderr, "password") {
		t.Errorf("a short password: %d %s", r.Code, r.Stderr)
	}
	if r := ok(cli("user", "token", "ana", "--data", data)); !strings.Contains(r.Stdout, "rt_") {
		t.Errorf("a token: %s", r.Stdout)
	}
	ok(cli("user", "disable", "sara", "--data", data))
	if r := ok(cli("user", "list", "--data", data)); !strings.Contains(r.Stdout, "ana") || !strings.Contains(r.Stdout, "disabled") {
		t.Errorf("the list: %s", r.Stdout)
	}
	ok(cli("user", "enable", "sara", "--data", data))
	if r := ok(cli("user", "list", "--data", data)); strings.Contains(r.Stdout, "disabled") {
		t.Errorf("enabled again, still disabled: %s", r.Stdout)
	}
	if r := cli("user", "enable", "sara", "--data", data); r.Code != 1 {
		t.Errorf("enabling a user who is not disabled: %d", r.Code)
	}
	ok(cli("config", "--data", data, "type", "garantia", "Reclamo de garantía", "8"))
	ok(cli("config", "--data", data, "route", "garantia", "GC"))
	ok(cli("config", "--data", data, "closed", "2026-12-11", "Aniversario", "del", "municipio"))
	ok(cli("config", "--data", data, "set", "organization", "Alcaldía de Ejemplo"))
	if r := cli("config", "--data", data, "set", "hours", "tarde"); r.Code != 1 {
		t.Errorf("bad hours: %d", r.Code)
	}
	r = ok(cli("config", "--data", data))
	for _, want := range []string{"Alcaldía de Ejemplo", "type garantia", "Reclamo de garantía, 8 business days, to GC", "closed 2026-12-11", "Aniversario del municipio"} {
		if !strings.Contains(r.Stdout, want) {
			t.Errorf("config lacks %q: %s", want, r.Stdout)
		}
	}
	if r := ok(cli("verify", "--data", data)); !strings.Contains(r.Stdout, "10 entries") {
		t.Errorf("verify: %s", r.Stdout)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and gives a
// pool that trusts it.
func selfSigned(t *testing.T, dir string) (cert, key string, pool *x509.CertPool) {
	t.Helper()
	priv, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "radicador-test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(priv)
	cert, key = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(key, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	parsed, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(parsed)
	return cert, key, pool
}

// serving is radicador-server serve running as a process.
type serving struct {
	cmd  *exec.Cmd
	addr string
	logs *bytes.Buffer
	done chan error
}

func startServe(t *testing.T, args ...string) *serving {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), asMainEnv+"=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var errb bytes.Buffer
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serving{cmd: cmd, logs: &bytes.Buffer{}, done: make(chan error, 1)}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		s.logs.WriteString(lines.Text() + "\n")
		var l struct{ Msg, Addr string }
		if json.Unmarshal(lines.Bytes(), &l) == nil && l.Msg == "listening" {
			s.addr = l.Addr
			break
		}
	}
	if s.addr == "" {
		cmd.Process.Kill()
		t.Fatalf("serve did not start: %s %s", s.logs, errb.String())
	}
	go func() {
		for lines.Scan() {
			s.logs.WriteString(lines.Text() + "\n")
		}
		s.done <- cmd.Wait()
	}()
	t.Cleanup(func() { cmd.Process.Kill() })
	return s
}

// TestServeTLSAndShutdown: serve speaks HTTPS with the given certificate;
// SIGTERM while a file is being uploaded lets that upload finish, and the
// process exits 0; the file is there after a restart.
func TestServeTLSAndShutdown(t *testing.T) {
	dir := t.TempDir()
	data := filepath.Join(dir, "data")
	cert, key, pool := selfSigned(t, dir)
	token := tokenRE.FindString(cli("station", "add", "--office", "001", "--station", "01", "--data", data).Stdout)
	if token == "" {
		t.Fatal("no token")
	}
	srv := startServe(t, "--data", data, "--tls-cert", cert, "--tls-key", key)
	hc := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}, Timeout: 20 * time.Second}
	base := "https://" + srv.addr + "/api/v1"
	resp, err := hc.Get(base + "/health")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("health over TLS: %v %v", resp, err)
	}
	resp.Body.Close()
	if _, err := http.Get("http://" + srv.addr + "/api/v1/health"); err == nil {
		// Plain HTTP to a TLS port gets a 400 from Go's server, not a
		// working answer; either way nothing is served in clear.
		r, _ := http.Get("http://" + srv.addr + "/api/v1/health")
		if r != nil && r.StatusCode == 200 {
			t.Error("the TLS server answered in clear")
		}
	}

	// An upload in three parts; SIGTERM after the first.
	doc := bytes.Repeat([]byte("documento que llega mientras el servidor se detiene "), 5000)
	sum := sha256.Sum256(doc)
	hexsum := hex.EncodeToString(sum[:])
	pr, pw := io.Pipe()
	req, _ := http.NewRequestWithContext(context.Background(), "PATCH", base+"/files/"+hexsum, pr)
	req.ContentLength = int64(len(doc))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Upload-Offset", "0")
	req.Header.Set("Upload-Length", strconv.Itoa(len(doc)))
	answered := make(chan *http.Response, 1)
	go func() {
		resp, err := hc.Do(req)
		if err != nil {
			t.Errorf("the upload under way: %v", err)
		}
		answered <- resp
	}()
	third := len(doc) / 3
	pw.Write(doc[:third])
	time.Sleep(200 * time.Millisecond)
	if err := srv.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	time.Sleep(300 * time.Millisecond)
	// New connections are refused while the upload finishes.
	if _, err := (&net.Dialer{Timeout: time.Second}).Dial("tcp", srv.addr); err == nil {
		t.Error("the server still takes connections after SIGTERM")
	}
	pw.Write(doc[third : 2*third])
	time.Sleep(100 * time.Millisecond)
	pw.Write(doc[2*third:])
	pw.Close()
	if resp := <-answered; resp == nil || resp.StatusCode != http.StatusCreated {
		t.Errorf("the upload under way at SIGTERM: %v", resp)
	}
	select {
	case err := <-srv.done:
		if err != nil {
			t.Errorf("serve exited with %v:\n%s", err, srv.logs)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not exit after SIGTERM")
	}
	if !strings.Contains(srv.logs.String(), "shutting down") {
		t.Errorf("the log does not say it shut down:\n%s", srv.logs)
	}

	// Started again, the file is held.
	srv = startServe(t, "--data", data, "--tls-cert", cert, "--tls-key", key)
	base = "https://" + srv.addr + "/api/v1"
	head, _ := http.NewRequest("HEAD", base+"/files/"+hexsum, nil)
	head.Header.Set("Authorization", "Bearer "+token)
	resp, err = hc.Do(head)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("Upload-Length") != fmt.Sprint(len(doc)) {
		t.Errorf("after the restart: %v %v", resp, err)
	}
	srv.cmd.Process.Signal(syscall.SIGTERM)
	<-srv.done
}

func TestServeFlags(t *testing.T) {
	for _, args := range [][]string{{"--tls-cert", "x.pem"}, {"--max-conns", "0"}, {"--partial-age", "-1h"}, {"sobrante"}} {
		if r := cli(append([]string{"serve", "--data", t.TempDir()}, args...)...); r.Code != 1 && r.Code != 2 {
			t.Errorf("serve %v: exit %d", args, r.Code)
		}
	}
}
