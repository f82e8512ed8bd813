package summary_test

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/summary"
)

// TestGridBounded: a grid of 20,000 configurations shows its first
// MaxGridRows rows and counts the rest, and the summary stays under
// MaxBytes; a run without memory limits has no grid.
func TestGridBounded(t *testing.T) {
	t.Parallel()
	cells := make([]results.Cell, 20000)
	for i := range cells {
		cells[i] = results.Cell{ID: fmt.Sprintf("t/i=%05d,ram=64MiB", i), Target: "t", RAMLimit: 64 << 20,
			Axes: map[string]string{"i": fmt.Sprintf("%05d", i), "ram": "64MiB"}, Verdict: results.NOGO,
			Outcome: results.OOMKilled, OOMKills: 1, Samples: 30, Interval: 1, Duration: 60}
	}
	var b bytes.Buffer
	require.NoError(t, summary.Write(&b, &results.Run{ID: "big", Cells: cells}, ""))
	out := b.String()
	require.Less(t, b.Len(), summary.MaxBytes)
	require.Contains(t, out, "### Works / OOM grid")
	require.Equal(t, summary.MaxGridRows, strings.Count(out, "❌ OOM at 30s"), "the first rows")
	require.Contains(t, out, fmt.Sprintf("and %d more rows", 20000-summary.MaxGridRows))

	for i := range cells {
		cells[i].RAMLimit = 0
	}
	b.Reset()
	require.NoError(t, summary.Write(&b, &results.Run{ID: "nolimit", Cells: cells[:10]}, ""))
	require.NotContains(t, b.String(), "Works / OOM grid")
}
