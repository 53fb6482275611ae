package station

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/radicador/radicador/internal/fixture"
	"github.com/radicador/radicador/radicado"
	"github.com/radicador/radicador/store"
)

// crashChildEnv makes the test binary a child that radicates in a loop in
// the data folder the variable names, printing each number once it is given.
const crashChildEnv = "RADICADOR_CRASH_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		crashChild(dir)
		return
	}
	if dir := os.Getenv(mailChildEnv); dir != "" {
		mailChild(dir)
		return
	}
	os.Exit(m.Run())
}

func crashChild(dir string) {
	ctx := context.Background()
	st, err := Open(ctx, dir, Options{Actor: "crash"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(3)
	}
	src, err := os.MkdirTemp("", "crash-src-")
	if err != nil {
		os.Exit(3)
	}
	out := bufio.NewWriter(os.Stdout)
	for i := 0; ; i++ {
		p := fixture.PNG(childTB{}, src, fmt.Sprintf("p%d.png", i), fmt.Sprintf("pid %d letter %d", os.Getpid(), i))
		rec, err := st.Records.Radicar(ctx, Request{Kind: radicado.Entrada, Type: "peticion", SenderName: "Crash",
			Subject: fmt.Sprintf("carta %d", i), Files: []string{p}})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(4)
		}
		fmt.Fprintln(out, rec.Number)
		out.Flush()
		os.Remove(p)
	}
}

// childTB lets the fixture helpers run outside a test.
type childTB struct{ testing.TB }

func (childTB) Helper()                      {}
func (childTB) Fatal(args ...any)            { fmt.Fprintln(os.Stderr, args...); os.Exit(3) }
func (childTB) Fatalf(f string, args ...any) { fmt.Fprintf(os.Stderr, f, args...); os.Exit(3) }

// TestCrash kills two processes that radicate in the same data folder with
// SIGKILL at random moments, many times. Afterwards verify is ok, the numbers
// run from 1 with no hole and no repeat, every number a process printed
// (given and committed) is there, and so is every file.
func TestCrash(t *testing.T) {
	rounds := 30
	if testing.Short() {
		rounds = 5
	}
	dir := t.TempDir()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	acknowledged := make(map[string]bool)
	var mu sync.Mutex
	for round := range rounds {
		var wg sync.WaitGroup
		for range 2 {
			cmd := exec.Command(exe, "-test.run=^$")
			cmd.Env = append(os.Environ(), crashChildEnv+"="+dir)
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			stderr := new(lockedBuffer)
			cmd.Stderr = stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			delay := time.Duration(20+rng.IntN(400)) * time.Millisecond
			wg.Add(1)
			go func() {
				defer wg.Done()
				sc := bufio.NewScanner(stdout)
				for sc.Scan() {
					mu.Lock()
					if acknowledged[sc.Text()] {
						t.Errorf("round %d: number %s given twice", round, sc.Text())
					}
					acknowledged[sc.Text()] = true
					mu.Unlock()
				}
			}()
			wg.Add(1)
			go func() {
				defer wg.Done()
				time.Sleep(delay)
				cmd.Process.Signal(syscall.SIGKILL)
				err := cmd.Wait()
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != -1 {
					t.Errorf("round %d: child ended with %v before it was killed: %s", round, err, stderr.String())
				}
			}()
		}
		wg.Wait()
	}

	ctx := context.Background()
	st, err := Open(ctx, dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rep, err := st.Records.Verify(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.OK {
		t.Fatalf("verify after %d rounds of SIGKILL: %v", rounds, rep.Problems)
	}
	rs, err := st.Records.List(ctx, store.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	seqs := make(map[int]string)
	for _, r := range rs {
		if prev, dup := seqs[r.Parts.Seq]; dup {
			t.Errorf("consecutive %d given to %s and %s", r.Parts.Seq, prev, r.Number)
		}
		seqs[r.Parts.Seq] = r.Number
		delete(acknowledged, r.Number)
		for _, f := range r.Files {
			if _, err := os.Stat(st.core.store.Blobs().Path(f.SHA256)); err != nil {
				t.Errorf("%s: file %v", r.Number, err)
			}
		}
	}
	for i := 1; i <= len(rs); i++ {
		if _, ok := seqs[i]; !ok {
			t.Errorf("consecutive %d is missing: a hole", i)
		}
	}
	for n := range acknowledged {
		t.Errorf("%s was given to a process but is not in the store", n)
	}
	if len(rs) < rounds {
		t.Errorf("only %d radicados in %d rounds: the children hardly ran", len(rs), rounds)
	}
	t.Logf("%d rounds, %d radicados, %d audit events, verify ok", rounds, len(rs), rep.Events)
	tmp, _ := os.ReadDir(filepath.Join(dir, "files", "tmp"))
	t.Logf("%d temporary files left by killed writes (swept after an hour)", len(tmp))
}

type lockedBuffer struct {
	mu sync.Mutex
	b  []byte
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.b = append(l.b, p...)
	return len(p), nil
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return string(l.b)
}
