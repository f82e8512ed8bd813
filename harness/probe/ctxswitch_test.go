package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// TestCtxSwitches reads a fake proc tree reading after reading: totals
// add what each thread gained, never fall when a thread ends, and count a
// reused tid from zero.
func TestCtxSwitches(t *testing.T) {
	t.Parallel()
	root := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(root, "self"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(root, "self", "status"), []byte("Name:\tx\n"), 0o644))
	p, err := NewProcs(root)
	require.NoError(t, err)
	type thread struct {
		pid, tid  int
		vol, nvol int64
	}
	set := func(threads ...thread) {
		require.NoError(t, os.RemoveAll(filepath.Join(root, "10")))
		require.NoError(t, os.RemoveAll(filepath.Join(root, "20")))
		for _, th := range threads {
			dir := filepath.Join(root, fmt.Sprint(th.pid), "task", fmt.Sprint(th.tid))
			require.NoError(t, os.MkdirAll(dir, 0o755))
			body := fmt.Sprintf("Name:\tt\nVmRSS:\t 100 kB\nvoluntary_ctxt_switches:\t%d\nnonvoluntary_ctxt_switches:\t%d\n", th.vol, th.nvol)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "status"), []byte(body), 0o644))
		}
	}
	var c ctxSwitches
	steps := []struct {
		threads   []thread
		vol, nvol int64
	}{
		// first reading: every thread's counts so far, over both processes
		{[]thread{{10, 10, 5, 1}, {10, 11, 7, 2}, {20, 20, 1, 0}}, 13, 3},
		// thread 11 gained 3+1, thread 20 gained 2
		{[]thread{{10, 10, 5, 1}, {10, 11, 10, 3}, {20, 20, 3, 0}}, 18, 4},
		// thread 11 ended: the totals stay; thread 10 gained 1
		{[]thread{{10, 10, 6, 1}, {20, 20, 3, 0}}, 19, 4},
		// tid 20 reused by a new thread with fewer switches: counted from 0
		{[]thread{{10, 10, 6, 1}, {20, 20, 2, 2}}, 21, 6},
	}
	for i, st := range steps {
		set(st.threads...)
		v, n, ok := c.read(p, []int{10, 20, 99})
		require.True(t, ok, "step %d", i)
		assert.Equal(t, [2]int64{st.vol, st.nvol}, [2]int64{v, n}, "step %d", i)
	}
	var none ctxSwitches
	_, _, ok := none.read(p, []int{99})
	assert.False(t, ok, "no thread readable: not measured")
}

// TestSamplerCPUAndCtxSwitches takes samples of this very process with a
// CPU source: the sample carries the CPU time in µs and this process's
// context switches, which grow as its threads sleep.
func TestSamplerCPUAndCtxSwitches(t *testing.T) {
	t.Parallel()
	p, err := NewProcs("/proc")
	require.NoError(t, err)
	s := &Sampler{Procs: p, PID: os.Getpid(), Start: time.Now(),
		CPU: func() (time.Duration, error) { return 1500 * time.Microsecond, nil }}
	first := s.Take(t.Context())
	assert.Equal(t, int64(1500), first.CPUUs)
	require.Eventually(t, func() bool {
		time.Sleep(10 * time.Millisecond) // a voluntary switch of this thread
		next := s.Take(t.Context())
		return next.CtxVoluntary > first.CtxVoluntary
	}, 10*time.Second, time.Millisecond)
	noCPU := &Sampler{Procs: p, Start: time.Now()}
	var want results.Sample
	got := noCPU.Take(t.Context())
	assert.Equal(t, want.CPUUs, got.CPUUs, "no CPU source, no PID: not measured")
	assert.Zero(t, got.CtxVoluntary+got.CtxNonvoluntary)
}
