package render_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/render"
)

// A run of more than CellsPerPage cells is split in pages that link each
// other; each shows the whole run's counts and its own cells, and no page
// holds more than CellsPerPage cell sections.
func TestSplitPages(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	n := 2*render.CellsPerPage + 7
	run := &results.Run{Schema: results.SchemaVersion, ID: "big", MatrixYAML: "targets: {s: {command: [x]}}\n", Status: "finished"}
	for i := range n {
		id := fmt.Sprintf("s/i=%05d", i)
		v := results.GO
		if i == n-1 {
			v = results.NOGO
		}
		run.Cells = append(run.Cells, results.Cell{Schema: results.SchemaVersion, ID: id, Dir: results.CellDir(id), Target: "s",
			Outcome: results.Completed, Verdict: v})
	}
	require.NoError(t, results.WriteJSON(filepath.Join(dir, results.RunFile), run))
	out, err := render.Run(dir)
	require.NoError(t, err)
	pages := []string{"index.html", "index-2.html", "index-3.html"}
	for i, p := range pages {
		data, err := os.ReadFile(filepath.Join(dir, "report", p))
		require.NoError(t, err, p)
		s := string(data)
		has := func(sub string) bool { return strings.Contains(s, sub) }
		assert.True(t, has(fmt.Sprintf("%d cells", n)), "%s: the whole run's count", p)
		assert.True(t, has("NO-GO 1"), p)
		assert.True(t, has(fmt.Sprintf("<strong>%d</strong>", i+1)), "%s marks itself", p)
		for j, q := range pages {
			if j != i {
				assert.True(t, has(`href="`+q+`"`), "%s links %s", p, q)
			}
		}
		assert.True(t, has(fmt.Sprintf(`id="cell-s_i=%05d"`, i*render.CellsPerPage)), "%s starts at its first cell", p)
		assert.False(t, has(fmt.Sprintf(`id="cell-s_i=%05d"`, (i+1)*render.CellsPerPage)), "%s stops at its last cell", p)
		assert.LessOrEqual(t, strings.Count(s, "<article "), render.CellsPerPage, p)
	}
	assert.NoFileExists(t, filepath.Join(dir, "report", "index-4.html"))
	assert.Equal(t, filepath.Join(dir, "report", "index.html"), out.Report)
	assert.True(t, strings.HasSuffix(out.Report, "index.html"))
}
