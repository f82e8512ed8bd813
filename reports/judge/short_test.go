package judge

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// Real 20 s and 25 s smoke cells of the Go steady target (default warm-up
// of a tenth): its memory ramps from 0.3 to 7 MiB over the first 15–20 s,
// the runtime's own warm-up. Too short to tell that from a leak: the leak
// and OOM-risk criteria are UNKNOWN and say how long the cell must be, and
// the cell is not NO-GO. The same judge FAILs a leak over a long enough
// window (TestRecordedSeries, TestUnreclaimableFit).
func TestShortCellsAreInconclusive(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		file     string
		duration float64
	}{
		{"steady-20s.jsonl", 20},
		{"steady-25s.jsonl", 25},
	} {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			samples, err := results.ReadSamples(filepath.Join("testdata", "short", tc.file))
			require.NoError(t, err)
			c := &results.Cell{ID: tc.file, Target: "steady", Kind: "server", RAMLimit: 256 << 20,
				Duration: tc.duration, Warmup: tc.duration / 10, Interval: 1, Outcome: results.Completed}
			v, rs, _ := Cell(c, samples, matrix.Judge{})
			assert.NotEqual(t, results.NOGO, v)
			short := false
			for _, crit := range []string{"leak", "oom-risk"} {
				r, ok := reason(rs, crit)
				require.True(t, ok, crit)
				assert.NotEqual(t, results.Fail, r.Status, r.Message)
				assert.Contains(t, r.Message, "unreclaimable", "names the judged series")
				if r.Status == results.Unknown && crit == "leak" {
					short = true
					assert.Contains(t, r.Message, "cell too short to tell growth from warm-up")
					assert.Contains(t, r.Message, "a cell of >= 40 s")
				}
			}
			if short {
				// Without the rule the ramp is a leak: the wrong verdict this fixes.
				r := leak(c, analysis.Analyze(samples, Params(c)), WithDefaults(matrix.Judge{}))
				assert.Equal(t, results.Fail, r.Status, r.Message)
			}
		})
	}
}
