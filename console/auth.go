package console

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/radicador/radicador/central"
)

// Sessions live in a cookie that scripts cannot read (HttpOnly), that is
// not sent with other sites' requests (SameSite=Lax), and, over HTTPS,
// only over HTTPS (Secure); the store keeps only its hash, so that logging
// out or disabling the user ends it. Every form carries the session's CSRF
// token; the log-in form, before there is a session, a token of its own
// cookie (double submit). A request whose Origin is another site's is
// refused.

const (
	sessionCookie = "radicador_session"
	loginCookie   = "radicador_login"
	csrfField     = "csrf"
	csrfHeader    = "X-CSRF-Token"
)

type userKey struct{}

// who is the person behind a request, and their session's CSRF token
// (empty for an API token).
type who struct {
	user central.User
	csrf string
	sid  string
}

func whoOf(r *http.Request) who { return r.Context().Value(userKey{}).(who) }

// sameOrigin reports whether a request that changes something comes from
// the console's own pages: no Origin (an older browser, or not a browser),
// or an Origin of this host.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" || o == "null" && r.Header.Get("Sec-Fetch-Site") == "same-origin" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// withUser lets a page through only with a live session: else to the
// log-in page (and back afterwards). A POST must carry the session's CSRF
// token and come from this site.
func (c *Console) withUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ck, err := r.Cookie(sessionCookie)
		var u central.User
		var s central.Session
		if err == nil {
			u, s, err = c.db.SessionUser(r.Context(), ck.Value)
		}
		if err != nil {
			if !errors.Is(err, central.ErrSession) && !errors.Is(err, http.ErrNoCookie) {
				c.fail(w, r, err)
				return
			}
			if r.Method != http.MethodGet {
				c.errorPage(w, r, http.StatusForbidden, c.cat(r, "").T("err.csrf"))
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) || !central.SameToken(r.PostFormValue(csrfField), s.CSRF) {
				r = r.WithContext(context.WithValue(r.Context(), userKey{}, who{user: u, csrf: s.CSRF, sid: s.ID}))
				c.errorPage(w, r, http.StatusForbidden, c.cat(r, u.Lang).T("err.csrf"))
				return
			}
		}
		w.Header().Set("Cache-Control", "no-store")
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, who{user: u, csrf: s.CSRF, sid: s.ID})))
	}
}

// withAPIUser lets an API request through with a personal token
// (Authorization: Bearer …), or with a session and its CSRF token in the
// X-CSRF-Token header (the console's own pages).
func (c *Console) withAPIUser(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var u central.User
		var err error
		if token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok {
			u, err = c.db.UserByToken(r.Context(), token)
		} else if ck, cerr := r.Cookie(sessionCookie); cerr == nil {
			var s central.Session
			u, s, err = c.db.SessionUser(r.Context(), ck.Value)
			if err == nil && r.Method != http.MethodGet && (!sameOrigin(r) || !central.SameToken(r.Header.Get(csrfHeader), s.CSRF)) {
				apiError(w, http.StatusForbidden, "a session's request needs its CSRF token in "+csrfHeader)
				return
			}
		} else {
			err = central.ErrUnauthorized
		}
		if err != nil {
			if st := status(err); st != http.StatusInternalServerError {
				apiError(w, http.StatusUnauthorized, "a personal token (radicador-server user token NAME) or a session")
				return
			}
			c.log.Error("console fault", "path", r.URL.Path, "error", err.Error())
			apiError(w, http.StatusInternalServerError, "internal error")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), userKey{}, who{user: u})))
	}
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// localPath keeps a "next" address on this site: a path of its own, with
// no scheme, host, backslash or control character (browsers drop tabs and
// line breaks from addresses, which would make "/\t/x" another host's).
func localPath(next string) string {
	bad := strings.IndexFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) >= 0
	u, err := url.Parse(next)
	if bad || err != nil || u.Scheme != "" || u.Host != "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/bandeja"
	}
	return next
}

func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	http.Redirect(w, r, "/bandeja", http.StatusSeeOther)
}

type loginData struct {
	Next, Name string
}

func (c *Console) loginPage(w http.ResponseWriter, r *http.Request) {
	c.showLogin(w, r, http.StatusOK, "", loginData{Next: localPath(r.URL.Query().Get("next"))})
}

func (c *Console) showLogin(w http.ResponseWriter, r *http.Request, code int, msg string, data loginData) {
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: token, Path: "/login", HttpOnly: true, Secure: c.opt.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, code, "login", view{Title: c.cat(r, "").T("login.title"), Error: msg, csrf: token, Data: data})
}

func (c *Console) login(w http.ResponseWriter, r *http.Request) {
	from := c.clientAddr(r)
	if !c.attempts.allow(from, time.Now()) {
		c.showLogin(w, r, http.StatusTooManyRequests, c.cat(r, "").T("login.throttled"), loginData{Next: localPath(r.PostFormValue("next"))})
		return
	}
	ck, err := r.Cookie(loginCookie)
	if err != nil || !sameOrigin(r) || !central.SameToken(r.PostFormValue(csrfField), ck.Value) {
		c.showLogin(w, r, http.StatusForbidden, c.cat(r, "").T("err.csrf"), loginData{Next: localPath(r.PostFormValue("next"))})
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	data := loginData{Next: localPath(r.PostFormValue("next")), Name: name}
	_, s, err := c.opt.Auth.Login(r.Context(), name, r.PostFormValue("password"), from)
	switch {
	case errors.Is(err, central.ErrLocked):
		c.showLogin(w, r, http.StatusTooManyRequests, c.cat(r, "").T("login.locked"), data)
		return
	case errors.Is(err, central.ErrLogin):
		c.showLogin(w, r, http.StatusUnauthorized, c.cat(r, "").T("login.failed"), data)
		return
	case err != nil:
		c.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Value: "", Path: "/login", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.ID, Path: "/", HttpOnly: true, Secure: c.opt.SecureCookies,
		SameSite: http.SameSiteLaxMode, Expires: s.Expires})
	http.Redirect(w, r, data.Next, http.StatusSeeOther)
}

func (c *Console) logout(w http.ResponseWriter, r *http.Request) {
	if err := c.db.Logout(r.Context(), whoOf(r).sid); err != nil {
		c.fail(w, r, err)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: c.opt.SecureCookies})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// attempts bounds the log-ins one address tries: a window of a few minutes
// with a number of attempts, then 429 until it passes. It holds at most
// attemptsMax addresses (starting over beyond).
type attempts struct {
	lim  limit // the log-in's when zero
	mu   sync.Mutex
	seen map[string]*window
}

type window struct {
	start time.Time
	n     int
}

const (
	attemptsWindow = 5 * time.Minute
	attemptsPerIP  = 30
	attemptsMax    = 10000
)

// below reports whether ip has room for one more in its window, without
// counting one.
func (a *attempts) below(ip string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	lim := a.limit()
	w := a.seen[addressKey(ip)]
	return w == nil || now.Sub(w.start) > lim.window || w.n < lim.per
}

func (a *attempts) limit() limit {
	if a.lim.per == 0 {
		return limit{per: attemptsPerIP, window: attemptsWindow}
	}
	return a.lim
}

// addressKey is what an address is counted under: an IPv6 address by its
// /64, which one client may hold whole.
func addressKey(ip string) string {
	if a := net.ParseIP(ip); a != nil && a.To4() == nil {
		return a.Mask(net.CIDRMask(64, 128)).String()
	}
	return ip
}

// release gives back one counted for ip in its window: a try that failed
// on the server's side, not the client's.
func (a *attempts) release(ip string, now time.Time) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if w := a.seen[addressKey(ip)]; w != nil && now.Sub(w.start) <= a.limit().window && w.n > 0 {
		w.n--
	}
}

func (a *attempts) allow(ip string, now time.Time) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	ip = addressKey(ip)
	if a.seen == nil {
		a.seen = map[string]*window{}
	}
	if len(a.seen) > attemptsMax {
		// Forget the windows that have ended, not the live ones.
		for k, w := range a.seen {
			if now.Sub(w.start) > a.limit().window {
				delete(a.seen, k)
			}
		}
		if len(a.seen) > attemptsMax {
			return true // more addresses at once than it keeps: not counted (a global limit, where there is one, still holds)
		}
	}
	lim := a.limit()
	w := a.seen[ip]
	if w == nil || now.Sub(w.start) > lim.window {
		w = &window{start: now}
		a.seen[ip] = w
	}
	w.n++
	return w.n <= lim.per
}
