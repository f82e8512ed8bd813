package runner

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/matrix"
)

const helloC = "#include <stdio.h>\n#include <pthread.h>\nint main(void) { puts(\"hello from a user's service\"); return 0; }\n"

const helloMain = "package main\n\nimport \"fmt\"\n\nfunc main() { fmt.Println(\"hello from a user's service\") }\n"

func write(t *testing.T, path, text string) {
	t.Helper()
	require.NoError(t, os.MkdirAll(filepath.Dir(path), 0o755))
	require.NoError(t, os.WriteFile(path, []byte(text), 0o644))
}

// TestBuildOutsideSoaklabsModule builds targets the way a user's matrix
// names them: from a matrix that sits outside this repository, in the
// user's own module or in no module at all.
func TestBuildOutsideSoaklabsModule(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go toolchain on PATH")
	}
	t.Parallel()
	_, ccErr := exec.LookPath("cc")
	root := t.TempDir()
	// The user's repository: its own module, the matrix in a ci/ folder.
	write(t, filepath.Join(root, "repo", "go.mod"), "module example.com/svc\n\ngo 1.22\n")
	write(t, filepath.Join(root, "repo", "cmd", "svc", "main.go"), helloMain)
	// A folder with a main.go and no go.mod anywhere above it.
	write(t, filepath.Join(root, "loose", "main.go"), helloMain)
	write(t, filepath.Join(root, "loose", "main_test.go"), "package main\n")
	write(t, filepath.Join(root, "notes.txt"), "not a package\n")
	// A folder of C files: compiled with the C compiler, in or out of a module.
	write(t, filepath.Join(root, "csvc", "main.c"), helloC)
	write(t, filepath.Join(root, "repo", "csvc", "main.c"), helloC)
	write(t, filepath.Join(root, "cbroken", "main.c"), "int main( {\n")

	cases := []struct {
		name, matrixDir, build string
		err                    string // part of the error; "" when it must build
	}{
		// ../cmd/svc from repo/ci: built in cmd/svc, inside the user's module.
		{"user module, relative to the matrix", filepath.Join(root, "repo", "ci"), "../cmd/svc", ""},
		// An import path is resolved by the module the matrix sits in.
		{"user module, import path", filepath.Join(root, "repo"), "example.com/svc/cmd/svc", ""},
		// No go.mod above: built from its files, tests left out.
		{"no module at all", root, "./loose", ""},
		{"missing folder", root, "./nowhere", "no package folder"},
		{"a file, not a folder", root, "./notes.txt", "is a file"},
		// Outside any module and without Go files: said as such.
		{"empty folder, no module", root, "./empty", "nothing to build"},
		// C files and no Go files: the C compiler builds it, module or not.
		{"C folder, no module", root, "./csvc", ""},
		{"C folder inside a Go module", filepath.Join(root, "repo", "ci"), "../csvc", ""},
		{"C that does not compile", root, "./cbroken", "-pthread -o"},
		// Inside a module, go's own words name the folder.
		{"empty folder in a module", root, "./repo/ci", "no Go files in"},
	}
	require.NoError(t, os.MkdirAll(filepath.Join(root, "repo", "ci"), 0o755))
	require.NoError(t, os.MkdirAll(filepath.Join(root, "empty"), 0o755))
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if strings.Contains(c.build, "csvc") || strings.Contains(c.build, "cbroken") {
				if ccErr != nil {
					t.Skip("no C compiler cc on PATH")
				}
			}
			bins, err := Build(context.Background(), c.matrixDir, t.TempDir(), []matrix.Target{{Name: "svc", Build: c.build}})
			if c.err != "" {
				require.ErrorContains(t, err, c.err)
				require.ErrorContains(t, err, "build target svc")
				return
			}
			require.NoError(t, err)
			out, err := exec.Command(bins["svc"]).Output()
			require.NoError(t, err)
			require.Equal(t, "hello from a user's service\n", string(out))
		})
	}
}
