// Package mailbox takes messages from an institutional IMAP mailbox that
// several stations may share. A station claims a message by marking it
// with its own keyword in a conditional store (CONDSTORE, RFC 7162: a
// compare-and-set on the server), then moves it into a folder of its own,
// and only then downloads it: two stations never hold the same message,
// and a station killed anywhere in between finds it, marked or moved, as
// its own next time. When a message is radicated or discarded it
// moves on, to the Radicados or the Descartados folder.
package mailbox

import (
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// Config says where the mailbox is and how the station logs in.
type Config struct {
	Host     string
	Port     int
	Security string // tls (the default), starttls, or none (a server on this machine)
	User     string
	Password string
	// Folders: where new messages arrive; the parent of each station's
	// own claimed folder; where radicated and discarded messages end.
	Inbox, Claimed, Done, Discarded string
	// Mine names this station's claimed folder under Claimed (its office
	// and station, e.g. 001-01).
	Mine    string
	Timeout time.Duration // of connecting; 30 s when zero
	// TLS overrides the TLS configuration (tests trust their own CA).
	TLS *tls.Config
	// AfterMark, when set, runs between marking the claimed messages and
	// moving them (a test stops the station there).
	AfterMark func()
}

// Default folder names.
const (
	DefaultInbox     = "INBOX"
	DefaultClaimed   = "Radicador"
	DefaultDone      = "Radicados"
	DefaultDiscarded = "Descartados"
)

// Check says what is missing or wrong in the configuration.
func (c Config) Check() error {
	switch {
	case c.Host == "":
		return errors.New("mail.host: the mail server's name")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("mail.port %d: from 1 to 65535", c.Port)
	case c.Security != "tls" && c.Security != "starttls" && c.Security != "none":
		return fmt.Errorf("mail.security %q: tls, starttls or none", c.Security)
	case c.Security == "none" && !loopback(c.Host):
		return fmt.Errorf("mail.security none sends the password in clear: only for a server on this machine, not %s", c.Host)
	case c.User == "":
		return errors.New("mail.user: the mailbox's user name")
	case c.Password == "":
		return errors.New("the mailbox's password is not set (radicador mail password)")
	case c.Mine == "" || strings.ContainsAny(c.Mine, " ()[]{}%*\"\\"):
		return fmt.Errorf("the station's own folder %q: letters, digits and -", c.Mine)
	}
	for _, f := range []string{c.Inbox, c.Claimed, c.Done, c.Discarded} {
		if strings.TrimSpace(f) == "" || strings.ContainsAny(f, "*%\r\n\"") {
			return fmt.Errorf("mail folder %q: a folder's name", f)
		}
	}
	return nil
}

// loopback reports whether host is this machine.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// Box is a logged-in connection to the mailbox.
type Box struct {
	c     *imapclient.Client
	cfg   Config
	delim string
	mine  string // the full name of this station's folder
	stop  func() bool
	// validity is the UIDVALIDITY of this station's folder when Held
	// opened it; 0 while another folder is open.
	validity uint32
}

// Dial connects and logs in, and makes the folders the station uses when
// they are missing. Cancelling ctx closes the connection.
func Dial(ctx context.Context, cfg Config) (*Box, error) {
	if err := cfg.Check(); err != nil {
		return nil, err
	}
	timeout := cfg.Timeout
	if timeout == 0 {
		timeout = 30 * time.Second
	}
	addr := net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))
	opt := &imapclient.Options{Dialer: &net.Dialer{Timeout: timeout}, TLSConfig: cfg.TLS}
	if opt.TLSConfig == nil {
		opt.TLSConfig = &tls.Config{ServerName: cfg.Host, MinVersion: tls.VersionTLS12}
	}
	var c *imapclient.Client
	var err error
	switch cfg.Security {
	case "tls":
		c, err = imapclient.DialTLS(addr, opt)
	case "starttls":
		c, err = imapclient.DialStartTLS(addr, opt)
	default:
		c, err = imapclient.DialInsecure(addr, opt)
	}
	if err != nil {
		return nil, fmt.Errorf("the mail server %s: %w", addr, err)
	}
	b := &Box{c: c, cfg: cfg}
	b.stop = context.AfterFunc(ctx, func() { c.Close() })
	if err := c.Login(cfg.User, cfg.Password).Wait(); err != nil {
		b.Close()
		return nil, fmt.Errorf("logging in to %s as %s: %w", addr, cfg.User, err)
	}
	if !c.Caps().Has(imap.CapCondStore) {
		b.Close()
		return nil, fmt.Errorf("the mail server %s does not offer CONDSTORE (RFC 7162), which stations sharing a mailbox need to claim messages", addr)
	}
	list, err := c.List("", "", nil).Collect()
	if err != nil {
		b.Close()
		return nil, fmt.Errorf("the mail server's folders: %w", err)
	}
	b.delim = "/"
	if len(list) > 0 && list[0].Delim != 0 {
		b.delim = string(list[0].Delim)
	}
	b.mine = cfg.Claimed + b.delim + cfg.Mine
	for _, f := range []string{cfg.Claimed, b.mine, cfg.Done, cfg.Discarded} {
		if err := b.create(f); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// create makes a folder unless it exists.
func (b *Box) create(name string) error {
	err := b.c.Create(name, nil).Wait()
	var ie *imap.Error
	if err == nil || (errors.As(err, &ie) && (ie.Code == imap.ResponseCodeAlreadyExists || strings.Contains(strings.ToLower(ie.Text), "exists"))) {
		return nil
	}
	return fmt.Errorf("making the folder %s: %w", name, err)
}

// Close logs out and closes the connection.
func (b *Box) Close() error {
	if b.stop != nil {
		b.stop()
	}
	b.c.Logout().Wait()
	return b.c.Close()
}

// Mine gives the full name of this station's folder.
func (b *Box) Mine() string { return b.mine }

// Claim moves up to n of the oldest messages of the inbox no larger than
// maxSize into this station's folder and gives how many it moved and how
// many were left for being larger. Another station may move some of them
// first: they are simply not this station's, and the claim is tried again
// on what is left.
func (b *Box) Claim(n int, maxSize int64) (moved, tooLarge int, err error) {
	for attempt := 0; ; attempt++ {
		moved, tooLarge, err = b.claim(n, maxSize)
		var ie *imap.Error
		if err == nil || !errors.As(err, &ie) || ie.Type != imap.StatusResponseTypeNo || attempt == 4 {
			return moved, tooLarge, err
		}
		// NO (EXPUNGEISSUED, or a server that says it otherwise): another
		// station took some of them meanwhile.
	}
}

// claimWindow is how many of the inbox's oldest messages a claim looks
// at: those other stations hold move to their folders at once, so the
// window moves on.
const claimWindow = 500

// claimPrefix starts the keyword a station marks the messages it claims
// with, followed by its folder's name.
const claimPrefix = "$Radicador-"

// claim marks messages with this station's keyword, each with a
// conditional STORE (CONDSTORE's UNCHANGEDSINCE): of two stations that
// saw a message unmarked, only the first store succeeds, since it changes
// the message's mod-sequence. MOVE alone is no lock: a server may let two
// sessions copy the same message before either expunges it. Copies of one
// message (the same Message-ID, delivered to two of the organisation's
// addresses) go together: a station tries the others only once it holds
// the first, and passes over those whose first another holds. The messages
// that carry this station's keyword then move to its folder; a station
// stopped in between finds them marked as its own next time.
func (b *Box) claim(n int, maxSize int64) (moved, tooLarge int, err error) {
	b.validity = 0
	sel, err := b.c.Select(b.cfg.Inbox, &imap.SelectOptions{CondStore: true}).Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("opening %s: %w", b.cfg.Inbox, err)
	}
	if sel.NumMessages == 0 {
		return 0, 0, nil
	}
	if sel.HighestModSeq == 0 {
		return 0, 0, fmt.Errorf("%s keeps no mod-sequences (NOMODSEQ): stations cannot claim its messages safely", b.cfg.Inbox)
	}
	small, err := b.c.UIDSearch(&imap.SearchCriteria{Smaller: maxSize + 1}, nil).Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("searching %s: %w", b.cfg.Inbox, err)
	}
	large, err := b.c.UIDSearch(&imap.SearchCriteria{Larger: maxSize}, nil).Wait()
	if err != nil {
		return 0, 0, fmt.Errorf("searching %s: %w", b.cfg.Inbox, err)
	}
	tooLarge = len(large.AllUIDs())
	uids := small.AllUIDs()
	if len(uids) == 0 {
		return 0, tooLarge, nil
	}
	if len(uids) > claimWindow {
		uids = uids[:claimWindow]
	}
	mine := imap.Flag(claimPrefix + b.cfg.Mine)
	state, err := b.c.Fetch(imap.UIDSetNum(uids...), &imap.FetchOptions{UID: true, Flags: true, ModSeq: true, Envelope: true}).Collect()
	if err != nil {
		return 0, tooLarge, fmt.Errorf("reading the state of %s: %w", b.cfg.Inbox, err)
	}
	slices.SortFunc(state, func(a, b *imapclient.FetchMessageBuffer) int { return cmp.Compare(a.UID, b.UID) })
	// The copies of each message, oldest first.
	copies := map[string][]*imapclient.FetchMessageBuffer{}
	for _, m := range state {
		if id := messageID(m); id != "" {
			copies[id] = append(copies[id], m)
		}
	}
	mark := func(m *imapclient.FetchMessageBuffer) error {
		if m.ModSeq == 0 {
			return fmt.Errorf("message %d of %s has no mod-sequence: it cannot be claimed safely", m.UID, b.cfg.Inbox)
		}
		err := b.c.Store(imap.UIDSetNum(m.UID), &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{mine}},
			&imap.StoreOptions{UnchangedSince: m.ModSeq}).Close()
		if err != nil {
			return fmt.Errorf("marking message %d of %s: %w", m.UID, b.cfg.Inbox, err)
		}
		return nil
	}
	var tried []imap.UID
	for _, m := range state {
		if len(tried) >= n {
			break
		}
		group := []*imapclient.FetchMessageBuffer{m}
		if id := messageID(m); id != "" {
			if copies[id][0] != m {
				continue // a later copy: it goes with the first
			}
			group = copies[id]
		}
		switch claimedBy(m.Flags) {
		case "":
			if err := mark(m); err != nil {
				return 0, tooLarge, err
			}
		case mine:
		default:
			continue // another station's
		}
		tried = append(tried, m.UID)
		if len(group) == 1 {
			continue
		}
		// The other copies, when the first is this station's.
		if won, err := b.markedMine(m.UID, mine); err != nil {
			return 0, tooLarge, err
		} else if !won {
			continue
		}
		for _, other := range group[1:] {
			if claimedBy(other.Flags) == "" {
				if err := mark(other); err != nil {
					return 0, tooLarge, err
				}
			}
			tried = append(tried, other.UID)
		}
	}
	if len(tried) == 0 {
		return 0, tooLarge, nil
	}
	after, err := b.c.Fetch(imap.UIDSetNum(tried...), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		return 0, tooLarge, fmt.Errorf("reading the state of %s: %w", b.cfg.Inbox, err)
	}
	var won []imap.UID
	for _, m := range after {
		if claimedBy(m.Flags) == mine {
			won = append(won, m.UID)
		}
	}
	if len(won) == 0 {
		return 0, tooLarge, nil
	}
	if b.cfg.AfterMark != nil {
		b.cfg.AfterMark()
	}
	if _, err := b.c.Move(imap.UIDSetNum(won...), b.mine).Wait(); err != nil {
		return 0, tooLarge, fmt.Errorf("moving claimed messages into %s: %w", b.mine, err)
	}
	return len(won), tooLarge, nil
}

// markedMine reports whether the message uid carries this station's
// keyword now.
func (b *Box) markedMine(uid imap.UID, mine imap.Flag) (bool, error) {
	got, err := b.c.Fetch(imap.UIDSetNum(uid), &imap.FetchOptions{UID: true, Flags: true}).Collect()
	if err != nil {
		return false, fmt.Errorf("reading message %d of %s: %w", uid, b.cfg.Inbox, err)
	}
	return len(got) == 1 && claimedBy(got[0].Flags) == mine, nil
}

// messageID gives a fetched message's Message-ID without brackets, or "".
func messageID(m *imapclient.FetchMessageBuffer) string {
	if m.Envelope == nil {
		return ""
	}
	return strings.Trim(strings.TrimSpace(m.Envelope.MessageID), "<>")
}

// claimedBy gives the claim keyword among flags, or "". A message marked
// by two stations (a server without CONDSTORE's guarantee) is its first's.
func claimedBy(flags []imap.Flag) imap.Flag {
	var first imap.Flag
	for _, f := range flags {
		if strings.HasPrefix(string(f), claimPrefix) && (first == "" || f < first) {
			first = f
		}
	}
	return first
}

// Held is a message in this station's folder.
type Held struct {
	UIDValidity uint32
	UID         uint32
}

// Held lists the messages in this station's folder, oldest first.
func (b *Box) Held() ([]Held, error) {
	b.validity = 0
	sel, err := b.c.Select(b.mine, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("opening %s: %w", b.mine, err)
	}
	b.validity = sel.UIDValidity
	all, err := b.c.UIDSearch(&imap.SearchCriteria{}, nil).Wait()
	if err != nil {
		return nil, fmt.Errorf("searching %s: %w", b.mine, err)
	}
	var out []Held
	for _, uid := range all.AllUIDs() {
		out = append(out, Held{UIDValidity: sel.UIDValidity, UID: uint32(uid)})
	}
	return out, nil
}

// Download gives the whole message uid of this station's folder, byte for
// byte, without marking it read. The folder must be selected (Held).
func (b *Box) Download(uid uint32) ([]byte, error) {
	section := &imap.FetchItemBodySection{Peek: true}
	msgs, err := b.c.Fetch(imap.UIDSetNum(imap.UID(uid)), &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{section}}).Collect()
	if err != nil {
		return nil, fmt.Errorf("downloading message %d of %s: %w", uid, b.mine, err)
	}
	if len(msgs) != 1 {
		return nil, fmt.Errorf("message %d of %s: %w", uid, b.mine, ErrGone)
	}
	raw := msgs[0].FindBodySection(section)
	if raw == nil {
		return nil, fmt.Errorf("message %d of %s: the server sent no body", uid, b.mine)
	}
	return raw, nil
}

// ErrGone is wrapped when a message is no longer where it was claimed.
var ErrGone = errors.New("no longer in the folder")

// Finish moves the message uid of this station's folder to the Radicados
// folder (done) or the Descartados folder. The folder must be selected
// (Held) with uidValidity unchanged; a message already gone counts as
// moved.
func (b *Box) Finish(uidValidity, uid uint32, done bool) error {
	if b.validity == 0 {
		return fmt.Errorf("finishing message %d: %s is not open", uid, b.mine)
	}
	if b.validity != uidValidity {
		return fmt.Errorf("message %d: %w (the folder %s was made again)", uid, ErrGone, b.mine)
	}
	to := b.cfg.Discarded
	if done {
		to = b.cfg.Done
	}
	if _, err := b.c.Move(imap.UIDSetNum(imap.UID(uid)), to).Wait(); err != nil {
		return fmt.Errorf("moving message %d to %s: %w", uid, to, err)
	}
	return nil
}

// Radicated gives which of ids (Message-IDs, without brackets) a message
// of the Radicados folder has: those a station radicated. It leaves the
// Radicados folder open (read-only).
func (b *Box) Radicated(ids []string) ([]string, error) {
	b.validity = 0
	if _, err := b.c.Select(b.cfg.Done, &imap.SelectOptions{ReadOnly: true}).Wait(); err != nil {
		return nil, fmt.Errorf("opening %s: %w", b.cfg.Done, err)
	}
	var found []string
	for _, id := range ids {
		if id == "" || strings.ContainsAny(id, "\r\n\"") {
			continue
		}
		data, err := b.c.UIDSearch(&imap.SearchCriteria{Header: []imap.SearchCriteriaHeaderField{{Key: "Message-ID", Value: "<" + id + ">"}}}, nil).Wait()
		if err != nil {
			return found, fmt.Errorf("searching %s: %w", b.cfg.Done, err)
		}
		if len(data.AllUIDs()) > 0 {
			found = append(found, id)
		}
	}
	return found, nil
}
