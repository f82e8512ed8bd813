package cli

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// TestThrashJudgedEndToEnd runs a hog whose code pages are charged to its
// own cgroup under a real limit: the kernel evicts them, the hog reads them
// back, and the cgroup's major faults, sampled every interval, make the
// thrash criterion fail (max_thrash: 0s). Whether the kernel ends it with
// an OOM kill after a few seconds is the kernel's business.
func TestThrashJudgedEndToEnd(t *testing.T) {
	requireCgroup(t)
	dir := t.TempDir()
	env, out, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/thrash.yaml", "--results", dir, "--run-id", "thrash", "--quiet"}, env)
	require.Equal(t, ExitNoGo, code, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
	run, err := results.ReadRun(filepath.Join(dir, "thrash"))
	require.NoError(t, err)
	require.Len(t, run.Cells, 1)
	c := run.Cells[0]
	assert.Equal(t, results.NOGO, c.Verdict)
	var thrash *results.Reason
	for i := range c.Reasons {
		if c.Reasons[i].Criterion == "thrash" {
			thrash = &c.Reasons[i]
		}
	}
	require.NotNil(t, thrash, "no thrash reason: %+v", c.Reasons)
	assert.Equal(t, results.Fail, thrash.Status, thrash.Message)
	assert.Contains(t, thrash.Message, "thrashing at the memory limit")
	require.NotNil(t, c.Analysis)
	require.NotNil(t, c.Analysis.Thrash)
	require.NotNil(t, c.Analysis.Thrash.FaultsPerS)
	assert.GreaterOrEqual(t, *c.Analysis.Thrash.FaultsPerS, 50.0)
	assert.Greater(t, c.Analysis.Thrash.LongestS, 0.0)
}
