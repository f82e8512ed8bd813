package analysis

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/harness/results"
)

// at builds samples one second apart from usage (MiB) and cumulative major
// faults.
func at(usage []int64, faults []int64) []results.Sample {
	s := make([]results.Sample, len(usage))
	for i := range usage {
		s[i] = results.Sample{T: float64(i), Usage: usage[i] << 20, MajorFaults: faults[i]}
	}
	return s
}

func TestThrash(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []results.Sample
		limit   int64
		want    Thrash
	}{
		// at the limit from t=2, reading 200 pages/s back from t=2 to t=6
		{"thrashing", at([]int64{10, 40, 47, 47, 47, 47, 47, 30},
			[]int64{5, 5, 205, 405, 605, 805, 1005, 1006}), 48,
			Thrash{Sampled: true, Seconds: 5, From: 1, Rate: 200, Usage: 47.0 / 48, MaxRate: 200}},
		// the longest of two runs wins; a quiet interval at the limit breaks a run
		{"two runs", at([]int64{47, 47, 47, 47, 47, 47, 47},
			[]int64{0, 100, 100, 200, 300, 400, 400}), 48,
			Thrash{Sampled: true, Seconds: 3, From: 2, Rate: 100, Usage: 47.0 / 48, MaxRate: 100}},
		// many faults far below the limit: a cold start, not thrashing
		{"cold start", at([]int64{5, 6, 7, 8}, []int64{0, 900, 1800, 1800}), 48,
			Thrash{}},
		// at the limit, a few faults: sampled, none thrashing
		{"quiet at limit", at([]int64{46, 47, 47, 47}, []int64{10, 12, 14, 15}), 48,
			Thrash{Sampled: true, MaxRate: 2}},
		// a counter going down (a restarted container) breaks the run
		{"reset", at([]int64{47, 47, 47, 47}, []int64{0, 100, 10, 110}), 48,
			Thrash{Sampled: true, Seconds: 1, From: 0, Rate: 100, Usage: 47.0 / 48, MaxRate: 100}},
		// no major faults sampled (older results, no cgroup): nothing to judge
		{"not sampled", at([]int64{47, 47, 47}, []int64{0, 0, 0}), 48, Thrash{}},
		// no limit: nothing to be at
		{"no limit", at([]int64{47, 47, 47}, []int64{0, 100, 200}), 0, Thrash{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := thrash(c.samples, Params{Limit: c.limit << 20}.withDefaults())
			assert.InDelta(t, c.want.Usage, got.Usage, 1e-9)
			got.Usage = c.want.Usage
			assert.Equal(t, c.want, got)
		})
	}
}
