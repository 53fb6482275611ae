package central_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// TestManyPushesAtOnce: forty pushes at once, just when the calendar is
// to be read again, all go through. On PostgreSQL, write transactions
// that read the calendar waited for a connection that transactions like
// them held, and the server stalled until the clients gave up.
func TestManyPushesAtOnce(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *central.DB{"SQLite": centraltest.SQLite, "PostgreSQL": centraltest.Postgres} {
		t.Run(name, func(t *testing.T) { manyAtOnce(t, open(t)) })
	}
}

func manyAtOnce(t *testing.T, db *central.DB) {
	const n = 40
	numbers := make([]string, n)
	pushes := make([]chan error, n)
	start := make(chan struct{})
	for i := range n {
		numbers[i] = fmt.Sprintf("202600101%06d2", i+1)
		f := upload(t, db, []byte("a la vez "+numbers[i]))
		p := push(numbers[i], "001", "01", f)
		pushes[i] = make(chan error, 1)
		go func() {
			<-start
			ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
			defer cancel()
			_, err := db.Put(ctx, st1, p)
			pushes[i] <- err
		}()
	}
	// The calendar read at the first push is half a minute old.
	db.SetClock(func() time.Time { return time.Now().Add(time.Minute) })
	began := time.Now()
	close(start)
	failed := 0
	for i := range n {
		if err := <-pushes[i]; err != nil {
			failed++
			t.Logf("%s: %v", numbers[i], err)
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d pushes failed after %v", failed, n, time.Since(began).Round(time.Millisecond))
	}
}

// TestCalendarAfterChange: the calendar read once a change of hours has
// been committed has the new hours, also while other requests were
// reading it at that moment (a read begun before the change is not kept).
func TestCalendarAfterChange(t *testing.T) {
	db := centraltest.SQLite(t)
	ctx := context.Background()
	for round := range 60 {
		stop := make(chan struct{})
		done := make(chan struct{})
		for range 4 {
			go func() {
				defer func() { done <- struct{}{} }()
				for {
					select {
					case <-stop:
						return
					default:
						db.Calendar(ctx)
					}
				}
			}()
		}
		want := fmt.Sprintf("07:%02d-16:00", round%60)
		for _, h := range []string{"09:00-18:00", want} {
			if err := db.SetOrgSetting(ctx, "test", "hours", h); err != nil {
				t.Fatal(err)
			}
		}
		close(stop)
		for range 4 {
			<-done
		}
		cal, _, err := db.Calendar(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := cal.Hours(); got.String() != want {
			t.Fatalf("round %d: the calendar has hours %s after they were set to %s", round, got, want)
		}
	}
}
