//go:build linux

package process

import (
	"context"
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

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
)

// The test binary doubles as the target: SOAKLAB_TEST_TARGET picks what it
// does when re-executed.
func TestMain(m *testing.M) {
	switch os.Getenv("SOAKLAB_TEST_TARGET") {
	case "hog": // allocate and touch 1 MiB at a time until killed
		var keep [][]byte
		for i := 0; i < 4096; i++ {
			b := make([]byte, 1<<20)
			for j := range b {
				b[j] = byte(j)
			}
			keep = append(keep, b)
			time.Sleep(2 * time.Millisecond)
		}
		os.Exit(3) // 4 GiB without a kill: the limit did not hold
	case "cgroup": // print our own cgroup membership from the first instruction
		data, _ := os.ReadFile("/proc/self/cgroup")
		fmt.Print(string(data))
		os.Exit(0)
	case "spin": // use 300 ms of CPU (by its own count), then wait to be stopped
		var ru syscall.Rusage
		for x := 0; ; x++ {
			if x%100000 == 0 {
				_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
				if time.Duration(ru.Utime.Nano()+ru.Stime.Nano()) >= 300*time.Millisecond {
					break
				}
			}
		}
		fmt.Println("spun")
		time.Sleep(time.Minute)
		os.Exit(4)
	case "sleep": // hold 8 MiB and wait to be stopped
		b := make([]byte, 8<<20)
		for j := range b {
			b[j] = 1
		}
		time.Sleep(time.Minute)
		_ = b[0]
		os.Exit(4)
	}
	os.Exit(m.Run())
}

func self(t *testing.T) string {
	exe, err := os.Executable()
	require.NoError(t, err)
	return exe
}

// cgroupBackend returns the real backend, skipping when this machine has no
// writable cgroup, unless SOAKLAB_REQUIRE_CGROUP=1 (CI) makes that a failure.
func cgroupBackend(t *testing.T) *Backend {
	b := New(StopGrace(time.Second))
	if b.noCgroup != nil {
		if os.Getenv("SOAKLAB_REQUIRE_CGROUP") == "1" {
			t.Fatalf("SOAKLAB_REQUIRE_CGROUP=1 but no writable cgroup: %v", b.noCgroup)
		}
		t.Skipf("no writable cgroup here: %v", b.noCgroup)
	}
	return b
}

func spec(t *testing.T, mode string, limit int64, out *strings.Builder) target.Spec {
	s := target.Spec{RunID: "test-" + strings.ReplaceAll(t.Name(), "/", "_"), CellID: t.Name(), Name: mode,
		Path: self(t), Args: []string{"-test.run=^$"}, Env: []string{"SOAKLAB_TEST_TARGET=" + mode},
		MemoryLimit: limit}
	if out != nil {
		s.Stdout = out
	}
	return s
}

func waitDone(t *testing.T, inst target.Instance, d time.Duration) {
	t.Helper()
	select {
	case <-inst.Done():
	case <-time.After(d):
		t.Fatalf("target still running after %s", d)
	}
}

func TestOOMKillCountedByKernel(t *testing.T) {
	b := cgroupBackend(t)
	inst, err := b.Start(context.Background(), spec(t, "hog", 32<<20, nil))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	group := inst.(*instance).group.Path
	waitDone(t, inst, 30*time.Second)
	e := inst.Exit()
	assert.True(t, e.OOMKilled, "exit %+v", e)
	assert.GreaterOrEqual(t, e.OOMKills, int64(1), "the cgroup's oom_kill counter")
	assert.Equal(t, "killed", e.Signal)
	assert.False(t, e.ByHarness)
	m, err := inst.Memory()
	require.NoError(t, err)
	assert.Greater(t, m.Peak, int64(24<<20), "peak close to the 32 MiB limit")
	require.NoError(t, inst.Stop(context.Background()))
	assert.NoDirExists(t, group, "cgroup removed")
}

func TestChildJoinsCgroupBeforeItRuns(t *testing.T) {
	b := cgroupBackend(t)
	var out strings.Builder
	inst, err := b.Start(context.Background(), spec(t, "cgroup", 64<<20, &out))
	require.NoError(t, err)
	group := inst.(*instance).group.Path
	waitDone(t, inst, 10*time.Second)
	require.NoError(t, inst.Stop(context.Background()))
	rel := strings.TrimPrefix(group, b.hier.Mount)
	assert.Contains(t, out.String(), rel, "the target's first read of /proc/self/cgroup shows its cgroup")
	assert.Equal(t, 0, inst.Exit().Code)
}

// TestCPUCounted: the cgroup counts the CPU time of a target that used
// 300 ms by its own count (v1: in the group's cpuacct twin, v2: cpu.stat),
// the target is among its processes, and Stop removes the twin too.
func TestCPUCounted(t *testing.T) {
	b := cgroupBackend(t)
	if b.hier.Version == cgroup.V1 && b.hier.CPUMount == "" {
		t.Skip("cgroup v1 without the cpuacct controller: CPU time is not measured here")
	}
	var out strings.Builder
	inst, err := b.Start(context.Background(), spec(t, "spin", 64<<20, &out))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	g := inst.(*instance).group
	if b.hier.Version == cgroup.V1 {
		require.NotEmpty(t, g.CPUPath, "the cpuacct twin")
	}
	var used time.Duration
	require.Eventually(t, func() bool {
		used, err = inst.(target.CPUMeter).CPU()
		return err == nil && used >= 290*time.Millisecond
	}, 60*time.Second, 50*time.Millisecond, "the cgroup counts the target's 300 ms of CPU (last read %s, %v)", used, err)
	pids, err := inst.(target.ProcessLister).Processes()
	require.NoError(t, err)
	assert.Contains(t, pids, inst.PID())
	require.NoError(t, inst.Stop(context.Background()))
	assert.NoDirExists(t, g.Path)
	if g.CPUPath != "" {
		assert.NoDirExists(t, g.CPUPath, "the cpuacct twin is removed with the group")
	}
	last, err := inst.(target.CPUMeter).CPU()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, last, used, "the last reading is kept after the cgroup is gone")
}

func TestStopRemovesCgroup(t *testing.T) {
	b := cgroupBackend(t)
	inst, err := b.Start(context.Background(), spec(t, "sleep", 64<<20, nil))
	require.NoError(t, err)
	group := inst.(*instance).group.Path
	require.Eventually(t, func() bool {
		m, err := inst.Memory()
		return err == nil && m.Usage >= 8<<20
	}, 10*time.Second, 50*time.Millisecond, "usage charged to the cgroup")
	m, _ := inst.Memory()
	assert.Equal(t, int64(64<<20), m.Limit)
	procs, err := os.ReadFile(filepath.Join(group, "cgroup.procs"))
	require.NoError(t, err)
	assert.Contains(t, string(procs), fmt.Sprint(inst.PID()))
	require.NoError(t, inst.Stop(context.Background()))
	assert.True(t, inst.Exit().ByHarness)
	assert.False(t, inst.Exit().OOMKilled)
	assert.NoDirExists(t, group)
	require.NoError(t, inst.Stop(context.Background()), "Stop twice is fine")
}

func TestWatchdogHoldsLimit(t *testing.T) {
	t.Parallel()
	b := New(Watchdog(), StopGrace(time.Second))
	assert.True(t, strings.HasPrefix(b.Mode(), "watchdog"))
	inst, err := b.Start(context.Background(), spec(t, "hog", 48<<20, nil))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	waitDone(t, inst, 30*time.Second)
	e := inst.Exit()
	assert.Equal(t, "watchdog", inst.Enforcement())
	assert.True(t, e.OOMKilled, "exit %+v", e)
	_, err = inst.Memory()
	assert.ErrorIs(t, err, ErrNoCgroup)
}

func TestCleanRemovesLeftovers(t *testing.T) {
	b := cgroupBackend(t)
	liveSpec := spec(t, "sleep", 64<<20, nil)
	live, err := b.Start(context.Background(), liveSpec)
	require.NoError(t, err)
	defer live.Stop(context.Background())
	// A cgroup left by a harness that died (pid 4194303 is above pid_max's
	// default), with a target still inside it.
	orphan, err := b.hier.Create("leftover_4194303_1", 64<<20)
	require.NoError(t, err)
	cmd := exec.Command(self(t), "-test.run=^$")
	cmd.Env = []string{"SOAKLAB_TEST_TARGET=sleep"}
	require.NoError(t, cmd.Start())
	require.NoError(t, orphan.Add(cmd.Process.Pid))
	// A dead run whose id starts with the cleaned one's and "_": not selected.
	other, err := b.hier.Create("leftover_x_4194303_1", 64<<20)
	require.NoError(t, err)
	defer other.Remove()
	// A cpuacct twin whose memory group is already gone (v1).
	want := 1
	twin := ""
	if b.hier.Version == cgroup.V1 && b.hier.CPUMount != "" {
		twin = filepath.Join(b.hier.CPUMount, cgroup.Parent, "leftover_4194303_2")
		require.NoError(t, os.Mkdir(twin, 0o755))
		want = 2
	}
	// Only this test's runs: other packages' tests clean concurrently.
	scoped := New(StopGrace(time.Second), OnlyRuns("leftover", liveSpec.RunID))
	var out strings.Builder
	n, err := scoped.Clean(context.Background(), &out)
	require.NoError(t, err)
	assert.Equal(t, want, n, out.String())
	assert.NoDirExists(t, orphan.Path, "the orphan is removed")
	if orphan.CPUPath != "" {
		assert.NoDirExists(t, orphan.CPUPath, "with its cpuacct twin")
	}
	if twin != "" {
		assert.NoDirExists(t, twin, "a twin left alone is removed")
	}
	assert.Error(t, cmd.Wait(), "the orphan's process was killed")
	assert.DirExists(t, live.(*instance).group.Path, "a live harness's cgroup is kept")
	assert.DirExists(t, other.Path, "run leftover_x is not run leftover")
}

func TestSelectedMatchesRunExactly(t *testing.T) {
	t.Parallel()
	b := &Backend{onlyRuns: []string{"a", "n_1"}}
	for name, want := range map[string]bool{
		"a_123_4":    true,  // run a
		"a_b_123_4":  false, // run a_b, not a
		"ab_123_4":   false, // run ab
		"n_1_77_2":   true,  // a run id holding '_'
		"n_1_x_77_2": false, // run n_1_x
		"a_123":      false, // not a soaklab name
		"leftover":   false,
		"_123_4":     false,
	} {
		assert.Equal(t, want, b.selected(name), name)
	}
	assert.True(t, (&Backend{}).selected("anything_1_2"), "no --run: every run")
}

func TestOwnerPID(t *testing.T) {
	t.Parallel()
	assert.Equal(t, 123, ownerPID("20261123-1_123_4"))
	assert.Equal(t, 0, ownerPID("probe-99"))
	assert.Equal(t, 0, ownerPID("x_y_z"))
}

func TestStartErrors(t *testing.T) {
	t.Parallel()
	b := New(Watchdog())
	_, err := b.Start(context.Background(), target.Spec{Name: "x", Path: "/nonexistent/soaklab-target", MemoryLimit: 1 << 20})
	assert.ErrorContains(t, err, "target x")
	_, err = b.Start(context.Background(), target.Spec{Name: "y", Path: self(t)})
	assert.ErrorContains(t, err, "memory limit")
}

// requireV2 skips a test that needs the unified hierarchy, unless
// SOAKLAB_REQUIRE_CGROUP_VERSION=2 (set inside the test VM) makes that a
// failure.
func requireV2(t *testing.T, b *Backend) {
	t.Helper()
	if b.hier.Version == cgroup.V2 {
		return
	}
	if os.Getenv("SOAKLAB_REQUIRE_CGROUP_VERSION") == "2" {
		t.Fatalf("SOAKLAB_REQUIRE_CGROUP_VERSION=2 but the memory controller is on %s", b.hier.Version)
	}
	t.Skipf("cgroup %s here; make test-cgroup2 runs this in a v2 VM", b.hier.Version)
}

// TestV2LimitSwapAndPeak checks the v2 files themselves: memory.max holds
// the limit, memory.swap.max forbids swap, memory.peak and memory.current
// are read, and Stop leaves nothing under soaklab/.
func TestV2LimitSwapAndPeak(t *testing.T) {
	b := cgroupBackend(t)
	requireV2(t, b)
	inst, err := b.Start(context.Background(), spec(t, "sleep", 64<<20, nil))
	require.NoError(t, err)
	defer inst.Stop(context.Background())
	group := inst.(*instance).group.Path
	assert.Equal(t, "cgroup-v2", inst.Enforcement())
	read := func(name string) string {
		data, err := os.ReadFile(filepath.Join(group, name))
		require.NoError(t, err)
		return strings.TrimSpace(string(data))
	}
	assert.Equal(t, fmt.Sprint(64<<20), read("memory.max"))
	assert.Equal(t, "0", read("memory.swap.max"), "no swap: the limit is the memory the target has")
	require.Eventually(t, func() bool {
		m, err := inst.Memory()
		return err == nil && m.Usage >= 8<<20 && m.Peak >= m.Usage && m.Anon >= 8<<20
	}, 10*time.Second, 50*time.Millisecond, "memory.current, memory.peak and memory.stat's anon see the 8 MiB held")
	require.NoError(t, inst.Stop(context.Background()))
	assert.NoDirExists(t, group)
	m, err := inst.Memory()
	require.NoError(t, err)
	assert.GreaterOrEqual(t, m.Peak, int64(8<<20), "the last reading is kept after the cgroup is gone")
	left, _ := os.ReadDir(filepath.Dir(group))
	for _, e := range left {
		assert.False(t, strings.HasPrefix(e.Name(), safeName(spec(t, "", 0, nil).RunID)+"_"), "orphaned cgroup %s", e.Name())
	}
}

// TestDelegated runs where SOAKLAB_TEST_DELEGATED=1 says the tests run as
// an unprivileged user inside a delegated cgroup v2 subtree (the test VM):
// the backend must hold limits with cgroups there, under the subtree.
func TestDelegated(t *testing.T) {
	if os.Getenv("SOAKLAB_TEST_DELEGATED") != "1" {
		t.Skip("runs in the cgroup v2 VM as an unprivileged user (make test-cgroup2)")
	}
	require.NotZero(t, os.Getuid(), "must run unprivileged")
	b := cgroupBackend(t)
	requireV2(t, b)
	require.NotEmpty(t, b.hier.Base, "a delegated subtree, not the root")
	assert.Contains(t, b.Mode(), "delegated "+b.hier.Base)
	var out strings.Builder
	inst, err := b.Start(context.Background(), spec(t, "cgroup", 64<<20, &out))
	require.NoError(t, err)
	group := inst.(*instance).group.Path
	assert.True(t, strings.HasPrefix(group, b.hier.Base+"/"), "%s under %s", group, b.hier.Base)
	waitDone(t, inst, 10*time.Second)
	require.NoError(t, inst.Stop(context.Background()))
	assert.Contains(t, out.String(), strings.TrimPrefix(group, b.hier.Mount), "born in its cgroup")
	self, err := os.ReadFile("/proc/self/cgroup")
	require.NoError(t, err)
	assert.Contains(t, string(self), "/"+cgroup.HarnessLeaf, "the harness left the subtree's root for a leaf")
}

// TestExitSeenDespiteHeldOutput: a wrapper that leaves a helper holding
// the target's stdout (sh -c 'helper & exec service') must not hide the
// service's exit: the exit status or signal is the service's own, read from
// the process, not from the end of its output.
func TestExitSeenDespiteHeldOutput(t *testing.T) {
	tests := []struct {
		name    string
		service string
		code    int
		signal  string
	}{
		// the service exits 7 after a second; the helper would hold stdout for 60 s
		{"status", "echo service up; sleep 1; exit 7", 7, ""},
		// the service dies of SIGTERM it sends itself
		{"signal", "echo service up; sleep 1; kill -TERM $$", -1, "terminated"},
	}
	backends := map[string]func(t *testing.T) *Backend{
		"cgroup":   cgroupBackend,
		"watchdog": func(*testing.T) *Backend { return New(Watchdog(), StopGrace(time.Second)) },
	}
	for bname, newBackend := range backends {
		for _, tt := range tests {
			t.Run(bname+"/"+tt.name, func(t *testing.T) {
				b := newBackend(t)
				var out strings.Builder
				s := target.Spec{RunID: "test-held-output", CellID: t.Name(), Name: "wrapper", Path: "/bin/sh",
					Args:        []string{"-c", `(echo helper up; sleep 60) & exec sh -c "$0"`, tt.service},
					MemoryLimit: 64 << 20, Stdout: &out}
				inst, err := b.Start(context.Background(), s)
				require.NoError(t, err)
				start := time.Now()
				waitDone(t, inst, 30*time.Second)
				assert.Less(t, time.Since(start), 50*time.Second, "seen before the helper let go of stdout")
				e := inst.Exit()
				assert.Equal(t, tt.code, e.Code, "exit %+v", e)
				assert.Equal(t, tt.signal, e.Signal)
				assert.False(t, e.OOMKilled)
				assert.False(t, e.ByHarness)
				stopped := time.Now()
				require.NoError(t, inst.Stop(context.Background()))
				assert.Less(t, time.Since(stopped), 10*time.Second, "Stop ends the helper and the copy of its output")
				assert.Contains(t, out.String(), "helper up")
				assert.Contains(t, out.String(), "service up")
			})
		}
	}
}
