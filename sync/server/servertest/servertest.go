// Package servertest gives other packages' tests a real central server: on
// SQLite in a temporary folder, with stations enrolled by token.
package servertest

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/sync/server"
)

// Central is a central server's store and its API.
type Central struct {
	DB  *central.DB
	API http.Handler
}

// New opens a central store in a temporary folder, closed when the test
// ends.
func New(t testing.TB) *Central {
	t.Helper()
	dir := t.TempDir()
	db, err := central.Open(context.Background(), filepath.Join(dir, "central.db"), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &Central{DB: db, API: server.New(db, nil, server.DefaultLimits).Handler()}
}

// Enrol adds a station with its token.
func (c *Central) Enrol(t testing.TB, office, station, token string) {
	t.Helper()
	if err := c.DB.AddStation(context.Background(), central.Principal{Office: office, Station: station}, central.HashToken(token)); err != nil {
		t.Fatal(err)
	}
}
