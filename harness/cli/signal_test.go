package cli

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// buildSoaklab compiles the real command once per test.
func buildSoaklab(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "soaklab")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/soaklab/soaklab/harness/cmd/soaklab")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, string(out))
	return bin
}

// startRun starts `soaklab run` on testdata/long.yaml as a real process and
// waits until its first cell has taken samples.
func startRun(t *testing.T, bin, dir, id string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	cmd := exec.Command(bin, "run", "-m", "testdata/long.yaml", "--results", dir, "--run-id", id)
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool {
		samples, _ := filepath.Glob(filepath.Join(dir, id, results.CellsDir, "*", results.SamplesFile))
		if len(samples) == 0 {
			return false
		}
		data, _ := os.ReadFile(samples[0])
		return bytes.Count(data, []byte("\n")) >= 3
	}, 60*time.Second, 100*time.Millisecond, "the first cell never sampled: %s", &out)
	return cmd, &out
}

func waitExit(t *testing.T, cmd *exec.Cmd, within time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
		return cmd.ProcessState.ExitCode()
	case <-time.After(within):
		_ = cmd.Process.Kill()
		t.Fatalf("soaklab still running %s after the signal", within)
		return -1
	}
}

// cgroups lists the cgroups a run created that still exist.
func cgroups(id string) []string {
	m, _ := filepath.Glob(filepath.Join("/sys/fs/cgroup/memory/soaklab", id+"_*"))
	return m
}

func TestSIGTERMRecordsInterruptedCellAndResume(t *testing.T) {
	requireCgroup(t)
	bin := buildSoaklab(t)
	dir := t.TempDir()
	// The run id names the cgroups: unique to this test process, so that
	// another test run's live cgroups are not taken for leftovers.
	id := fmt.Sprintf("sigterm%d", os.Getpid())
	cmd, out := startRun(t, bin, dir, id)
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, ExitHarness, waitExit(t, cmd, 30*time.Second), out.String())
	assert.Contains(t, out.String(), "--resume")

	runDir := filepath.Join(dir, id)
	run, err := results.ReadRun(runDir)
	require.NoError(t, err)
	assert.Equal(t, "interrupted", run.Status)
	require.Len(t, run.Cells, 2)
	assert.Equal(t, results.Interrupted, run.Cells[0].Outcome, "the running cell is recorded")
	assert.Empty(t, run.Cells[1].Outcome, "the next cell never started")
	assert.Greater(t, run.Cells[0].Samples, 2, "measured samples are kept")
	assert.FileExists(t, filepath.Join(runDir, "report", "index.html"), "the report is written")
	assert.Empty(t, cgroups(id), "targets and cgroups removed; soaklab said:\n%s", out)

	// --resume runs what is not done and completes the run.
	resume := exec.Command(bin, "run", "--resume", runDir)
	var rout bytes.Buffer
	resume.Stdout, resume.Stderr = &rout, &rout
	require.NoError(t, resume.Start())
	code := waitExit(t, resume, 90*time.Second)
	assert.Contains(t, []int{ExitOK, ExitNoGo}, code, rout.String())
	run, err = results.ReadRun(runDir)
	require.NoError(t, err)
	assert.Equal(t, "finished", run.Status)
	for _, c := range run.Cells {
		assert.Equal(t, results.Completed, c.Outcome, c.ID)
		assert.NotEmpty(t, c.Verdict, c.ID)
	}
	// The cell run again has a series of its own; the interrupted
	// attempt's samples are kept beside it.
	cellDir := filepath.Join(runDir, results.CellsDir, run.Cells[0].Dir)
	s, err := results.ReadSamples(filepath.Join(cellDir, results.SamplesFile))
	require.NoError(t, err)
	assert.Len(t, s, run.Cells[0].Samples)
	for i := 1; i < len(s); i++ {
		require.Greater(t, s[i].T, s[i-1].T, "sample %d goes back in time", i)
	}
	old, err := results.ReadSamples(filepath.Join(cellDir, "attempt-1", results.SamplesFile))
	require.NoError(t, err)
	assert.NotEmpty(t, old, "the interrupted attempt's samples")
}

func TestSecondSignalExitsAtOnceAndCleanFinishes(t *testing.T) {
	requireCgroup(t)
	bin := buildSoaklab(t)
	dir := t.TempDir()
	id := fmt.Sprintf("twice%d", os.Getpid())
	cmd, out := startRun(t, bin, dir, id)
	require.NotEmpty(t, cgroups(id))
	// Two different signals back to back: both stay pending (two SIGTERMs
	// could merge into one), and the second lands while the first is handled.
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	assert.Equal(t, ExitHarness, waitExit(t, cmd, 10*time.Second), out.String())
	assert.Contains(t, out.String(), "soaklab clean")

	clean := exec.Command(bin, "clean", "--run", id)
	cout, err := clean.CombinedOutput()
	require.NoError(t, err, string(cout))
	assert.Empty(t, cgroups(id), "nothing of the run is left after clean: %s", cout)
	assert.True(t, strings.Contains(string(cout), "removed"), string(cout))
}
