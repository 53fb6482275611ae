package central

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"
)

// TestCancelledWriteUndoesNoOther: a write whose client goes away while
// it runs shares its commit with others; it runs to its end, and neither
// it nor the others are undone (SQLite rolls back the whole transaction
// when a statement in it is interrupted).
func TestCancelledWriteUndoesNoOther(t *testing.T) {
	dir := t.TempDir()
	d, err := Open(context.Background(), filepath.Join(dir, "central.db"), filepath.Join(dir, "files"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()

	// The committer is held on a first write while the next two queue,
	// so that they share one commit.
	hold, held := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- d.write(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			close(held)
			<-hold
			return nil
		})
	}()
	<-held
	insert := func(ctx context.Context, tx *sql.Tx, key string) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, 'x')`, key)
		return err
	}
	gone, leave := context.WithCancel(context.Background())
	results := make(chan error, 2)
	go func() {
		results <- d.write(gone, func(ctx context.Context, tx *sql.Tx) error {
			// The client goes away while a long statement runs.
			time.AfterFunc(5*time.Millisecond, leave)
			if _, err := tx.ExecContext(ctx, `INSERT INTO settings (key, value) SELECT 'test.gone',
				(WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 200000) SELECT count(*) FROM c)`); err != nil {
				return err
			}
			if gone.Err() == nil {
				t.Error("the client did not go away during the write; make the statement longer")
			}
			return insert(ctx, tx, "test.gone.2")
		})
	}()
	go func() {
		results <- d.write(context.Background(), func(ctx context.Context, tx *sql.Tx) error {
			return insert(ctx, tx, "test.stays")
		})
	}()
	time.Sleep(100 * time.Millisecond) // both wait for the committer
	close(hold)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if err := <-results; err != nil {
			t.Errorf("a write of the shared commit: %v", err)
		}
	}
	for _, key := range []string{"test.gone", "test.gone.2", "test.stays"} {
		var v string
		if err := d.db.QueryRow(`SELECT value FROM settings WHERE key = ?`, key).Scan(&v); err != nil {
			t.Errorf("%s: %v", key, err)
		}
	}
}
