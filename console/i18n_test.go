package console

import (
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"testing"
)

// TestCatalogs: every language has every message, and every message a
// template or the code asks for exists.
func TestCatalogs(t *testing.T) {
	cats := map[string]catalog{}
	for _, l := range Languages {
		c, err := loadCatalog(l)
		if err != nil {
			t.Fatal(err)
		}
		cats[l] = c
	}
	es := slices.Sorted(maps.Keys(cats["es"]))
	for _, l := range Languages[1:] {
		if got := slices.Sorted(maps.Keys(cats[l])); !slices.Equal(got, es) {
			t.Errorf("%s and es have different messages", l)
		}
	}
	used := map[string]bool{}
	re := regexp.MustCompile(`\.T "([a-z_.]+)"`)
	fs.WalkDir(files, "templates", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := files.ReadFile(path)
		for _, m := range re.FindAllSubmatch(b, -1) {
			used[string(m[1])] = true
		}
		return nil
	})
	for _, k := range []string{"login.failed", "login.locked", "err.csrf", "err.notfound", "err.forbidden", "err.server", "err.title",
		"admin.password_once", "admin.token_once", "admin.saved", "login.throttled", "left.days", "left.today", "left.over", "hist.station", "rad.annulled",
		"left.day", "left.over.one", "dash.all", "dash.received", "dash.answered", "dash.answered.note", "dash.ontime", "dash.ontime.note", "dash.avg",
		"dash.p90", "dash.days", "dash.overdue", "dash.asof", "dash.returns", "dash.nodept", "dash.count", "dash.day", "dash.byday", "dash.backlog",
		"dash.light.overdue", "dash.noterm", "dash.total", "dash.bychannel", "dash.channel", "dash.byoffice", "dash.bydept", "dash.bytype", "dash.title",
		"channel.ventanilla", "channel.email", "channel.web", "alerts.title", "alerts.saved", "alert.overdue", "alert.red", "alert.yellow",
		"alert.escalated", "alert.unassigned", "mail.security.starttls", "mail.security.tls", "mail.security.none", "mail.test.none",
		"mail.test.failed", "mail.test.sent", "esc.hours", "report.title", "act.done.transfer", "act.escalate.unassigned",
		"act.escalate.untouched", "state.trasladado", "buzon.closed", "buzon.throttled", "buzon.refused", "buzon.bad", "buzon.toobig",
		"buzon.toolong", "buzon.toomany", "buzon.filetoobig", "buzon.active", "buzon.unreadable", "buzon.title", "buzon.ok.title",
		"estado.title", "estado.notfound", "buzon.field.name", "buzon.field.subject", "buzon.field.message", "buzon.field.id", "buzon.field.email",
		"did.assign", "did.reassign", "did.inform", "did.return", "did.answer", "did.extend", "did.archive", "did.transfer",
		"did.start", "did.escalate", "did.answer_void", "buzon.field.phone", "buzon.field.type", "estado.recibido", "estado.en_tramite", "estado.respondido", "estado.trasladado", "estado.archivado"} {
		used[k] = true
	}
	for k := range used {
		if _, ok := cats["es"][k]; !ok {
			t.Errorf("no message %q", k)
		}
	}
	if len(used) < 50 {
		t.Errorf("only %d messages found in use: the pattern misses them", len(used))
	}
}
