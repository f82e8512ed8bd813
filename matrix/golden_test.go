package matrix

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite golden files")

// golden compares got with the file at path, or rewrites it with -update.
func golden(t *testing.T, path, got string) {
	t.Helper()
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test -update")
	require.Equal(t, string(want), got)
}

// dumpCells writes cells one a line with their typed views and env, so a
// golden file shows order, ids, include/exclude effects and rendering.
func dumpCells(m *Matrix, cells []Cell) string {
	var b strings.Builder
	for _, w := range m.Warnings {
		fmt.Fprintf(&b, "warning: %s\n", w)
	}
	fmt.Fprintf(&b, "%d cells\n", len(cells))
	for _, c := range cells {
		fmt.Fprintf(&b, "%s\n", c.ID)
		fmt.Fprintf(&b, "\tkind=%s repeat=%d tasks=%d rps=%g duration=%s ram=%d percentiles=%s warmup=%s\n",
			c.Kind, c.Repeat, c.Tasks, c.RPS, c.Duration, c.RAM, c.Percentiles, c.Warmup)
		keys := make([]string, 0, len(c.Env))
		for k := range c.Env {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(&b, "\tenv %s=%s\n", k, c.Env[k])
		}
		for _, t := range m.Targets {
			if t.Name == c.Target && strings.Contains(strings.Join(t.Command, " "), "{{") {
				args, err := t.Args(c, 8080, "")
				fmt.Fprintf(&b, "\tcommand %q %v (port 8080)\n", args, err)
			}
		}
	}
	return b.String()
}

// TestExpandGolden expands every testdata/expand/*.yaml and compares the
// cells with its .golden file.
func TestExpandGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/expand/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			m, err := Load(f)
			require.NoError(t, err)
			cells, err := m.Expand()
			require.NoError(t, err)
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", dumpCells(m, cells))
		})
	}
}

// TestErrorsGolden loads every bad matrix in testdata/errors and compares
// the whole error report with its .golden file: every problem at once, with
// positions and suggestions.
func TestErrorsGolden(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("testdata/errors/*.yaml")
	require.NoError(t, err)
	require.NotEmpty(t, files)
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			_, err := Load(f)
			require.Error(t, err)
			require.ErrorIs(t, err, ErrInvalid)
			var errs Errors
			require.ErrorAs(t, err, &errs)
			for _, e := range errs {
				require.Equal(t, f, e.File, "every error names the file")
			}
			golden(t, strings.TrimSuffix(f, ".yaml")+".golden", err.Error()+"\n")
		})
	}
}
