package central

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/radicador/radicador/radicado"
)

// People of the console: departments, and users with a role. A user logs
// in with name and password (argon2id) and gets a session; or uses a
// personal API token. Directory log-in (LDAP, OIDC) would be another
// Authenticator beside the password (see the console package).

// Role is what a user may do.
type Role string

// The roles: a funcionario works the radicados of their department; a
// jefe heads one; a supervisor sees and acts on all; an admin also
// manages people and departments.
const (
	Funcionario Role = "funcionario"
	Jefe        Role = "jefe"
	Supervisor  Role = "supervisor"
	Admin       Role = "admin"
)

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case Funcionario, Jefe, Supervisor, Admin:
		return true
	}
	return false
}

// SeesAll reports whether the role sees every department's radicados.
func (r Role) SeesAll() bool { return r == Supervisor || r == Admin }

// Errors of people and sessions.
var (
	ErrLogin    = errors.New("wrong name or password")
	ErrLocked   = errors.New("too many failed log-ins: the account is locked for a while")
	ErrSession  = errors.New("no valid session")
	ErrInvalid  = errors.New("invalid")
	ErrForbid   = errors.New("not allowed")
	ErrConflict = errors.New("not in a state for that")
)

// Dept is a department of the organisation.
type Dept struct {
	Code     string `json:"code"`
	Name     string `json:"name"`
	Head     string `json:"head,omitempty"` // a user's name
	Disabled bool   `json:"disabled,omitempty"`
}

// User is a person of the console.
type User struct {
	ID       int64     `json:"id"`
	Name     string    `json:"name"`
	FullName string    `json:"full_name,omitempty"`
	Dept     string    `json:"dept,omitempty"`
	Role     Role      `json:"role"`
	Lang     string    `json:"lang"`
	Email    string    `json:"email,omitempty"`
	Disabled bool      `json:"disabled,omitempty"`
	Created  time.Time `json:"created_at"`
	Alerts   string    `json:"alerts"` // AlertsDigest or AlertsNone
}

// A user's choice of alerts: a daily e-mail digest, or only the console's.
const (
	AlertsDigest = "digest"
	AlertsNone   = "none"
)

// Settings of log-in, with their defaults.
const (
	settingMaxFailures = "login.max_failures" // failed log-ins in a row before the lock
	settingLockMinutes = "login.lock_minutes"
	settingSessionHrs  = "session.hours" // a session's whole life
	settingIdleMinutes = "session.idle_minutes"
	defMaxFailures     = 5
	defLockMinutes     = 15
	defSessionHours    = 12
	defIdleMinutes     = 120
)

// MinPassword is the shortest password accepted.
const MinPassword = 10

// checkName checks a user's log-in name: 2 to 40 lower-case letters,
// digits, '.', '_' or '-'.
func checkName(name string) error {
	if len(name) < 2 || len(name) > 40 || strings.Trim(name, "abcdefghijklmnopqrstuvwxyz0123456789._-") != "" {
		return fmt.Errorf("%w: user name %q: 2 to 40 lower-case letters, digits, '.', '_' or '-'", ErrInvalid, name)
	}
	return nil
}

// AddDept adds a department, or changes its name and head; actor is who
// does it, for the journal.
func (d *DB) AddDept(ctx context.Context, actor string, dept Dept) error {
	if err := radicado.CheckDeptCode(dept.Code); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if err := radicado.CheckClean("name", dept.Name, 100); err != nil || dept.Name == "" {
		return fmt.Errorf("%w: the department's name: 1 to 100 characters of plain text", ErrInvalid)
	}
	return d.writeConfig(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if dept.Head != "" {
			var n int
			if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM users WHERE name = ? AND dept = ? AND disabled_at IS NULL`, []any{dept.Head, dept.Code}, &n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: the head %q is not an active user of the department", ErrInvalid, dept.Head)
			}
		}
		if _, err := d.txExec(ctx, tx, `INSERT INTO depts (code, name, head, created_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (code) DO UPDATE SET name = excluded.name, head = excluded.head`, dept.Code, dept.Name, dept.Head, d.stamp()); err != nil {
			return err
		}
		return d.configChanged(ctx, tx, actor, "dept.set", dept)
	})
}

// Depts lists the departments by code.
func (d *DB) Depts(ctx context.Context) ([]Dept, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT code, name, head, disabled_at IS NOT NULL FROM depts ORDER BY code`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Dept
	for rows.Next() {
		var x Dept
		if err := rows.Scan(&x.Code, &x.Name, &x.Head, &x.Disabled); err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// AddUser adds a user with a password; an empty password is made up and
// given back (to be told to the user once).
func (d *DB) AddUser(ctx context.Context, actor string, u User, password string) (User, string, error) {
	if err := checkName(u.Name); err != nil {
		return u, "", err
	}
	if !u.Role.Valid() {
		return u, "", fmt.Errorf("%w: role %q: funcionario, jefe, supervisor or admin", ErrInvalid, u.Role)
	}
	if u.Lang == "" {
		u.Lang = "es"
	}
	if u.Lang != "es" && u.Lang != "en" {
		return u, "", fmt.Errorf("%w: language %q: es or en", ErrInvalid, u.Lang)
	}
	if err := radicado.CheckClean("full name", u.FullName, 100); err != nil {
		return u, "", fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if u.Email != "" && (len(u.Email) > 200 || !strings.Contains(u.Email, "@") || strings.ContainsAny(u.Email, " <>\"\r\n")) {
		return u, "", fmt.Errorf("%w: e-mail %q", ErrInvalid, u.Email)
	}
	if (u.Role == Funcionario || u.Role == Jefe) && u.Dept == "" {
		return u, "", fmt.Errorf("%w: a %s belongs to a department (--dept)", ErrInvalid, u.Role)
	}
	if password == "" {
		password = NewPassword()
	}
	if len([]rune(password)) < MinPassword || len(password) > 200 {
		return u, "", fmt.Errorf("%w: a password has %d to 200 characters", ErrInvalid, MinPassword)
	}
	hash := HashPassword(password)
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if u.Dept != "" {
			var n int
			if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM depts WHERE code = ? AND disabled_at IS NULL`, []any{u.Dept}, &n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("%w: no department %q (radicador-server dept add)", ErrInvalid, u.Dept)
			}
		}
		now := d.stamp()
		if _, err := d.txExec(ctx, tx, `INSERT INTO users (name, full_name, dept, role, lang, email, password_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			u.Name, u.FullName, u.Dept, string(u.Role), u.Lang, u.Email, hash, now); err != nil {
			if strings.Contains(strings.ToLower(err.Error()), "unique") {
				return fmt.Errorf("%w: user %q", ErrExists, u.Name)
			}
			return err
		}
		if err := d.txScan(ctx, tx, `SELECT id FROM users WHERE name = ?`, []any{u.Name}, &u.ID); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "user.add", "", map[string]any{"name": u.Name, "dept": u.Dept, "role": u.Role})
	})
	if err != nil {
		return u, "", err
	}
	return u, password, nil
}

// SetPassword gives a user a new password (made up when empty, and given
// back); their sessions end and their API tokens are revoked.
func (d *DB) SetPassword(ctx context.Context, actor, name, password string) (string, error) {
	if password == "" {
		password = NewPassword()
	}
	if len([]rune(password)) < MinPassword || len(password) > 200 {
		return "", fmt.Errorf("%w: a password has %d to 200 characters", ErrInvalid, MinPassword)
	}
	hash := HashPassword(password)
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE users SET password_hash = ?, failed = 0, locked_until = '' WHERE name = ?`, hash, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: user %q", ErrNotFound, name)
		}
		if err := d.endSessions(ctx, tx, name); err != nil {
			return err
		}
		if err := d.revokeTokens(ctx, tx, name); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "user.password", "", map[string]string{"name": name})
	})
	return password, err
}

// DisableUser disables a user: their sessions end, their tokens stop
// working, and they cannot log in. Nothing of theirs is deleted.
func (d *DB) DisableUser(ctx context.Context, actor, name string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE users SET disabled_at = ? WHERE name = ? AND disabled_at IS NULL`, d.stamp(), name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no active user %q", ErrNotFound, name)
		}
		if err := d.endSessions(ctx, tx, name); err != nil {
			return err
		}
		// Revoked, not only refused while disabled: letting the person in
		// again does not bring back a token that may have leaked.
		if err := d.revokeTokens(ctx, tx, name); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "user.disable", "", map[string]string{"name": name})
	})
}

// EnableUser lets a disabled user in again. Their sessions and tokens
// ended with the disabling: they log in with their password, or a new one.
func (d *DB) EnableUser(ctx context.Context, actor, name string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE users SET disabled_at = NULL, failed = 0, locked_until = '' WHERE name = ? AND disabled_at IS NOT NULL`, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: no disabled user %q", ErrNotFound, name)
		}
		return d.appendJournal(ctx, tx, actor, "user.enable", "", map[string]string{"name": name})
	})
}

// SetAlerts sets how a user is told of alerts: AlertsDigest or AlertsNone.
func (d *DB) SetAlerts(ctx context.Context, actor, name, alerts string) error {
	if alerts != AlertsDigest && alerts != AlertsNone {
		return fmt.Errorf("%w: alerts %q: digest or none", ErrInvalid, alerts)
	}
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		res, err := d.txExec(ctx, tx, `UPDATE users SET alerts = ? WHERE name = ?`, alerts, name)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("%w: user %q", ErrNotFound, name)
		}
		return d.appendJournal(ctx, tx, actor, "user.alerts", "", map[string]string{"name": name, "alerts": alerts})
	})
}

// RevokeUserTokens revokes every personal API token of a user.
func (d *DB) RevokeUserTokens(ctx context.Context, actor, name string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var n int
		if err := d.txScan(ctx, tx, `SELECT COUNT(*) FROM users WHERE name = ?`, []any{name}, &n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: user %q", ErrNotFound, name)
		}
		if err := d.revokeTokens(ctx, tx, name); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "user.revoke_tokens", "", map[string]string{"name": name})
	})
}

func (d *DB) revokeTokens(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := d.txExec(ctx, tx, `UPDATE user_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND user_id = (SELECT id FROM users WHERE name = ?)`, d.stamp(), name)
	return err
}

func (d *DB) endSessions(ctx context.Context, tx *sql.Tx, name string) error {
	_, err := d.txExec(ctx, tx, `UPDATE sessions SET ended_at = ? WHERE ended_at IS NULL AND user_id = (SELECT id FROM users WHERE name = ?)`, d.stamp(), name)
	return err
}

const userColumns = `id, name, full_name, dept, role, lang, email, disabled_at IS NOT NULL, created_at, alerts`

func scanUser(row interface{ Scan(...any) error }) (User, error) { return scanUserPlus(row) }

// Users lists the users by name.
func (d *DB) Users(ctx context.Context) ([]User, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserByName gives a user, disabled or not.
func (d *DB) UserByName(ctx context.Context, name string) (User, error) {
	u, err := scanUser(d.db.QueryRowContext(ctx, d.q(`SELECT `+userColumns+` FROM users WHERE name = ?`), name))
	if err == sql.ErrNoRows {
		return u, fmt.Errorf("%w: user %q", ErrNotFound, name)
	}
	return u, err
}

// NewUserToken gives an active user a personal API token, shown once;
// only its hash is kept.
func (d *DB) NewUserToken(ctx context.Context, actor, name string) (string, error) {
	token := "rt_" + randomString(32)
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var id int64
		if err := d.txScan(ctx, tx, `SELECT id FROM users WHERE name = ? AND disabled_at IS NULL`, []any{name}, &id); err != nil {
			if err == sql.ErrNoRows {
				return fmt.Errorf("%w: no active user %q", ErrNotFound, name)
			}
			return err
		}
		if _, err := d.txExec(ctx, tx, `INSERT INTO user_tokens (token_hash, user_id, created_at) VALUES (?, ?, ?)`, HashToken(token), id, d.stamp()); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, actor, "user.token", "", map[string]string{"name": name})
	})
	return token, err
}

// UserByToken gives the active user of a personal API token.
func (d *DB) UserByToken(ctx context.Context, token string) (User, error) {
	if len(token) > 200 {
		return User{}, ErrUnauthorized
	}
	u, err := scanUser(d.db.QueryRowContext(ctx, d.q(`SELECT `+prefixed("u.", userColumns)+` FROM user_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.token_hash = ? AND t.revoked_at IS NULL AND u.disabled_at IS NULL`), HashToken(token)))
	if err == sql.ErrNoRows {
		return User{}, ErrUnauthorized
	}
	return u, err
}

// prefixed puts p before each column of a list.
func prefixed(p, columns string) string {
	cols := strings.Split(columns, ", ")
	for i, c := range cols {
		cols[i] = p + c
	}
	return strings.Join(cols, ", ")
}

// Session is a user's log-in in a browser.
type Session struct {
	ID      string    // given to the browser once; only its hash is kept
	CSRF    string    // the token each of the session's forms carries
	Expires time.Time // when it ends at the latest
}

// intSetting reads an integer setting, or def.
func (d *DB) intSetting(ctx context.Context, key string, def int) int {
	var v string
	if err := d.readScan(ctx, `SELECT value FROM settings WHERE key = ?`, []any{key}, &v); err != nil {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return def
	}
	return n
}

// hashing bounds the password checks running at once: each takes 19 MiB.
var hashing = make(chan struct{}, 4)

// ghosts keeps the failed log-ins of names that are no user's, so that an
// unknown name locks as a known one does and the answer does not tell
// them apart. Bounded: past ghostsMax names it starts again.
type ghosts struct {
	mu     sync.Mutex
	failed map[string]int
	locked map[string]time.Time
}

const ghostsMax = 10000

// Login checks a name and password and opens a session. Each success and
// failure is in the journal; after the configured failures in a row the
// name is locked for a while (ErrLocked, even with the right password), a
// name that is no user's as well: a wrong name and a wrong password answer
// the same, and take as long. The count and the lock are decided in the
// transaction that records them, so that attempts at once count each.
func (d *DB) Login(ctx context.Context, name, password, from string) (User, Session, error) {
	var s Session
	if len(name) > 100 || len(password) > 200 {
		return User{}, s, ErrLogin
	}
	maxFail := d.intSetting(ctx, settingMaxFailures, defMaxFailures)
	lockFor := time.Duration(d.intSetting(ctx, settingLockMinutes, defLockMinutes)) * time.Minute
	life := time.Duration(d.intSetting(ctx, settingSessionHrs, defSessionHours)) * time.Hour
	var hash string
	u, err := scanUserPlus(d.db.QueryRowContext(ctx, d.q(`SELECT `+userColumns+`, password_hash FROM users WHERE name = ?`), name), &hash)
	known := err == nil
	if err != nil && err != sql.ErrNoRows {
		return User{}, s, err
	}
	select {
	case hashing <- struct{}{}:
	case <-ctx.Done():
		return User{}, s, ctx.Err()
	}
	ok := VerifyPassword(hash, password) // runs its whole cost even for an unknown name
	<-hashing
	now := d.now()
	if !known {
		return User{}, s, d.ghostFailure(ctx, name, from, now, maxFail, lockFor)
	}
	var outcome error
	err = d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var failed int
		var locked string
		lock := "" // on PostgreSQL the row, so that attempts at once wait their turn
		if d.postgres {
			lock = " FOR UPDATE"
		}
		if err := d.txScan(ctx, tx, `SELECT failed, locked_until FROM users WHERE id = ?`+lock, []any{u.ID}, &failed, &locked); err != nil {
			return err
		}
		if until, err := time.Parse(time.RFC3339Nano, locked); err == nil && now.Before(until) {
			outcome = ErrLocked
			return d.appendJournal(ctx, tx, u.Name, "login.locked", "", map[string]string{"from": from})
		}
		if ok && !u.Disabled {
			s = Session{ID: randomString(32), CSRF: randomString(32), Expires: now.Add(life)}
			if _, err := d.txExec(ctx, tx, `UPDATE users SET failed = 0, locked_until = '' WHERE id = ?`, u.ID); err != nil {
				return err
			}
			stamp := d.stamp()
			if _, err := d.txExec(ctx, tx, `INSERT INTO sessions (id_hash, user_id, csrf, created_at, seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
				HashToken(s.ID), u.ID, s.CSRF, stamp, stamp, s.Expires.UTC().Format(time.RFC3339Nano)); err != nil {
				return err
			}
			return d.appendJournal(ctx, tx, u.Name, "login", "", map[string]string{"from": from})
		}
		outcome = ErrLogin
		data := map[string]string{"from": from}
		failed++
		until := ""
		if failed >= maxFail {
			until = now.Add(lockFor).UTC().Format(time.RFC3339Nano)
			data["locked_until"] = until
			failed = 0
		}
		if _, err := d.txExec(ctx, tx, `UPDATE users SET failed = ?, locked_until = ? WHERE id = ?`, failed, until, u.ID); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, u.Name, "login.failed", "", data)
	})
	switch {
	case err != nil:
		return User{}, Session{}, err
	case outcome != nil:
		return User{}, Session{}, outcome
	}
	return u, s, nil
}

// ghostFailure counts a failed log-in of a name that is no user's, and
// answers as for a user: ErrLogin, or ErrLocked once the name has failed
// too often.
func (d *DB) ghostFailure(ctx context.Context, name, from string, now time.Time, maxFail int, lockFor time.Duration) error {
	g := &d.ghosts
	g.mu.Lock()
	if g.failed == nil || len(g.failed)+len(g.locked) > ghostsMax {
		g.failed, g.locked = map[string]int{}, map[string]time.Time{}
	}
	action, outcome := "login.failed", ErrLogin
	if until, ok := g.locked[name]; ok && now.Before(until) {
		action, outcome = "login.locked", ErrLocked
	} else {
		delete(g.locked, name)
		if g.failed[name]++; g.failed[name] >= maxFail {
			delete(g.failed, name)
			g.locked[name] = now.Add(lockFor)
		}
	}
	g.mu.Unlock()
	// The name typed is kept in the entry's data, never as an actor.
	err := d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		return d.appendJournal(ctx, tx, "?", action, "", map[string]string{"from": from, "name": name})
	})
	return errors.Join(outcome, err)
}

func scanUserPlus(row interface{ Scan(...any) error }, more ...any) (User, error) {
	var u User
	var role, created string
	dest := append([]any{&u.ID, &u.Name, &u.FullName, &u.Dept, &role, &u.Lang, &u.Email, &u.Disabled, &created, &u.Alerts}, more...)
	if err := row.Scan(dest...); err != nil {
		return u, err
	}
	u.Role = Role(role)
	u.Created, _ = time.Parse(time.RFC3339Nano, created)
	return u, nil
}

// SessionUser gives the user of a live session and the session's CSRF
// token: not ended, not expired, not idle too long, its user active.
func (d *DB) SessionUser(ctx context.Context, id string) (User, Session, error) {
	if id == "" || len(id) > 100 {
		return User{}, Session{}, ErrSession
	}
	var csrf, seen, expires string
	u, err := scanUserPlus(d.db.QueryRowContext(ctx, d.q(`SELECT `+prefixed("u.", userColumns)+`, s.csrf, s.seen_at, s.expires_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.ended_at IS NULL AND u.disabled_at IS NULL`), HashToken(id)),
		&csrf, &seen, &expires)
	if err == sql.ErrNoRows {
		return User{}, Session{}, ErrSession
	}
	if err != nil {
		return User{}, Session{}, err
	}
	now := d.now()
	exp, err1 := time.Parse(time.RFC3339Nano, expires)
	last, err2 := time.Parse(time.RFC3339Nano, seen)
	idle := time.Duration(d.intSetting(ctx, settingIdleMinutes, defIdleMinutes)) * time.Minute
	if err1 != nil || err2 != nil || !now.Before(exp) || now.Sub(last) > idle {
		return User{}, Session{}, ErrSession
	}
	if now.Sub(last) > time.Minute { // seen again: written at most once a minute
		d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
			_, err := d.txExec(ctx, tx, `UPDATE sessions SET seen_at = ? WHERE id_hash = ?`, d.stamp(), HashToken(id))
			return err
		})
	}
	return u, Session{ID: id, CSRF: csrf, Expires: exp}, nil
}

// Logout ends a session.
func (d *DB) Logout(ctx context.Context, id string) error {
	return d.write(ctx, func(ctx context.Context, tx *sql.Tx) error {
		var name string
		err := d.txScan(ctx, tx, `SELECT u.name FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ? AND s.ended_at IS NULL`,
			[]any{HashToken(id)}, &name)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := d.txExec(ctx, tx, `UPDATE sessions SET ended_at = ? WHERE id_hash = ?`, d.stamp(), HashToken(id)); err != nil {
			return err
		}
		return d.appendJournal(ctx, tx, name, "logout", "", map[string]string{})
	})
}

// SameToken compares two secrets in constant time.
func SameToken(a, b string) bool { return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1 }

// randomString gives n random bytes, base64url.
func randomString(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewPassword makes up a password of 16 characters that reads aloud.
func NewPassword() string {
	const letters = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = letters[int(b[i])%len(letters)]
	}
	return string(b)
}

// Argon2id's parameters (OWASP's minimum: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonLen     = 32
)

// HashPassword gives the stored form of a password: argon2id with a random
// salt, in the PHC string format.
func HashPassword(password string) string {
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key))
}

// dummyHash is verified against when there is no user, so that an unknown
// name costs as long as a known one.
var dummyHash = HashPassword(randomString(16))

// VerifyPassword checks a password against its stored form.
func VerifyPassword(stored, password string) bool {
	if stored == "" {
		stored = dummyHash
	}
	parts := strings.Split(stored, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		argon2.IDKey([]byte(password), []byte("0123456789abcdef"), argonTime, argonMemory, argonThreads, argonLen)
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 || p > 16 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, t, m, p, uint32(len(want)))
	ok := subtle.ConstantTimeCompare(got, want) == 1
	return ok && stored != dummyHash
}
