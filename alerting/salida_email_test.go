package alerting_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/radicador/radicador/alerting"
	"github.com/radicador/radicador/despacho"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server/servertest"
)

// TestSalidaByEmail: an attempt by e-mail of a salida: the station hands
// it over, the central server sends it with its document attached,
// through its mail server, once; at the next sync the station records it
// delivered, and the server holds that too.
func TestSalidaByEmail(t *testing.T) {
	ctx := context.Background()
	mta := startSMTPD(t, false)
	hub := servertest.New(t)
	setMail(t, hub.DB, mta.port)
	hub.Enrol(t, "001", "01", "tok")
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "ventanilla"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	doc := fixture.PDF(t, t.TempDir(), "respuesta.pdf", 1)
	rec, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Secretaría", Subject: "Respuesta a su solicitud",
		Files: []string{doc}, Recipient: &radicado.Recipient{Name: "Ana Gómez", Email: "ana.gomez@correo.co", SendBy: radicado.SendEmail}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Despacho.New(ctx, "4-72", "", []string{rec.Number}, nil); err == nil {
		t.Error("a salida by e-mail put in a courier's dispatch")
	}
	d, err := st.Despacho.New(ctx, despacho.EmailCourier, "", []string{rec.Number}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Despacho.Close(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	// Another, handed over by e-mail and annulled before the branch
	// syncs: the server does not send it.
	other, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Secretaría", Subject: "Otra respuesta",
		Files: []string{doc}, Recipient: &radicado.Recipient{Name: "Beto", Email: "beto@correo.co", SendBy: radicado.SendEmail}})
	if err != nil {
		t.Fatal(err)
	}
	d2, err := st.Despacho.New(ctx, despacho.EmailCourier, "", []string{other.Number}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Despacho.Close(ctx, d2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Records.Anular(ctx, other.Number, "se equivocó el destinatario"); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 {
		if err := (&alerting.Service{DB: hub.DB}).Round(ctx); err != nil {
			t.Fatal(err)
		}
	}
	body, attached := mta.acuse(t, "ana.gomez@correo.co")
	want, _ := os.ReadFile(doc)
	if !strings.Contains(body, rec.Number) || !bytes.Equal(attached, want) {
		t.Errorf("the e-mail: %q, %d bytes attached (want the salida's %d)", body, len(attached), len(want))
	}
	if got := mta.inbox(t, "beto@correo.co"); len(got) != 0 {
		t.Errorf("an annulled salida was e-mailed: %d", len(got))
	}
	// The station learns it went, and says so to the server.
	for range 2 {
		if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	if env, _, _ := st.Despacho.Delivery(ctx, rec.Number); env.State != despacho.Delivered || env.Courier != despacho.EmailCourier {
		t.Errorf("the station's envelope: %+v", env)
	}
	if ds, err := hub.DB.Deliveries(ctx, rec.Number); err != nil || len(ds) != 1 || ds[0].State != despacho.Delivered {
		t.Errorf("the server's: %+v %v", ds, err)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
