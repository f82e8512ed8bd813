package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

var clientInspectOpts = client.ContainerInspectOptions{}

func TestSteadySurvivesUnderLimitOnLoopback(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	port := freePort(t)
	var stdout, stderr syncBuffer
	s := spec(t, 64<<20, fmt.Sprintf("PORT=%d", port))
	s.Args = []string{"a", "b"}
	s.Stdout, s.Stderr = &stdout, &stderr
	inst, err := b.Start(context.Background(), s)
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	id := inst.(*instance).ContainerID()
	assert.Equal(t, "docker", inst.Enforcement())

	// The target answers on the host's loopback: host networking.
	url := fmt.Sprintf("http://127.0.0.1:%d/healthz", port)
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode == 200 && strings.TrimSpace(string(body)) == "ok"
	}, 10*time.Second, 50*time.Millisecond, "GET %s", url)

	// The host pid is the target's, and memory is read from its cgroup.
	require.Greater(t, inst.PID(), 0)
	comm, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", inst.PID()))
	require.NoError(t, err)
	assert.Equal(t, "soaktarget", strings.TrimSpace(string(comm)))
	m, err := inst.Memory()
	require.NoError(t, err)
	assert.Greater(t, m.Usage, int64(0))
	assert.Equal(t, int64(64<<20), m.Limit)
	assert.Zero(t, m.OOMKills)
	// Its CPU time is read from the container's cgroup (v1: the engine's
	// cpuacct twin), its processes from the cgroup's cgroup.procs.
	if b.hier.Version == cgroup.V2 || b.hier.CPUMount != "" {
		used, err := inst.(target.CPUMeter).CPU()
		require.NoError(t, err)
		assert.Positive(t, used, "the target started and answered: it used CPU")
	}
	pids, err := inst.(target.ProcessLister).Processes()
	require.NoError(t, err)
	assert.Contains(t, pids, inst.PID())

	// The container carries the run's labels, host networking, no swap.
	info, err := b.cli.ContainerInspect(context.Background(), id, clientInspectOpts)
	require.NoError(t, err)
	assert.Equal(t, s.RunID, info.Container.Config.Labels[LabelRun])
	assert.Equal(t, s.CellID, info.Container.Config.Labels[LabelCell])
	assert.Equal(t, container.NetworkMode("host"), info.Container.HostConfig.NetworkMode)
	assert.Equal(t, int64(64<<20), info.Container.HostConfig.Memory)
	assert.Equal(t, int64(64<<20), info.Container.HostConfig.MemorySwap)

	select {
	case <-inst.Done():
		t.Fatalf("steady target exited: %+v\n%s", inst.Exit(), stderr.String())
	case <-time.After(500 * time.Millisecond):
	}
	require.NoError(t, inst.Stop(context.Background()))
	e := inst.Exit()
	assert.True(t, e.ByHarness, "exit %+v", e)
	assert.False(t, e.OOMKilled, "exit %+v", e)
	assert.Contains(t, stdout.String(), "stdout a b", "args and stdout copied")
	assert.Contains(t, stderr.String(), "stderr ready", "stderr copied")
	containerGone(t, b, id)
	require.NoError(t, inst.Stop(context.Background()), "second Stop")
}

func TestHogOOMKilledByKernelCounter(t *testing.T) {
	t.Parallel()
	// With the engine's word and the counter together (as soaklab runs), the
	// kill is always recorded as an OOM kill.
	b := newBackend(t)
	e, _ := runHog(t, b)
	assert.True(t, e.OOMKilled, "exit %+v", e)
	assert.GreaterOrEqual(t, e.OOMKills, int64(1), "exit %+v", e)
	assert.Equal(t, "killed", e.Signal)
	assert.Equal(t, -1, e.Code)
	assert.False(t, e.ByHarness)

	// The engine's State.OOMKilled ignored: the cgroup counter alone must
	// say the kernel killed it. The engine removes the cgroup a few
	// milliseconds after the kill, and the watcher must read the counter in
	// that window; on a machine busy enough that it is not scheduled in
	// time, that one reading is lost. So the counter gets three hogs and
	// must catch at least one: a counter that never works still fails.
	counter := newBackend(t, func(c *config) { c.ignoreStateOOM = true })
	caught := 0
	for attempt := 1; attempt <= 3 && caught == 0; attempt++ {
		e, m := runHog(t, counter)
		t.Logf("attempt %d: exit %+v, peak %d", attempt, e, m.Peak)
		assert.Equal(t, "killed", e.Signal)
		if e.OOMKilled {
			caught++
			assert.GreaterOrEqual(t, e.OOMKills, int64(1), "the cgroup's oom_kill counter")
			assert.Greater(t, m.Peak, int64(24<<20), "peak close to the 32 MiB limit")
		}
	}
	assert.Equal(t, 1, caught, "the cgroup counter caught none of three OOM kills")
}

// runHog starts a hog under a 32 MiB limit, waits for the kernel to kill
// it, and checks that nothing of it is left.
func runHog(t *testing.T, b *Backend) (target.Exit, target.Memory) {
	t.Helper()
	inst, err := b.Start(context.Background(), spec(t, 32<<20, "HOG=1"))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	id := inst.(*instance).ContainerID()
	waitDone(t, inst, 30*time.Second)
	e := inst.Exit()
	// A hog killed before its cgroup was found has no readings: that is
	// said with ErrNoCgroup, and the engine's word alone tells the kill.
	m, err := inst.Memory()
	if err != nil {
		require.ErrorIs(t, err, ErrNoCgroup)
		t.Logf("no cgroup readings: %v", err)
	}
	require.NoError(t, inst.Stop(context.Background()))
	containerGone(t, b, id)
	list, err := b.cli.ContainerList(context.Background(), client.ContainerListOptions{All: true,
		Filters: make(client.Filters).Add("label", LabelRun+"="+runID(t))})
	require.NoError(t, err)
	assert.Empty(t, list.Items, "no container left with the run's label")
	return e, m
}

// A service that exits while a child it started still holds its stdout
// ends when the engine says the container stopped, with the service's
// status, not when its log stream ends.
func TestExitSeenDespiteHeldOutput(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	var out syncBuffer
	s := spec(t, 64<<20, "WRAP=7")
	s.Stdout, s.Stderr = &out, &out
	inst, err := b.Start(context.Background(), s)
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	start := time.Now()
	waitDone(t, inst, 30*time.Second)
	assert.Less(t, time.Since(start), 50*time.Second, "seen before the helper let go of stdout")
	e := inst.Exit()
	assert.Equal(t, 7, e.Code, "exit %+v", e)
	assert.Empty(t, e.Signal)
	assert.False(t, e.OOMKilled)
	assert.False(t, e.ByHarness)
	require.NoError(t, inst.Stop(context.Background()))
	assert.Contains(t, out.String(), "helper up")
}

// An interrupted harness stops its cells with a context that has already
// ended: the container must still be killed and removed.
func TestStopWithEndedContextStillRemoves(t *testing.T) {
	t.Parallel()
	b := newBackend(t, StopGrace(10*time.Second))
	inst, err := b.Start(context.Background(), spec(t, 32<<20, fmt.Sprintf("PORT=%d", freePort(t))))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	_ = inst.Stop(ctx)
	assert.Less(t, time.Since(start), 5*time.Second, "no grace waited for an ended context")
	select {
	case <-inst.Done():
	default:
		t.Fatal("Stop returned before the end was recorded")
	}
	e := inst.Exit()
	assert.True(t, e.ByHarness, "exit %+v", e)
	assert.False(t, e.OOMKilled, "exit %+v", e)
	containerGone(t, b, inst.(*instance).ContainerID())
}

func TestImageSources(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	bin := testBinary(t)
	// A Dockerfile of the user's, built with its directory as context.
	dfDir := t.TempDir()
	data, err := os.ReadFile(bin)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dfDir, "app"), data, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dfDir, "Dockerfile.soak"),
		[]byte("FROM scratch\nCOPY app /app\nENTRYPOINT [\"/app\"]\n"), 0o644))
	t.Cleanup(func() { removeBuilt(b, "dockerfile:"+filepath.Join(dfDir, "Dockerfile.soak")) })
	// A local image: the one the binary source builds.
	built, err := b.image(context.Background(), target.Spec{Name: "soaktarget", Path: bin})
	require.NoError(t, err)

	cases := []struct {
		name string
		set  func(*target.Spec)
	}{
		// a static binary wrapped in a FROM scratch image
		{"binary", func(s *target.Spec) {}},
		// a user's Dockerfile
		{"dockerfile", func(s *target.Spec) { s.Path, s.Dockerfile = "", filepath.Join(dfDir, "Dockerfile.soak") }},
		// an image already in the local store
		{"image", func(s *target.Spec) { s.Path, s.Image = "", built }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var out syncBuffer
			s := spec(t, 32<<20, "EXIT=7")
			s.Args, s.Stdout = []string{tc.name}, &out
			tc.set(&s)
			inst, err := b.Start(context.Background(), s)
			require.NoError(t, err)
			defer inst.Stop(context.Background())
			waitDone(t, inst, 20*time.Second)
			e := inst.Exit()
			assert.Equal(t, 7, e.Code, "exit %+v", e)
			assert.Empty(t, e.Signal)
			assert.False(t, e.OOMKilled)
			assert.Contains(t, out.String(), "stdout "+tc.name)
			require.NoError(t, inst.Stop(context.Background()))
			containerGone(t, b, inst.(*instance).ContainerID())
		})
	}
}

func TestMissingImageSaysSoClearly(t *testing.T) {
	t.Parallel()
	b := newBackend(t)
	s := target.Spec{RunID: runID(t), Name: "ghost", Image: "soaklab-test/does-not-exist:never", MemoryLimit: 32 << 20}
	start := time.Now()
	_, err := b.Start(context.Background(), s)
	require.ErrorIs(t, err, ErrImageNotFound)
	assert.Contains(t, err.Error(), "image soaklab-test/does-not-exist:never not found locally; soaklab does not pull")
	assert.NotContains(t, err.Error(), "pull access denied")
	assert.Less(t, time.Since(start), 5*time.Second, "no pull attempted")
}

// TestNoEngineFailsFast re-executes the test binary where no engine can be
// found: in a private mount namespace with an empty /run (hiding
// /var/run/docker.sock), no DOCKER_HOST and an empty HOME.
func TestNoEngineFailsFast(t *testing.T) {
	t.Parallel()
	unshare, err := exec.LookPath("unshare")
	if err != nil || os.Geteuid() != 0 {
		t.Skip("needs root and unshare(1) to hide the engine's socket")
	}
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(unshare, "-m", "sh", "-c",
		`mount -t tmpfs none /run && { [ -L /var/run ] || mount -t tmpfs none /var/run; } && exec "$0"`, exe)
	cmd.Env = append(os.Environ(), "SOAKLAB_DOCKER_TEST_MODE=noengine", "DOCKER_HOST=", "DOCKER_CONTEXT=",
		"HOME="+t.TempDir(), "XDG_RUNTIME_DIR=")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Contains(t, string(out), "err="+ErrNoEngine.Error(), "%s", out)
	assert.Contains(t, string(out), "auto=backend auto: process (no docker engine answers", "%s", out)
	var elapsed time.Duration
	for _, line := range strings.Split(string(out), "\n") {
		if v, ok := strings.CutPrefix(line, "elapsed="); ok {
			elapsed, _ = time.ParseDuration(v)
		}
	}
	assert.Less(t, elapsed, 3*time.Second, "%s", out)
}

func TestAutoPicksDockerWhenEngineAnswers(t *testing.T) {
	t.Parallel()
	newBackend(t) // skips or fails without an engine
	fallback := fakeBackend{}
	b, why := Auto(context.Background(), fallback)
	assert.Equal(t, "docker", b.Name(), why)
	assert.Contains(t, why, "backend auto: docker (docker engine ")
	assert.NoError(t, Available(context.Background()))
}

type fakeBackend struct{}

func (fakeBackend) Name() string { return "process" }
func (fakeBackend) Start(context.Context, target.Spec) (target.Instance, error) {
	return nil, errors.New("not used")
}
