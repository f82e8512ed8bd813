package judge_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target/cgroup"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/judge"
)

// Real series of targets/memhold (Python, heap flat) recorded under a
// 256 MiB cgroup v1 limit, 3 minutes at 1 s, 20 requests/s: a memfd
// growing 8 MiB/min (shm), unread loopback sockets (sock) and unread pipes
// (pipe) growing as fast, and 96 MiB of page cache read over and over
// (cache). Each is judged as recorded, and again after passing every
// sample through a v1 and a v2 memory.stat read by the cgroup package, so
// the sum each version's keys give is what is fitted.
func TestUnreclaimableFit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		want results.Verdict
		// what the leak grows in (a sample field), flat in anon
		grows string
	}{
		// shared memory: 22 MiB more in a memfd, anon flat
		{"shm.jsonl", results.NOGO, "shmem"},
		// socket buffers of unread connections (kernel memory)
		{"sock.jsonl", results.NOGO, "sock"},
		// pipe buffers (kernel memory)
		{"pipe.jsonl", results.NOGO, "kernel"},
		// a large, stable page cache: reclaimable, kept out of the fit
		{"cache.jsonl", results.GO, ""},
	}
	for _, tt := range tests {
		for _, v := range []cgroup.Version{cgroup.None, cgroup.V1, cgroup.V2} {
			name := tt.file + "/" + map[cgroup.Version]string{cgroup.None: "recorded"}[v]
			if v != cgroup.None {
				name = tt.file + "/" + v.String()
			}
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				samples, err := results.ReadSamples(filepath.Join("testdata", "memhold", tt.file))
				require.NoError(t, err)
				if v != cgroup.None {
					samples = throughStat(t, v, samples)
				}
				c := &results.Cell{ID: tt.file, Target: "memhold", Kind: "server", RAMLimit: 256 << 20,
					Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed}
				got, rs, a := judge.Cell(c, samples, matrix.Judge{})
				leak := find(rs, "leak")
				t.Logf("%s: %s", got, leak.Message)
				assert.Equal(t, tt.want, got)
				require.NotNil(t, a.Fit)
				assert.Equal(t, analysis.SeriesUnreclaimable, a.Fit.Series)
				assert.True(t, strings.HasPrefix(leak.Message, "growing: unreclaimable") || strings.Contains(leak.Message, "unreclaimable (anon+shmem+kernel+sock) slope"),
					"the leak reason names the judged series: %s", leak.Message)
				if tt.grows != "" {
					assert.Equal(t, results.Fail, leak.Status)
					first, last := samples[20], samples[len(samples)-1]
					assert.Less(t, last.Anon-first.Anon, int64(2<<20), "anon stays flat")
					assert.Greater(t, field(last, tt.grows)-field(first, tt.grows), int64(16<<20), "%s grows", tt.grows)
				}
				for _, r := range rs {
					if r.Criterion == "peak" {
						assert.Contains(t, r.Message, "working set", "peaks stay on the working set")
					}
				}
			})
		}
	}
}

// TestAnonAloneMissesIt: the same series judged on anonymous memory alone,
// as before the unreclaimable total was sampled, pass as GO: the wrong
// verdict the total fixes.
func TestAnonAloneMissesIt(t *testing.T) {
	t.Parallel()
	for _, f := range []string{"shm.jsonl", "sock.jsonl", "pipe.jsonl"} {
		samples, err := results.ReadSamples(filepath.Join("testdata", "memhold", f))
		require.NoError(t, err)
		for i := range samples {
			samples[i].Unreclaimable = 0
		}
		c := &results.Cell{ID: f, Target: "memhold", Kind: "server", RAMLimit: 256 << 20,
			Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed}
		got, rs, _ := judge.Cell(c, samples, matrix.Judge{})
		assert.Equal(t, results.Pass, find(rs, "leak").Status, "%s on anon: %s", f, find(rs, "leak").Message)
		assert.NotEqual(t, results.NOGO, got, f)
	}
}

func find(rs []results.Reason, criterion string) results.Reason {
	for _, r := range rs {
		if r.Criterion == criterion {
			return r
		}
	}
	return results.Reason{}
}

func field(s results.Sample, name string) int64 {
	return map[string]int64{"shmem": s.Shmem, "sock": s.Sock, "kernel": s.Kernel}[name]
}

// reclaimableSlab is the reclaimable slab written into each v2 reading: it
// is in "kernel" and must be taken out again.
const reclaimableSlab = 300 << 10

// throughStat writes each sample's cgroup memory as version v's files
// would show it, reads them back with cgroup.ReadMemory and returns the
// samples with the memory fields as read.
func throughStat(t *testing.T, v cgroup.Version, in []results.Sample) []results.Sample {
	dir := t.TempDir()
	out := make([]results.Sample, len(in))
	for i, s := range in {
		files := map[string]string{}
		switch v {
		case cgroup.V1:
			files["memory.usage_in_bytes"] = fmt.Sprint(s.Usage)
			files["memory.stat"] = fmt.Sprintf("cache %d\nrss %d\nshmem %d\ntotal_cache %d\ntotal_rss %d\ntotal_shmem %d\ntotal_inactive_file %d\n",
				s.File, s.Anon, s.Shmem, s.File, s.Anon, s.Shmem, s.Usage-s.WorkingSet)
			files["memory.kmem.usage_in_bytes"] = fmt.Sprint(s.Kernel)
			files["memory.kmem.tcp.usage_in_bytes"] = fmt.Sprint(s.Sock)
			files["memory.oom_control"] = "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"
		case cgroup.V2:
			files["memory.current"] = fmt.Sprint(s.Usage + s.Sock)
			files["memory.stat"] = fmt.Sprintf("anon %d\nfile %d\nkernel %d\nkernel_stack 65536\npagetables 98304\nsock %d\nshmem %d\ninactive_file %d\nslab_reclaimable %d\nslab_unreclaimable 200000\n",
				s.Anon, s.File, s.Kernel+reclaimableSlab, s.Sock, s.Shmem, s.Usage-s.WorkingSet, reclaimableSlab)
			files["memory.events"] = "oom 0\noom_kill 0\n"
		}
		for name, text := range files {
			require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
		}
		m, err := cgroup.ReadMemory(v, dir)
		require.NoError(t, err)
		o := s
		o.Anon, o.File, o.Shmem, o.Kernel, o.Sock, o.Unreclaimable = m.Anon, m.File, m.Shmem, m.Kernel, m.Sock, m.Unreclaimable()
		require.Equal(t, s.Unreclaimable, o.Unreclaimable, "sample %d: the %s keys sum to what was recorded", i, v)
		out[i] = o
	}
	return out
}
