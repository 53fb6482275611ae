// Package corpus finds the shared corpus of scanned test letters with
// their ground truth, for the tests that measure accuracy on it. The
// corpus is not part of the project: a fresh clone runs without it.
package corpus

import (
	"os"
	"path/filepath"
	"testing"
)

// Env names the corpus folder. make test sets it when the corpus lies
// beside the project (../shared/corpus/letters); a test then fails when it
// cannot use it, instead of skipping.
const Env = "RADICADOR_CORPUS"

// Dir gives the corpus folder: $RADICADOR_CORPUS when set (a test fails
// when it holds no letters), else ../shared/corpus/letters beside the
// project when it exists; else the test is skipped, saying why.
func Dir(t testing.TB) string {
	t.Helper()
	if dir := os.Getenv(Env); dir != "" {
		if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) == 0 {
			t.Fatalf("%s=%s holds no letters with ground truth", Env, dir)
		}
		return dir
	}
	if root, ok := projectRoot(); ok {
		dir := filepath.Join(root, "..", "shared", "corpus", "letters")
		if files, _ := filepath.Glob(filepath.Join(dir, "*.json")); len(files) > 0 {
			return dir
		}
	}
	t.Skipf("no corpus: set %s or put it at ../shared/corpus/letters beside the project", Env)
	return ""
}

// projectRoot finds the folder of go.mod above the working directory.
func projectRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}
