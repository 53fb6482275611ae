package console

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/radicado"
)

// view is what every page's template gets: the page's own data in Data,
// and the frame's (who is logged in, the language, a message).
type view struct {
	Title string
	Flash string // what was done
	Error string // what could not be done
	Nav   string // the active item of the navigation
	Data  any
	// Alerts counts the radicados with alerts the user has not seen.
	Alerts int

	cat  catalog
	lang string
	user *central.User
	csrf string
}

// T translates a message of the page's language.
func (v view) T(key string, pairs ...any) string { return v.cat.T(key, pairs...) }

// Lang is the page's language.
func (v view) Lang() string { return v.lang }

// User is who is logged in, or nil.
func (v view) User() *central.User { return v.user }

// CSRF is the token each form of the page carries.
func (v view) CSRF() string { return v.csrf }

// SeesAll reports whether the user sees every department.
func (v view) SeesAll() bool { return v.user != nil && v.user.Role.SeesAll() }

// AlertsCount says the count of new alerts, "99+" past it.
func (v view) AlertsCount() string {
	if v.Alerts > central.MaxUnseen {
		return strconv.Itoa(central.MaxUnseen) + "+"
	}
	return strconv.Itoa(v.Alerts)
}

// SeesDashboard reports whether the user has the dashboard: supervisors,
// administrators and heads of department.
func (v view) SeesDashboard() bool {
	return v.user != nil && (v.user.Role.SeesAll() || v.user.Role == central.Jefe)
}

// IsAdmin reports whether the user administers the console.
func (v view) IsAdmin() bool { return v.user != nil && v.user.Role == central.Admin }

func (c *Console) cat(r *http.Request, userLang string) catalog { return c.cats[langOf(r, userLang)] }

// render writes a page: rendered whole first, so that a template's failure
// is a clean 500 and not half a page.
func (c *Console) render(w http.ResponseWriter, r *http.Request, code int, name string, v view) {
	if v.user == nil {
		if wh, ok := r.Context().Value(userKey{}).(who); ok {
			v.user, v.csrf = &wh.user, wh.csrf
		}
	}
	lang := ""
	if v.user != nil {
		lang = v.user.Lang
		if n, err := c.db.UnseenAlerts(r.Context(), *v.user); err == nil && v.Nav != "alerts" {
			v.Alerts = n
		}
	}
	v.lang = langOf(r, lang)
	v.cat = c.cats[v.lang]
	var b bytes.Buffer
	if err := c.pages[name].ExecuteTemplate(&b, "layout.html", v); err != nil {
		c.log.Error("console template", "page", name, "error", err.Error())
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	w.Write(b.Bytes())
}

// errorPage shows what could not be done.
func (c *Console) errorPage(w http.ResponseWriter, r *http.Request, code int, msg string) {
	c.render(w, r, code, "error", view{Title: c.catFor(r).T("err.title"), Error: msg})
}

// catFor gives the catalog for the request's user, or its browser.
func (c *Console) catFor(r *http.Request) catalog {
	if wh, ok := r.Context().Value(userKey{}).(who); ok {
		return c.cat(r, wh.user.Lang)
	}
	return c.cat(r, "")
}

// fail answers a store's error as a page: what the user got wrong, or a
// logged server fault.
func (c *Console) fail(w http.ResponseWriter, r *http.Request, err error) {
	t := c.catFor(r)
	switch code := status(err); code {
	case http.StatusNotFound:
		c.errorPage(w, r, code, t.T("err.notfound"))
	case http.StatusForbidden:
		c.errorPage(w, r, code, t.T("err.forbidden")+" "+detail(err))
	case http.StatusInternalServerError, http.StatusServiceUnavailable:
		c.log.Error("console fault", "path", r.URL.Path, "error", err.Error())
		c.errorPage(w, r, code, t.T("err.server"))
	default:
		c.errorPage(w, r, code, detail(err))
	}
}

// detail is what an error of the store says past its kind.
func detail(err error) string {
	s := err.Error()
	for _, kind := range []error{central.ErrInvalid, central.ErrForbid, central.ErrConflict, central.ErrExists} {
		if errors.Is(err, kind) {
			s = strings.TrimPrefix(s, kind.Error()+": ")
		}
	}
	return s
}

// row is a radicado in a list, as the page shows it.
type row struct {
	central.Item
	Href, Received, DueText, Left, LightLabel, StateLabel, TypeName string
}

// typeName gives a document type's name, or its code when it has none.
func typeName(code string) string {
	for _, ty := range radicado.DefaultTypes() {
		if ty.Code == code {
			return ty.Name
		}
	}
	return code
}

func (c *Console) rowOf(t catalog, it central.Item, loc *time.Location) row {
	r := row{Item: it, Href: "/radicados/" + url.PathEscape(it.Number), Received: it.ReceivedAt.In(loc).Format("2006-01-02 15:04"),
		DueText: it.Due, StateLabel: t.T("state." + it.State), TypeName: typeName(it.Type)}
	if it.DaysLeft != nil {
		r.Left = leftText(t, *it.DaysLeft)
	}
	if it.Light != "" {
		r.LightLabel = t.T("light." + string(it.Light))
	}
	return r
}

// leftText says the business days left (n < 0: overdue).
func leftText(t catalog, n int) string {
	switch {
	case n == 1:
		return t.T("left.day")
	case n > 1:
		return t.T("left.days", "N", n)
	case n == 0:
		return t.T("left.today")
	case n == -1:
		return t.T("left.over.one")
	}
	return t.T("left.over", "N", -n)
}

// inboxData is the inbox page's.
type inboxData struct {
	Rows       []row
	F          central.InboxFilter
	States     []option
	Lights     []option
	Depts      []option
	Types      []option
	Prev, Next string
}

type option struct {
	Value, Label string
	Selected     bool
}

// filterOf reads an inbox filter from a query.
func filterOf(q url.Values) (central.InboxFilter, int) {
	f := central.InboxFilter{Queue: q.Get("queue"), State: q.Get("state"), Type: q.Get("type"), Light: central.Light(q.Get("light")),
		Office: q.Get("office"), Dept: q.Get("dept"), From: q.Get("from"), To: q.Get("to"), Query: strings.TrimSpace(q.Get("q"))}
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(1, min(page, 1000))
	f.Limit, f.Offset = 50, (page-1)*50
	if asOf := q.Get("as_of"); asOf != "" {
		if d, err := calendar.ParseDate(asOf); err == nil {
			f.AsOf = d
		}
	}
	return f, page
}

func (c *Console) inbox(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	t := c.catFor(r)
	q := r.URL.Query()
	f, page := filterOf(q)
	items, more, err := c.db.Inbox(r.Context(), wh.user, f)
	if err != nil {
		if errors.Is(err, central.ErrInvalid) {
			c.errorPage(w, r, http.StatusBadRequest, detail(err))
			return
		}
		c.fail(w, r, err)
		return
	}
	_, loc, err := c.db.Calendar(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := inboxData{F: f}
	for _, it := range items {
		d.Rows = append(d.Rows, c.rowOf(t, it, loc))
	}
	d.States = []option{{"", t.T("inbox.open"), f.State == ""}, {"all", t.T("inbox.all"), f.State == "all"}}
	for _, s := range []string{central.StateNew, central.StateAssigned, central.StateWorking, central.StateReturned, central.StateAnswered, central.StateArchived} {
		d.States = append(d.States, option{s, t.T("state." + s), f.State == s})
	}
	d.Lights = []option{{"", "—", f.Light == ""}}
	for _, l := range []central.Light{central.Green, central.Yellow, central.Red} {
		d.Lights = append(d.Lights, option{string(l), t.T("light." + string(l)), f.Light == l})
	}
	if wh.user.Role.SeesAll() {
		depts, err := c.db.Depts(r.Context())
		if err != nil {
			c.fail(w, r, err)
			return
		}
		d.Depts = []option{{"", "—", f.Dept == ""}}
		for _, x := range depts {
			d.Depts = append(d.Depts, option{x.Code, x.Code + " · " + x.Name, f.Dept == x.Code})
		}
	}
	d.Types = []option{{"", "—", f.Type == ""}}
	for _, ty := range radicado.DefaultTypes() {
		d.Types = append(d.Types, option{ty.Code, ty.Name, f.Type == ty.Code})
	}
	pageLink := func(n int) string {
		v := url.Values{}
		for k, vs := range q {
			v[k] = vs
		}
		v.Set("page", strconv.Itoa(n))
		return "/bandeja?" + v.Encode()
	}
	if page > 1 {
		d.Prev = pageLink(page - 1)
	}
	if more {
		d.Next = pageLink(page + 1)
	}
	nav := "inbox"
	if f.Queue != "" {
		nav = f.Queue
	}
	c.render(w, r, http.StatusOK, "inbox", view{Title: t.T("inbox.title"), Nav: nav, Flash: doneFlash(t, r), Data: d})
}

// radicadoData is a radicado's page's.
type radicadoData struct {
	R        row
	Kind     string
	Annulled string
	Files    []fileView
	History  []historyLine
	Copies   []central.Copy
	Answers  []string // the radicados a salida answers
	Cites    []string // the organisation's numbers it cites
	CitedBy  []string // the radicados that cite it (answers to a salida)
	Acuse    string   // where the acuse e-mailed to the sender stands
	Delivery []string // a salida's attempts at delivery, one line each
	Users    []option // of the radicado's department, to assign
	Depts    []option
	CanAct   bool
	Open     bool
	HasTerm  bool
	Extended bool
}

type fileView struct {
	Name, Href string
	Pages      int
	Note       string   // what the file is, when not a document's pages (the original e-mail, an annex)
	Previews   []string // each page as an image, when it can be shown so
}

type historyLine struct {
	At, Who, What, Detail string
}

func (c *Console) radicado(w http.ResponseWriter, r *http.Request) {
	c.showRadicado(w, r, http.StatusOK, doneFlash(c.catFor(r), r), "")
}

// doneFlash says what the action named by ?done= did.
func doneFlash(t catalog, r *http.Request) string {
	if done := r.URL.Query().Get("done"); slices.Contains(central.Actions, done) {
		return t.T("act.done." + done)
	}
	return ""
}

func (c *Console) showRadicado(w http.ResponseWriter, r *http.Request, code int, flash, errMsg string) {
	wh := whoOf(r)
	t := c.catFor(r)
	ctx := r.Context()
	number := r.PathValue("number")
	it, err := c.db.Work(ctx, wh.user, number)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	// Reading marks it read, and its assignee's first reading puts it in
	// trámite: not when another site sent the browser here.
	if code == http.StatusOK && it.State != "salida" && fromHere(r) {
		if err := c.db.MarkRead(ctx, wh.user, number); err != nil {
			c.fail(w, r, err)
			return
		}
		if it.Copied {
			if err := c.db.MarkCopiesRead(ctx, wh.user, number); err != nil {
				c.fail(w, r, err)
				return
			}
		}
		if it, err = c.db.Work(ctx, wh.user, number); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	held, err := c.db.Get(ctx, number)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	_, loc, err := c.db.Calendar(ctx)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := radicadoData{R: c.rowOf(t, it, loc), Kind: t.T(fmt.Sprintf("kind.%d", it.Kind)), CanAct: !it.Copied && it.State != "salida",
		Open:    slices.Contains([]string{central.StateNew, central.StateAssigned, central.StateWorking, central.StateReturned}, it.State),
		HasTerm: it.Due != "", Extended: it.Extended}
	if held.Annulled {
		d.Annulled = t.T("rad.annulled", "R", held.AnnulReason)
	}
	for _, f := range held.Files {
		fv := fileView{Name: f.Name, Pages: f.Pages, Href: "/radicados/" + url.PathEscape(number) + "/archivos/" + f.SHA256}
		switch {
		case f.MediaType == radicado.MediaMessage:
			fv.Note = t.T("rad.original_mail")
		case f.Pages == 0:
			fv.Note = t.T("rad.annex")
		}
		pages := 0
		switch {
		case f.Pages == 0: // an annex, kept unread
		case previewable(f.MediaType):
			pages = 1
		case f.MediaType == "application/pdf":
			pages = min(f.Pages, maxPreviewPages)
		}
		for p := 1; p <= pages; p++ {
			fv.Previews = append(fv.Previews, fmt.Sprintf("/radicados/%s/vista/%s/%d", url.PathEscape(number), f.SHA256, p))
		}
		d.Files = append(d.Files, fv)
	}
	ds, err := c.db.Deliveries(ctx, number)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, x := range ds {
		line := t.T("delivery.line", "N", x.Attempt, "Courier", x.Courier, "Guide", x.Guide, "State", t.T("delivery."+x.State),
			"Reason", x.Reason, "On", x.ResultOn)
		if x.ToAddress != "" {
			line += " · " + x.ToAddress + ", " + x.ToCity
		}
		d.Delivery = append(d.Delivery, line)
	}
	if a, ok, err := c.db.AcuseOf(ctx, number); err != nil {
		c.fail(w, r, err)
		return
	} else if ok {
		d.Acuse = t.T("acuse."+a.State, "To", a.To, "At", a.At.In(loc).Format("2006-01-02 15:04"), "Error", a.Error)
	}
	events, err := c.db.Events(ctx, number)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, e := range events {
		line := historyLine{At: e.At.In(loc).Format("2006-01-02 15:04"), Who: e.Actor + " (" + t.T("hist.station", "S", held.Office+"-"+held.Station) + ")",
			What: t.T("hist." + e.Action)}
		if e.Action == "anular" {
			var x struct{ Reason string }
			json.Unmarshal(e.Data, &x)
			line.Detail = x.Reason
		}
		d.History = append(d.History, line)
	}
	journal, err := c.db.History(ctx, number)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	for _, e := range journal {
		what := strings.TrimPrefix(e.Action, "radicado.")
		d.History = append(d.History, historyLine{At: e.At.In(loc).Format("2006-01-02 15:04"), Who: e.Actor, What: t.T("did." + what), Detail: describe(t, what, e.Data)})
	}
	slices.SortStableFunc(d.History, func(a, b historyLine) int { return strings.Compare(a.At, b.At) })
	if d.Copies, err = c.db.Copies(ctx, number); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.Cites, d.CitedBy, err = c.db.Citations(ctx, wh.user, number); err != nil {
		c.fail(w, r, err)
		return
	}
	if it.State == "salida" {
		if d.Answers, err = c.db.AnsweredBy(ctx, wh.user, number); err != nil {
			c.fail(w, r, err)
			return
		}
	}
	if d.CanAct {
		users, err := c.db.Users(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, u := range users {
			if u.Dept == it.Dept && !u.Disabled && it.Dept != "" {
				d.Users = append(d.Users, option{Value: u.Name, Label: u.Name + " · " + u.FullName, Selected: u.Name == it.Assignee})
			}
		}
		depts, err := c.db.Depts(ctx)
		if err != nil {
			c.fail(w, r, err)
			return
		}
		for _, x := range depts {
			if x.Code != it.Dept && !x.Disabled {
				d.Depts = append(d.Depts, option{Value: x.Code, Label: x.Code + " · " + x.Name})
			}
		}
	}
	c.render(w, r, code, "radicado", view{Title: t.T("rad.title", "N", number), Flash: flash, Error: errMsg, Data: d})
}

// actionOf reads an action from a form.
func actionOf(kind string, r *http.Request) central.Action {
	a := central.Action{Kind: kind, User: r.PostFormValue("user"), Dept: r.PostFormValue("dept"), Reason: strings.TrimSpace(r.PostFormValue("reason")),
		By: strings.TrimSpace(r.PostFormValue("by")), At: r.PostFormValue("at"), Note: strings.TrimSpace(r.PostFormValue("note"))}
	if a.By == "" && a.At != "" {
		a.Channel = "email"
	}
	a.Days, _ = strconv.Atoi(r.PostFormValue("days"))
	a.Entity = strings.TrimSpace(r.PostFormValue("entity"))
	a.Denied = r.PostFormValue("denied") == "1"
	a.Users = list(r.PostFormValue("users"))
	a.Depts = list(r.PostFormValue("depts"))
	return a
}

func list(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func (c *Console) act(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("action")
	if !slices.Contains(central.Actions, kind) {
		c.fail(w, r, central.ErrNotFound)
		return
	}
	wh := whoOf(r)
	number := r.PathValue("number")
	_, err := c.db.Act(r.Context(), wh.user, number, actionOf(kind, r))
	t := c.catFor(r)
	switch code := status(err); {
	case err == nil:
		// Reassigned or returned, it may be out of the user's sight now.
		if _, err := c.db.Work(r.Context(), wh.user, number); err != nil {
			http.Redirect(w, r, "/bandeja?done="+kind, http.StatusSeeOther)
			return
		}
		http.Redirect(w, r, "/radicados/"+url.PathEscape(number)+"?done="+kind, http.StatusSeeOther)
	case code == http.StatusBadRequest || code == http.StatusConflict || code == http.StatusForbidden:
		c.showRadicado(w, r, code, "", t.T("act."+kind)+": "+detail(err))
	default:
		c.fail(w, r, err)
	}
}

// previewable tells the documents shown as images on the page.
func previewable(mediaType string) bool {
	switch mediaType {
	case "image/png", "image/jpeg", "image/tiff", "image/gif", "image/bmp":
		return true
	}
	return false
}

// describe says in words what an action of the journal did.
func describe(t catalog, kind string, data json.RawMessage) string {
	var a central.Action
	json.Unmarshal(data, &a)
	join := func(parts ...string) string {
		var out []string
		for _, p := range parts {
			if p != "" {
				out = append(out, p)
			}
		}
		return strings.Join(out, ": ")
	}
	switch kind {
	case "assign":
		return a.User
	case "reassign":
		return join(a.Dept, a.Reason)
	case "inform":
		return join(strings.Join(append(append([]string{}, a.Users...), a.Depts...), ", "), a.Note)
	case "return":
		return a.Reason
	case "answer":
		denied := ""
		if a.Denied {
			denied = t.T("act.answer.denied")
		}
		if a.By != "" {
			return join(a.By, denied)
		}
		return join(a.Channel, a.At, denied)
	case "transfer":
		return join(a.Entity, a.Reason)
	case "escalate":
		var e struct {
			Why   string `json:"why"`
			Hours int    `json:"hours"`
		}
		json.Unmarshal(data, &e)
		return t.T("act.escalate."+e.Why, "N", e.Hours)
	case "extend":
		return join(fmt.Sprintf("+%d → %s", a.Days, a.At), a.Reason)
	case "archive":
		return a.Note
	case "answer_void":
		return join(a.By, a.Reason)
	}
	return ""
}

// fromHere reports whether a page was asked for from the console itself,
// or typed or bookmarked: not by another site's link.
func fromHere(r *http.Request) bool {
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none":
		return true
	}
	return false
}
