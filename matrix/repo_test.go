package matrix

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRepoMatrices validates the matrices shipped with soaklab: the default
// matrix.yaml and every ci/*.yaml. They are written by another stage; the
// test skips only when none exists yet. CI workflow files (a top-level
// jobs: key) living in ci/ are not matrices and are left out.
func TestRepoMatrices(t *testing.T) {
	t.Parallel()
	files, err := filepath.Glob("../ci/*.yaml")
	require.NoError(t, err)
	if m, _ := filepath.Glob("../matrix.yaml"); len(m) > 0 {
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no matrix.yaml or ci/*.yaml in the repository yet")
	}
	workflow := regexp.MustCompile(`(?m)^jobs:`)
	for _, f := range files {
		if data, err := os.ReadFile(f); err == nil && workflow.Match(data) {
			continue
		}
		t.Run(filepath.Base(f), func(t *testing.T) {
			t.Parallel()
			m, err := Load(f)
			require.NoError(t, err)
			cells, err := m.Expand()
			require.NoError(t, err)
			require.NotEmpty(t, cells)
		})
	}
}
