package store

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/radicador/radicador/radicado"
)

// TestProofKept: the scan kept as a return's proof is never removed as a
// file nothing holds (a later radicación or return that fails forgets its
// own files only).
func TestProofKept(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	d := draft(t, s, radicado.Salida, "respuesta")
	d.Recipient = &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Cali", SendBy: radicado.SendPhysical}
	rec, err := s.Radicar(ctx, d)
	if err != nil {
		t.Fatal(err)
	}
	disp, err := s.NewDispatch(ctx, "v", "4-72", "", []string{rec.Number}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CloseDispatch(ctx, "v", disp.ID, "2026-11-30", func(string) (string, error) { return "2026-12-03", nil }); err != nil {
		t.Fatal(err)
	}
	sum, _, err := s.Blobs().Put(ctx, bytes.NewReader([]byte("el sobre escaneado")))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.RecordResults(ctx, "v", []Result{{Number: rec.Number, State: "devuelto", Reason: "rehusado", On: "2026-12-01", Proof: []string{sum}}}); err != nil {
		t.Fatal(err)
	}
	if err := s.ForgetFiles(ctx, []string{sum}); err != nil {
		t.Fatal(err)
	}
	if !s.Blobs().Has(sum) {
		t.Error("the return's proof was removed")
	}
	// Ended, the envelope stays as it ended.
	if _, err := s.RecordResults(ctx, "v", []Result{{Number: rec.Number, State: "entregado", On: "2026-12-02"}}); err == nil {
		t.Error("a returned envelope delivered afterwards")
	}
	for _, q := range []string{`DELETE FROM envelopes`, `UPDATE envelopes SET state = 'entregado'`, `DELETE FROM dispatches`,
		`UPDATE dispatches SET handed_on = '2020-01-01'`, `INSERT OR REPLACE INTO envelopes (id, dispatch_id, number, attempt, updated_at) SELECT id, dispatch_id, number, attempt, updated_at FROM envelopes`} {
		if _, err := s.db.Exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

// TestAnnulledNotHandedOver: a salida annulled after it was put in a
// dispatch is not handed over with it.
func TestAnnulledNotHandedOver(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	var numbers []string
	for range 2 {
		d := draft(t, s, radicado.Salida, "respuesta")
		d.Recipient = &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Cali", SendBy: radicado.SendPhysical}
		rec, err := s.Radicar(ctx, d)
		if err != nil {
			t.Fatal(err)
		}
		numbers = append(numbers, rec.Number)
	}
	disp, err := s.NewDispatch(ctx, "v", "4-72", "", numbers, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Anular(ctx, numbers[1], "v", "se firmó otra respuesta"); err != nil {
		t.Fatal(err)
	}
	closed, err := s.CloseDispatch(ctx, "v", disp.ID, "2026-11-30", func(string) (string, error) { return "2026-12-03", nil })
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]string{}
	for _, e := range closed.Envelopes {
		states[e.Number] = e.State
	}
	if states[numbers[0]] != "despachado" || states[numbers[1]] != "pendiente" {
		t.Errorf("after closing: %v", states)
	}
}

// TestVerifyEnvelopes: an envelope changed behind the store's back (its
// guards taken off) no longer matches the audit log's delivery steps, and
// verify says so.
func TestVerifyEnvelopes(t *testing.T) {
	for name, q := range map[string]string{
		"result changed":   `UPDATE envelopes SET state = 'entregado', reason = ''`,
		"guide changed":    `UPDATE envelopes SET guide = 'RA999CO'`,
		"an extra attempt": `INSERT INTO envelopes (dispatch_id, number, attempt, state, updated_at) SELECT dispatch_id, number, 2, 'entregado', updated_at FROM envelopes`,
		"a step unqueued":  `DELETE FROM outbox WHERE audit_id = (SELECT MAX(id) FROM audit WHERE action = 'devuelto')`,
	} {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := openTest(t)
			d := draft(t, s, radicado.Salida, "respuesta")
			d.Recipient = &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Cali", SendBy: radicado.SendPhysical}
			rec, err := s.Radicar(ctx, d)
			if err != nil {
				t.Fatal(err)
			}
			disp, err := s.NewDispatch(ctx, "v", "4-72", "", []string{rec.Number}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.SetGuide(ctx, "v", rec.Number, "RA1CO"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.CloseDispatch(ctx, "v", disp.ID, "2026-11-30", func(string) (string, error) { return "2026-12-03", nil }); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecordResults(ctx, "v", []Result{{Guide: "RA1CO", State: "devuelto", Reason: "rehusado", On: "2026-12-01"}}); err != nil {
				t.Fatal(err)
			}
			if rep, err := s.Verify(ctx); err != nil || !rep.OK {
				t.Fatalf("before: %+v %v", rep, err)
			}
			db := raw(t, s)
			for _, tr := range []string{"envelopes_ended", "envelopes_no_replace"} {
				exec(t, db, `DROP TRIGGER `+tr)
			}
			exec(t, db, q)
			rep, err := s.Verify(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if all := strings.Join(rep.Problems, "\n"); rep.OK || !(strings.Contains(all, rec.Number+" attempt") || strings.Contains(all, "never queued")) {
				t.Errorf("verify after the %s: %+v", name, rep.Problems)
			}
		})
	}
}
