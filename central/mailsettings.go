package central

import (
	"context"
	"database/sql"
	"fmt"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"time"
)

// MailSettings are how the server sends e-mail, and when the day's
// digests go out.
type MailSettings struct {
	Host     string `json:"host"` // "": no e-mail is sent; alerts stay in the console
	Port     int    `json:"port"`
	Security string `json:"security"` // starttls, tls (implicit) or none (loopback only)
	User     string `json:"user,omitempty"`
	Password string `json:"-"`
	From     string `json:"from"`
	Hour     string `json:"hour"` // HH:MM on business days, the organisation's time
}

// Security of the connection to the mail server.
const (
	MailStartTLS = "starttls"
	MailTLS      = "tls"
	MailPlain    = "none"
)

var mailKeys = []string{"mail.host", "mail.port", "mail.security", "mail.user", "mail.password", "mail.from", "alerts.hour"}

// Check validates the settings.
func (m MailSettings) Check() error {
	if m.Host == "" {
		return nil
	}
	if len(m.Host) > 253 || strings.ContainsAny(m.Host, " /:@\t\r\n") {
		return fmt.Errorf("%w: mail server %q: a host name or address", ErrInvalid, m.Host)
	}
	if m.Port < 1 || m.Port > 65535 {
		return fmt.Errorf("%w: mail server port %d", ErrInvalid, m.Port)
	}
	switch m.Security {
	case MailStartTLS, MailTLS:
	case MailPlain:
		// In clear only to this machine (a local relay): names and
		// subjects of petitions do not cross a network unencrypted.
		if ip := net.ParseIP(m.Host); m.Host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("%w: security none only to this machine (localhost, 127.0.0.1): use starttls or tls for %s", ErrInvalid, m.Host)
		}
	default:
		return fmt.Errorf("%w: security %q: starttls, tls or none", ErrInvalid, m.Security)
	}
	if a, err := mail.ParseAddress(m.From); err != nil || a.Name != "" || len(m.From) > 254 {
		return fmt.Errorf("%w: sender address %q", ErrInvalid, m.From)
	}
	if len(m.User) > 254 || len(m.Password) > 1024 || strings.ContainsAny(m.User+m.Password, "\r\n\x00") {
		return fmt.Errorf("%w: the mail server's user and password", ErrInvalid)
	}
	if _, err := time.Parse("15:04", m.Hour); err != nil || len(m.Hour) != 5 {
		return fmt.Errorf("%w: hour %q: HH:MM", ErrInvalid, m.Hour)
	}
	return nil
}

// Mail gives the mail settings (the hour defaults to 08:00).
func (d *DB) Mail(ctx context.Context) (MailSettings, error) {
	rows, err := d.db.QueryContext(ctx, d.q(`SELECT key, value FROM settings WHERE key IN (?`+strings.Repeat(", ?", len(mailKeys)-1)+`)`), anys(mailKeys)...)
	if err != nil {
		return MailSettings{}, err
	}
	defer rows.Close()
	m := MailSettings{Security: MailStartTLS, Port: 587, Hour: "08:00"}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return m, err
		}
		switch k {
		case "mail.host":
			m.Host = v
		case "mail.port":
			m.Port, _ = strconv.Atoi(v)
		case "mail.security":
			m.Security = v
		case "mail.user":
			m.User = v
		case "mail.password":
			m.Password = v
		case "mail.from":
			m.From = v
		case "alerts.hour":
			m.Hour = v
		}
	}
	return m, rows.Err()
}

// SetMail sets the mail settings; the password is kept unless a new one is
// given (the journal never holds it).
func (d *DB) SetMail(ctx context.Context, actor string, m MailSettings) error {
	if m.Hour == "" {
		m.Hour = "08:00"
	}
	if err := m.Check(); err != nil {
		return err
	}
	values := map[string]string{"mail.host": m.Host, "mail.port": strconv.Itoa(m.Port), "mail.security": m.Security, "mail.user": m.User,
		"mail.from": m.From, "alerts.hour": m.Hour}
	if m.Password != "" {
		values["mail.password"] = m.Password
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		for k, v := range values {
			if err := d.txSetSetting(ctx, tx, k, v); err != nil {
				return err
			}
		}
		return d.appendJournal(ctx, tx, actor, "config.mail", "", map[string]any{"host": m.Host, "port": m.Port, "security": m.Security,
			"user": m.User, "from": m.From, "hour": m.Hour, "password_changed": m.Password != ""})
	})
}

func anys[T any](xs []T) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}
