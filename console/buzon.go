package console

import (
	"bytes"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/radicador/radicador/buzon"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/document"
	"github.com/radicador/radicador/ident"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// The public Buzón (/buzon): no account, no script. A person hands in a
// communication with its files and gets its radicado at once, with a
// consultation code, the acuse as PDF, and /buzon/estado to follow it.
// Every client may be hostile: a few submissions an address in a while, a
// field robots fill and people do not see, sizes and counts bounded while
// the body is read, each file read to its end, a PDF with script or files
// inside refused, nothing of the form ever rendered as markup.

// Bounds of a submission.
const (
	buzonMaxFile  = 10 << 20
	buzonMaxBody  = central.MaxBuzonFiles*buzonMaxFile + 1<<20
	buzonMaxField = 4 * central.MaxBuzonMessage // bytes of one field (the message's characters, at most 4 bytes each)
	buzonCookie   = "radicador_buzon"
	buzonTimeout  = 10 * time.Minute // to send the body: 50 MB over a slow line
)

// Limits of the addresses: submissions, and look-ups of a code; and of
// all submissions together, which a crowd of addresses cannot pass.
var (
	buzonPerAddress  = limit{per: 5, window: 10 * time.Minute}
	lookupPerAddress = limit{per: 30, window: 5 * time.Minute}
	buzonEveryone    = limit{per: 300, window: 10 * time.Minute}
)

// everyone is the key of the limit of all submissions.
const everyone = "*"

type buzonForm struct {
	Org                                                          string
	Name, IDType, IDNumber, Email, Phone, Type, Subject, Message string
	Types                                                        []option
	IDTypes                                                      []option
	MaxFiles                                                     int
	MaxMB                                                        int
}

func (c *Console) buzonTypes(r *http.Request, chosen string) ([]option, error) {
	types, err := c.db.BuzonTypes(r.Context())
	if err != nil {
		return nil, err
	}
	var out []option
	for _, t := range types {
		out = append(out, option{t.Code, t.Name, t.Code == chosen})
	}
	return out, nil
}

// showBuzon shows the form, with what was typed and what was wrong.
func (c *Console) showBuzon(w http.ResponseWriter, r *http.Request, code int, errMsg string, f buzonForm) {
	if _, err := c.db.BuzonStation(r.Context()); errors.Is(err, central.ErrBuzonClosed) {
		c.errorPage(w, r, http.StatusNotFound, c.cat(r, "").T("buzon.closed"))
		return
	}
	var err error
	if f.Types, err = c.buzonTypes(r, f.Type); err != nil {
		c.fail(w, r, err)
		return
	}
	f.IDTypes = []option{{"", "—", f.IDType == ""}}
	for _, t := range ident.Types {
		f.IDTypes = append(f.IDTypes, option{string(t), string(t), string(t) == f.IDType})
	}
	f.MaxFiles, f.MaxMB = central.MaxBuzonFiles, buzonMaxFile>>20
	if cfg, err := c.db.OrgConfig(r.Context()); err == nil {
		f.Org = cfg.Organization
	}
	token := randomToken()
	http.SetCookie(w, &http.Cookie{Name: buzonCookie, Value: token, Path: "/buzon", HttpOnly: true, Secure: c.opt.SecureCookies,
		SameSite: http.SameSiteStrictMode, MaxAge: 3600})
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, code, "buzon", view{Title: c.cat(r, "").T("buzon.title"), Error: errMsg, csrf: token, Data: f, Nav: "buzon"})
}

func (c *Console) buzonPage(w http.ResponseWriter, r *http.Request) {
	c.showBuzon(w, r, http.StatusOK, "", buzonForm{})
}

// received is a file of the submission, held in a temporary file.
type received struct {
	temp string
	file wire.File
}

func (c *Console) buzonSubmit(w http.ResponseWriter, r *http.Request) {
	t := c.cat(r, "")
	from := c.clientAddr(r)
	var files []received
	keep := false
	defer func() {
		if !keep {
			for _, f := range files {
				c.db.DiscardDocuments([]string{f.temp})
			}
		}
	}()
	// Before any file is read (the form sends them last): the form's
	// token, the robots' field, the fields themselves, and a place under
	// the address's limit and then everyone's, each taken in one step. A
	// submission that has its places counts, numbered or refused for its
	// files, unless the server fails it. A wrong field counts nothing (no
	// file of it was read), nor does a form the address's limit refuses
	// (it does not touch everyone's: one address cannot close the Buzón).
	var types []wire.DocType
	var gateErr error
	counted := false
	fail := func(err error) {
		if counted && r.Context().Err() == nil { // a client that hung up is not given its place back
			now := time.Now()
			c.buzonLimit.release(from, now)
			c.buzonAll.release(everyone, now)
		}
		c.fail(w, r, err)
	}
	gate := func(fields map[string]string) (int, string) {
		ck, err := r.Cookie(buzonCookie)
		switch {
		case err != nil || ck.Value == "" || !sameOrigin(r) || !central.SameToken(fields[csrfField], ck.Value):
			return http.StatusForbidden, t.T("err.csrf")
		case fields["website"] != "":
			// Filled by a robot: refused, and told no more than that.
			return http.StatusBadRequest, t.T("buzon.refused")
		case !c.buzonLimit.below(from, time.Now()):
			return http.StatusTooManyRequests, t.T("buzon.throttled")
		}
		if types, gateErr = c.db.BuzonTypes(r.Context()); gateErr != nil {
			return http.StatusInternalServerError, ""
		}
		_, sub := submissionOf(fields, from, r)
		if err := sub.Check(types); err != nil {
			return http.StatusBadRequest, fieldMessage(t, err)
		}
		now := time.Now()
		if !c.buzonLimit.allow(from, now) {
			return http.StatusTooManyRequests, t.T("buzon.throttled")
		}
		if !c.buzonAll.allow(everyone, now) {
			c.buzonLimit.release(from, now)
			return http.StatusTooManyRequests, t.T("buzon.throttled")
		}
		counted = true
		return 0, ""
	}
	fields, files, code, msg := c.readBuzon(r, t, gate)
	f, sub := submissionOf(fields, from, r)
	if code != 0 {
		if gateErr != nil {
			fail(gateErr)
			return
		}
		c.showBuzon(w, r, code, msg, f)
		return
	}
	// (The fields were checked at the gate, and none came after it.)
	// The communication itself, as the form brought it, is the first
	// document.
	typeName := sub.Type
	for _, ty := range types {
		if ty.Code == sub.Type {
			typeName = ty.Name
		}
	}
	var names []string
	for _, x := range files {
		names = append(names, x.file.Name)
	}
	cfg, err := c.db.OrgConfig(r.Context())
	if err != nil {
		fail(err)
		return
	}
	_, loc, err := c.db.Calendar(r.Context())
	if err != nil {
		fail(err)
		return
	}
	pdf, err := buzon.Communication(sub, typeName, names, c.db.Now().In(loc), cfg.Organization)
	if err != nil {
		fail(err)
		return
	}
	first, err := c.receiveFile(bytes.NewReader(pdf), "comunicacion.pdf", int64(len(pdf)))
	if err != nil {
		fail(err)
		return
	}
	files = append([]received{first}, files...)
	docs := make([]central.BuzonDoc, len(files))
	for i, x := range files {
		docs[i] = central.BuzonDoc{Temp: x.temp, File: x.file}
	}
	estado := ""
	if c.opt.PublicURL != "" {
		estado = strings.TrimRight(c.opt.PublicURL, "/") + "/buzon/estado"
	}
	rec, err := c.db.Submit(r.Context(), sub, docs, func(rec central.Receipt, held wire.Radicado) (central.AcuseMail, error) {
		return buzon.AcuseMail(rec, held, estado)
	})
	if err != nil {
		if status(err) == http.StatusBadRequest {
			c.showBuzon(w, r, http.StatusBadRequest, fieldMessage(t, err), f)
			return
		}
		fail(err)
		return
	}
	keep = true
	// (the form's cookie stays: sent again, it shows this same receipt)
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, http.StatusOK, "buzon_ok", view{Title: t.T("buzon.ok.title"), Nav: "buzon", Data: rec})
}

// submissionOf gives the form as typed (to show it again) and the
// submission it makes.
func submissionOf(fields map[string]string, from string, r *http.Request) (buzonForm, central.Submission) {
	f := buzonForm{Name: fields["name"], IDType: fields["id_type"], IDNumber: fields["id_number"], Email: fields["email"], Phone: fields["phone"],
		Type: fields["type"], Subject: fields["subject"], Message: fields["message"]}
	sub := central.Submission{Name: f.Name, Email: f.Email, Phone: f.Phone, Type: f.Type, Subject: f.Subject, Message: f.Message, From: from,
		Form: fields[csrfField], Lang: langOf(r, "")}
	if f.IDType != "" || f.IDNumber != "" {
		sub.SenderID = f.IDType + ":" + f.IDNumber
	}
	return f, sub
}

// readBuzon reads the form as it arrives: its fields, each bounded, and
// its files, each to a temporary file of the store, read to its end and
// checked. code is not 0 when the submission is refused, with msg saying
// why.
func (c *Console) readBuzon(r *http.Request, t catalog, gate func(map[string]string) (int, string)) (fields map[string]string, files []received, code int, msg string) {
	fields = map[string]string{}
	mr, err := r.MultipartReader()
	if err != nil {
		return fields, nil, http.StatusBadRequest, t.T("buzon.bad")
	}
	gated := false
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			if !gated {
				if code, msg := gate(fields); code != 0 {
					return fields, files, code, msg
				}
			}
			return fields, files, 0, ""
		}
		if err != nil {
			return fields, files, bodyStatus(err), t.T("buzon.toobig", "N", central.MaxBuzonFiles, "M", buzonMaxFile>>20)
		}
		name := part.FormName()
		if part.FileName() == "" {
			if gated {
				// The fields were checked before the first file: none
				// comes after it (a browser sends the form in its order).
				return fields, files, http.StatusBadRequest, t.T("buzon.bad")
			}
			if len(fields) > 20 {
				return fields, files, http.StatusBadRequest, t.T("buzon.bad")
			}
			b, err := io.ReadAll(io.LimitReader(part, buzonMaxField+1))
			if err != nil {
				return fields, files, bodyStatus(err), t.T("buzon.bad")
			}
			if len(b) > buzonMaxField {
				return fields, files, http.StatusRequestEntityTooLarge, t.T("buzon.toolong")
			}
			fields[name] = string(b)
			continue
		}
		if name != "files" {
			return fields, files, http.StatusBadRequest, t.T("buzon.bad")
		}
		if !gated {
			if code, msg := gate(fields); code != 0 {
				return fields, files, code, msg
			}
			gated = true
		}
		if len(files) == central.MaxBuzonFiles {
			return fields, files, http.StatusRequestEntityTooLarge, t.T("buzon.toomany", "N", central.MaxBuzonFiles)
		}
		f, err := c.receiveFile(part, part.FileName(), buzonMaxFile)
		if err != nil {
			switch {
			case errors.Is(err, central.ErrTooLarge):
				return fields, files, http.StatusRequestEntityTooLarge, t.T("buzon.filetoobig", "F", cleanName(part.FileName()), "M", buzonMaxFile>>20)
			case errors.Is(err, document.ErrActive):
				return fields, files, http.StatusBadRequest, t.T("buzon.active", "F", cleanName(part.FileName()))
			case errors.Is(err, document.ErrUnreadable), errors.Is(err, errKind):
				return fields, files, http.StatusBadRequest, t.T("buzon.unreadable", "F", cleanName(part.FileName()))
			}
			return fields, files, bodyStatus(err), t.T("buzon.bad")
		}
		files = append(files, f)
	}
}

var errKind = errors.New("not a PDF, JPEG or PNG")

// receiveFile keeps a file of the submission in a temporary file of the
// store and checks it: a PDF, JPEG or PNG that reads to its end; a PDF
// without script or files inside.
func (c *Console) receiveFile(r io.Reader, name string, max int64) (received, error) {
	temp, sum, size, err := c.db.ReceiveUpload(r, max)
	if err != nil {
		return received{}, err
	}
	info, err := document.Inspect(temp)
	if err == nil && info.MediaType != document.PDF && info.MediaType != document.JPEG && info.MediaType != document.PNG {
		err = errKind
	}
	if err == nil && info.MediaType == document.PDF {
		err = document.CheckPassive(temp)
	}
	if err != nil {
		c.db.DiscardDocuments([]string{temp})
		return received{}, err
	}
	return received{temp: temp, file: wire.File{SHA256: sum, Size: size, Name: cleanName(name), MediaType: info.MediaType, Pages: info.Pages}}, nil
}

// fieldMessage says what is wrong with a field of the form, in the
// page's language.
func fieldMessage(t catalog, err error) string {
	var fe *central.FieldError
	if errors.As(err, &fe) {
		return t.T("buzon.field."+fe.Field) + " (" + fe.Msg + ")"
	}
	return detail(err)
}

// cleanName gives a file's name as it is kept, or "documento".
func cleanName(name string) string {
	n, err := radicado.CleanFileName(name)
	if err != nil {
		return "documento"
	}
	return n
}

// bodyStatus gives the status of a body that could not be read.
func bodyStatus(err error) int {
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return http.StatusRequestEntityTooLarge
	}
	return http.StatusBadRequest
}

// estadoData is the status page's.
type estadoData struct {
	Number string
	State  *central.BuzonState
	Label  string
}

func (c *Console) estadoPage(w http.ResponseWriter, r *http.Request) {
	c.render(w, r, http.StatusOK, "buzon_estado", view{Title: c.cat(r, "").T("estado.title"), Nav: "buzon", Data: estadoData{}})
}

// lookup checks a number and its code, within the address's limit.
func (c *Console) lookup(w http.ResponseWriter, r *http.Request) (number, code string, ok bool) {
	t := c.cat(r, "")
	from := c.clientAddr(r)
	number, code = strings.TrimSpace(r.PostFormValue("number")), strings.TrimSpace(r.PostFormValue("code"))
	if !c.lookupLimit.allow(from, time.Now()) {
		c.render(w, r, http.StatusTooManyRequests, "buzon_estado", view{Title: t.T("estado.title"), Nav: "buzon", Error: t.T("buzon.throttled"),
			Data: estadoData{Number: number}})
		return "", "", false
	}
	return number, code, true
}

func (c *Console) estado(w http.ResponseWriter, r *http.Request) {
	t := c.cat(r, "")
	number, code, ok := c.lookup(w, r)
	if !ok {
		return
	}
	st, err := c.db.BuzonStatus(r.Context(), number, code)
	if errors.Is(err, central.ErrNotFound) {
		c.render(w, r, http.StatusNotFound, "buzon_estado", view{Title: t.T("estado.title"), Nav: "buzon", Error: t.T("estado.notfound"),
			Data: estadoData{Number: number}})
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	c.render(w, r, http.StatusOK, "buzon_estado", view{Title: t.T("estado.title"), Nav: "buzon",
		Data: estadoData{Number: number, State: &st, Label: t.T("estado." + st.State)}})
}

func (c *Console) acuse(w http.ResponseWriter, r *http.Request) {
	number, code, ok := c.lookup(w, r)
	if !ok {
		return
	}
	rec, held, err := c.db.BuzonReceipt(r.Context(), number, code)
	if errors.Is(err, central.ErrNotFound) {
		c.errorPage(w, r, http.StatusNotFound, c.cat(r, "").T("estado.notfound"))
		return
	}
	if err != nil {
		c.fail(w, r, err)
		return
	}
	pdf, err := buzon.Acuse(rec, held.Radicado)
	if err != nil {
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="acuse-`+rec.Number+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(pdf)
}

// limit is how many requests an address may make in a window.
type limit struct {
	per    int
	window time.Duration
}
