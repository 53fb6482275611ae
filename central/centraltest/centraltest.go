// Package centraltest gives tests of the central server its stores (SQLite
// in a temporary folder; PostgreSQL in a fresh database of the server that
// RADICADOR_TEST_PG names, which make test starts) and the pushes a station
// would make.
package centraltest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/sync/wire"
)

// SQLite gives a store on SQLite in a temporary folder, closed when the
// test ends.
func SQLite(t testing.TB) *central.DB {
	t.Helper()
	dir := t.TempDir()
	db, err := central.Open(context.Background(), filepath.Join(dir, "server.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres gives a store in a fresh PostgreSQL database of its own.
func Postgres(t testing.TB) *central.DB {
	db, _ := PostgresRaw(t)
	return db
}

// SQLiteRaw gives a store on SQLite and a connection of its own to the
// same database, for a test to change behind the store's back.
func SQLiteRaw(t testing.TB) (*central.DB, *sql.DB) {
	t.Helper()
	db := SQLite(t)
	raw, err := sql.Open("sqlite", filepath.Join(db.Dir(), "server.db")+"?_pragma=busy_timeout(10000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw
}

// PostgresRaw gives a store in a fresh PostgreSQL database and a
// connection of its own to it.
func PostgresRaw(t testing.TB) (*central.DB, *sql.DB) {
	t.Helper()
	url := PostgresURL(t)
	db, err := central.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	raw, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return db, raw
}

var pgSeq struct {
	sync.Mutex
	n int
}

// PostgresURL gives the URL of a fresh, empty PostgreSQL database, dropped
// when the test ends. Without RADICADOR_TEST_PG the test is skipped (it
// fails under RADICADOR_STRICT).
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("RADICADOR_TEST_PG")
	if base == "" {
		if os.Getenv("RADICADOR_STRICT") != "" {
			t.Fatal("RADICADOR_TEST_PG is not set: make test starts PostgreSQL and sets it")
		}
		t.Skip("RADICADOR_TEST_PG is not set (make test starts a PostgreSQL server)")
	}
	ctx := context.Background()
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	pgSeq.Lock()
	pgSeq.n++
	name := fmt.Sprintf("radicador_test_%d_%d", os.Getpid(), pgSeq.n)
	pgSeq.Unlock()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// SumOf gives the SHA-256 of b in hex.
func SumOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// Genesis is the previous hash of a station's first event.
var Genesis = strings.Repeat("0", 64)

// Event makes an audit event with its hash, as a station records it.
func Event(id int64, prev, action, number, data string, at time.Time) wire.Event {
	e := wire.Event{ID: id, At: at, Actor: "ventanilla", Action: action, Number: number, Data: []byte(data), Prev: prev}
	e.Hash = wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data)
	return e
}

// Push makes a station's push of a radicado of the default pattern: the
// number gives the office, station, consecutive and kind.
func Push(number, office, station string, files ...wire.File) wire.Push {
	parts, err := radicado.MustPattern(radicado.DefaultPattern).Parse(number)
	if err != nil {
		panic(err)
	}
	pages := 0
	for _, f := range files {
		pages += f.Pages
	}
	r := wire.Radicado{Number: number, Year: parts.Year, Office: office, Station: station, Kind: int(parts.Kind), Seq: parts.Seq,
		ReceivedAt: time.Date(parts.Year, 11, 23, 10, 0, 0, 0, time.FixedZone("COT", -5*3600)), Type: "peticion",
		SenderName: "Ana", Subject: "Solicitud", Pages: pages, Files: files}
	r.SHA256 = radicado.DocumentHash(files)
	return wire.Push{Radicado: r, Events: []wire.Event{Event(int64(parts.Seq), Genesis, "radicar", number, `{"number":"`+number+`"}`, r.ReceivedAt)}}
}

// File describes data as a station names a scanned page.
func File(data []byte) wire.File {
	return wire.File{SHA256: SumOf(data), Size: int64(len(data)), Name: "p.png", MediaType: "image/png", Pages: 1}
}

// Receive uploads a document and pushes, as station 001-01, an entrada
// with it: its number, department, type, time of receipt and due date
// ("": no term).
func Receive(t testing.TB, db *central.DB, number, dept, docType string, received time.Time, due string) {
	t.Helper()
	ReceiveWith(t, db, number, dept, docType, received, due, nil)
}

// ReceiveWith is Receive with the push changed by adjust (nil: as it is)
// before it goes.
func ReceiveWith(t testing.TB, db *central.DB, number, dept, docType string, received time.Time, due string, adjust func(*wire.Push)) {
	t.Helper()
	push := Entrada(t, db, number, dept, docType, received, due, adjust)
	if res, err := db.Put(context.Background(), central.Principal{Office: "001", Station: "01"}, push); err != nil || res.Status != wire.Created {
		t.Fatalf("push %s: %+v %v", number, res, err)
	}
}

// Entrada uploads a document as station 001-01 and gives the push of an
// entrada with it, as Receive sends it.
func Entrada(t testing.TB, db *central.DB, number, dept, docType string, received time.Time, due string, adjust func(*wire.Push)) wire.Push {
	t.Helper()
	push := Push(number, "001", "01", uploaded(t, db, central.Principal{Office: "001", Station: "01"}, "carta "+number))
	push.Radicado.Dept, push.Radicado.Type, push.Radicado.Due = dept, docType, due
	if adjust != nil {
		adjust(&push)
	}
	receivedAt(&push, received)
	return push
}

// Salida uploads a document as station office-station and gives the push
// of a salida with it, received at at, to Ana in Bogotá by post,
// answering the radicados answers.
func Salida(t testing.TB, db *central.DB, number, office, station string, at time.Time, answers ...string) wire.Push {
	t.Helper()
	push := Push(number, office, station, uploaded(t, db, central.Principal{Office: office, Station: station}, "respuesta "+number))
	push.Radicado.Answers = answers
	push.Radicado.Recipient = &radicado.Recipient{Name: "Ana", Address: "Calle 1", City: "Bogotá", SendBy: radicado.SendPhysical}
	receivedAt(&push, at)
	return push
}

// uploaded uploads text as a document of p and gives it as a file.
func uploaded(t testing.TB, db *central.DB, p central.Principal, text string) wire.File {
	t.Helper()
	data := []byte(text)
	if _, err := db.PutChunk(context.Background(), p, central.Chunk{Sum: SumOf(data), Size: int64(len(data)), Body: bytes.NewReader(data), Max: 1 << 20}); err != nil {
		t.Fatal(err)
	}
	return File(data)
}

// receivedAt dates a push's radicado and its radicación event, whose hash
// follows.
func receivedAt(push *wire.Push, at time.Time) {
	push.Radicado.ReceivedAt = at
	e := &push.Events[0]
	e.At = at
	e.Hash = wire.EventHash(e.Prev, e.ID, e.At, e.Actor, e.Action, e.Number, e.Data)
}
