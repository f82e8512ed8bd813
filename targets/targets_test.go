// Package targets checks the conventions every sample target follows: a
// FROM scratch Dockerfile around a static binary named after the target,
// and a row in README.md.
package targets

import (
	"debug/elf"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/servetest"
)

// goTargets lists the directories holding a Go main package.
func goTargets(t *testing.T) []string {
	t.Helper()
	mains, err := filepath.Glob("*/main.go")
	require.NoError(t, err)
	var names []string
	for _, m := range mains {
		names = append(names, filepath.Dir(m))
	}
	require.GreaterOrEqual(t, len(names), 6)
	return names
}

func TestDockerfileConvention(t *testing.T) {
	t.Parallel()
	for _, name := range goTargets(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b, err := os.ReadFile(filepath.Join(name, "Dockerfile"))
			require.NoError(t, err, "every Go target has a Dockerfile")
			var lines []string
			for _, l := range strings.Split(string(b), "\n") {
				if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
					lines = append(lines, l)
				}
			}
			assert.Equal(t, []string{
				"FROM scratch",
				"COPY " + name + " /" + name,
				`ENTRYPOINT ["/` + name + `"]`,
			}, lines)
		})
	}
}

// TestBinariesAreStatic builds each target as the docker backend does and
// checks the ELF has no interpreter, so it runs in a FROM scratch image.
func TestBinariesAreStatic(t *testing.T) {
	t.Parallel()
	for _, name := range goTargets(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, err := elf.Open(servetest.Build(t, name))
			require.NoError(t, err)
			defer f.Close()
			for _, p := range f.Progs {
				assert.NotEqual(t, elf.PT_INTERP, p.Type, "dynamically linked")
			}
		})
	}
}

func TestReadmeListsEveryTarget(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("README.md")
	require.NoError(t, err)
	for _, name := range append(goTargets(t), "pyserver", "shapes") {
		assert.Contains(t, string(b), "| `"+name+"`", "README.md has no row for %s", name)
	}
}
