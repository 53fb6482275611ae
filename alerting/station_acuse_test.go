package alerting_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/radicador/radicador/alerting"
	"github.com/radicador/radicador/buzon"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/internal/mailfixture"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server/servertest"
	"github.com/radicador/radicador/sync/wire"
)

// TestStationAcuse: a branch radicates an e-mail while the server cannot
// be reached; when it syncs (twice, as after a lost answer), the server
// sends the acuse to the sender once, through its mail server, with the
// receipt attached and a consultation code that opens the state page.
func TestStationAcuse(t *testing.T) {
	ctx := context.Background()
	mta := startSMTPD(t, false)
	hub := servertest.New(t)
	setMail(t, hub.DB, mta.port)
	hub.DB.SetAcuse(func(r central.Receipt, held wire.Radicado) (central.AcuseMail, error) {
		return buzon.AcuseMail(r, held, "https://radicador.org.co/buzon/estado")
	})
	hub.Enrol(t, "001", "01", "token-sucursal")
	var down atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if down.Load() {
			http.Error(w, "sin conexión", http.StatusServiceUnavailable)
			return
		}
		hub.API.ServeHTTP(w, r)
	}))
	defer srv.Close()

	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "ventanilla"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "token-sucursal"); err != nil {
		t.Fatal(err)
	}
	down.Store(true)
	eml := fixture.Write(t, t.TempDir(), "m.eml", mailfixture.Message{ID: "acuse-1@correo.example",
		From: `"Luisa Pérez" <luisa.perez@correo.co>`, Subject: "Solicitud de certificado", Text: "Solicito un certificado laboral."}.Bytes())
	m, _, err := st.Mail.Import(ctx, eml)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := st.Mail.Radicar(ctx, m.ID, func(r *station.Request) { r.Type = "peticion" })
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Sync.Once(ctx, srv.URL); err == nil {
		t.Fatal("synced while the server was down")
	}
	down.Store(false)
	for range 2 {
		if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	// A push of the same radicado again, as a retry after a lost answer.
	if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := (&alerting.Service{DB: hub.DB}).Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	body, pdf := mta.acuse(t, "luisa.perez@correo.co")
	code := regexp.MustCompile(`Código de consulta: ([A-Z0-9]+)`).FindStringSubmatch(body)
	if !strings.Contains(body, rec.Number) || code == nil {
		t.Fatalf("the acuse's text:\n%s", body)
	}
	state, err := hub.DB.BuzonStatus(ctx, rec.Number, code[1])
	if err != nil || state.State != central.PublicReceived {
		t.Errorf("the state page with the acuse's code: %+v %v", state, err)
	}
	if _, err := hub.DB.BuzonStatus(ctx, rec.Number, "AAAAAAAAAA"); err == nil {
		t.Error("a wrong code opens the state page")
	}
	cmd := exec.Command("pdftotext", "-layout", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{rec.Number, code[1], "Correo electrónico"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("the attached acuse lacks %q:\n%s", s, out)
		}
	}
	// The branch learns at its next sync that the acuse went.
	if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
		t.Fatal(err)
	}
	acuses, err := st.Sync.Acuses(ctx)
	if a := acuses[rec.Number]; err != nil || a.State != wire.AcuseSent || a.To != "luisa.perez@correo.co" {
		t.Errorf("the station's view of the acuse: %+v %v", a, err)
	}
	held, err := hub.DB.Get(ctx, rec.Number)
	if err != nil || held.Channel != "email" || held.SenderEmail != "luisa.perez@correo.co" || held.Files[0].MediaType != "message/rfc822" {
		t.Errorf("the server holds %+v %v", held.Radicado, err)
	}
}
