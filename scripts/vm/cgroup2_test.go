package vm

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/scripts/vm/vmtest"
)

// EnableEnv runs the VM tests; make test-cgroup2 sets it, so `make test`
// does not boot the VM a second time.
const EnableEnv = "SOAKLAB_VM"

// guest is what the VM holds: host binaries and where they go.
type guest struct {
	tests   map[string]string // test binary in the guest -> package
	targets []string          // ./targets/<name>, installed as /bin/<name>
}

var kit = guest{
	tests: map[string]string{
		"/bin/process.test": "./harness/target/process",
		"/bin/docker.test":  "./harness/target/docker",
	},
	targets: []string{"steady", "leaky", "hog"},
}

// TestCgroup2 boots the VM once and runs every step in it: the process
// backend's tests against the real v2 hierarchy, as root and as uid 1000 in
// a delegated subtree; the docker backend's v2 OOM notification on a real
// cgroup; a soaklab run as that user; a soaklab run of a small matrix end
// to end whose verdicts must match v1's (the host runs it meanwhile); a
// thrash run judged by memory pressure; and checks that no cgroup was left
// behind.
func TestCgroup2(t *testing.T) {
	if os.Getenv(EnableEnv) != "1" && os.Getenv(vmtest.RequireEnv) != "1" {
		t.Skipf("boots a VM: run make test-cgroup2 (or set %s=1)", EnableEnv)
	}
	k := vmtest.FindOrSkip(t)
	start := time.Now()
	im := vmtest.NewImage(k.Busybox)
	for guestPath, pkg := range kit.tests {
		bin, err := k.TestBinary(pkg)
		require.NoError(t, err)
		im.Add(guestPath, bin, 0o755)
	}
	soaklab, err := k.Build("./harness/cmd/soaklab")
	require.NoError(t, err)
	im.Add("/bin/soaklab", soaklab, 0o755)
	bins := map[string]string{}
	for _, name := range kit.targets {
		bin, err := k.Build("./targets/" + name)
		require.NoError(t, err)
		im.Add("/bin/"+name, bin, 0o755)
		bins[name] = bin
	}
	for _, m := range []string{"e2e.yaml", "thrash.yaml", "user.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", m))
		require.NoError(t, err)
		im.Bytes("/e2e/"+m, data, 0o644)
	}
	im.Add("/lib/modules/brd.ko", filepath.Join(k.Modules, "brd.ko"), 0o644)
	im.Bytes("/etc/passwd", []byte("root:x:0:0:root:/root:/bin/sh\nsoak:x:1000:1000:soak:/home/soak:/bin/sh\n"), 0o644)
	im.Bytes("/etc/group", []byte("root:x:0:\nsoak:x:1000:\n"), 0o644)
	t.Logf("built the guest's binaries in %.1f s", time.Since(start).Seconds())

	steps := []vmtest.Step{
		{Name: "info", Timeout: 30 * time.Second, Script: `cat /proc/version
echo "cgroup.controllers: $(cat /sys/fs/cgroup/cgroup.controllers)"
echo "cgroup.subtree_control: $(cat /sys/fs/cgroup/cgroup.subtree_control)"
grep cgroup2 /proc/mounts
free -m`},
		{Name: "process", Timeout: 4 * time.Minute, Script: `export SOAKLAB_REQUIRE_CGROUP=1 SOAKLAB_REQUIRE_CGROUP_VERSION=2
process.test -test.v -test.timeout 3m`},
		{Name: "orphans", Timeout: 30 * time.Second, Script: `find /sys/fs/cgroup/soaklab -mindepth 1 -type d 2>/dev/null
echo checked`},
		{Name: "notify", Timeout: 2 * time.Minute, Script: `export SOAKLAB_REQUIRE_CGROUP_VERSION=2
docker.test -test.run 'Watcher' -test.v -test.timeout 90s`},
		{Name: "delegated", Timeout: 4 * time.Minute, Script: delegatedScript},
		{Name: "user-run", Timeout: 2 * time.Minute, Script: userRunScript},
		{Name: "delegated-orphans", Timeout: 30 * time.Second, Script: `find /sys/fs/cgroup/user/soaklab /sys/fs/cgroup/soaklab-soak/soaklab -mindepth 1 -type d 2>/dev/null
echo checked`},
		{Name: "e2e", Timeout: 5 * time.Minute, Script: runScript("e2e")},
		{Name: "thrash", Timeout: 3 * time.Minute, Script: ramDisk + "export TMPDIR=/mnt/disk\n" + runScript("thrash")},
		{Name: "run-orphans", Timeout: 30 * time.Second, Script: `find /sys/fs/cgroup/soaklab -mindepth 1 -type d 2>/dev/null
echo checked`},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	// The same matrix on the host's own cgroups, when it has them, while
	// the VM runs.
	host, hostDone := make(chan hostRun, 1), make(chan struct{})
	hostDir := t.TempDir()
	go func() {
		defer close(hostDone)
		host <- runOnHost(ctx, hostDir, soaklab, bins)
	}()
	defer func() { cancel(); <-hostDone }() // the host's run ends with the test

	res, err := vmtest.Run(ctx, im, vmtest.Config{Kernel: k.Kernel, Dir: filepath.Join(k.Cache, "run"),
		Log: func(s string) { t.Log(s) }}, steps)
	require.NoError(t, err)
	t.Logf("kernel %s; cgroup.controllers: %s; boot %.1f s, total %.1f s", res.KernelVersion, res.Controllers,
		res.Boot.Seconds(), res.Total.Seconds())
	assert.Contains(t, strings.Fields(res.Controllers), "memory")
	assert.Contains(t, strings.Fields(res.Subtree), "memory")

	step := func(t *testing.T, name string) *vmtest.StepResult {
		t.Helper()
		s := res.Step(name)
		require.NotNil(t, s, "step %s never ran", name)
		require.True(t, s.Ended, "step %s cut short:\n%s", name, s.Output)
		t.Logf("step %s: status %d after %.1f s", name, s.Code, s.Took.Seconds())
		return s
	}
	t.Run("info", func(t *testing.T) {
		s := step(t, "info")
		t.Log("\n" + s.Output)
		assert.Equal(t, 0, s.Code)
	})
	t.Run("process", func(t *testing.T) {
		s := step(t, "process")
		assert.Equal(t, 0, s.Code, s.Output)
		for _, name := range []string{"TestOOMKillCountedByKernel", "TestChildJoinsCgroupBeforeItRuns",
			"TestStopRemovesCgroup", "TestCleanRemovesLeftovers", "TestV2LimitSwapAndPeak", "TestCPUCounted"} {
			assert.Contains(t, s.Output, "--- PASS: "+name, "ran and passed in the VM")
		}
		if t.Failed() {
			t.Log("\n" + s.Output)
		}
	})
	t.Run("notify", func(t *testing.T) {
		s := step(t, "notify")
		assert.Equal(t, 0, s.Code, s.Output)
		assert.Contains(t, s.Output, "--- PASS: TestWatcherNotifiedByKernelV2", "the docker backend's v2 OOM notification, on a real cgroup")
	})
	t.Run("delegated", func(t *testing.T) {
		s := step(t, "delegated")
		first, _, _ := strings.Cut(s.Output, "\n")
		t.Log(first)
		assert.Contains(t, first, "uid=1000(soak)")
		assert.Equal(t, 0, s.Code, s.Output)
		for _, name := range []string{"TestDelegated", "TestOOMKillCountedByKernel", "TestChildJoinsCgroupBeforeItRuns",
			"TestStopRemovesCgroup", "TestCleanRemovesLeftovers", "TestV2LimitSwapAndPeak", "TestCPUCounted"} {
			assert.Contains(t, s.Output, "--- PASS: "+name, "ran and passed as uid 1000 in a delegated subtree")
		}
		if t.Failed() {
			t.Log("\n" + s.Output)
		}
	})
	t.Run("user-run", func(t *testing.T) {
		s := step(t, "user-run")
		first, _, _ := strings.Cut(s.Output, "\n")
		t.Log(first)
		assert.Contains(t, first, "uid=1000(soak)")
		assert.Contains(t, s.Output, "limits by cgroup-v2 (delegated /sys/fs/cgroup/soaklab-soak)")
		run := unpackRun(t, s.Output, "vm-user")
		require.Len(t, run.Cells, 2)
		for _, c := range run.Cells {
			assert.Equal(t, "cgroup-v2", c.Enforcement, c.ID)
			if strings.HasPrefix(c.ID, "hog/") {
				assert.Equal(t, results.OOMKilled, c.Outcome, c.ID)
				assert.GreaterOrEqual(t, c.OOMKills, int64(1), "%s: the kernel's oom_kill counter, read as uid 1000", c.ID)
			} else {
				assert.Equal(t, results.Completed, c.Outcome, c.ID)
			}
		}
	})
	for _, name := range []string{"orphans", "delegated-orphans", "run-orphans"} {
		t.Run(name, func(t *testing.T) {
			s := step(t, name)
			assert.Equal(t, "checked", strings.TrimSpace(s.Output), "cgroups left under soaklab/")
		})
	}
	t.Run("thrash", func(t *testing.T) {
		s := step(t, "thrash")
		checkThrash(t, unpackRun(t, s.Output, "vm-thrash"))
	})
	t.Run("e2e", func(t *testing.T) {
		s := step(t, "e2e")
		run := unpackRun(t, s.Output, "vm-e2e")
		assert.Equal(t, "v2", run.Host.Cgroup, "the run records the hierarchy")
		checkVerdicts(t, "VM (cgroup v2)", run, "cgroup-v2")
		for _, c := range run.Cells {
			if th := c.Analysis.Thrash; th != nil && th.MaxStallPct != nil {
				t.Logf("%s: memory stall at most %.2f %% of an interval, %.2f s in all (PSI full)", c.ID, *th.MaxStallPct, *th.StalledS)
			}
		}
		h := <-host
		if h.skip != "" {
			t.Logf("no comparison with the host: %s", h.skip)
			return
		}
		require.NoError(t, h.err)
		checkVerdicts(t, "host", h.run, "")
		for _, c := range run.Cells {
			for _, hc := range h.run.Cells {
				if hc.ID == c.ID {
					assert.Equal(t, hc.Verdict, c.Verdict, "%s: VM %s, host (%s) %s", c.ID, c.Verdict, hc.Enforcement, hc.Verdict)
					assert.Equal(t, hc.Outcome, c.Outcome, c.ID)
				}
			}
		}
	})
}

// runScript runs /e2e/<name>.yaml and sends back the run's JSON files, as
// a base64 tar between two lines, for the host to read with
// results.ReadRun.
func runScript(name string) string {
	return strings.ReplaceAll(`soaklab run -m /e2e/NAME.yaml --results /tmp/r --run-id NAME --quiet
echo "soaklab exit $?"
cat /tmp/r/NAME/summary.md
cd /tmp/r/NAME && tar -cf - $(find . -name '*.json' -o -name '*.jsonl') | gzip | base64 > /tmp/run.b64
echo "--- run.tar.gz"
cat /tmp/run.b64
echo "--- end"`, "NAME", name)
}

// delegatedScript delegates /sys/fs/cgroup/user to uid 1000 the way
// systemd's Delegate=yes does (the directory and its cgroup.procs,
// cgroup.subtree_control and cgroup.threads chowned), puts the step in it,
// and runs the process backend's tests there as that user.
const delegatedScript = `d=/sys/fs/cgroup/user
mkdir -p $d /home/soak && chown 1000:1000 /home/soak
chown 1000:1000 $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
echo $$ > $d/cgroup.procs
echo "as $(su -s /bin/sh soak -c id) in $(cat /proc/self/cgroup)"
exec su -m -s /bin/sh soak -c 'export HOME=/home/soak TMPDIR=/home/soak SOAKLAB_REQUIRE_CGROUP=1 SOAKLAB_REQUIRE_CGROUP_VERSION=2 SOAKLAB_TEST_DELEGATED=1
cd /home/soak && exec process.test -test.v -test.timeout 3m'`

// userRunScript follows docs/operations.md's recipe for a machine without
// systemd: root makes and chowns a subtree and moves the user's shell into
// it; the user moves the shell into a child of its own and runs soaklab.
const userRunScript = `d=/sys/fs/cgroup/soaklab-soak
mkdir -p $d /home/soak && chown 1000:1000 /home/soak
chown 1000:1000 $d $d/cgroup.procs $d/cgroup.subtree_control $d/cgroup.threads
echo $$ > $d/cgroup.procs
exec su -m -s /bin/sh soak -c 'export HOME=/home/soak TMPDIR=/home/soak
echo "as $(id)"
mkdir /sys/fs/cgroup/soaklab-soak/shell && echo $$ > /sys/fs/cgroup/soaklab-soak/shell/cgroup.procs || exit 1
cd /home/soak
soaklab run -m /e2e/user.yaml --results /home/soak/r --run-id user
echo "soaklab exit $?"
cd /home/soak/r/user && tar -cf - $(find . -name "*.json" -o -name "*.jsonl") | gzip | base64 > /home/soak/run.b64
echo "--- run.tar.gz"
cat /home/soak/run.b64
echo "--- end"'`

// ramDisk mounts an ext4 file system on a 128 MiB RAM block device (brd)
// at /mnt/disk: the initramfs is not disk-backed, so its file pages can
// never be evicted and read back; these can.
const ramDisk = `insmod /lib/modules/brd.ko rd_nr=1 rd_size=131072 || exit 1
mke2fs -q /dev/ram0 || exit 1
mkdir -p /mnt/disk && mount -t ext4 /dev/ram0 /mnt/disk || exit 1
`

// unpackRun reads the run the e2e step sent back.
func unpackRun(t *testing.T, out, artifact string) *results.Run {
	t.Helper()
	_, after, ok := strings.Cut(out, "--- run.tar.gz\n")
	require.True(t, ok, "no run came back:\n%s", out)
	b64, _, ok := strings.Cut(after, "--- end")
	require.True(t, ok, "run cut short:\n%s", out)
	head, _, _ := strings.Cut(out, "--- run.tar.gz")
	t.Log("\n" + head)
	data, err := base64.StdEncoding.DecodeString(strings.Join(strings.Fields(b64), ""))
	require.NoError(t, err)
	dir := t.TempDir()
	if a := os.Getenv("SOAKLAB_ARTIFACTS"); a != "" {
		dir = filepath.Join(a, artifact)
		_ = os.RemoveAll(dir)
	}
	zr, err := gzip.NewReader(bytes.NewReader(data))
	require.NoError(t, err)
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		name := filepath.Clean(h.Name)
		require.False(t, strings.HasPrefix(name, ".."), "tar entry %q", h.Name)
		if h.Typeflag != tar.TypeReg {
			continue
		}
		p := filepath.Join(dir, name)
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		b, err := io.ReadAll(tr)
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(p, b, 0o644))
	}
	run, err := results.ReadRun(dir)
	require.NoError(t, err)
	return run
}

// checkThrash holds the thrash run to what it must show: the cgroup
// stalled on memory (PSI), judged by the stall rule, NO-GO.
func checkThrash(t *testing.T, run *results.Run) {
	t.Helper()
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
	assert.Contains(t, thrash.Message, "stalled on memory")
	require.NotNil(t, c.Analysis.Thrash)
	th := c.Analysis.Thrash
	assert.Equal(t, "memory-stall", th.Basis)
	require.NotNil(t, th.StallPct)
	t.Logf("thrash: %s; longest %.0f s at %.0f %% stalled, at most %.0f %% of an interval, %.1f s in all; outcome %s",
		thrash.Message, th.LongestS, *th.StallPct, *th.MaxStallPct, *th.StalledS, c.Outcome)
}

// checkVerdicts holds a run of testdata/e2e.yaml to what it must show:
// steady GO, leaky NO-GO, hog NO-GO oom-killed by the kernel's counter.
func checkVerdicts(t *testing.T, where string, run *results.Run, enforcement string) {
	t.Helper()
	require.Len(t, run.Cells, 3, where)
	for _, c := range run.Cells {
		target := strings.SplitN(c.ID, "/", 2)[0]
		if enforcement != "" {
			assert.Equal(t, enforcement, c.Enforcement, "%s %s", where, c.ID)
		}
		msg := fmt.Sprintf("%s %s: %s %s %+v", where, c.ID, c.Verdict, c.Outcome, c.Reasons)
		switch target {
		case "steady":
			assert.Equal(t, results.GO, c.Verdict, msg)
			assert.Equal(t, results.Completed, c.Outcome, msg)
			if enforcement == "cgroup-v2" {
				// cpu.stat of the cell's cgroup, per request the driver completed.
				ok := c.Analysis != nil && c.Analysis.Cost != nil && c.Analysis.Cost.CPUSPerOp != nil && *c.Analysis.Cost.CPUSPerOp > 0
				assert.True(t, ok, "%s: CPU per operation measured from cpu.stat: %+v", msg, c.Analysis)
				if ok {
					t.Logf("%s %s: %.1f µs CPU/op", where, c.ID, *c.Analysis.Cost.CPUSPerOp*1e6)
				}
			}
		case "leaky":
			assert.Equal(t, results.NOGO, c.Verdict, msg)
			assert.Equal(t, results.Completed, c.Outcome, msg)
		case "hog":
			assert.Equal(t, results.NOGO, c.Verdict, msg)
			assert.Equal(t, results.OOMKilled, c.Outcome, msg)
			assert.GreaterOrEqual(t, c.OOMKills, int64(1), "%s: the kernel's oom_kill counter", msg)
		default:
			t.Errorf("%s: unexpected cell %s", where, c.ID)
		}
	}
}

type hostRun struct {
	run  *results.Run
	err  error
	skip string
}

// runOnHost runs the same matrix with the host's cgroups, if writable.
func runOnHost(ctx context.Context, dir, soaklab string, bins map[string]string) hostRun {
	if _, err := os.Stat("/sys/fs/cgroup/memory/cgroup.procs"); err != nil {
		return hostRun{skip: "no cgroup v1 memory controller on the host"}
	}
	path := filepath.Dir(bins["steady"]) + string(os.PathListSeparator) + os.Getenv("PATH")
	cmd := exec.CommandContext(ctx, soaklab, "run", "-m", "testdata/e2e.yaml", "--results", dir, "--run-id", "host", "--quiet")
	cmd.Env = append(os.Environ(), "PATH="+path)
	out, err := cmd.CombinedOutput()
	if code := cmd.ProcessState.ExitCode(); code != 1 {
		return hostRun{err: fmt.Errorf("soaklab on the host exited %d (%v), want 1 (NO-GO):\n%s", code, err, out)}
	}
	run, err := results.ReadRun(filepath.Join(dir, "host"))
	return hostRun{run: run, err: err}
}
