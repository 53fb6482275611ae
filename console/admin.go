package console

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/radicador/radicador/central"
)

// The administration page: users and departments. Only an admin gets it
// (404 for anyone else, as for a page that is not there).

type adminData struct {
	Users    []central.User
	Depts    []central.Dept
	Roles    []option
	Langs    []option
	Mail     central.MailSettings
	Security []option
	Outbox   []central.Mail
	Rules    []central.EscalationRule
}

func (c *Console) admin(w http.ResponseWriter, r *http.Request) {
	c.showAdmin(w, r, http.StatusOK, "", "")
}

func (c *Console) showAdmin(w http.ResponseWriter, r *http.Request, code int, flash, errMsg string) {
	wh := whoOf(r)
	if wh.user.Role != central.Admin {
		c.fail(w, r, central.ErrNotFound)
		return
	}
	t := c.catFor(r)
	users, err := c.db.Users(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	depts, err := c.db.Depts(r.Context())
	if err != nil {
		c.fail(w, r, err)
		return
	}
	d := adminData{Users: users, Depts: depts}
	for _, role := range []central.Role{central.Funcionario, central.Jefe, central.Supervisor, central.Admin} {
		d.Roles = append(d.Roles, option{Value: string(role), Label: t.T("role." + string(role))})
	}
	for _, l := range Languages {
		d.Langs = append(d.Langs, option{Value: l, Label: l})
	}
	if d.Mail, err = c.db.Mail(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	for _, s := range []string{central.MailStartTLS, central.MailTLS, central.MailPlain} {
		d.Security = append(d.Security, option{s, t.T("mail.security." + s), d.Mail.Security == s})
	}
	if d.Outbox, err = c.db.Outbox(r.Context(), 30); err != nil {
		c.fail(w, r, err)
		return
	}
	if d.Rules, err = c.db.EscalationRules(r.Context()); err != nil {
		c.fail(w, r, err)
		return
	}
	c.render(w, r, code, "admin", view{Title: t.T("admin.title"), Nav: "admin", Flash: flash, Error: errMsg, Data: d})
}

func (c *Console) adminPost(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	if wh.user.Role != central.Admin {
		c.fail(w, r, central.ErrNotFound)
		return
	}
	t := c.catFor(r)
	ctx := r.Context()
	switch r.PathValue("what") {
	case "users":
		u := central.User{Name: strings.TrimSpace(r.PostFormValue("name")), FullName: strings.TrimSpace(r.PostFormValue("full_name")),
			Dept: r.PostFormValue("dept"), Role: central.Role(r.PostFormValue("role")), Lang: r.PostFormValue("lang"),
			Email: strings.TrimSpace(r.PostFormValue("email"))}
		_, pw, err := c.db.AddUser(ctx, wh.user.Name, u, "")
		if err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.password_once", "U", u.Name, "P", pw), "")
	case "depts":
		d := central.Dept{Code: strings.TrimSpace(r.PostFormValue("code")), Name: strings.TrimSpace(r.PostFormValue("name")),
			Head: strings.TrimSpace(r.PostFormValue("head"))}
		if err := c.db.AddDept(ctx, wh.user.Name, d); err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.saved"), "")
	case "mail":
		port, _ := strconv.Atoi(r.PostFormValue("port"))
		m := central.MailSettings{Host: strings.TrimSpace(r.PostFormValue("host")), Port: port, Security: r.PostFormValue("security"),
			User: strings.TrimSpace(r.PostFormValue("user")), Password: r.PostFormValue("password"), From: strings.TrimSpace(r.PostFormValue("from")),
			Hour: r.PostFormValue("hour")}
		if err := c.db.SetMail(ctx, wh.user.Name, m); err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.saved"), "")
	case "mail-test":
		to := strings.TrimSpace(r.PostFormValue("to"))
		if c.opt.SendTest == nil {
			c.showAdmin(w, r, http.StatusConflict, "", t.T("mail.test.none"))
			return
		}
		if err := c.opt.SendTest(ctx, to); err != nil {
			// The mail server's own words: what the administrator needs.
			c.showAdmin(w, r, http.StatusBadGateway, "", t.T("mail.test.failed", "E", err.Error()))
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("mail.test.sent", "A", to), "")
	case "escalation":
		un, err1 := strconv.Atoi(r.PostFormValue("unassigned_hours"))
		ut, err2 := strconv.Atoi(r.PostFormValue("untouched_hours"))
		if err1 != nil || err2 != nil {
			c.showAdmin(w, r, http.StatusBadRequest, "", t.T("esc.hours"))
			return
		}
		rule := central.EscalationRule{Type: r.PostFormValue("type"), Dept: r.PostFormValue("dept"), UnassignedHours: un, UntouchedHours: ut}
		if err := c.db.SetEscalationRule(ctx, wh.user.Name, rule); err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.saved"), "")
	default:
		c.fail(w, r, central.ErrNotFound)
	}
}

func (c *Console) adminUser(w http.ResponseWriter, r *http.Request) {
	wh := whoOf(r)
	if wh.user.Role != central.Admin {
		c.fail(w, r, central.ErrNotFound)
		return
	}
	t := c.catFor(r)
	ctx := r.Context()
	name := r.PathValue("name")
	switch r.PathValue("what") {
	case "disable":
		if err := c.db.DisableUser(ctx, wh.user.Name, name); err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.saved"), "")
	case "enable":
		if err := c.db.EnableUser(ctx, wh.user.Name, name); err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.saved"), "")
	case "password":
		pw, err := c.db.SetPassword(ctx, wh.user.Name, name, "")
		if err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.password_once", "U", name, "P", pw), "")
	case "token":
		token, err := c.db.NewUserToken(ctx, wh.user.Name, name)
		if err != nil {
			c.adminError(w, r, err)
			return
		}
		c.showAdmin(w, r, http.StatusOK, t.T("admin.token_once", "U", name, "P", token), "")
	default:
		c.fail(w, r, central.ErrNotFound)
	}
}

func (c *Console) adminError(w http.ResponseWriter, r *http.Request, err error) {
	switch code := status(err); code {
	case http.StatusBadRequest, http.StatusNotFound, http.StatusConflict:
		c.showAdmin(w, r, code, "", detail(err))
	default:
		c.fail(w, r, err)
	}
}
