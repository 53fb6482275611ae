package central_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// submit hands in a communication with one small document.
func submit(t testing.TB, db *central.DB, s central.Submission) (central.Receipt, error) {
	t.Helper()
	doc := []byte(fmt.Sprintf("%%PDF-1.4 comunicación de %s %s", s.Name, s.Subject))
	temp, sum, size, err := db.ReceiveUpload(bytes.NewReader(doc), 1<<20)
	if err != nil {
		t.Fatal(err)
	}
	return db.Submit(context.Background(), s, []central.BuzonDoc{{Temp: temp, File: wire.File{SHA256: sum, Size: size, Name: "comunicacion.pdf",
		MediaType: "application/pdf", Pages: 1}}}, nil)
}

func TestBuzonSQLite(t *testing.T)     { buzonSuite(t, centraltest.SQLiteRaw) }
func TestBuzonPostgreSQL(t *testing.T) { buzonSuite(t, centraltest.PostgresRaw) }

func buzonSuite(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	s := central.Submission{Name: "Proveedora Andina S.A.S.", SenderID: "NIT:9001234568", Email: "facturas@andina.co", Type: "factura",
		Subject: "Factura FE-1234 de noviembre", Message: "Adjunto la factura.\nGracias.", From: "203.0.113.9"}
	if _, err := submit(t, o.db, s); !errors.Is(err, central.ErrBuzonClosed) {
		t.Fatalf("a closed Buzón: %v", err)
	}
	if err := o.db.AddStation(ctx, central.Principal{Office: "001", Station: "01"}, central.HashToken("x")); err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][2]string{{"001", "01"}, {"1", "90"}, {"001", "9"}} {
		if err := o.db.EnableBuzon(ctx, "admin", bad[0], bad[1]); err == nil {
			t.Errorf("the Buzón as %v", bad)
		}
	}
	if err := o.db.EnableBuzon(ctx, "admin", "001", "90"); err != nil {
		t.Fatal(err)
	}
	if err := o.db.AddStation(ctx, central.Principal{Office: "001", Station: "90"}, central.HashToken("y")); !errors.Is(err, central.ErrExists) {
		t.Errorf("a station enrolled as the Buzón: %v", err)
	}
	if err := o.db.SetRoute(ctx, "admin", "factura", "GC"); err != nil {
		t.Fatal(err)
	}
	rec, err := submit(t, o.db, s)
	if err != nil {
		t.Fatal(err)
	}
	// Monday 23 November 09:00: a factura (3 business days) is due on
	// Thursday the 26th, in GC by its route, on the web channel.
	if rec.Number != "2026001900000012" || rec.Due != "2026-11-26" || rec.Dept != "GC" || len(rec.Code) != 10 {
		t.Errorf("receipt %+v", rec)
	}
	items, _, err := o.db.Inbox(ctx, o.users["ana"], central.InboxFilter{})
	if err != nil || len(items) != 1 || items[0].Number != rec.Number || items[0].SenderID != "NIT:9001234568" {
		t.Fatalf("GC's inbox: %+v %v", items, err)
	}
	events, err := o.db.Events(ctx, rec.Number)
	if err != nil || len(events) != 1 || events[0].Actor != "buzon" || events[0].Prev != strings.Repeat("0", 64) {
		t.Errorf("its audit event: %+v %v", events, err)
	}
	st, err := o.db.BuzonStatus(ctx, rec.Number, strings.ToLower(rec.Code))
	if err != nil || st.State != central.PublicReceived || st.DeptName != "Gestión de Clientes" || st.Due != "2026-11-26" {
		t.Errorf("its state: %+v %v", st, err)
	}
	for _, bad := range [][2]string{{rec.Number, "AAAAAAAAAA"}, {"2026001900000022", rec.Code}, {rec.Number, ""}, {strings.Repeat("9", 100), rec.Code}} {
		if _, err := o.db.BuzonStatus(ctx, bad[0], bad[1]); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("state with %v: %v", bad, err)
		}
	}
	o.act(t, "ana", rec.Number, central.Action{Kind: "assign", User: "beto"})
	if st, _ := o.db.BuzonStatus(ctx, rec.Number, rec.Code); st.State != central.PublicWorking {
		t.Errorf("assigned: %s", st.State)
	}
	// A type the public may not choose.
	if err := o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "factura", Name: "Factura electrónica", Days: 3}); err != nil {
		t.Fatal(err)
	}
	if err := o.db.SetDocType(ctx, "admin", radicado.DocType{Code: "memorando", Name: "Memorando interno", Days: 0}); err != nil {
		t.Fatal(err)
	}
	if err := o.db.SetTypePublic(ctx, "admin", "memorando", false); err != nil {
		t.Fatal(err)
	}
	types, _ := o.db.BuzonTypes(ctx)
	var codes []string
	for _, ty := range types {
		codes = append(codes, ty.Code)
	}
	if !slices.Contains(codes, "factura") || slices.Contains(codes, "memorando") {
		t.Errorf("the public's types: %v", codes)
	}
	if _, err := submit(t, o.db, central.Submission{Name: "a", Type: "memorando", Subject: "x"}); !errors.Is(err, central.ErrInvalid) {
		t.Errorf("an internal type from the public: %v", err)
	}
	// Bad fields: refused, no number taken.
	for _, bad := range []central.Submission{
		{Name: "", Type: "factura", Subject: "x"}, {Name: "a", Type: "no es", Subject: "x"}, {Name: "a", Type: "factura", Subject: ""},
		{Name: "a", Type: "factura", Subject: "x", Email: "no es un correo"}, {Name: "a", Type: "factura", Subject: "x", SenderID: "CC:12"},
		{Name: "a", Type: "factura", Subject: "x", Phone: "<script>"}, {Name: "a\u202e", Type: "factura", Subject: "x"},
		{Name: "a", Type: "factura", Subject: "x", Message: strings.Repeat("á", central.MaxBuzonMessage+1)},
	} {
		if _, err := submit(t, o.db, bad); !errors.Is(err, central.ErrInvalid) {
			t.Errorf("%+v: %v", bad, err)
		}
	}
	// Nobody else writes under the Buzón's codes, not even an
	// administrator's token: a number taken there would stop it.
	forged := centraltest.Push("2026001900000022", "001", "90", centraltest.File([]byte("x")))
	if _, err := o.db.Put(ctx, central.Principal{Admin: true}, forged); !errors.Is(err, central.ErrForbid) {
		t.Errorf("an administrator's push under the Buzón's codes: %v", err)
	}
	// 200 at once: consecutive from 2, no hole, no repeat.
	var mu sync.Mutex
	var numbers []string
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			s := s
			s.Subject = fmt.Sprintf("Factura %d", i)
			r, err := submit(t, o.db, s)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			numbers = append(numbers, r.Number)
			mu.Unlock()
		})
	}
	wg.Wait()
	slices.Sort(numbers)
	pat := radicado.MustPattern(radicado.DefaultPattern)
	for i, n := range numbers {
		parts, err := pat.Parse(n)
		if err != nil || parts.Seq != i+2 || parts.Office != "001" || parts.Station != "90" {
			t.Fatalf("number %d of 200: %s (%v)", i, n, err)
		}
	}
	// New Year's Eve at 21:00 in Bogotá (1 January 02:00 UTC): still
	// 2026's; after midnight, the first of 2027.
	o.clock.t = time.Date(2026, 12, 31, 21, 0, 0, 0, cot)
	rec, err = submit(t, o.db, s)
	if err != nil || !strings.HasPrefix(rec.Number, "2026") {
		t.Errorf("New Year's Eve: %+v %v", rec, err)
	}
	o.clock.t = time.Date(2027, 1, 1, 0, 30, 0, 0, cot)
	if rec, err = submit(t, o.db, s); err != nil || rec.Number != "2027001900000012" {
		t.Errorf("the first of 2027: %+v %v", rec, err)
	}
	// Closed, its codes stay its own.
	if err := o.db.DisableBuzon(ctx, "admin"); err != nil {
		t.Fatal(err)
	}
	if _, err := submit(t, o.db, s); !errors.Is(err, central.ErrBuzonClosed) {
		t.Errorf("a closed Buzón: %v", err)
	}
	if err := o.db.AddStation(ctx, central.Principal{Office: "001", Station: "90"}, central.HashToken("z")); !errors.Is(err, central.ErrExists) {
		t.Errorf("a station as the closed Buzón's codes: %v", err)
	}
}

// TestBuzonTwoInstances: two servers on one PostgreSQL database number
// submissions at once: consecutive, no hole, no repeat.
func TestBuzonTwoInstances(t *testing.T) {
	ctx := context.Background()
	url := centraltest.PostgresURL(t)
	var dbs []*central.DB
	for range 2 {
		db, err := central.Open(ctx, url, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		dbs = append(dbs, db)
	}
	if err := dbs[0].EnableBuzon(ctx, "admin", "001", "90"); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	seqs := map[int]string{}
	var wg sync.WaitGroup
	pat := radicado.MustPattern(radicado.DefaultPattern)
	for i := range 100 {
		wg.Go(func() {
			r, err := submit(t, dbs[i%2], central.Submission{Name: "Ciudadana", Type: "peticion", Subject: fmt.Sprintf("Petición %d", i)})
			if err != nil {
				t.Error(err)
				return
			}
			parts, _ := pat.Parse(r.Number)
			mu.Lock()
			seqs[parts.Seq] = r.Number
			mu.Unlock()
		})
	}
	wg.Wait()
	for i := 1; i <= 100; i++ {
		if _, ok := seqs[i]; !ok {
			t.Errorf("consecutive %d missing (%d numbers)", i, len(seqs))
		}
	}
}

func TestVerifyBuzonSQLite(t *testing.T)     { verifyBuzon(t, centraltest.SQLiteRaw) }
func TestVerifyBuzonPostgreSQL(t *testing.T) { verifyBuzon(t, centraltest.PostgresRaw) }

// verifyBuzon: what the Buzón numbered checks whole; a radicado taken out,
// an event changed, are reported.
func verifyBuzon(t *testing.T, open func(testing.TB) (*central.DB, *sql.DB)) {
	ctx := context.Background()
	o := newOrg(t, open)
	if err := o.db.EnableBuzon(ctx, "admin", "001", "90"); err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for i := range 3 {
		r, err := submit(t, o.db, central.Submission{Name: "Ciudadana", Type: "peticion", Subject: fmt.Sprintf("Petición %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, r.Number)
	}
	if n, problems, err := o.db.VerifyBuzon(ctx); err != nil || n != 3 || len(problems) != 0 {
		t.Fatalf("a sound Buzón: %d %v %v", n, problems, err)
	}
	o.raw.ExecContext(ctx, `UPDATE events SET data = '{"number":"x"}' WHERE number = '`+numbers[0]+`'`)
	o.raw.ExecContext(ctx, `DELETE FROM work WHERE number = '`+numbers[1]+`'`)
	o.raw.ExecContext(ctx, `DELETE FROM radicados WHERE number = '`+numbers[1]+`'`)
	_, problems, err := o.db.VerifyBuzon(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined := strings.Join(problems, "\n")
	if !strings.Contains(joined, "consecutive 2 is missing") || !strings.Contains(joined, "event 1: its content does not match its hash") {
		t.Errorf("after tampering: %v", problems)
	}
}
