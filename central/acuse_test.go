package central_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

func TestStationAcusesSQLite(t *testing.T)     { stationAcuses(t, centraltest.SQLite) }
func TestStationAcusesPostgreSQL(t *testing.T) { stationAcuses(t, centraltest.Postgres) }

// stationAcuses: a station's radicado with its sender's e-mail queues one
// acuse (not for a salida, an annulled one, one without e-mail, or a push
// again); each station sees only its own acuses, pending, sent or failed.
func stationAcuses(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	db := open(t)
	written := 0
	db.SetAcuse(func(r central.Receipt, held wire.Radicado) (central.AcuseMail, error) {
		written++
		if r.Number == "2026001010000052" {
			return central.AcuseMail{}, errors.New("the label does not fit")
		}
		return central.AcuseMail{Subject: "Acuse " + r.Number, Body: "código " + r.Code, Name: "acuse.pdf", PDF: []byte("%PDF-1.4")}, nil
	})
	push := func(number, office, station, email string, annul bool) {
		t.Helper()
		p := central.Principal{Office: office, Station: station}
		data := []byte("carta " + number)
		if _, err := db.PutChunk(ctx, p, central.Chunk{Sum: centraltest.SumOf(data), Size: int64(len(data)), Body: bytes.NewReader(data), Max: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		ps := centraltest.Push(number, office, station, centraltest.File(data))
		ps.Radicado.SenderEmail, ps.Radicado.Channel = email, "email"
		if annul {
			e := centraltest.Event(ps.Events[0].ID+1, ps.Events[0].Hash, "anular", number, `{"reason":"duplicado"}`, ps.Radicado.ReceivedAt)
			ps.Events = append(ps.Events, e)
		}
		for range 2 {
			if _, err := db.Put(ctx, p, ps); err != nil {
				t.Fatal(err)
			}
		}
	}
	push("2026001010000012", "001", "01", "ana@correo.co", false)
	push("2026001010000022", "001", "01", "beto@correo.co", false)
	push("2026001010000032", "001", "01", "", false)                // no e-mail
	push("2026001010000042", "001", "01", "carla@correo.co", true)  // annulled in its push
	push("2026001010000011", "001", "01", "dario@correo.co", false) // a salida
	push("2026001020000012", "001", "02", "eva@correo.co", false)   // another station's
	push("2026001010000052", "001", "01", "fabio@correo.co", false) // its acuse cannot be written: received all the same
	if written != 4 {
		t.Errorf("%d acuses written, want 4", written)
	}
	// One is sent, one refused for good.
	for _, sent := range []bool{true, false} {
		m, ok, err := db.ClaimMail(ctx, time.Minute)
		if err != nil || !ok {
			t.Fatalf("claim: %v %v", ok, err)
		}
		if sent {
			if _, err := db.MailSent(ctx, m); err != nil {
				t.Fatal(err)
			}
		} else if err := db.MailFailed(ctx, m, errors.New("550 no such user"), time.Time{}); err != nil {
			t.Fatal(err)
		}
	}
	list, err := db.Acuses(ctx, central.Principal{Office: "001", Station: "01"})
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, a := range list {
		states[a.Number+" "+a.To] = a.State
	}
	want := map[string]string{"2026001010000012 ana@correo.co": wire.AcuseSent, "2026001010000022 beto@correo.co": wire.AcuseFailed,
		"2026001010000052 fabio@correo.co": wire.AcuseFailed}
	if _, err := db.Get(ctx, "2026001010000052"); err != nil {
		t.Errorf("the radicado whose acuse failed: %v", err)
	}
	if len(states) != len(want) {
		t.Errorf("station 01 sees %v, want %v", states, want)
	}
	for k, v := range want {
		if states[k] != v {
			t.Errorf("%s: %q, want %q", k, states[k], v)
		}
	}
	other, _ := db.Acuses(ctx, central.Principal{Office: "001", Station: "02"})
	if len(other) != 1 || other[0].To != "eva@correo.co" || other[0].State != wire.AcusePending {
		t.Errorf("station 02 sees %+v", other)
	}
}
