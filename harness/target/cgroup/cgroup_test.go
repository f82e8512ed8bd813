package cgroup

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/target"
)

func TestReadMemory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		v    Version
		dir  string
		want target.Memory
	}{
		// v1 reads usage, max_usage, total_* (pgmajfault too) from memory.stat, oom_kill from memory.oom_control.
		{"v1", V1, "testdata/v1/soak", target.Memory{Usage: 8 << 20, Peak: 9 << 20, Limit: 32 << 20,
			Anon: 7 << 20, File: 1 << 20, InactiveFile: 512 << 10, OOMKills: 2, MajorFaults: 41}},
		// v2 reads memory.current, memory.peak, "max" as no limit, oom_kill from memory.events.
		// memory.pressure's some/full avg10 and totals (µs) too.
		{"v2", V2, "testdata/v2/soak", target.Memory{Usage: 8 << 20, Peak: 9 << 20, Limit: 0,
			Anon: 7 << 20, File: 1 << 20, InactiveFile: 512 << 10, OOMKills: 3, MajorFaults: 43,
			Pressure: &target.Pressure{SomeAvg10: 12.5, FullAvg10: 7.25, SomeTotal: 3456789, FullTotal: 2345678}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadMemory(tt.v, tt.dir)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, int64(8<<20-512<<10), got.WorkingSet())
		})
	}
}

// TestReadMemoryUnreclaimable reads what the kernel cannot reclaim from
// cgroups holding 16 MiB of /dev/shm, 100 full pipes and 5 unread loopback
// connections (a Python program). v1/held was captured on Linux 6.18; the
// v2 files carry the same holdings in the keys of Linux 6.1 (held) and of
// a kernel before 5.18, without "kernel" (old).
func TestReadMemoryUnreclaimable(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                            string
		v                               Version
		dir                             string
		anon, shmem, kernel, sock, want int64
	}{
		// v1: total_rss + total_shmem + kmem.usage_in_bytes + kmem.tcp.usage_in_bytes.
		{"v1", V1, "testdata/v1/held", 7663616, 16777216, 7000064, 19927040, 51367936},
		// v2 (>= 5.18): anon + shmem + (kernel - slab_reclaimable) + sock.
		{"v2", V2, "testdata/v2/held", 7663616, 16777216, 7376896 - 376832, 19927040, 51367936},
		// v2 before 5.18: kernel_stack + pagetables + percpu + slab_unreclaimable stand for kernel.
		{"v2-old", V2, "testdata/v2/old", 7663616, 16777216, 65536 + 241664 + 2880 + 344064, 19927040, 7663616 + 16777216 + 654144 + 19927040},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadMemory(tt.v, tt.dir)
			require.NoError(t, err)
			assert.Equal(t, tt.anon, got.Anon, "anon")
			assert.Equal(t, tt.shmem, got.Shmem, "shmem")
			assert.Equal(t, tt.kernel, got.Kernel, "kernel")
			assert.Equal(t, tt.sock, got.Sock, "sock")
			assert.Equal(t, tt.want, got.Unreclaimable())
			assert.Less(t, got.Anon, got.Unreclaimable()/2, "the anonymous memory alone misses most of what is held")
		})
	}
}

// TestReadPressure: a kernel without PSI has no memory.pressure (nil, not
// zeros); a file without totals is not a reading.
func TestReadPressure(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	assert.Nil(t, readPressure(dir), "absent")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "memory.pressure"), []byte("some avg10=1.00\n"), 0o644))
	assert.Nil(t, readPressure(dir), "no total")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "memory.pressure"),
		[]byte("some avg10=0.50 avg60=0.10 avg300=0.00 total=1200\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"), 0o644))
	assert.Equal(t, &target.Pressure{SomeAvg10: 0.5, SomeTotal: 1200}, readPressure(dir))
}

func TestReadMemoryMissing(t *testing.T) {
	t.Parallel()
	_, err := ReadMemory(V1, "testdata/nope")
	assert.Error(t, err)
	_, err = ReadMemory(None, "testdata/v1/soak")
	assert.ErrorIs(t, err, ErrNoMemoryController)
}

func TestDetect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	v2 := filepath.Join(dir, "v2root")
	require.NoError(t, os.MkdirAll(v2, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(v2, "cgroup.controllers"), []byte("cpu io memory pids\n"), 0o644))
	nomem := filepath.Join(dir, "unified")
	require.NoError(t, os.MkdirAll(nomem, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(nomem, "cgroup.controllers"), []byte("\n"), 0o644))
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(text), 0o644))
		return p
	}
	tests := []struct {
		name   string
		mounts string
		want   Hierarchy
		err    bool
	}{
		// v1 memory controller with a v2 mount that lacks memory: v1 wins (these machines).
		{"v1-hybrid", write("m1", "cgroup "+dir+"/memory cgroup rw,memory 0 0\ncgroup2 "+nomem+" cgroup2 rw 0 0\n"),
			Hierarchy{Version: V1, Mount: dir + "/memory"}, false},
		// v1 with cpuacct mounted apart, or with cpu: its mount is where CPU time is counted.
		{"v1-cpuacct", write("m4", "cgroup "+dir+"/cpuacct cgroup rw,cpuacct 0 0\ncgroup "+dir+"/memory cgroup rw,memory 0 0\n"),
			Hierarchy{Version: V1, Mount: dir + "/memory", CPUMount: dir + "/cpuacct"}, false},
		{"v1-cpu,cpuacct", write("m5", "cgroup "+dir+"/cpu,cpuacct cgroup rw,cpu,cpuacct 0 0\ncgroup "+dir+"/memory cgroup rw,memory 0 0\n"),
			Hierarchy{Version: V1, Mount: dir + "/memory", CPUMount: dir + "/cpu,cpuacct"}, false},
		// unified hierarchy with the memory controller: v2.
		{"v2", write("m2", "cgroup2 "+v2+" cgroup2 rw 0 0\n"), Hierarchy{Version: V2, Mount: v2}, false},
		// no memory controller anywhere: an error, the backend falls back to the watchdog.
		{"none", write("m3", "cgroup2 "+nomem+" cgroup2 rw 0 0\n"), Hierarchy{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Detect(dir, tt.mounts)
			if tt.err {
				assert.ErrorIs(t, err, ErrNoMemoryController)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestUnescape(t *testing.T) {
	t.Parallel()
	assert.Equal(t, "/a b", unescape(`/a\040b`))
	assert.Equal(t, "/plain", unescape("/plain"))
}

func TestReadKVAndInt(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("memory.stat", "cache 5\nrss 7\nweird\nneg -3\nbad x1\ntotal_rss 9")
	write("unlimited", "9223372036854771712\n")
	write("max", "max\n")
	write("garbled", "12ab\n")

	var rss, totalRSS, neg, bad, absent int64 = 0, 0, 0, 0, -1
	require.NoError(t, readKV(dir, "memory.stat", []field{{"rss", &rss}, {"total_rss", &totalRSS}, {"neg", &neg}, {"bad", &bad}, {"absent", &absent}}))
	assert.Equal(t, []int64{7, 9, -3, 0, -1}, []int64{rss, totalRSS, neg, bad, absent},
		"exact keys, last line without newline, negatives; a garbled value or a missing key leaves the field")

	tests := []struct {
		file    string
		want    int64
		wantErr string
	}{
		{"unlimited", 9223372036854771712, ""}, // v1's "no limit"
		{"max", 0, ""},                         // v2's "no limit"
		{"garbled", 0, "parse garbled"},
		{"missing", 0, "no such file"},
	}
	for _, tt := range tests {
		got, err := readInt(dir, tt.file)
		if tt.wantErr != "" {
			assert.ErrorContains(t, err, tt.wantErr, tt.file)
			continue
		}
		require.NoError(t, err, tt.file)
		assert.Equal(t, tt.want, got, tt.file)
	}
}

// TestDelegate runs against fixture directories (as root every directory
// is writable, so the topmost one below the mount is the subtree's root;
// the unprivileged case runs in the test VM).
func TestDelegate(t *testing.T) {
	mount := t.TempDir()
	scope := filepath.Join(mount, "user.slice", "run-1.scope")
	require.NoError(t, os.MkdirAll(scope, 0o755))
	for _, dir := range []string{filepath.Join(mount, "user.slice"), scope} {
		for _, f := range []string{"cgroup.procs", "cgroup.subtree_control"} {
			require.NoError(t, os.WriteFile(filepath.Join(dir, f), nil, 0o644))
		}
	}
	self := filepath.Join(t.TempDir(), "cgroup")
	require.NoError(t, os.WriteFile(self, []byte("0::/user.slice/run-1.scope\n"), 0o644))
	h := Hierarchy{Version: V2, Mount: mount}
	top := filepath.Join(mount, "user.slice")

	// no memory controller reaching the subtree: said so
	require.NoError(t, os.WriteFile(filepath.Join(top, "cgroup.controllers"), []byte("cpu pids\n"), 0o644))
	_, err := h.Delegate(self)
	assert.ErrorIs(t, err, ErrNotDelegated)
	assert.ErrorContains(t, err, "memory controller does not reach")

	// memory reaches it; soaklab sits in the subtree's root with other
	// processes: it moves to a leaf, and the others are named
	require.NoError(t, os.WriteFile(filepath.Join(top, "cgroup.controllers"), []byte("cpu memory pids\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(top, "cgroup.procs"), []byte("123\n456\n"), 0o644))
	inRoot := filepath.Join(t.TempDir(), "cgroup")
	require.NoError(t, os.WriteFile(inRoot, []byte("0::/user.slice\n"), 0o644))
	_, err = h.Delegate(inRoot)
	assert.ErrorContains(t, err, "pids 123 456")
	moved, _ := os.ReadFile(filepath.Join(top, HarnessLeaf, "cgroup.procs"))
	assert.Equal(t, strconv.Itoa(os.Getpid()), string(moved))

	// soaklab's own cgroup is below the subtree's root: nothing to vacate
	require.NoError(t, os.WriteFile(filepath.Join(top, "cgroup.procs"), []byte("123\n"), 0o644))
	got, err := h.Delegate(self)
	require.NoError(t, err)
	assert.Equal(t, top, got.Base)
	assert.Equal(t, filepath.Join(top, Parent, "x"), got.Dir("x"))
	ctl, _ := os.ReadFile(filepath.Join(top, "cgroup.subtree_control"))
	assert.Equal(t, "+memory", string(ctl))

	// v1, or no unified line: not delegable
	_, err = Hierarchy{Version: V1, Mount: mount}.Delegate(self)
	assert.ErrorIs(t, err, ErrNotDelegated)
	require.NoError(t, os.WriteFile(self, []byte("4:memory:/x\n"), 0o644))
	_, err = h.Delegate(self)
	assert.ErrorContains(t, err, "no cgroup v2 entry")
}
