package console

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"

	"github.com/radicador/radicador/central"
)

// The console's API: the inbox and the actions, for a CRM or ERP with a
// personal token. Errors are application/problem+json, as the stations'
// API's.

func apiError(w http.ResponseWriter, code int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"status": code, "title": http.StatusText(code), "detail": detail})
}

func (c *Console) apiFail(w http.ResponseWriter, r *http.Request, err error) {
	code := status(err)
	switch code {
	case http.StatusInternalServerError, http.StatusServiceUnavailable:
		c.log.Error("console fault", "path", r.URL.Path, "error", err.Error())
		apiError(w, code, "")
	case http.StatusNotFound:
		apiError(w, code, "") // says nothing of what exists
	default:
		apiError(w, code, detail(err))
	}
}

// inboxAnswer is GET /api/v1/inbox's answer.
type inboxAnswer struct {
	Items []central.Item `json:"items"`
	More  bool           `json:"more"`
}

func (c *Console) apiInbox(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f, _ := filterOf(q)
	if q.Get("as_of") != "" && f.AsOf.IsZero() {
		apiError(w, http.StatusBadRequest, "as_of: YYYY-MM-DD")
		return
	}
	items, more, err := c.db.Inbox(r.Context(), whoOf(r).user, f)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if items == nil {
		items = []central.Item{}
	}
	writeJSON(w, http.StatusOK, inboxAnswer{Items: items, More: more})
}

// itemAnswer is GET /api/v1/inbox/{number}'s answer.
type itemAnswer struct {
	central.Item
	History []central.JournalEntry `json:"history"`
	Copies  []central.Copy         `json:"copies"`
}

func (c *Console) apiItem(w http.ResponseWriter, r *http.Request) {
	number := r.PathValue("number")
	it, err := c.db.Work(r.Context(), whoOf(r).user, number)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	a := itemAnswer{Item: it, History: []central.JournalEntry{}, Copies: []central.Copy{}}
	if h, err := c.db.History(r.Context(), number); err != nil {
		c.apiFail(w, r, err)
		return
	} else if h != nil {
		a.History = h
	}
	if cp, err := c.db.Copies(r.Context(), number); err != nil {
		c.apiFail(w, r, err)
		return
	} else if cp != nil {
		a.Copies = cp
	}
	writeJSON(w, http.StatusOK, a)
}

func (c *Console) apiAct(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("action")
	if !slices.Contains(central.Actions, kind) {
		apiError(w, http.StatusNotFound, "actions: assign, reassign, inform, return, answer, extend, archive")
		return
	}
	var a central.Action
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			apiError(w, http.StatusRequestEntityTooLarge, "at most 64 KiB")
			return
		}
		apiError(w, http.StatusBadRequest, "the body is not the action's JSON: "+err.Error())
		return
	}
	a.Kind = kind
	it, err := c.db.Act(r.Context(), whoOf(r).user, r.PathValue("number"), a)
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, it)
}

func (c *Console) apiDepts(w http.ResponseWriter, r *http.Request) {
	depts, err := c.db.Depts(r.Context())
	if err != nil {
		c.apiFail(w, r, err)
		return
	}
	if depts == nil {
		depts = []central.Dept{}
	}
	writeJSON(w, http.StatusOK, depts)
}
