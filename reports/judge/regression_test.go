package judge

import (
	"testing"

	"github.com/soaklab/soaklab/harness/results"
)

func TestRegressions(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		old, new []CellData
		want     results.Verdict
		fail     string
	}{
		// same memory, one run a side: GO under the one-run rule
		{"unchanged n=1", repeats(1, 31, "x", 100*M, 1000, 0), repeats(1, 32, "x", 101*M, 1000, 0), results.GO, ""},
		// +30 % peak memory on one run: beyond 10 % and the noise
		{"memory n=1", repeats(1, 33, "x", 100*M, 1000, 0), repeats(1, 34, "x", 130*M, 1000, 0), results.NOGO, "peak memory"},
		// +30 % on six repeats: significant
		{"memory n=6", repeats(6, 35, "x", 100*M, 1000, 0), repeats(6, 36, "x", 130*M, 1000, 0), results.NOGO, "peak memory"},
		// +5 % on six repeats: significant but under the 10 % threshold
		{"small n=6", repeats(6, 37, "x", 100*M, 1000, 0), repeats(6, 38, "x", 105*M, 1000, 0), results.GO, ""},
		// throughput −25 %: NEUTRAL
		{"slower", repeats(6, 39, "x", 100*M, 1000, 0), repeats(6, 40, "x", 100*M, 750, 0), results.NEUTRAL, "throughput"},
		// a new leak of 20 MiB/min
		{"new leak", repeats(1, 41, "x", 100*M, 1000, 0), repeats(1, 42, "x", 100*M, 1000, 20*M), results.NOGO, "leak"},
		// oom-killed at the 128 MiB limit, the last sample only 5 % up: the
		// cgroup's peak is +28 %
		{"oom-killed n=1", repeats(1, 43, "x", 100*M, 1000, 0), killed(repeats(1, 44, "x", 105*M, 1000, 0), 128<<20), results.NOGO, "peak memory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Regressions(c.old, c.new, DefaultRegressionRule)
			if len(got) != 1 {
				t.Fatalf("%d comparisons, want 1", len(got))
			}
			g := got[0]
			if g.Verdict != c.want {
				for _, r := range g.Reasons {
					t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
				}
				t.Fatalf("verdict %s, want %s", g.Verdict, c.want)
			}
			if c.fail != "" {
				if r, ok := reason(g.Reasons, c.fail); !ok || r.Status != results.Fail {
					t.Errorf("%s: %+v, want FAIL", c.fail, r)
				}
			}
		})
	}
	// Cells on one side only are not compared.
	other := repeats(1, 50, "y", 100*M, 1000, 0)
	if got := Regressions(repeats(1, 51, "x", 100*M, 1000, 0), other, DefaultRegressionRule); len(got) != 0 {
		t.Errorf("unmatched cells compared: %+v", got)
	}
}

// killed marks every cell of ds oom-killed at limit, with the cgroup's
// peak there: the kernel saw the limit reached after the last sample.
func killed(ds []CellData, limit int64) []CellData {
	for _, d := range ds {
		d.Cell.Outcome, d.Cell.RAMLimit, d.Cell.PeakCgroup, d.Cell.OOMKills = results.OOMKilled, limit, limit, 1
	}
	return ds
}
