package judge

import (
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// peaks makes one repeat per value: a flat, noiseless series at that many
// MiB, so each repeat's peak is the value.
func peaks(variant string, mibs ...float64) []CellData {
	out := make([]CellData, len(mibs))
	for i, v := range mibs {
		c := &results.Cell{ID: "alloc/variant=" + variant, Target: "alloc", Kind: "server", Axes: map[string]string{"variant": variant},
			Repeat: i + 1, RAMLimit: 1 << 30, Duration: 60, Warmup: 6, Interval: 1, Outcome: results.Completed}
		out[i] = CellData{Cell: c, Samples: synth.Spec{Duration: 60, Base: v * M, RPS: 1000}.Samples()}
	}
	return out
}

// A drop that the repeats neither show nor exclude is NEUTRAL, not NO-GO,
// and the reason says how many repeats would decide it; a drop the
// interval excludes stays NO-GO.
func TestCompareInconclusiveDrop(t *testing.T) {
	t.Parallel()
	cmp := matrix.Compare{Name: "jemalloc", Axis: "variant", Baseline: "glibc", Candidate: "jemalloc",
		Scorecard: matrix.Scorecard{MinRSSDropPct: 20}}
	cases := []struct {
		name    string
		a, b    []CellData
		verdict results.Verdict
		status  results.Status
		says    []string
	}{
		// 4+4, ≈25 % drop, one overlapping repeat: p = 0.057, not shown
		{"one overlap", peaks("glibc", 400, 410, 308, 420), peaks("jemalloc", 305, 290, 310, 295),
			results.NEUTRAL, results.Unknown, []string{"not shown at n=4+4", "about 6 repeats a side would detect a 20 % drop", "power 80 %"}},
		// 4+4 without overlap, ≈27 % drop: shown
		{"no overlap", peaks("glibc", 400, 410, 405, 420), peaks("jemalloc", 305, 290, 310, 295),
			results.GO, results.Pass, nil},
		// 6+6, 1 % apart with 1 % noise: a 20 % drop is excluded by the interval
		{"excluded", peaks("glibc", 400, 404, 396, 402, 398, 401), peaks("jemalloc", 396, 400, 392, 398, 394, 397),
			results.NOGO, results.Fail, []string{"required drop ≥ 20 %", "excluded"}},
		// memory grows significantly: NO-GO
		{"grows", peaks("glibc", 300, 301, 302, 303), peaks("jemalloc", 400, 401, 402, 403),
			results.NOGO, results.Fail, nil},
		// a 10 % drop shown, 20 % not excluded by the wide 4+4 interval: NEUTRAL, with the repeats to tell them apart
		{"smaller drop", peaks("glibc", 400, 440, 360, 420), peaks("jemalloc", 340, 350, 330, 345),
			results.NEUTRAL, results.Unknown, []string{"tell the observed", "from the required 20 %"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := Compare(cmp, c.a, c.b)
			r, _ := reason(got.Reasons, "rss")
			t.Logf("%s: %s %s", c.name, r.Status, r.Message)
			if got.Verdict != c.verdict || r.Status != c.status {
				t.Fatalf("verdict %s, rss %s, want %s, %s", got.Verdict, r.Status, c.verdict, c.status)
			}
			for _, s := range c.says {
				if !strings.Contains(r.Message, s) {
					t.Errorf("message %q lacks %q", r.Message, s)
				}
			}
		})
	}
}
