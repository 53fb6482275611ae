package textfold

import (
	"fmt"
	"sync"
	"testing"
)

func TestLower(t *testing.T) {
	for in, want := range map[string]string{"Petición": "peticion", "ÑANDÚ": "nandu", "Camión\u0301": "camion", "": ""} {
		if got := Lower(in); got != want {
			t.Errorf("Lower(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConcurrent: many goroutines folding different texts each get their
// own (run with -race, a shared chain is reported).
func TestConcurrent(t *testing.T) {
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				in := fmt.Sprintf("Resolución número %d del señor %d", i, g)
				if got, want := Lower(in), fmt.Sprintf("resolucion numero %d del senor %d", i, g); got != want {
					t.Errorf("%q", got)
					return
				}
			}
		}()
	}
	wg.Wait()
}
