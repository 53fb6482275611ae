package central_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/radicador/radicador/central"
	"github.com/radicador/radicador/central/centraltest"
)

// TestUploadOfTwoInstances: two instances sharing the documents' folder
// take the same upload at once (a station's two requests, through a load
// balancer). One completes it; the other goes on writing into the upload
// and then breaks off. The document kept is the one confirmed: the
// upload's file never becomes it.
func TestUploadOfTwoInstances(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url, data := filepath.Join(dir, "central.db"), filepath.Join(dir, "data")
	a, err := central.Open(ctx, url, data)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := central.Open(ctx, url, data)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	doc := make([]byte, 100<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range doc {
		doc[i] = byte(rng.Uint32())
	}
	sum := sumOf(doc)
	chunk := func(body io.Reader) central.Chunk {
		return central.Chunk{Sum: sum, Size: int64(len(doc)), Offset: 0, Body: body, Max: 8 << 20}
	}
	// A begins, and waits in its body until B has begun too.
	ra, wa := io.Pipe()
	doneA := make(chan error, 1)
	go func() {
		st, err := a.PutChunk(ctx, st1, chunk(ra))
		if err == nil && !st.Complete {
			err = errors.New("not complete")
		}
		doneA <- err
	}()
	waitFor(t, func() bool { return uploadUnderWay(data, sum) })
	rb, wb := io.Pipe()
	doneB := make(chan error, 1)
	go func() {
		_, err := b.PutChunk(ctx, st1, chunk(rb))
		doneB <- err
	}()
	time.Sleep(300 * time.Millisecond) // B holds the upload's file open
	if _, err := wa.Write(doc); err != nil {
		t.Fatal(err)
	}
	wa.Close()
	if err := <-doneA; err != nil {
		t.Fatalf("A's upload: %v", err)
	}
	if _, err := a.Put(ctx, st1, push("2026001010000012", "001", "01", centraltest.File(doc))); err != nil {
		t.Fatal(err)
	}
	// B writes over the start of the upload, then breaks off.
	wb.Write([]byte("GARBAGE!!!"))
	wb.CloseWithError(errors.New("the connection broke"))
	<-doneB
	for _, db := range []*central.DB{a, b} {
		f, err := db.OpenFile(ctx, st1, sum)
		if err != nil {
			t.Fatal(err)
		}
		kept, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(kept, doc) {
			t.Fatalf("the document confirmed is now %d bytes (%q…), not the %d it was confirmed with", len(kept), kept[:min(10, len(kept))], len(doc))
		}
	}
}

// uploadUnderWay reports whether an upload of sum has its file in the
// folder of uploads under way.
func uploadUnderWay(data, sum string) bool {
	found := false
	filepath.WalkDir(filepath.Join(data, "partial"), func(path string, e fs.DirEntry, err error) error {
		if err == nil && !e.IsDir() && strings.Contains(path, sum) {
			found = true
		}
		return nil
	})
	return found
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for start := time.Now(); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Since(start) > 10*time.Second {
			t.Fatal("waited ten seconds")
		}
	}
}
