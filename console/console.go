// Package console is the central server's web console: the pages that the
// departments, their heads, supervisors and administrators use in a
// browser (server-rendered from templates embedded in the binary, no
// script needed), and the same data and actions as a JSON API under
// /api/v1 for a CRM or ERP, with a personal token. It works on the central
// store (package central); who sees and does what is the store's rule.
package console

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"time"

	"github.com/radicador/radicador/central"
)

//go:embed templates/*.html static/* translations/*.json
var files embed.FS

// Authenticator checks a person's name and password and opens a session.
// The store's local users are the first; a directory (LDAP, OIDC) would be
// another.
type Authenticator interface {
	Login(ctx context.Context, name, password, from string) (central.User, central.Session, error)
}

// Options tune the console.
type Options struct {
	// SecureCookies marks the session cookie Secure: set it when the
	// console is served over HTTPS (directly, or behind a proxy).
	SecureCookies bool
	// Auth checks log-ins (the store's users when nil).
	Auth Authenticator
	// Log receives the server's faults (discarded when nil).
	Log *slog.Logger
	// SendTest sends a test e-mail with the mail settings (the
	// administration page's button); nil: no such button.
	SendTest func(ctx context.Context, to string) error
	// BuzonPerAddress bounds the Buzón's submissions from one address in
	// ten minutes (0: 5).
	BuzonPerAddress int
	// PublicURL is the console's address as people reach it, for the
	// links in e-mails ("": none).
	PublicURL string
	// TrustedProxies are the reverse proxies in front of the server: a
	// request from one of them is counted under the address it says it
	// forwards (X-Forwarded-For), for the limits per address.
	TrustedProxies []netip.Prefix
}

// clientAddr gives the address a request is counted under: the
// connection's, or — from a trusted proxy — the nearest address in
// X-Forwarded-For that is not itself a trusted proxy. A client cannot
// choose it by sending the header itself.
func (c *Console) clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	trusted := func(s string) bool {
		a, err := netip.ParseAddr(strings.TrimSpace(s))
		if err != nil {
			return false
		}
		for _, p := range c.opt.TrustedProxies {
			if p.Contains(a.Unmap()) {
				return true
			}
		}
		return false
	}
	if !trusted(host) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop := strings.TrimSpace(hops[i])
		if _, err := netip.ParseAddr(hop); err != nil {
			break // not an address: what came before it is not to be trusted
		}
		if !trusted(hop) {
			return hop
		}
	}
	return host
}

// Console serves the console's pages and API.
type Console struct {
	db       *central.DB
	opt      Options
	log      *slog.Logger
	pages    map[string]*template.Template
	cats     map[string]catalog
	attempts attempts // log-ins by address
	// the Buzón's submissions and look-ups by address, and all its
	// submissions
	buzonLimit, lookupLimit, buzonAll attempts
	previews                          previews // pages being made into images
}

// New makes a console over db.
func New(db *central.DB, opt Options) (*Console, error) {
	if opt.Auth == nil {
		opt.Auth = db
	}
	log := opt.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(discard{}, nil))
	}
	c := &Console{db: db, opt: opt, log: log, pages: map[string]*template.Template{}, cats: map[string]catalog{},
		buzonLimit: attempts{lim: buzonPerAddress}, lookupLimit: attempts{lim: lookupPerAddress}, buzonAll: attempts{lim: buzonEveryone}}
	if opt.BuzonPerAddress > 0 {
		c.buzonLimit.lim.per = opt.BuzonPerAddress
	}
	for _, lang := range Languages {
		cat, err := loadCatalog(lang)
		if err != nil {
			return nil, err
		}
		c.cats[lang] = cat
	}
	funcs := template.FuncMap{"inc": func(i int) int { return i + 1 }, "typeName": typeName}
	base, err := template.New("layout.html").Funcs(funcs).ParseFS(files, "templates/layout.html")
	if err != nil {
		return nil, err
	}
	names, err := fs.Glob(files, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, name := range names {
		name = strings.TrimSuffix(strings.TrimPrefix(name, "templates/"), ".html")
		if name == "layout" {
			continue
		}
		t, err := template.Must(base.Clone()).ParseFS(files, "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		c.pages[name] = t
	}
	return c, nil
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

// Mount adds the console's routes to mux: its pages at the root, its API
// under /api/v1 (beside the stations' sync API, which mux serves under
// /api/v1/ otherwise).
func (c *Console) Mount(mux *http.ServeMux) {
	page := func(h http.HandlerFunc) http.Handler { return c.secure(c.withUser(h)) }
	open := func(h http.HandlerFunc) http.Handler { return c.secure(h) }
	mux.Handle("GET /{$}", open(c.home))
	mux.Handle("GET /login", open(c.loginPage))
	mux.Handle("POST /login", open(c.login))
	mux.Handle("POST /logout", page(c.logout))
	mux.Handle("GET /bandeja", page(c.inbox))
	mux.Handle("GET /radicados/{number}", page(c.radicado))
	mux.Handle("POST /radicados/{number}/{action}", page(c.act))
	mux.Handle("GET /radicados/{number}/archivos/{sha256}", page(c.document))
	mux.Handle("GET /radicados/{number}/vista/{sha256}/{page}", page(c.preview))
	mux.Handle("GET /buzon", open(c.buzonPage))
	mux.Handle("POST /buzon", c.secureBody(buzonMaxBody, buzonTimeout, http.HandlerFunc(c.buzonSubmit)))
	mux.Handle("GET /buzon/estado", open(c.estadoPage))
	mux.Handle("POST /buzon/estado", open(c.estado))
	mux.Handle("POST /buzon/acuse", open(c.acuse))
	mux.Handle("GET /tablero", page(c.dashboard))
	mux.Handle("GET /tablero.csv", page(c.dashboardCSV))
	mux.Handle("GET /informes/peticiones", page(c.reportPage))
	mux.Handle("GET /informes/peticiones.pdf", page(c.reportFile("pdf")))
	mux.Handle("GET /informes/peticiones.csv", page(c.reportFile("csv")))
	mux.Handle("GET /alertas", page(c.alertsPage))
	mux.Handle("POST /alertas", page(c.alertsChoice))
	mux.Handle("GET /admin", page(c.admin))
	mux.Handle("POST /admin/{what}", page(c.adminPost))
	mux.Handle("POST /admin/users/{name}/{what}", page(c.adminUser))
	static, _ := fs.Sub(files, "static")
	mux.Handle("GET /static/", c.secure(cacheFor(time.Hour, http.StripPrefix("/static/", http.FileServerFS(static)))))

	api := func(h http.HandlerFunc) http.Handler { return c.secure(c.withAPIUser(h)) }
	mux.Handle("GET /api/v1/inbox", api(c.apiInbox))
	mux.Handle("GET /api/v1/inbox/{number}", api(c.apiItem))
	mux.Handle("POST /api/v1/radicados/{number}/{action}", api(c.apiAct))
	mux.Handle("GET /api/v1/depts", api(c.apiDepts))
	mux.Handle("GET /api/v1/stats", api(c.apiStats))
	mux.Handle("GET /api/v1/alerts", api(c.apiAlerts))
}

func cacheFor(d time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", fmt.Sprintf("public, max-age=%d", int(d.Seconds())))
		h.ServeHTTP(w, r)
	})
}

// maxForm bounds a request body of the console: forms and the API's JSON.
const maxForm = 64 << 10

// secure sets the headers every answer of the console carries, bounds the
// request's body and time, and turns a panic into a logged 500.
func (c *Console) secure(h http.Handler) http.Handler {
	return c.secureBody(maxForm, 30*time.Second, h)
}

// secureBody is secure with a body of at most limit bytes, read within
// timeout.
func (c *Console) secureBody(limit int64, timeout time.Duration, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; frame-src 'self'; object-src 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		rc := http.NewResponseController(w)
		rc.SetReadDeadline(time.Now().Add(timeout))
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				c.log.Error("console fault", "path", r.URL.Path, "panic", fmt.Sprint(v))
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		h.ServeHTTP(w, r)
	})
}

// status gives the HTTP status of a store's error.
func status(err error) int {
	switch {
	case errors.Is(err, central.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, central.ErrForbid):
		return http.StatusForbidden
	case errors.Is(err, central.ErrInvalid), errors.Is(err, central.ErrExists):
		return http.StatusBadRequest
	case errors.Is(err, central.ErrConflict):
		return http.StatusConflict
	case errors.Is(err, central.ErrUnauthorized), errors.Is(err, central.ErrSession):
		return http.StatusUnauthorized
	case errors.Is(err, central.ErrClosed):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

// writeJSON answers v as JSON.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(v)
}
