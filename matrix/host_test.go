package matrix

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestLoadCheckHost: with CheckHost, Load says what only the machine
// knows, at the position of the value; without it, the same file is valid.
func TestLoadCheckHost(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "body.json"), []byte("{}"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "notexec.sh"), []byte("#!/bin/sh\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "server.sh"), []byte("#!/bin/sh\n"), 0o755))
	tests := []struct {
		name, target, request, want string
	}{
		// a program on PATH and one next to the matrix pass
		{"ok", "command: [sh, -c, 'true']", "{path: /, body_file: body.json}", ""},
		{"relative ok", "command: ./server.sh", "{path: /}", ""},
		// a bare name not on PATH
		{"not on path", "command: [no-such-program-soaklab]", "{path: /}", `:5:14: targets.t.command: program "no-such-program-soaklab" is not on PATH`},
		// a path that does not exist, relative to the matrix
		{"missing path", "command: ./nope.py", "{path: /}", ":5:14: targets.t.command: program ./nope.py does not exist"},
		{"not executable", "command: ./notexec.sh", "{path: /}", "program ./notexec.sh is not executable"},
		{"directory", "command: [" + dir + "]", "{path: /}", "is a directory"},
		// a body_file that is not there
		{"missing body", "command: [sh]", "{path: /, body_file: nope.json}", ":8:28: workload.requests[0].body_file: nope.json does not exist"},
		// a template as the program is left to the run
		{"template", "command: ['{{.rps}}']", "{path: /}", ""},
		// a build folder that is not there; an import path is go build's
		{"missing build", "build: ./nope", "{path: /}", ":5:12: targets.t.build: no package folder ./nope"},
		{"build file", "build: ./body.json", "{path: /}", "is a file"},
		{"build import path", "build: example.com/x", "{path: /}", ""},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := filepath.Join(dir, "m"+string(rune('a'+i))+".yaml")
			text := "# host checks\ntargets:\n  t:\n    kind: server\n    " + tt.target + "\nworkload:\n  requests:\n    - " + tt.request + "\n"
			require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
			_, err := Load(p)
			require.NoError(t, err, "without CheckHost the machine is not asked")
			_, err = Load(p, CheckHost())
			if tt.want == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, ErrInvalid)
			require.Contains(t, err.Error(), tt.want)
			require.Equal(t, 1, strings.Count(err.Error(), "\n")+1, "one problem, one line")
		})
	}
}

// TestLoadTooLarge: a file over MaxFileSize is refused before parsing.
func TestLoadTooLarge(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(p)
	require.NoError(t, err)
	require.NoError(t, f.Truncate(MaxFileSize+1))
	require.NoError(t, f.Close())
	_, err = Load(p)
	require.ErrorIs(t, err, ErrInvalid)
	require.Contains(t, err.Error(), "more than a matrix may be (10MiB)")
	_, err = Parse("x.yaml", make([]byte, MaxFileSize+1))
	require.ErrorIs(t, err, ErrInvalid)
}
