package console

import (
	"net/http"
	"strings"

	"github.com/radicador/radicador/central"
)

// The administration page: users and departments. Only an admin gets it
// (404 for anyone else, as for a page that is not there).

type adminData struct {
	Users []central.User
	Depts []central.Dept
	Roles []option
	Langs []option
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
