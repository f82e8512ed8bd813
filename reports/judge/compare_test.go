package judge

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// repeats makes n repeats of a side: a flat series on base bytes at rps,
// with seeded run-to-run variation of 2 % in memory and 1 % in rate.
func repeats(n int, seed uint64, variant string, base, rps, leakPerMin float64) []CellData {
	rng := rand.New(rand.NewPCG(seed, 7))
	out := make([]CellData, n)
	for i := range out {
		s := synth.Spec{
			Duration: 60, Seed: seed*100 + uint64(i), Noise: 0.01 * base,
			Base: base * (1 + 0.02*rng.NormFloat64()), RPS: rps * (1 + 0.01*rng.NormFloat64()), RPSNoise: 0.02,
			LeakPerMin: leakPerMin,
		}
		c := &results.Cell{ID: "alloc/variant=" + variant, Target: "alloc", Kind: "server", Axes: map[string]string{"variant": variant, "rps": "1000"},
			Repeat: i + 1, RAMLimit: 1 << 30, Duration: 60, Warmup: 6, Interval: 1, Outcome: results.Completed}
		out[i] = CellData{Cell: c, Samples: s.Samples()}
	}
	return out
}

func TestCompare(t *testing.T) {
	t.Parallel()
	cmp := matrix.Compare{Name: "lean-vs-fast", Axis: "variant", Baseline: "fast", Candidate: "lean",
		Scorecard: matrix.Scorecard{MinRSSDropPct: 50, MaxThroughputLossPct: 10}}
	cases := []struct {
		name   string
		a, b   []CellData
		want   results.Verdict
		status map[string]results.Status
	}{
		// peak RSS −70 %, throughput −3 %: GO
		{"lean wins", repeats(6, 1, "fast", 100*M, 1000, 0), repeats(6, 2, "lean", 30*M, 970, 0), results.GO,
			map[string]results.Status{"rss": results.Pass, "throughput": results.Pass, "drift": results.Pass}},
		// RSS drops but throughput −20 %: NEUTRAL (research box)
		{"too slow", repeats(6, 3, "fast", 100*M, 1000, 0), repeats(6, 4, "lean", 30*M, 800, 0), results.NEUTRAL,
			map[string]results.Status{"rss": results.Pass, "throughput": results.Fail}},
		// RSS unchanged: NO-GO
		{"no drop", repeats(6, 5, "fast", 100*M, 1000, 0), repeats(6, 6, "lean", 99*M, 1000, 0), results.NOGO,
			map[string]results.Status{"rss": results.Fail}},
		// RSS drops but the candidate drifts: NO-GO
		{"drifts", repeats(6, 7, "fast", 100*M, 1000, 0), repeats(6, 8, "lean", 30*M, 990, 10*M), results.NOGO,
			map[string]results.Status{"drift": results.Fail}},
		// a clear drop on two repeats a side: not a confident GO
		{"n=2", repeats(2, 9, "fast", 100*M, 1000, 0), repeats(2, 10, "lean", 30*M, 990, 0), results.NEUTRAL,
			map[string]results.Status{"repeats": results.Unknown, "rss": results.Unknown}},
		// one run a side, no drop: still no verdict
		{"n=1", repeats(1, 11, "fast", 100*M, 1000, 0), repeats(1, 12, "lean", 100*M, 1000, 0), results.NEUTRAL,
			map[string]results.Status{"repeats": results.Unknown}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Compare(cmp, c.a, c.b)
			if got.Verdict != c.want {
				for _, r := range got.Reasons {
					t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
				}
				t.Fatalf("verdict %s, want %s", got.Verdict, c.want)
			}
			for crit, st := range c.status {
				r, ok := reason(got.Reasons, crit)
				if !ok || r.Status != st {
					t.Errorf("%s: %+v, want %s", crit, r, st)
				}
			}
			if len(got.Rows) < 3 || got.Rows[0].Measure != "peak memory" {
				t.Fatalf("rows %+v", got.Rows)
			}
			if !strings.Contains(got.Name, "alloc/rps=1000") {
				t.Errorf("name %q lacks the group key", got.Name)
			}
		})
	}
}

// Rows carry medians, delta, p and the Hodges–Lehmann interval; "~" when
// nothing is detectable.
func TestCompareRows(t *testing.T) {
	t.Parallel()
	got := Compare(matrix.Compare{Axis: "variant", Baseline: "fast", Candidate: "lean"},
		repeats(8, 21, "fast", 100*M, 1000, 0), repeats(8, 22, "lean", 50*M, 1000, 0))
	peak, tp := got.Rows[0], got.Rows[1]
	if !peak.Detected || peak.P >= 0.05 || peak.DeltaPct > -45 || peak.DeltaPct < -55 {
		t.Errorf("peak row %+v, want ≈−50 %% detected", peak)
	}
	if !(peak.Low <= peak.DeltaPct && peak.DeltaPct <= peak.High) || peak.Low < -60 || peak.High > -40 {
		t.Errorf("peak interval %.1f…%.1f around %.1f", peak.Low, peak.High, peak.DeltaPct)
	}
	if tp.Measure != "throughput" || tp.NA != 8 || tp.NB != 8 {
		t.Errorf("throughput row %+v", tp)
	}
	if tp.Detected && tp.P >= 0.05 {
		t.Errorf("detected with p=%v", tp.P)
	}
	if r, _ := reason(got.Reasons, "throughput"); tp.Detected == strings.Contains(r.Message, "~") {
		t.Errorf("throughput message %q vs detected=%v", r.Message, tp.Detected)
	}
}
