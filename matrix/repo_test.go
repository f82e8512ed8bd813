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

// TestDocExample validates the first YAML example of docs/matrix.md, so
// the reference never shows a matrix soaklab rejects.
func TestDocExample(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/matrix.md")
	require.NoError(t, err)
	block := regexp.MustCompile("(?s)```yaml\n(.*?)```").FindSubmatch(doc)
	require.NotNil(t, block, "docs/matrix.md has a yaml example")
	m, err := Parse("docs/matrix.md", block[1])
	require.NoError(t, err)
	require.Empty(t, m.Warnings)
	cells, err := m.Expand()
	require.NoError(t, err)
	require.NotEmpty(t, cells)
}

// TestDocScorecardKeys: docs/matrix.md documents every scorecard key, every
// key of a ratio row and every counter soaklab keeps.
func TestDocScorecardKeys(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../docs/matrix.md")
	require.NoError(t, err)
	for _, k := range scorecardKeys {
		require.Contains(t, string(doc), "`scorecard."+k+"`", "scorecard key")
	}
	for _, k := range ratioKeys {
		require.Contains(t, string(doc), "| `"+k+"` |", "ratio key")
	}
	for _, c := range BuiltinCounters {
		require.Contains(t, string(doc), "| `"+c.Name+"` | "+c.Meaning+" |", "counter")
	}
}
