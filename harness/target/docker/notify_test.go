package docker

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// On v2 the watcher is woken by inotify on memory.events: with polling an
// hour apart, a change is still read at once, and the watcher ends when
// the file goes.
func TestWatcherNotifiedOnV2(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "docker-n.scope")
	writeFiles(t, dir, map[string]string{
		"memory.current": "1000\n", "memory.peak": "2000\n", "memory.max": "4096\n",
		"memory.stat": "anon 700\n", "memory.events": "oom 0\noom_kill 0\n"})
	w := newWatcher(cgroup.V2, dir, time.Hour)
	defer w.close()
	writeFiles(t, dir, map[string]string{"memory.peak": "4096\n", "memory.events": "oom 1\noom_kill 1\n"})
	require.Eventually(t, func() bool { return w.snapshot().OOMKills == 1 }, 5*time.Second, 5*time.Millisecond,
		"the oom_kill read on the notification, not by the hourly poll")
	assert.GreaterOrEqual(t, w.notified.Load(), int64(1))
	require.NoError(t, os.RemoveAll(dir))
	select {
	case <-w.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher still running after memory.events went")
	}
	assert.Equal(t, int64(4096), w.snapshot().Peak)
}

// TestWatcherNotifiedByKernelV2 runs where a writable cgroup v2 memory
// controller is (the test VM; SOAKLAB_REQUIRE_CGROUP_VERSION=2 makes its
// absence a failure): a hog born in a real cgroup is OOM-killed, and the
// kernel's notification, not the poll, brings the oom_kill counter. The
// cgroup stands for a container's: no Docker engine runs in the VM.
func TestWatcherNotifiedByKernelV2(t *testing.T) {
	h, err := cgroup.Detect(cgroup.DefaultRoot, "/proc/self/mounts")
	if err != nil || h.Version != cgroup.V2 {
		if os.Getenv("SOAKLAB_REQUIRE_CGROUP_VERSION") == "2" {
			t.Fatalf("SOAKLAB_REQUIRE_CGROUP_VERSION=2 but no v2 memory controller: %v (%s)", err, h.Version)
		}
		t.Skip("no cgroup v2 memory controller here; make test-cgroup2 runs this in a v2 VM")
	}
	g, err := h.Create(fmt.Sprintf("notify_%d_1", os.Getpid()), 32<<20)
	require.NoError(t, err)
	defer g.Remove()
	w := newWatcher(cgroup.V2, g.Path, time.Hour)
	defer w.close()

	dir, err := os.Open(g.Path)
	require.NoError(t, err)
	defer dir.Close()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = []string{"SOAKLAB_DOCKER_TEST_MODE=hog"}
	cmd.SysProcAttr = &syscall.SysProcAttr{UseCgroupFD: true, CgroupFD: int(dir.Fd())}
	require.NoError(t, cmd.Start())
	err = cmd.Wait()
	require.Error(t, err, "the hog must be killed")
	require.Eventually(t, func() bool { return w.snapshot().OOMKills >= 1 }, 5*time.Second, 5*time.Millisecond,
		"oom_kill read after the kernel's notification")
	assert.GreaterOrEqual(t, w.notified.Load(), int64(1), "notified by inotify on memory.events")
	assert.Greater(t, w.snapshot().Peak, int64(24<<20), "peak near the 32 MiB limit")
	require.NoError(t, g.Remove())
	select {
	case <-w.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("watcher still running after its cgroup was removed")
	}
}
