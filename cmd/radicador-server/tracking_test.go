package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// TestTrackingCommands: the mail settings (the password from standard
// input, never printed), a test message to a server that is not there,
// the escalation rules, and the figures, alerts and petitions report of a
// period as of a day.
func TestTrackingCommands(t *testing.T) {
	data := t.TempDir()
	ok := func(r result) result {
		t.Helper()
		return r.OK(t)
	}
	ok(cli("dept", "add", "--data", data, "--code", "GC", "--name", "Gestión de Clientes"))
	ok(cliIn("una contraseña larga\n", "user", "add", "--data", data, "--name", "ana", "--dept", "GC", "--role", "jefe", "--email", "ana@org.co", "--password-stdin"))
	// Two petitions received in November, due 15 December.
	db, err := central.Open(context.Background(), filepath.Join(data, "radicador-server.db"), data)
	if err != nil {
		t.Fatal(err)
	}
	cot := time.FixedZone("COT", -5*3600)
	centraltest.Receive(t, db, "2026001010000012", "GC", "peticion", time.Date(2026, 11, 23, 10, 0, 0, 0, cot), "2026-12-15")
	centraltest.Receive(t, db, "2026001010000022", "GC", "informacion", time.Date(2026, 11, 24, 10, 0, 0, 0, cot), "2026-12-09")
	db.Close()

	r := ok(cliIn("secreto-smtp\n", "mail", "set", "--data", data, "--host", "127.0.0.1", "--port", "1", "--security", "none", "--from", "alertas@org.co", "--hour", "07:30", "--password-stdin"))
	if strings.Contains(r.Stdout, "secreto-smtp") {
		t.Error("the password is printed")
	}
	if r := ok(cli("mail", "show", "--data", data)); !strings.Contains(r.Stdout, "password set\tyes") || strings.Contains(r.Stdout, "secreto") || !strings.Contains(r.Stdout, "07:30") {
		t.Errorf("mail show: %s", r.Stdout)
	}
	ok(cli("mail", "set", "--data", data, "--hour", "09:15"))
	if r := ok(cli("mail", "show", "--data", data)); !strings.Contains(r.Stdout, "host\t127.0.0.1") || !strings.Contains(r.Stdout, "09:15") || !strings.Contains(r.Stdout, "password set\tyes") {
		t.Errorf("setting the hour alone changed the rest: %s", r.Stdout)
	}
	if r := cli("mail", "set", "--data", data, "--host", "smtp.org.co", "--security", "starttls", "--from", "no es"); r.Code != 1 || !strings.Contains(r.Stderr, "sender address") {
		t.Errorf("a bad sender: %d %s", r.Code, r.Stderr)
	}
	if r := cli("mail", "test", "--data", data, "yo@org.co"); r.Code != 1 || !strings.Contains(r.Stderr, "127.0.0.1:1") {
		t.Errorf("a test to a mail server that is not there: %d %s", r.Code, r.Stderr)
	}
	ok(cli("config", "--data", data, "escalation", "-", "GC", "24", "16"))
	if r := cli("config", "--data", data, "escalation", "-", "GC", "mucho", "16"); r.Code != 1 {
		t.Errorf("hours that are not: %d", r.Code)
	}
	if r := ok(cli("config", "--data", data, "escalation")); !strings.Contains(r.Stdout, "-     GC    24") {
		t.Errorf("the rules: %q", r.Stdout)
	}

	r = ok(cli("stats", "--data", data, "--from", "2026-11-01", "--to", "2026-11-30", "--as-of", "2026-12-10"))
	var st central.Stats
	if err := json.Unmarshal([]byte(r.Stdout), &st); err != nil || st.Received != 2 || st.OverdueTotal != 1 || len(st.Backlog) != 1 {
		t.Errorf("stats: %v %s", err, r.Stdout)
	}
	if r := cli("stats", "--data", data, "--as-of", "ayer"); r.Code != 1 {
		t.Errorf("a bad date: %d", r.Code)
	}
	r = ok(cli("alerts", "--data", data, "--as-of", "2026-12-10"))
	if !strings.Contains(r.Stdout, `"user": "ana"`) || !strings.Contains(r.Stdout, `"level": "overdue"`) {
		t.Errorf("alerts: %s", r.Stdout)
	}
	r = ok(cli("report", "peticiones", "--data", data, "--from", "2026-11-01", "--to", "2026-11-30", "--as-of", "2026-12-10", "--csv"))
	if lines := strings.Split(strings.TrimSpace(r.Stdout), "\n"); len(lines) != 3 || !strings.HasPrefix(lines[0], "number,type,received_on") {
		t.Errorf("the CSV report: %q", r.Stdout)
	}
	out := filepath.Join(t.TempDir(), "informe.pdf")
	r = ok(cli("report", "peticiones", "--data", data, "--from", "2026-11-01", "--to", "2026-11-30", "--out", out))
	if !strings.Contains(r.Stdout, "2 petitions received") {
		t.Errorf("report: %s", r.Stdout)
	}
	if pdf, err := os.ReadFile(out); err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("the PDF: %v", err)
	}
	if _, err := exec.LookPath("pdftoppm"); err == nil {
		// As a person would open it: the first page renders.
		png := filepath.Join(t.TempDir(), "p")
		if err := exec.Command("pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", out, png).Run(); err != nil {
			t.Errorf("pdftoppm: %v", err)
		}
	}
	if r := cli("report", "peticiones", "--data", data); r.Code != 1 || !strings.Contains(r.Stderr, "--from") {
		t.Errorf("a report without its period: %d %s", r.Code, r.Stderr)
	}
	if r := ok(cli("buzon", "show", "--data", data)); !strings.Contains(r.Stdout, "not open") {
		t.Errorf("buzon show: %s", r.Stdout)
	}
	if r := cli("buzon", "enable", "--data", data, "--office", "001", "--station", "01"); r.Code != 1 || !strings.Contains(r.Stderr, "station's") {
		t.Errorf("the Buzón as a station that numbered: %d %s", r.Code, r.Stderr)
	}
	ok(cli("buzon", "enable", "--data", data, "--office", "001", "--station", "90"))
	if r := ok(cli("buzon", "show", "--data", data)); !strings.Contains(r.Stdout, "office 001, station 90") {
		t.Errorf("buzon show: %s", r.Stdout)
	}
}

func TestParsePrefixes(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		bad      bool
	}{
		{"", "[]", false},
		{"10.0.0.0/8", "[10.0.0.0/8]", false},
		{"127.0.0.1, 2001:db8::1", "[127.0.0.1/32 2001:db8::1/128]", false},
		{"10.1.2.3/8", "[10.0.0.0/8]", false},
		{"proxy.example", "", true},
		{"10.0.0.0/33", "", true},
	} {
		got, err := parsePrefixes(tc.in)
		if (err != nil) != tc.bad || (!tc.bad && fmt.Sprint(got) != tc.want) {
			t.Errorf("%q: %v %v, want %s", tc.in, got, err, tc.want)
		}
	}
	if r := cli("serve", "--trusted-proxy", "proxy.example", "--data", t.TempDir()); r.Code != 1 || !strings.Contains(r.Stderr, "--trusted-proxy") {
		t.Errorf("serve with a bad proxy: %d %s", r.Code, r.Stderr)
	}
}
