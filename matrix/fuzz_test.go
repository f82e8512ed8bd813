package matrix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParse feeds the parser arbitrary bytes, seeded with every matrix in
// testdata. It must never panic; a failure must be Errors naming the file;
// a success must expand (or refuse) without panicking either.
func FuzzParse(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("a: &a\n  b: *a\ntargets: *a\n"))
	f.Add([]byte("targets:\n  x: &x {build: ., <<: *x}\n"))
	f.Add([]byte("x: &x [*x, *x]\n"))
	f.Add([]byte("targets: {a: {build: ., env: {X: '{{range 1000000000}}x{{end}}'}}}\n"))
	f.Add([]byte("targets: {a: {build: ., env: {X: '{{define \"t\"}}{{template \"t\"}}{{template \"t\"}}{{end}}{{template \"t\"}}'}}}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// A hang is a failure too: the fuzzer then saves the input.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("Parse+Expand took over 5s on %q", data))
			}
		}()
		m, err := Parse("fuzz.yaml", data)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not a non-empty Errors: %v", err)
			}
			for _, e := range errs {
				if e.File != "fuzz.yaml" || e.Msg == "" {
					t.Fatalf("bad error %#v", e)
				}
			}
			return
		}
		if _, err := m.Expand(); err != nil {
			t.Fatalf("a valid matrix failed to expand: %v", err)
		}
	})
}
