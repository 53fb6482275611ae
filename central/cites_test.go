package central_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

func TestCitationsSQLite(t *testing.T)     { citations(t, centraltest.SQLite) }
func TestCitationsPostgreSQL(t *testing.T) { citations(t, centraltest.Postgres) }

// citations: an entrada that cites our salida is held with what it cites;
// the salida's page finds it, for whoever may see the entrada and nobody
// else; a push whose cites are not numbers of the pattern is refused.
func citations(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	db := open(t)
	cot := time.FixedZone("COT", -5*3600)
	centraltest.Receive(t, db, "2026001010000011", "GC", "oficio", time.Date(2026, 11, 23, 10, 0, 0, 0, cot), "")
	cited := []string{"2026001010000011", "2026100020000451"}
	plain := centraltest.Push("2026001010000022", "001", "01")
	citing := plain
	citing.Radicado.Cites = cited
	if citing.Radicado.Content() == plain.Radicado.Content() {
		t.Error("the content hash does not cover cites")
	}
	centraltest.ReceiveWith(t, db, "2026001010000022", "GC", "respuesta", time.Date(2026, 11, 27, 9, 0, 0, 0, cot), "",
		func(p *wire.Push) { p.Radicado.Cites = cited })
	boss := central.User{Role: central.Supervisor}
	cites, citedBy, err := db.Citations(ctx, boss, "2026001010000022")
	if err != nil || !slices.Equal(cites, []string{"2026001010000011", "2026100020000451"}) || len(citedBy) != 0 {
		t.Errorf("the entrada: cites %q, cited by %q, %v", cites, citedBy, err)
	}
	if _, citedBy, err := db.Citations(ctx, boss, "2026001010000011"); err != nil || !slices.Equal(citedBy, []string{"2026001010000022"}) {
		t.Errorf("the salida: cited by %q, %v", citedBy, err)
	}
	other := central.User{ID: 99, Name: "caro", Dept: "JUR", Role: central.Funcionario}
	if _, citedBy, err := db.Citations(ctx, other, "2026001010000011"); err != nil || len(citedBy) != 0 {
		t.Errorf("another department sees %q, %v", citedBy, err)
	}
	for _, bad := range [][]string{{"12345"}, {"2026001010000022"}, {"2026001010000011", "2026001010000011"}} {
		p := centraltest.Push("2026001010000032", "001", "01")
		p.Radicado.Cites = bad
		if err := p.Check(radicado.MustPattern(radicado.DefaultPattern)); err == nil {
			t.Errorf("cites %q accepted", bad)
		}
	}
}
