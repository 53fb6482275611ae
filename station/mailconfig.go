package station

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/radicador/radicador/mailbox"
)

// Setting keys of the institutional mailbox. Its password is not a
// setting (settings are in the audit log): SetMailPassword keeps it in a
// file of the data folder only the station's user can read.
const (
	KeyMailHost      = "mail.host"
	KeyMailPort      = "mail.port"
	KeyMailSecurity  = "mail.security"
	KeyMailUser      = "mail.user"
	KeyMailInbox     = "mail.inbox"
	KeyMailClaimed   = "mail.claimed"
	KeyMailDone      = "mail.done"
	KeyMailDiscarded = "mail.discarded"
)

// mailPasswordFile is the password's file in the data folder.
const mailPasswordFile = "mail-password"

// MailConfig is where the station reads its e-mail; Host empty: nowhere
// (messages come only as imported files).
type MailConfig struct {
	Host      string `json:"host"`
	Port      int    `json:"port"`
	Security  string `json:"security"`
	User      string `json:"user"`
	Inbox     string `json:"inbox"`
	Claimed   string `json:"claimed"`
	Done      string `json:"done"`
	Discarded string `json:"discarded"`
}

func init() {
	for k, v := range map[string]string{KeyMailHost: "", KeyMailPort: "993", KeyMailSecurity: "tls", KeyMailUser: "",
		KeyMailInbox: mailbox.DefaultInbox, KeyMailClaimed: mailbox.DefaultClaimed, KeyMailDone: mailbox.DefaultDone,
		KeyMailDiscarded: mailbox.DefaultDiscarded} {
		defaults[k] = v
	}
}

// mailKeys describes the mailbox's settings for Keys.
func mailKeys() [][2]string {
	return [][2]string{
		{KeyMailHost, "the institutional mailbox's IMAP server (empty: e-mail only by import)"},
		{KeyMailPort, "its port: 993 (default, TLS), 143 (STARTTLS)"},
		{KeyMailSecurity, "tls (default), starttls, or none for a server on this machine"},
		{KeyMailUser, "the mailbox's user name (the password: radicador mail password)"},
		{KeyMailInbox, "where new messages arrive (default INBOX)"},
		{KeyMailClaimed, "the folder under which each station keeps the messages it took (default Radicador)"},
		{KeyMailDone, "where radicated messages end (default Radicados)"},
		{KeyMailDiscarded, "where discarded messages end (default Descartados)"},
	}
}

func mailFrom(get func(string) string) (MailConfig, error) {
	m := MailConfig{Host: strings.TrimSpace(get(KeyMailHost)), Security: get(KeyMailSecurity), User: get(KeyMailUser),
		Inbox: get(KeyMailInbox), Claimed: get(KeyMailClaimed), Done: get(KeyMailDone), Discarded: get(KeyMailDiscarded)}
	port, err := strconv.Atoi(get(KeyMailPort))
	if err != nil || port < 1 || port > 65535 {
		return m, fmt.Errorf("%s %q: a port, 1 to 65535", KeyMailPort, get(KeyMailPort))
	}
	m.Port = port
	if m.Security != "tls" && m.Security != "starttls" && m.Security != "none" {
		return m, fmt.Errorf("%s %q: tls, starttls or none", KeyMailSecurity, m.Security)
	}
	return m, nil
}

// SetMailPassword keeps the mailbox's password, readable by the station's
// user only.
func (s *Settings) SetMailPassword(password string) error {
	if password == "" || strings.ContainsAny(password, "\r\n") {
		return errors.New("the password is empty or has a line break")
	}
	if s.store.ReadOnly() {
		return errors.New("the data folder is open read-only")
	}
	path := filepath.Join(s.store.Dir(), mailPasswordFile)
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, []byte(password), 0o600); err != nil {
		return err
	}
	if err := os.Chmod(tmp, 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// mailPassword reads the mailbox's password; "" when none was set.
func (c *core) mailPassword() (string, error) {
	b, err := os.ReadFile(filepath.Join(c.store.Dir(), mailPasswordFile))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	return strings.TrimRight(string(b), "\r\n"), err
}
