package station_test

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/station"
	"github.com/radicador/radicador/sync/server/servertest"
)

// TestDespachoSynced: every step of sending a salida out reaches the
// central server once, in its audit chain, and the server knows where each
// attempt stands; an entrada answered by the salida is answered there.
func TestDespachoSynced(t *testing.T) {
	ctx := context.Background()
	hub := servertest.New(t)
	srv := httptest.NewServer(hub.API)
	defer srv.Close()
	hub.Enrol(t, "001", "01", "tok")
	st, err := station.Open(ctx, t.TempDir(), station.Options{Actor: "ventanilla"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Sync.Enroll(ctx, srv.URL, "tok"); err != nil {
		t.Fatal(err)
	}
	src := t.TempDir()
	e, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Ana", Subject: "Solicitud",
		Dept: "", Files: []string{fixture.PNG(t, src, "e.png", "Solicitud")}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := st.Records.Radicar(ctx, station.Request{Kind: radicado.Salida, Type: "oficio", SenderName: "Secretaría", Subject: "Respuesta",
		Files: []string{fixture.PNG(t, src, "s.png", "Respuesta")}, Answers: []string{e.Number},
		Recipient: &radicado.Recipient{Name: "Ana Gómez", Address: "Calle 10", City: "Cali", SendBy: radicado.SendPhysical}})
	if err != nil {
		t.Fatal(err)
	}
	d, err := st.Despacho.New(ctx, "Servientrega", "", []string{s.Number}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.Despacho.Guide(ctx, s.Number, "SV-000123"); err != nil {
		t.Fatal(err)
	}
	if d, err = st.Despacho.Close(ctx, d.ID); err != nil || d.HandedOn == "" || d.Envelopes[0].ExpectedBy == "" {
		t.Fatalf("close: %+v %v", d, err)
	}
	if _, err := st.Despacho.Delivered(ctx, s.Number, calendar.DateOf(time.Now())); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := st.Sync.Once(ctx, srv.URL); err != nil {
			t.Fatal(err)
		}
	}
	events, err := hub.DB.Events(ctx, s.Number)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, ev := range events {
		actions = append(actions, ev.Action)
	}
	if got := len(actions); got != 5 {
		t.Errorf("the server holds %d events of the salida: %v", got, actions)
	}
	ds, err := hub.DB.Deliveries(ctx, s.Number)
	if err != nil || len(ds) != 1 || ds[0].State != "entregado" || ds[0].Guide != "SV-000123" || ds[0].Courier != "Servientrega" || ds[0].HandedOn != d.HandedOn {
		t.Errorf("the server's delivery: %+v %v", ds, err)
	}
	it, err := hub.DB.Work(ctx, central.User{Role: central.Supervisor}, e.Number)
	if err != nil || it.State != central.StateAnswered || it.AnswerBy != s.Number {
		t.Errorf("the entrada on the server: %+v %v", it, err)
	}
	if rep, err := st.Records.Verify(ctx); err != nil || !rep.OK {
		t.Errorf("verify: %+v %v", rep, err)
	}
}
