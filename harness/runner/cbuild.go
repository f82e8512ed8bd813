package runner

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
)

// CFlags are the flags a C target is compiled with, before its files and
// -o: optimised, with threads (-lm follows the files).
var CFlags = []string{"-O2", "-pthread"}

// cSources lists the .c files of a build folder that holds no .go file:
// such a folder is a C program, compiled with the machine's C compiler. A
// folder with any .go file (or none of either) is left to `go build`.
func cSources(dir string) []string {
	gos, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	if len(gos) > 0 {
		return nil
	}
	cs, _ := filepath.Glob(filepath.Join(dir, "*.c"))
	var files []string
	for _, c := range cs {
		files = append(files, filepath.Base(c))
	}
	sort.Strings(files)
	return files
}

// buildC compiles the C files of dir into bin with $CC (default cc):
// `cc -O2 -pthread -o bin *.c -lm`, run in dir. It is dynamically linked
// against the machine's C library, so an allocator put in with LD_PRELOAD
// replaces malloc; it runs with the process backend, not in a FROM scratch
// image.
func buildC(ctx context.Context, dir, bin string, files []string) error {
	cc := os.Getenv("CC")
	if cc == "" {
		cc = "cc"
	}
	if _, err := exec.LookPath(cc); err != nil {
		return fmt.Errorf("%s holds C files (%s) and no C compiler %q is on PATH: install gcc or set CC", dir, strings.Join(files, " "), cc)
	}
	args := append(append(append([]string{}, CFlags...), "-o", bin), files...)
	args = append(args, "-lm")
	cmd := exec.CommandContext(ctx, cc, args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v\n%s", cc, strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
