package cli

import (
	"bytes"
	"context"
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
	"github.com/soaklab/soaklab/harness/target/docker"
)

// requireDocker skips without an engine, unless SOAKLAB_REQUIRE_DOCKER=1.
func requireDocker(t *testing.T) {
	if err := docker.Available(context.Background()); err != nil {
		if os.Getenv("SOAKLAB_REQUIRE_DOCKER") == "1" {
			t.Fatalf("SOAKLAB_REQUIRE_DOCKER=1 but no Docker engine: %v", err)
		}
		t.Skipf("no Docker engine: %v", err)
	}
}

// containers lists the containers of a run, stopped ones included.
func containers(t *testing.T, runID string) []string {
	out, err := exec.Command("docker", "ps", "-aq", "--filter", "label=soaklab.run="+runID).Output()
	require.NoError(t, err)
	return strings.Fields(string(out))
}

func TestDockerBackendEndToEnd(t *testing.T) {
	requireDocker(t)
	dir := t.TempDir()
	env, out, errw := testEnv()
	code := Main(context.Background(), []string{"run", "-m", "testdata/docker.yaml", "--results", dir, "--run-id", "dock", "--quiet"}, env)
	require.Equal(t, ExitNoGo, code, "stdout:\n%s\nstderr:\n%s", out.String(), errw.String())
	run, err := results.ReadRun(filepath.Join(dir, "dock"))
	require.NoError(t, err)
	assert.Equal(t, "docker", run.Backend)
	byTarget := map[string]results.Cell{}
	for _, c := range run.Cells {
		byTarget[c.Target] = c
		assert.Equal(t, "docker", c.Enforcement, c.ID)
	}
	steady, hog := byTarget["steady"], byTarget["hog"]
	assert.Equal(t, results.Completed, steady.Outcome, steady.Detail)
	assert.Greater(t, steady.Load.Completed, int64(200), "load reached the container over host networking")
	assert.Greater(t, steady.PeakRSS, int64(1<<20), "procfs read through the container's host pid")
	assert.Equal(t, results.OOMKilled, hog.Outcome, hog.Detail)
	assert.Equal(t, results.NOGO, hog.Verdict)
	assert.GreaterOrEqual(t, hog.OOMKills, int64(1), "the container cgroup's oom_kill counter")
	assert.Empty(t, containers(t, "dock"), "every container removed")
}

// A harness killed outright mid-cell leaves its container; `soaklab clean`
// removes it.
func TestDockerKilledHarnessCleanedUp(t *testing.T) {
	requireDocker(t)
	bin := buildSoaklab(t)
	dir := t.TempDir()
	var out bytes.Buffer
	cmd := exec.Command(bin, "run", "-m", "testdata/long.yaml", "--backend", "docker", "--results", dir, "--run-id", "dockkill")
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	require.Eventually(t, func() bool { return len(containers(t, "dockkill")) > 0 },
		90*time.Second, 200*time.Millisecond, "no container started: %s", &out)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	_ = cmd.Wait()

	// The harness runs as the killed supervisor's child, killed with it
	// a moment later: clean removes the container once it is gone.
	var cout []byte
	require.Eventually(t, func() bool {
		var err error
		cout, err = exec.Command(bin, "clean", "--run", "dockkill").CombinedOutput()
		require.NoError(t, err, string(cout))
		return len(containers(t, "dockkill")) == 0
	}, 30*time.Second, 500*time.Millisecond, "clean removed it: %s", &cout)
}
