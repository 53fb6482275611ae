package central_test

import (
	"bytes"
	"context"
	"fmt"
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
		push := centraltest.Salida(t, db, number, office, station, at, answers...)
		if res, err := db.Put(ctx, central.Principal{Office: office, Station: station}, push); err != nil || res.Status != wire.Created {
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
	// A second salida answers the second radicado too, while it is
	// answered already.
	salida("2026001010000021", "001", "01", time.Date(2026, 11, 30, 9, 0, 0, 0, cot), "2026001010000022")
	// Annulled, the first salida answers nothing any more: the first
	// radicado is open again, the second answered by the other salida.
	annul := centraltest.Event(2, s1.Events[0].Hash, "anular", s1.Radicado.Number, `{"reason":"dirección equivocada"}`, s1.Radicado.ReceivedAt.Add(time.Hour))
	s1.Events = append(s1.Events, annul)
	if _, err := db.Put(ctx, central.Principal{Office: "001", Station: "01"}, s1); err != nil {
		t.Fatal(err)
	}
	if it, _ := db.Work(ctx, boss, "2026001010000012"); it.State == central.StateAnswered || it.AnswerBy != "" {
		t.Errorf("after the annulment: %+v", it)
	}
	if it, _ := db.Work(ctx, boss, "2026001010000022"); it.State != central.StateAnswered || it.AnswerBy != "2026001010000021" || it.AnsweredAt != "2026-11-30" {
		t.Errorf("answered by the other salida after the annulment: %+v", it)
	}
}

func TestDeliveriesSQLite(t *testing.T)     { deliveries(t, centraltest.SQLite) }
func TestDeliveriesPostgreSQL(t *testing.T) { deliveries(t, centraltest.Postgres) }

// deliveries: the steps of a salida's delivery set where each attempt
// stands, in order only; steps out of order, or about an entrada, change
// nothing; data that is not a step is refused with the push.
func deliveries(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	db := open(t)
	p := central.Principal{Office: "001", Station: "01"}
	data := []byte("respuesta")
	if _, err := db.PutChunk(ctx, p, central.Chunk{Sum: centraltest.SumOf(data), Size: int64(len(data)), Body: bytes.NewReader(data), Max: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	push := centraltest.Push("2026001010000011", "001", "01", centraltest.File(data))
	at := push.Radicado.ReceivedAt
	step := func(action, data string) {
		prev := push.Events[len(push.Events)-1]
		at = at.Add(time.Hour)
		push.Events = append(push.Events, centraltest.Event(prev.ID+1, prev.Hash, action, push.Radicado.Number, data, at))
	}
	step("despacho", `{"dispatch":1,"courier":"4-72","attempt":1}`)
	step("entregado", `{"dispatch":1,"attempt":1,"on":"2026-11-25"}`) // before it was handed over: ignored
	step("despachado", `{"dispatch":1,"attempt":1,"handed_on":"2026-11-24","expected_by":"2026-11-27"}`)
	step("devuelto", `{"dispatch":1,"attempt":1,"on":"2026-11-26","reason":"rehusado"}`)
	step("entregado", `{"dispatch":1,"attempt":1,"on":"2026-11-27"}`) // ended already: ignored
	if res, err := db.Put(ctx, p, push); err != nil || res.Status != wire.Created {
		t.Fatalf("%+v %v", res, err)
	}
	ds, err := db.Deliveries(ctx, push.Radicado.Number)
	if err != nil || len(ds) != 1 || ds[0].State != "devuelto" || ds[0].Reason != "rehusado" || ds[0].HandedOn != "2026-11-24" {
		t.Errorf("deliveries: %+v %v", ds, err)
	}
	for name, data := range map[string]string{
		"attempt 0":          `{"dispatch":1,"attempt":0,"on":"2026-11-25"}`,
		"a control in text":  `{"dispatch":1,"attempt":2,"courier":"4-72","on":"2026-11-25"}`,
		"not a date":         `{"dispatch":1,"attempt":2,"on":"mañana"}`,
		"a return, no cause": `{"dispatch":1,"attempt":2,"on":"2026-11-25"}`,
	} {
		bad := push
		bad.Events = append([]wire.Event{}, push.Events...)
		prev := bad.Events[len(bad.Events)-1]
		bad.Events = append(bad.Events, centraltest.Event(prev.ID+1, prev.Hash, "devuelto", push.Radicado.Number, data, at.Add(time.Hour)))
		if err := bad.Check(radicado.MustPattern(radicado.DefaultPattern)); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestAnswerAtOnce: an entrada and the salida that answers it, pushed at
// the same moment by two stations, end with the entrada answered,
// whichever commits first (on PostgreSQL each did not see the other's
// uncommitted row, and some entradas stayed open).
func TestAnswerAtOnceSQLite(t *testing.T)     { answerAtOnce(t, centraltest.SQLite) }
func TestAnswerAtOncePostgreSQL(t *testing.T) { answerAtOnce(t, centraltest.Postgres) }

func answerAtOnce(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	db := open(t)
	cot := time.FixedZone("COT", -5*3600)
	received := time.Date(2026, 11, 23, 10, 0, 0, 0, cot)
	const n = 40
	other := central.Principal{Office: "002", Station: "01"}
	start := make(chan struct{})
	errs := make(chan error, 2*n)
	var numbers []string
	for i := range n {
		number := fmt.Sprintf("202600101%06d2", i+1)
		numbers = append(numbers, number)
		entrada := centraltest.Entrada(t, db, number, "GC", "peticion", received, "2026-12-14", nil)
		salida := centraltest.Salida(t, db, fmt.Sprintf("202600201%06d1", i+1), "002", "01", received.Add(24*time.Hour), number)
		for _, job := range []struct {
			p    central.Principal
			push wire.Push
		}{{st1, entrada}, {other, salida}} {
			go func() {
				<-start
				_, err := db.Put(ctx, job.p, job.push)
				errs <- err
			}()
		}
	}
	close(start)
	for range 2 * n {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	boss := central.User{Role: central.Supervisor}
	left := 0
	for _, number := range numbers {
		it, err := db.Work(ctx, boss, number)
		if err != nil {
			t.Fatal(err)
		}
		if it.State != central.StateAnswered {
			left++
		}
	}
	if left > 0 {
		t.Errorf("%d of %d entradas left open with their answer held", left, n)
	}
}
