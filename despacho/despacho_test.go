package despacho

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/calendar"
)

func TestZone(t *testing.T) {
	for city, want := range map[string]string{"Bogotá D.C.": ZoneBogota, "BOGOTA": ZoneBogota, "Medellín": ZoneMain, "Cartagena de Indias": ZoneCoast,
		"santa marta": ZoneCoast, "Villa de Leyva": ZoneOther, "": ZoneOther, "Calima": ZoneOther, "Cali": ZoneMain} {
		if got := Zone(city); got != want {
			t.Errorf("Zone(%q) = %s, want %s", city, got, want)
		}
	}
}

func TestParseDays(t *testing.T) {
	d, err := ParseDays("costa=7, otras=9")
	if err != nil || d[ZoneCoast] != 7 || d[ZoneOther] != 9 || d[ZoneBogota] != 2 {
		t.Errorf("%v %v", d, err)
	}
	for _, bad := range []string{"luna=3", "bogota=0", "bogota", "bogota=x", "costa=61"} {
		if _, err := ParseDays(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestReadResults(t *testing.T) {
	day := func(s string) calendar.Date { d, _ := calendar.ParseDate(s); return d }
	got, err := ReadResults(strings.NewReader("\ufeffGuía;Estado;Causal;Fecha\nA1;Entregado;;27/11/2026\nA2;DEVUELTO;DE;2026-11-28\n\n"), DefaultColumns)
	if err != nil || len(got) != 2 || got[0].State != Delivered || got[0].On != day("2026-11-27") || got[1].State != Returned || got[1].Reason != "DE" {
		t.Errorf("%+v %v", got, err)
	}
	cols, _ := ParseColumns("guide=1,state=3,date=2,reason=4")
	if got, err := ReadResults(strings.NewReader("g,f,e,c\nB1,2026-11-27,entregado,\n"), cols); err != nil || got[0].Guide != "B1" {
		t.Errorf("by number: %+v %v", got, err)
	}
	for name, body := range map[string]string{
		"header only":         "guia,estado,causal,fecha\n",
		"no guide":            "guia,estado,causal,fecha\n,ENTREGADO,,2026-11-27\n",
		"twice":               "guia,estado,causal,fecha\nA,ENTREGADO,,2026-11-27\nA,ENTREGADO,,2026-11-27\n",
		"unknown state":       "guia,estado,causal,fecha\nA,EN RUTA,,2026-11-27\n",
		"returned, no reason": "guia,estado,causal,fecha\nA,DEVUELTO,,2026-11-27\n",
		"bad date":            "guia,estado,causal,fecha\nA,ENTREGADO,,ayer\n",
		"no date":             "guia,estado,causal,fecha\nA,ENTREGADO,,\n",
		"no reason column":    "guia,estado,fecha\nA,DEVUELTO,2026-11-27\n",
		"no guide column":     "numero,estado,causal,fecha\nA,ENTREGADO,,2026-11-27\n",
	} {
		if _, err := ReadResults(strings.NewReader(body), DefaultColumns); err == nil {
			t.Errorf("%s: read", name)
		}
	}
	if _, err := ParseColumns("guide=1,colour=2"); err == nil {
		t.Error("an unknown field in the map")
	}
}

// TestSheetCSVGolden: the planilla's CSV, a formula-like cell neutralised.
func TestSheetCSVGolden(t *testing.T) {
	s := Sheet{Organization: "Alcaldía", Office: "001", Station: "01", ID: 7, Courier: "4-72", Service: "Correo certificado",
		HandedOn: calendar.DateOf(time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)), ClosedAt: time.Date(2026, 11, 30, 14, 0, 0, 0, time.UTC),
		Envelopes: []Envelope{{Number: "2026001010000011", Attempt: 1, Recipient: "Ana Gómez", Address: "Calle 10 # 5-20", City: "Bogotá", Guide: "RA1CO"},
			{Number: "2026001010000021", Attempt: 2, Recipient: "=HYPERLINK(\"x\")", Address: "Cra 1", City: "Cali", Guide: "RA2CO"}}}
	var b bytes.Buffer
	if err := s.WriteCSV(&b); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "planilla.csv")
	if os.Getenv("UPDATE_GOLDEN") != "" {
		os.MkdirAll("testdata", 0o755)
		os.WriteFile(golden, b.Bytes(), 0o644)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("the CSV:\n%s\nwant:\n%s", b.Bytes(), want)
	}
	var pdf bytes.Buffer
	if err := s.WritePDF(&pdf); err != nil || !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF")) {
		t.Errorf("the PDF: %v", err)
	}
}
