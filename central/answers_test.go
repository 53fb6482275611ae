package central_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

func TestAnswersSQLite(t *testing.T)     { answers(t, centraltest.SQLite) }
func TestAnswersPostgreSQL(t *testing.T) { answers(t, centraltest.Postgres) }

// answers: a salida a station pushes with the radicados it answers marks
// each answered on its day (late when it is), also one that arrives after
// it, from another station; an annulled salida answers nothing.
func answers(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	db := open(t)
	cot := time.FixedZone("COT", -5*3600)
	salida := func(number, office, station string, at time.Time, answers ...string) wire.Push {
		t.Helper()
		p := central.Principal{Office: office, Station: station}
		data := []byte("respuesta " + number)
		if _, err := db.PutChunk(ctx, p, central.Chunk{Sum: centraltest.SumOf(data), Size: int64(len(data)), Body: bytes.NewReader(data), Max: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		push := centraltest.Push(number, office, station, centraltest.File(data))
		push.Radicado.ReceivedAt, push.Radicado.Answers = at, answers
		push.Radicado.Recipient = &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Bogotá", SendBy: radicado.SendPhysical}
		e := &push.Events[0]
		e.At = at
		e.Hash = wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data)
		if res, err := db.Put(ctx, p, push); err != nil || res.Status != wire.Created {
			t.Fatalf("salida %s: %+v %v", number, res, err)
		}
		return push
	}
	boss := central.User{Role: central.Supervisor}
	day := func(s string) calendar.Date {
		d, err := calendar.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// Received Monday 23 November, due 14 December (15 business days).
	centraltest.Receive(t, db, "2026001010000012", "GC", "peticion", time.Date(2026, 11, 23, 10, 0, 0, 0, cot), "2026-12-14")
	centraltest.Receive(t, db, "2026001010000022", "GC", "peticion", time.Date(2026, 11, 23, 11, 0, 0, 0, cot), "2026-11-25")
	// One salida answers both: on time for the first, late for the second.
	s1 := salida("2026001010000011", "001", "01", time.Date(2026, 11, 27, 9, 0, 0, 0, cot), "2026001010000012", "2026001010000022")
	for _, n := range []string{"2026001010000012", "2026001010000022"} {
		it, err := db.Work(ctx, boss, n)
		if err != nil || it.State != central.StateAnswered || it.AnswerBy != s1.Radicado.Number || it.AnsweredAt != "2026-11-27" {
			t.Errorf("%s: %+v %v", n, it, err)
		}
	}
	// The dashboard counts the first on time, the second late.
	st, err := db.Stats(ctx, boss, central.StatsFilter{From: day("2026-11-23"), To: day("2026-11-23"),
		AsOf: day("2026-11-30")})
	if err != nil {
		t.Fatal(err)
	}
	if st.Answered != 2 || st.AnsweredOnTime != 1 {
		t.Errorf("stats: answered %d, on time %d", st.Answered, st.AnsweredOnTime)
	}
	// A salida of another station answers a radicado not held yet.
	salida("2026001020000011", "001", "02", time.Date(2026, 11, 26, 9, 0, 0, 0, cot), "2026001010000032")
	centraltest.Receive(t, db, "2026001010000032", "GC", "peticion", time.Date(2026, 11, 24, 10, 0, 0, 0, cot), "2026-12-15")
	if it, err := db.Work(ctx, boss, "2026001010000032"); err != nil || it.State != central.StateAnswered || it.AnswerBy != "2026001020000011" {
		t.Errorf("answered before it arrived: %+v %v", it, err)
	}
	// The salida held again (a retry) changes nothing; its recipient and
	// answers are held.
	if res, err := db.Put(ctx, central.Principal{Office: "001", Station: "01"}, s1); err != nil || res.Status != wire.Already {
		t.Errorf("again: %+v %v", res, err)
	}
	held, err := db.Get(ctx, s1.Radicado.Number)
	if err != nil || len(held.Answers) != 2 || held.Recipient == nil || held.Recipient.City != "Bogotá" {
		t.Errorf("held: %+v %v", held.Radicado, err)
	}
	// Annulled, the first salida answers nothing any more.
	annul := centraltest.Event(2, s1.Events[0].Hash, "anular", s1.Radicado.Number, `{"reason":"dirección equivocada"}`, s1.Radicado.ReceivedAt.Add(time.Hour))
	s1.Events = append(s1.Events, annul)
	if _, err := db.Put(ctx, central.Principal{Office: "001", Station: "01"}, s1); err != nil {
		t.Fatal(err)
	}
	if it, _ := db.Work(ctx, boss, "2026001010000012"); it.State == central.StateAnswered || it.AnswerBy != "" {
		t.Errorf("after the annulment: %+v", it)
	}
}
