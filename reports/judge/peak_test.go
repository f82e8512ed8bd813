package judge

import (
	"math"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// TestPeakOf: an oom-killed cell's peak is the cgroup's own when it has
// one (its samples stop up to an interval before the kill); other cells
// keep their samples' peak.
func TestPeakOf(t *testing.T) {
	t.Parallel()
	// flat on 100 MiB with 1 MiB of noise: the samples peak near 103 MiB
	samples := synth.Spec{Duration: 60, Seed: 3, Base: 100 * M, Noise: 1 * M}.Samples()
	cases := []struct {
		name    string
		outcome results.Outcome
		cgroup  int64 // PeakCgroup
		rss     int64 // PeakRSS
		samples []results.Sample
		want    float64 // 0: the samples' peak; NaN: none
	}{
		// killed at the 128 MiB limit between two samples: the cgroup saw it
		{"oom-killed, cgroup peak", results.OOMKilled, 128 << 20, 104 << 20, samples, 128 * M},
		// no cgroup peak (watchdog enforcement): the samples' peak
		{"oom-killed, no cgroup peak", results.OOMKilled, 0, 0, samples, 0},
		// no cgroup peak but a recorded RSS above the samples
		{"oom-killed, recorded RSS", results.OOMKilled, 0, 110 << 20, samples, 110 * M},
		// killed before the first sample: the cgroup's peak alone
		{"oom-killed, no samples", results.OOMKilled, 128 << 20, 90 << 20, nil, 128 * M},
		// killed with nothing recorded at all
		{"oom-killed, nothing", results.OOMKilled, 0, 0, nil, math.NaN()},
		// a completed cell's cgroup peak counts page cache: the samples' peak
		{"completed, cgroup peak", results.Completed, 128 << 20, 104 << 20, samples, 0},
		// a completed cell without samples: its recorded RSS
		{"completed, no samples", results.Completed, 128 << 20, 90 << 20, nil, 90 * M},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &results.Cell{ID: "t/ram=128MiB", Target: "t", Kind: "server", RAMLimit: 128 << 20,
				Duration: 60, Warmup: 6, Interval: 1, Outcome: tc.outcome, PeakCgroup: tc.cgroup, PeakRSS: tc.rss}
			r := analysis.Analyze(tc.samples, Params(c))
			want := tc.want
			if want == 0 {
				want = r.Peak
				if math.IsNaN(want) || want < 100*M || want > 110*M {
					t.Fatalf("the samples' peak is %.1f MiB, want about 103", want/M)
				}
			}
			got := peakOf(c, r)
			if math.IsNaN(want) != math.IsNaN(got) || (!math.IsNaN(want) && got != want) {
				t.Errorf("peak %.2f MiB, want %.2f MiB", got/M, want/M)
			}
		})
	}
}
