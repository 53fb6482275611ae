package station_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server/servertest"
)

// TestSyncInBackground: a station that is not enrolled waits; once
// enrolled its radicados reach the server soon after they are made; while
// the server is down they wait, and go when it is back.
func TestSyncInBackground(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	var down atomic.Bool
	api := hub.API
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down for maintenance", http.StatusServiceUnavailable)
			return
		}
		api.ServeHTTP(w, r)
	}))
	defer srv.Close()

	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	events := make(chan station.SyncEvent, 100)
	bg, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		st.Sync.Start(bg, station.SyncOptions{Every: 50 * time.Millisecond, Max: 300 * time.Millisecond}, func(e station.SyncEvent) {
			select {
			case events <- e:
			default:
			}
		})
	}()
	next := func() station.SyncEvent {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no sync round in 10 s")
			return station.SyncEvent{}
		}
	}
	if e := next(); e.Enrolled || e.Err != nil {
		t.Fatalf("before enrolling: %+v", e)
	}

	hub.Enrol(t, "001", "01", "tok")
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	radicate := func(n int) {
		for i := range n {
			p := fixture.PNG(t, src, fmt.Sprintf("%d-%d.png", n, i), "carta")
			if _, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana",
				Subject: "Solicitud", Files: []string{p}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	waitHeld := func(want int) {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			s, _ := st.Sync.Status(ctx)
			held, _ := hub.DB.List(ctx, central.Filter{Limit: 100})
			if s.Pending == 0 && len(held) == want {
				return
			}
			time.Sleep(20 * time.Millisecond)
		}
		s, _ := st.Sync.Status(ctx)
		t.Fatalf("after 10 s: %d pending on the station, want all %d on the server", s.Pending, want)
	}
	radicate(3)
	waitHeld(3)

	down.Store(true)
	for len(events) > 0 {
		<-events
	}
	radicate(2)
	var failed []station.SyncEvent
	for len(failed) < 2 {
		if e := next(); e.Err != nil {
			failed = append(failed, e)
		}
	}
	if s, _ := st.Sync.Status(ctx); s.Pending != 2 {
		t.Errorf("while the server is down: %d pending, want 2", s.Pending)
	}
	if failed[0].Next > 300*time.Millisecond || failed[1].Next < 50*time.Millisecond {
		t.Errorf("waits after failures: %v then %v", failed[0].Next, failed[1].Next)
	}

	down.Store(false)
	waitHeld(5)

	stop()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("background sync did not stop with its context")
	}
}

// TestSyncNow: while background sync waits long after failures, the
// clerk's "sync now" runs a round at once.
func TestSyncNow(t *testing.T) {
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	hub := servertest.New(t)
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "down", http.StatusServiceUnavailable)
			return
		}
		hub.API.ServeHTTP(w, r)
	}))
	defer srv.Close()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	hub.Enrol(t, "001", "01", "tok")
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	if _, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana",
		Subject: "Copia", Files: []string{fixture.PNG(t, t.TempDir(), "c.png", "carta")}}); err != nil {
		t.Fatal(err)
	}
	events := make(chan station.SyncEvent, 10)
	st.Sync.Start(ctx, station.SyncOptions{Every: time.Hour, Max: time.Hour}, func(e station.SyncEvent) { events <- e })
	first := <-events
	if first.Err == nil || first.Next < 10*time.Minute {
		t.Fatalf("the first round, with the server down: %+v", first)
	}
	down.Store(false)
	st.Sync.Wake()
	select {
	case e := <-events:
		if e.Err != nil || e.Report.Sent != 1 {
			t.Errorf("the round asked for: %+v", e)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("sync now did not run a round")
	}
}

// TestEnrolTakesThePattern: a station that has numbered nothing takes the
// server's number pattern at enrolment; one that has numbered with another
// is refused, its credentials not kept.
func TestEnrolTakesThePattern(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	const pattern = "{year}-{office:3}{station:2}-{seq:6}{kind}"
	if err := hub.DB.SetPattern(ctx, pattern); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	hub.Enrol(t, "001", "01", "tok")

	fresh, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	if cfg, _ := fresh.Settings.Config(ctx); cfg.Pattern != pattern {
		t.Errorf("the fresh station's pattern is %s", cfg.Pattern)
	}
	p := fixture.PNG(t, t.TempDir(), "p.png", "carta")
	rec, err := fresh.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if rep, err := fresh.Sync.Once(ctx, ""); err != nil || rep.Sent != 1 {
		t.Errorf("sync of %s: %+v %v", rec.Number, rep, err)
	}

	used, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer used.Close()
	if _, err := used.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud", Files: []string{p}}); err != nil {
		t.Fatal(err)
	}
	if _, err := used.Sync.Enroll(ctx, srv.URL, "tok"); err == nil || used.Sync.Server() != "" {
		t.Errorf("a station that numbered with another pattern enrolled: %v", err)
	}
}

// TestCentralConfig: the organisation's configuration comes from the
// server at each sync round when it is newer, becomes read-only on the
// station (its own settings stay its own), makes the due dates, and stays
// while the server is away.
func TestCentralConfig(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	hub.Enrol(t, "001", "01", "tok")
	for _, err := range []error{
		hub.DB.AddDept(ctx, "admin", central.Dept{Code: "GC", Name: "Gestión de Clientes"}),
		hub.DB.SetDocType(ctx, "admin", radicado.DocType{Code: "peticion", Name: "Derecho de petición", Days: 20}),
		hub.DB.SetDocType(ctx, "admin", radicado.DocType{Code: "garantia", Name: "Reclamo de garantía", Days: 8}),
		hub.DB.SetRoute(ctx, "admin", "garantia", "GC"),
		hub.DB.SetClosure(ctx, "admin", calendar.Date{Year: 2026, Month: 12, Day: 11}, "Aniversario del municipio"),
		hub.DB.SetOrgSetting(ctx, "admin", "organization", "Alcaldía de Ejemplo"),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1", Clock: func() time.Time { return time.Date(2026, 11, 30, 10, 0, 0, 0, time.Local) }})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, ""); err != nil {
		t.Fatal(err)
	}
	want, _ := hub.DB.OrgConfig(ctx)
	cfg, err := st.Settings.Config(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Settings.CentralVersion(ctx); v != want.Version {
		t.Errorf("the station has version %d, the server %d", v, want.Version)
	}
	if cfg.Organization != "Alcaldía de Ejemplo" || cfg.Depts["GC"] != "Gestión de Clientes" || cfg.Routes["garantia"] != "GC" || len(cfg.Closures) != 1 {
		t.Errorf("the station's configuration: %+v", cfg)
	}
	// The organisation's settings are read-only here; the station's own are not.
	term := "5"
	if err := st.Settings.Set(ctx, map[string]*string{"term.peticion": &term}); err == nil || !strings.Contains(err.Error(), "central server") {
		t.Errorf("changing a term on an enrolled station: %v", err)
	}
	lang := "en"
	if err := st.Settings.Set(ctx, map[string]*string{station.KeyLanguage: &lang}); err != nil {
		t.Errorf("the station's own setting: %v", err)
	}
	// A petition received on Monday 30 November is due 20 business days
	// on: past 8 and 25 December (holidays) and 11 December (the closure).
	p := fixture.PNG(t, t.TempDir(), "p.png", "carta")
	rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud", Files: []string{p}})
	if err != nil {
		t.Fatal(err)
	}
	if rec.Due.String() != "2026-12-31" {
		t.Errorf("due %s with the central term and closure, want 2026-12-31", rec.Due)
	}
	// Nothing new: nothing taken again.
	before, _ := st.Records.Audit(ctx, 0, 100000)
	if _, err := st.Sync.Once(ctx, ""); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Records.Audit(ctx, 0, 100000)
	if len(after) != len(before) {
		t.Errorf("an unchanged configuration was taken again: %d audit entries more", len(after)-len(before))
	}
	// The server away, the station keeps what it had; back, the next
	// version comes.
	srv.Close()
	if _, err := st.Sync.Once(ctx, ""); err == nil {
		t.Error("a sync round with the server away")
	}
	if c, _ := st.Settings.Config(ctx); c.Organization != "Alcaldía de Ejemplo" {
		t.Errorf("offline: %+v", c)
	}
	srv2 := httptest.NewServer(hub.API)
	defer srv2.Close()
	if err := hub.DB.SetDocType(ctx, "admin", radicado.DocType{Code: "peticion", Name: "Derecho de petición", Days: 15}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, srv2.URL); err != nil {
		t.Fatal(err)
	}
	if v, _ := st.Settings.CentralVersion(ctx); v != want.Version+1 {
		t.Errorf("version %d after the change, want %d", v, want.Version+1)
	}
}

// TestReturnedShown: a department returns a radicado to the ventanilla; at
// its next sync round the station knows it, with the reason, until a
// supervisor routes it again.
func TestReturnedShown(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	hub.Enrol(t, "001", "01", "tok")
	if err := hub.DB.AddDept(ctx, "admin", central.Dept{Code: "GC", Name: "Gestión de Clientes"}); err != nil {
		t.Fatal(err)
	}
	if err := hub.DB.AddDept(ctx, "admin", central.Dept{Code: "JUR", Name: "Jurídica"}); err != nil {
		t.Fatal(err)
	}
	ana, _, err := hub.DB.AddUser(ctx, "admin", central.User{Name: "ana", Dept: "GC", Role: central.Jefe}, "contraseña larga")
	if err != nil {
		t.Fatal(err)
	}
	sara, _, err := hub.DB.AddUser(ctx, "admin", central.User{Name: "sara", Role: central.Supervisor}, "contraseña larga")
	if err != nil {
		t.Fatal(err)
	}
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud",
		Dept: "GC", Files: []string{fixture.PNG(t, t.TempDir(), "p.png", "carta")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Sync.Returned(ctx); len(got) != 0 {
		t.Fatalf("returned before anyone did: %v", got)
	}
	if _, err := hub.DB.Act(ctx, ana, rec.Number, central.Action{Kind: "return", Reason: "no es de Gestión de Clientes"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, ""); err != nil {
		t.Fatal(err)
	}
	got, _ := st.Sync.Returned(ctx)
	if r, ok := got[rec.Number]; !ok || r.Reason != "no es de Gestión de Clientes" || r.By != "ana" {
		t.Errorf("the station's returned radicados: %v", got)
	}
	if _, err := hub.DB.Act(ctx, sara, rec.Number, central.Action{Kind: "reassign", Dept: "JUR", Reason: "es jurídico"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got, _ := st.Sync.Returned(ctx); len(got) != 0 {
		t.Errorf("still returned after it was routed again: %v", got)
	}
}

// TestCentralPatternDiffers: a station that numbered with a pattern the
// server no longer has takes the rest of the configuration, is told at
// every round, and keeps numbering as it did until the administrator acts.
func TestCentralPatternDiffers(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	hub.Enrol(t, "001", "01", "tok")
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "v1"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud",
		Files: []string{fixture.PNG(t, t.TempDir(), "p.png", "carta")}}); err != nil {
		t.Fatal(err)
	}
	// The server has held nothing yet: its pattern may change.
	if err := hub.DB.SetPattern(ctx, "{year}-{office:3}{station:2}-{seq:6}{kind}"); err != nil {
		t.Fatal(err)
	}
	if err := hub.DB.SetOrgSetting(ctx, "admin", "organization", "Alcaldía de Ejemplo"); err != nil {
		t.Fatal(err)
	}
	for round := range 2 {
		_, err := st.Sync.Once(ctx, "")
		if err == nil || !strings.Contains(err.Error(), "number pattern") {
			t.Errorf("round %d: %v", round+1, err)
		}
	}
	cfg, _ := st.Settings.Config(ctx)
	if v, _ := st.Settings.CentralVersion(ctx); v != 0 || cfg.Organization != "Alcaldía de Ejemplo" || cfg.Pattern != radicado.DefaultPattern {
		t.Errorf("version %d, %+v", v, cfg)
	}
}
