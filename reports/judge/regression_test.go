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
		// same memory, one run a side: nothing can be decided, NEUTRAL
		{"unchanged n=1", repeats(1, 31, "x", 100*M, 1000, 0), repeats(1, 32, "x", 101*M, 1000, 0), results.NEUTRAL, ""},
		// +30 % peak memory on one run a side: too few repeats, never FAIL
		{"memory n=1", repeats(1, 33, "x", 100*M, 1000, 0), repeats(1, 34, "x", 130*M, 1000, 0), results.NEUTRAL, ""},
		// +30 % on three repeats a side: still too few for p < 0.05
		{"memory n=3", repeats(3, 45, "x", 100*M, 1000, 0), repeats(3, 46, "x", 130*M, 1000, 0), results.NEUTRAL, ""},
		// +30 % on six repeats: significant
		{"memory n=6", repeats(6, 35, "x", 100*M, 1000, 0), repeats(6, 36, "x", 130*M, 1000, 0), results.NOGO, "peak memory"},
		// +5 % on six repeats: significant but under the 10 % threshold
		{"small n=6", repeats(6, 37, "x", 100*M, 1000, 0), repeats(6, 38, "x", 105*M, 1000, 0), results.GO, ""},
		// throughput −25 %: NEUTRAL
		{"slower", repeats(6, 39, "x", 100*M, 1000, 0), repeats(6, 40, "x", 100*M, 750, 0), results.NEUTRAL, "throughput"},
		// −30 % on six repeats: improved, GO
		{"improved n=6", repeats(6, 47, "x", 100*M, 1000, 0), repeats(6, 48, "x", 70*M, 1000, 0), results.GO, ""},
		// a new leak of 20 MiB/min: decided within the run, at any n
		{"new leak", repeats(1, 41, "x", 100*M, 1000, 0), repeats(1, 42, "x", 100*M, 1000, 20*M), results.NOGO, "leak"},
		// oom-killed where the earlier run completed: a new failure, at any n
		{"oom-killed n=1", repeats(1, 43, "x", 100*M, 1000, 0), killed(repeats(1, 44, "x", 105*M, 1000, 0), 128<<20), results.NOGO, "outcome"},
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
			for _, r := range g.Reasons {
				few := g.Rows[0].NA < 4 || g.Rows[0].NB < 4
				if few && r.Status == results.Fail && r.Criterion != "leak" && r.Criterion != "outcome" {
					t.Errorf("FAIL on %d+%d repeats: %s", g.Rows[0].NA, g.Rows[0].NB, r.Message)
				}
				if r.Status == results.Fail && r.Criterion != "leak" && r.Criterion != "outcome" {
					if row := rowOf(g.Rows, r.Criterion); row.P >= DefaultRegressionRule.Alpha {
						t.Errorf("FAIL at p=%.3f: %s", row.P, r.Message)
					}
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

func rowOf(rows []results.CompareRow, measure string) results.CompareRow {
	for _, r := range rows {
		if r.Measure == measure {
			return r
		}
	}
	return results.CompareRow{P: 1}
}
