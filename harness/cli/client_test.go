package cli

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

var sinkRPS = regexp.MustCompile(`\] (\S+): +(\d+)s/\d+s .* sink rps (\d+) err (\d+)`)

// TestClientTargetRate runs a real client target (a Python program that
// knows nothing of soaklab) in a real cgroup and checks that what the
// progress line, the samples and the analysis say it sent is what soaklab's
// sink counted: never 0, within a tolerance. How fast it sends depends on
// the machine; that the figures agree does not.
func TestClientTargetRate(t *testing.T) {
	requireCgroup(t)
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	dir := t.TempDir()
	env, out, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/client.yaml", "--results", dir, "--run-id", "client", "--progress-every", "1s"}, env)
	require.Contains(t, []int{ExitOK, ExitNoGo}, code, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
	runDir := filepath.Join(dir, "client")
	run, err := results.ReadRun(runDir)
	require.NoError(t, err)
	require.Len(t, run.Cells, 1, "tasks is not the client's: one cell, not one per value")
	c := run.Cells[0]
	assert.Equal(t, "pyclient/duration=15s,percentiles=hdr,ram=64MiB,rps=150", c.ID, "rps is passed on and stays; tasks goes")
	require.Equal(t, results.Completed, c.Outcome, c.Detail)
	if _, err := os.Stat("/sys/fs/cgroup/memory/cgroup.procs"); err == nil {
		assert.Equal(t, "cgroup-v1", c.Enforcement, "a real cgroup")
	}

	// The sink's own count.
	l := c.Load
	require.NotNil(t, l)
	assert.Equal(t, results.SinkMode, l.Mode)
	assert.Equal(t, 150.0, l.TargetRPS)
	require.Positive(t, l.Completed, "the sink received requests")
	assert.Equal(t, l.Completed*100, l.Bytes, "every 100-byte body")
	assert.Positive(t, l.ErrorsByKind["bad-request"], "the malformed requests are the client's errors")
	assert.Equal(t, l.Sent, l.Completed+l.Errors)

	// The samples add up to the sink's count, less what came after the
	// last sample (at most a second of it).
	samples, err := results.ReadSamples(filepath.Join(runDir, results.CellsDir, c.Dir, results.SamplesFile))
	require.NoError(t, err)
	var sum, errs, measured int64
	for _, s := range samples {
		sum += s.Requests
		errs += s.Errors
		if s.Phase == "" {
			measured += s.Requests
		}
	}
	assert.LessOrEqual(t, sum, l.Completed)
	assert.GreaterOrEqual(t, sum, l.Completed-int64(2*maxRate(samples))-10, "samples hold the sink's requests")
	assert.LessOrEqual(t, errs, l.Errors)

	// The analysis: the mean rate after warm-up, within 10 % of the
	// sink's count over the same samples; never 0.
	require.NotNil(t, c.Analysis)
	require.NotNil(t, c.Analysis.Load)
	a := c.Analysis.Load
	require.NotNil(t, a.AchievedPerS)
	assert.Equal(t, "sink", a.RateSource)
	assert.Positive(t, *a.AchievedPerS)
	window := measuredWindow(samples)
	counted := float64(measured) / window
	assert.InEpsilon(t, counted, *a.AchievedPerS, 0.1, "analysis %.1f/s, sink %d requests over %.1f s", *a.AchievedPerS, measured, window)
	// The whole count includes the client's start, slow on a busy machine.
	assert.InEpsilon(t, float64(l.Completed)/l.Duration, *a.AchievedPerS, 0.4, "against the sink's whole count")
	require.NotNil(t, a.RequestedPerS)
	assert.Equal(t, 150.0, *a.RequestedPerS)
	require.NotNil(t, a.ErrorRate)
	assert.Positive(t, *a.ErrorRate)
	var rate results.Reason
	for _, r := range c.Reasons {
		if r.Criterion == "rate" {
			rate = r
		}
	}
	assert.Contains(t, rate.Message, "requests/s to soaklab's sink", "the rate is judged: %+v", c.Reasons)
	assert.Contains(t, rate.Message, "of the 150/s asked of it")

	// The progress lines: the sink's rate, not 0, close to the analysis.
	var rates []float64
	for _, m := range sinkRPS.FindAllStringSubmatch(out.String(), -1) {
		if sec, _ := strconv.Atoi(m[2]); sec >= 4 { // after warm-up
			v, _ := strconv.ParseFloat(m[3], 64)
			rates = append(rates, v)
		}
	}
	require.NotEmpty(t, rates, "progress lines with the sink's rate:\n%s", out.String())
	sort.Float64s(rates)
	median := rates[len(rates)/2]
	assert.Positive(t, median, "progress says the client sent nothing:\n%s", out.String())
	assert.InEpsilon(t, *a.AchievedPerS, median, 0.25, "progress median %.0f/s vs analysis %.1f/s", median, *a.AchievedPerS)
}

// maxRate is the most requests one sample counted.
func maxRate(samples []results.Sample) int64 {
	var m int64
	for _, s := range samples {
		m = max(m, s.Requests)
	}
	return m
}

// measuredWindow is the time the measured samples' requests were counted
// over: from the sample before the first measured one to the last.
func measuredWindow(samples []results.Sample) float64 {
	for i, s := range samples {
		if s.Phase == "" && i > 0 {
			return samples[len(samples)-1].T - samples[i-1].T
		}
	}
	return 0
}
