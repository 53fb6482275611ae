package console

import (
	"bytes"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/petitions"
)

// The petitions report (Decreto 1081 de 2015, art. 2.1.1.6.2): the page
// shows its figures and the first petitions; the PDF and the CSV have it
// whole. Supervisors and administrators only.

type reportData struct {
	R         central.PetitionReport
	Rows      []central.PetitionRow // the first ones
	Query     template.URL          // the period's query, for the links (built here, escaped)
	Avg       string
	MoreShown bool
}

const reportRowsShown = 200

// petitionReport gives the report the request asks for, or answers why
// not.
func (c *Console) petitionReport(w http.ResponseWriter, r *http.Request) (central.PetitionReport, bool) {
	f, err := c.statsFilterOf(r)
	if err == nil {
		q := r.URL.Query()
		if q.Get("from") == "" && q.Get("to") == "" {
			f.From, f.To = central.ReportPeriod(f.AsOf)
		}
		var types []string
		if v := q.Get("types"); v != "" {
			types = strings.Split(v, ",")
		}
		var rep central.PetitionReport
		if rep, err = c.db.Petitions(r.Context(), whoOf(r).user, f, types); err == nil {
			return rep, true
		}
	}
	if status(err) == http.StatusBadRequest {
		c.errorPage(w, r, http.StatusBadRequest, detail(err))
	} else {
		c.fail(w, r, err)
	}
	return central.PetitionReport{}, false
}

func (c *Console) reportPage(w http.ResponseWriter, r *http.Request) {
	t := c.catFor(r)
	rep, ok := c.petitionReport(w, r)
	if !ok {
		return
	}
	d := reportData{R: rep, Rows: rep.Rows, Avg: "—",
		Query: template.URL(url.Values{"from": {rep.From}, "to": {rep.To}, "as_of": {rep.AsOf}, "types": {strings.Join(rep.Types, ",")}}.Encode())}
	if len(d.Rows) > reportRowsShown {
		d.Rows, d.MoreShown = d.Rows[:reportRowsShown], true
	}
	if rep.AvgDays != nil {
		d.Avg = strconv.FormatFloat(*rep.AvgDays, 'f', 1, 64)
	}
	c.render(w, r, http.StatusOK, "report", view{Title: t.T("report.title"), Nav: "dashboard", Data: d})
}

func (c *Console) reportFile(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { c.writeReport(w, r, kind) }
}

func (c *Console) writeReport(w http.ResponseWriter, r *http.Request, kind string) {
	rep, ok := c.petitionReport(w, r)
	if !ok {
		return
	}
	var b bytes.Buffer
	var err error
	switch kind {
	case "pdf":
		err = petitions.WritePDF(&b, rep)
		w.Header().Set("Content-Type", "application/pdf")
	case "csv":
		err = petitions.WriteCSV(&b, rep)
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	default:
		c.fail(w, r, central.ErrNotFound)
		return
	}
	if err != nil {
		w.Header().Del("Content-Type")
		c.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Disposition", `attachment; filename="peticiones-`+rep.From+`-`+rep.To+`.`+kind+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b.Bytes())
}
