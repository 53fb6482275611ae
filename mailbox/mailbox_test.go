package mailbox

import (
	"context"
	"strings"
	"testing"

	"github.com/radicador/radicador/internal/dovecottest"
	"github.com/radicador/radicador/internal/mailfixture"
)

func TestCheck(t *testing.T) {
	good := Config{Host: "imap.entidad.gov.co", Port: 993, Security: "tls", User: "v", Password: "p",
		Inbox: DefaultInbox, Claimed: DefaultClaimed, Done: DefaultDone, Discarded: DefaultDiscarded, Mine: "001-01"}
	for _, c := range []struct {
		name   string
		change func(*Config)
		want   string // in the error; "" none
	}{
		{"good", func(*Config) {}, ""},
		{"plain on loopback", func(c *Config) { c.Host, c.Security = "127.0.0.1", "none" }, ""},
		{"plain to another machine", func(c *Config) { c.Security = "none" }, "in clear"},
		{"no host", func(c *Config) { c.Host = "" }, "mail.host"},
		{"port", func(c *Config) { c.Port = 0 }, "mail.port"},
		{"security", func(c *Config) { c.Security = "ssl" }, "mail.security"},
		{"no password", func(c *Config) { c.Password = "" }, "password"},
		{"a folder with a wildcard", func(c *Config) { c.Done = "Radicados*" }, "folder"},
		{"a station folder with a space", func(c *Config) { c.Mine = "001 01" }, "own folder"},
	} {
		cfg := good
		c.change(&cfg)
		err := cfg.Check()
		if (c.want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: %v, want %q", c.name, err, c.want)
		}
	}
}

// TestClaimLeavesOthers: a message another station marked is not taken,
// even when its mark came between this station's look and its store.
func TestClaimLeavesOthers(t *testing.T) {
	srv := dovecottest.Start(t)
	for _, id := range []string{"a@x.example", "b@x.example"} {
		srv.Deliver(t, "INBOX", mailfixture.Message{ID: id, From: "r@x.example", Subject: id, Text: "t"}.Bytes())
	}
	cfg := func(mine string) Config {
		return Config{Host: "127.0.0.1", Port: srv.Port, Security: "none", User: srv.User, Password: srv.Password,
			Inbox: DefaultInbox, Claimed: DefaultClaimed, Done: DefaultDone, Discarded: DefaultDiscarded, Mine: mine}
	}
	ctx := context.Background()
	one, err := Dial(ctx, cfg("001-01"))
	if err != nil {
		t.Fatal(err)
	}
	defer one.Close()
	two, err := Dial(ctx, cfg("001-02"))
	if err != nil {
		t.Fatal(err)
	}
	defer two.Close()
	// Station two marks everything and stops before moving it.
	c := cfg("001-02")
	stopped := false
	c.AfterMark = func() { stopped = true; panic("stop") }
	two.cfg = c
	func() {
		defer func() { recover() }()
		two.Claim(10, 1<<20)
	}()
	if !stopped {
		t.Fatal("station two did not get to mark")
	}
	if moved, _, err := one.Claim(10, 1<<20); err != nil || moved != 0 {
		t.Errorf("station one took %d of station two's: %v", moved, err)
	}
	two.cfg.AfterMark = nil
	if moved, _, err := two.Claim(10, 1<<20); err != nil || moved != 2 {
		t.Errorf("station two's own, again: %d %v", moved, err)
	}
	if srv.Count(t, "Radicador/001-02") != 2 || srv.Count(t, "INBOX") != 0 {
		t.Errorf("inbox %d, station two's folder %d", srv.Count(t, "INBOX"), srv.Count(t, "Radicador/001-02"))
	}
}
