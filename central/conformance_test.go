package central_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
	"github.com/radicador/radicador/sync/wire"
)

// The conformance suite: every store behaves the same. It runs on SQLite
// always, and on PostgreSQL when RADICADOR_TEST_PG names a server (make
// test starts one from Debian's packages).

func TestConformanceSQLite(t *testing.T)     { conformance(t, centraltest.SQLite) }
func TestConformancePostgreSQL(t *testing.T) { conformance(t, centraltest.Postgres) }

var (
	sumOf   = centraltest.SumOf
	genesis = centraltest.Genesis
	event   = centraltest.Event
	push    = centraltest.Push
)

// st1 is the station most tests act as.
var st1 = central.Principal{Office: "001", Station: "01"}

// putChunk sends a piece of a file as p.
func putChunk(db *central.DB, p central.Principal, sum string, size, offset int64, data []byte) (central.FileState, error) {
	return db.PutChunk(context.Background(), p, central.Chunk{Sum: sum, Size: size, Offset: offset, Body: bytes.NewReader(data), Max: 8 << 20})
}

// upload puts a whole file in one chunk, as station 001-01 (or as).
func upload(t *testing.T, db *central.DB, data []byte, as ...central.Principal) wire.File {
	t.Helper()
	p := st1
	if len(as) > 0 {
		p = as[0]
	}
	sum := sumOf(data)
	if _, err := putChunk(db, p, sum, int64(len(data)), 0, data); err != nil {
		t.Fatal(err)
	}
	return wire.File{SHA256: sum, Size: int64(len(data)), Name: "p.png", MediaType: "image/png", Pages: 1}
}

func conformance(t *testing.T, open func(testing.TB) *central.DB) {
	ctx := context.Background()
	st := central.Principal{Office: "001", Station: "01"}

	t.Run("stations", func(t *testing.T) {
		db := open(t)
		if err := db.AddStation(ctx, st, central.HashToken("t1")); err != nil {
			t.Fatal(err)
		}
		if err := db.AddStation(ctx, st, central.HashToken("t2")); !errors.Is(err, central.ErrExists) {
			t.Errorf("a second live token for a station: %v", err)
		}
		if p, err := db.Authenticate(ctx, "t1"); err != nil || p != st {
			t.Errorf("Authenticate = %+v, %v", p, err)
		}
		if _, err := db.Authenticate(ctx, "nope"); !errors.Is(err, central.ErrUnauthorized) {
			t.Errorf("a wrong token: %v", err)
		}
		if err := db.StationClock(ctx, st, -90*time.Second); err != nil {
			t.Fatal(err)
		}
		if err := db.RevokeStation(ctx, "001", "01"); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Authenticate(ctx, "t1"); !errors.Is(err, central.ErrUnauthorized) {
			t.Errorf("a revoked token: %v", err)
		}
		if err := db.AddStation(ctx, st, central.HashToken("t2")); err != nil {
			t.Errorf("enrol again after revoking: %v", err)
		}
		list, _ := db.Stations(ctx)
		if len(list) != 2 || !list[0].Revoked || list[0].ClockOffset != -90*time.Second || list[1].Revoked {
			t.Errorf("stations %+v", list)
		}
	})

	t.Run("resumable upload", func(t *testing.T) {
		db := open(t)
		data := bytes.Repeat([]byte("carta escaneada "), 1000)
		sum, size := sumOf(data), int64(len(data))
		if _, err := db.File(ctx, st, sum); !errors.Is(err, central.ErrNotFound) {
			t.Fatalf("File of nothing: %v", err)
		}
		f, err := putChunk(db, st, sum, size, 0, data[:5000])
		if err != nil || f.Received != 5000 || f.Complete {
			t.Fatalf("first chunk: %+v %v", f, err)
		}
		// The same chunk again (a retry after a lost answer) is refused with
		// the offset to go on from.
		if f, err := putChunk(db, st, sum, size, 0, data[:5000]); !errors.Is(err, central.ErrOffset) || f.Received != 5000 {
			t.Errorf("repeated chunk: %+v %v", f, err)
		}
		if _, err := putChunk(db, st, sum, size, 7000, data[7000:]); !errors.Is(err, central.ErrOffset) {
			t.Errorf("a gap: %v", err)
		}
		if _, err := putChunk(db, st, sum, size, 5000, append(data[5000:], 'x')); !errors.Is(err, central.ErrTooLarge) {
			t.Errorf("past the end: %v", err)
		}
		f, err = putChunk(db, st, sum, size, 5000, data[5000:])
		if err != nil || !f.Complete {
			t.Fatalf("last chunk: %+v %v", f, err)
		}
		if f, err := putChunk(db, st, sum, size, 0, data); err != nil || !f.Complete {
			t.Errorf("a held file again: %+v %v", f, err)
		}
		var buf bytes.Buffer
		if err := db.ReadFile(ctx, st, sum, &buf); err != nil || !bytes.Equal(buf.Bytes(), data) {
			t.Errorf("read back %d bytes, %v", buf.Len(), err)
		}
		// A file that does not hash to its name is thrown away whole.
		bad := sumOf([]byte("otra cosa"))
		if _, err := putChunk(db, st, bad, 4, 0, []byte("algo")); !errors.Is(err, central.ErrHash) {
			t.Errorf("hash mismatch: %v", err)
		}
		if _, err := db.File(ctx, st, bad); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("a file with the wrong hash was kept: %v", err)
		}
	})

	t.Run("push", func(t *testing.T) {
		db := open(t)
		f := upload(t, db, []byte("página uno"))
		p := push("2026001010000012", "001", "01", f)
		res, err := db.Put(ctx, st, p)
		if err != nil || res.Status != wire.Created || res.ContentSHA256 != p.Radicado.Content() || res.DocumentSHA != p.Radicado.SHA256 {
			t.Fatalf("first push: %+v %v", res, err)
		}
		if res, err := db.Put(ctx, st, p); err != nil || res.Status != wire.Already {
			t.Errorf("the same push again: %+v %v", res, err)
		}
		// An annulment arrives as an event.
		p.Events = append(p.Events, event(2, p.Events[0].Hash, "anular", p.Radicado.Number,
			`{"number":"2026001010000012","reason":"duplicado"}`, time.Now()))
		if res, err := db.Put(ctx, st, p); err != nil || res.Status != wire.Already || !res.Annulled {
			t.Errorf("annulment: %+v %v", res, err)
		}
		h, err := db.Get(ctx, p.Radicado.Number)
		if err != nil || !h.Annulled || h.AnnulReason != "duplicado" {
			t.Errorf("held: %+v %v", h, err)
		}
		if ev, _ := db.Events(ctx, p.Radicado.Number); len(ev) != 2 {
			t.Errorf("%d events held", len(ev))
		}
		// Other content under the same number: recorded, never written over.
		other := push("2026001010000012", "001", "01", f)
		other.Radicado.Subject = "Otra cosa"
		res, err = db.Put(ctx, st, other)
		if err != nil || res.Status != wire.Conflict || res.ContentSHA256 != p.Radicado.Content() {
			t.Errorf("conflict: %+v %v", res, err)
		}
		if h, _ := db.Get(ctx, p.Radicado.Number); h.Subject != "Solicitud" {
			t.Errorf("the held radicado was written over: %q", h.Subject)
		}
		if n, _ := db.Conflicts(ctx, p.Radicado.Number); n != 1 {
			t.Errorf("%d conflicts recorded", n)
		}
		// The same conflicting content again is not recorded again.
		if res, err := db.Put(ctx, st, other); err != nil || res.Status != wire.Conflict {
			t.Errorf("the conflict again: %+v %v", res, err)
		}
		if n, _ := db.Conflicts(ctx, p.Radicado.Number); n != 1 {
			t.Errorf("%d conflicts recorded after the same one twice", n)
		}
		// Files first.
		missing := push("2026001010000022", "001", "01", wire.File{SHA256: sumOf([]byte("never sent")), Size: 10, Name: "x.png", MediaType: "image/png"})
		var mf *central.MissingFilesError
		if _, err := db.Put(ctx, st, missing); !errors.As(err, &mf) || len(mf.Files) != 1 {
			t.Errorf("a push before its files: %v", err)
		}
		if _, err := db.Get(ctx, "2026001010000022"); !errors.Is(err, central.ErrNotFound) {
			t.Errorf("a push without its files was stored: %v", err)
		}
	})

	t.Run("exactly once under concurrency", func(t *testing.T) {
		db := open(t)
		f := upload(t, db, []byte("página"))
		var wg sync.WaitGroup
		results := make(chan string, 16)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				res, err := db.Put(ctx, st, push("2026001010000032", "001", "01", f))
				if err != nil {
					results <- "error: " + err.Error()
					return
				}
				results <- res.Status
			}()
		}
		wg.Wait()
		close(results)
		count := map[string]int{}
		for r := range results {
			count[r]++
		}
		if count[wire.Created] != 1 || count[wire.Already] != 15 {
			t.Errorf("16 pushes of one radicado: %v", count)
		}
	})

	t.Run("list and manifest", func(t *testing.T) {
		db := open(t)
		f := upload(t, db, []byte("pág"))
		for i, s := range []central.Principal{st, st, {Office: "002", Station: "01"}} {
			upload(t, db, []byte("pág"), s)
			p := push(fmt.Sprintf("2026%s%s00000%d2", s.Office, s.Station, i+1), s.Office, s.Station, f)
			if i == 1 {
				p.Radicado.Subject = "Queja por cobro"
				p.Radicado.ReceivedAt = p.Radicado.ReceivedAt.Add(24 * time.Hour)
			}
			if _, err := db.Put(ctx, s, p); err != nil {
				t.Fatal(err)
			}
		}
		all, _ := db.List(ctx, central.Filter{})
		mine, _ := db.List(ctx, central.Filter{Office: "001", Station: "01"})
		day, _ := db.List(ctx, central.Filter{Office: "001", Day: "2026-11-23"})
		found, _ := db.List(ctx, central.Filter{Query: "QUEJA cobro"})
		if len(all) != 3 || len(mine) != 2 || len(day) != 1 || len(found) != 1 || found[0].Subject != "Queja por cobro" {
			t.Errorf("list: all %d, mine %d, day %d, found %v", len(all), len(mine), len(day), found)
		}
		// The day's manifest of station 001-01: one radicado on the 23rd.
		m := wire.Manifest{Office: "001", Station: "01", Day: "2026-11-23", Count: 1, Radicados: []wire.ManifestEntry{
			{Number: day[0].Number, ContentSHA256: day[0].ContentSHA256, DocumentSHA: day[0].SHA256}}}
		if res, err := db.CheckManifest(ctx, m); err != nil || !res.OK || res.Count != 1 {
			t.Errorf("a true manifest: %+v %v", res, err)
		}
		m.Radicados = append(m.Radicados, wire.ManifestEntry{Number: "2026001019999992"})
		m.Radicados[0].Annulled = true
		m.Count = 2
		res, _ := db.CheckManifest(ctx, m)
		if res.OK || len(res.Missing) != 1 || len(res.Mismatched) != 1 {
			t.Errorf("a false manifest: %+v", res)
		}

		// The anchor of a day is kept; the same event with another hash
		// later (the chain rewritten) is told.
		good := wire.Manifest{Office: "001", Station: "01", Day: "2026-11-23", Count: 1, Radicados: []wire.ManifestEntry{
			{Number: day[0].Number, ContentSHA256: day[0].ContentSHA256, DocumentSHA: day[0].SHA256}},
			Anchor: &wire.Anchor{ID: 7, Hash: sumOf([]byte("head")), At: time.Date(2026, 11, 23, 18, 0, 0, 0, time.UTC)}}
		if res, err := db.CheckManifest(ctx, good); err != nil || !res.OK || res.AnchorMismatch {
			t.Errorf("a manifest with its anchor: %+v %v", res, err)
		}
		if res, _ := db.CheckManifest(ctx, good); !res.OK {
			t.Errorf("the same anchor again: %+v", res)
		}
		rewritten := good
		rewritten.Anchor = &wire.Anchor{ID: 7, Hash: sumOf([]byte("another head")), At: good.Anchor.At}
		if res, _ := db.CheckManifest(ctx, rewritten); res.OK || !res.AnchorMismatch {
			t.Errorf("an anchor of the same event with another hash: %+v", res)
		}
		// An event the server received with a radicado is a witness too.
		pushed := wire.Manifest{Office: "001", Station: "01", Day: "2026-11-23", Count: 1, Radicados: good.Radicados,
			Anchor: &wire.Anchor{ID: 1, Hash: sumOf([]byte("not the pushed event")), At: good.Anchor.At}}
		if res, _ := db.CheckManifest(ctx, pushed); !res.AnchorMismatch {
			t.Errorf("an anchor that disagrees with the event pushed with a radicado: %+v", res)
		}
		anchors, err := db.Anchors(ctx, "001", "01")
		if err != nil || len(anchors) != 2 || anchors[1].Hash != good.Anchor.Hash {
			t.Errorf("anchors held: %+v %v", anchors, err)
		}
		if other, _ := db.Anchors(ctx, "002", "01"); len(other) != 0 {
			t.Errorf("another station's anchors: %+v", other)
		}
	})
}
