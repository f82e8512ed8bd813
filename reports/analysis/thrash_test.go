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
			Thrash{Sampled: true, Basis: BasisFaults, Seconds: 5, From: 1, Rate: 200, Usage: 47.0 / 48, MaxRate: 200}},
		// the longest of two runs wins; a quiet interval at the limit breaks a run
		{"two runs", at([]int64{47, 47, 47, 47, 47, 47, 47},
			[]int64{0, 100, 100, 200, 300, 400, 400}), 48,
			Thrash{Sampled: true, Basis: BasisFaults, Seconds: 3, From: 2, Rate: 100, Usage: 47.0 / 48, MaxRate: 100}},
		// many faults far below the limit: a cold start, not thrashing
		{"cold start", at([]int64{5, 6, 7, 8}, []int64{0, 900, 1800, 1800}), 48,
			Thrash{}},
		// at the limit, a few faults: sampled, none thrashing
		{"quiet at limit", at([]int64{46, 47, 47, 47}, []int64{10, 12, 14, 15}), 48,
			Thrash{Sampled: true, Basis: BasisFaults, MaxRate: 2}},
		// a counter going down (a restarted container) breaks the run
		{"reset", at([]int64{47, 47, 47, 47}, []int64{0, 100, 10, 110}), 48,
			Thrash{Sampled: true, Basis: BasisFaults, Seconds: 1, From: 0, Rate: 100, Usage: 47.0 / 48, MaxRate: 100}},
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

// stalled builds samples one second apart from usage (MiB) and cumulative
// full memory stall (ms); a negative stall is a sample without pressure.
func stalled(usage []int64, fullMs []int64) []results.Sample {
	s := make([]results.Sample, len(usage))
	for i := range usage {
		s[i] = results.Sample{T: float64(i), Usage: usage[i] << 20}
		if fullMs[i] >= 0 {
			s[i].Pressure = &results.MemPressure{FullUs: fullMs[i] * 1000, SomeUs: fullMs[i] * 2000}
		}
	}
	return s
}

// TestThrashStall: with memory pressure sampled (cgroup v2), the stall
// rule decides and major faults are not needed.
func TestThrashStall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []results.Sample
		limit   int64
		want    Thrash
	}{
		// stalled 600 ms of each second from t=2 to t=5 at the limit
		{"thrashing", stalled([]int64{10, 40, 47, 47, 47, 47, 30}, []int64{0, 0, 20, 620, 1220, 1820, 1830}), 48,
			Thrash{Sampled: true, Basis: BasisStall, Seconds: 3, From: 2, Stall: 0.6, MaxStall: 0.6, Stalled: 1.83, Usage: 47.0 / 48}},
		// a healthy cgroup: sampled, a few ms of stall, no stretch
		{"healthy", stalled([]int64{20, 20, 20, 20}, []int64{0, 1, 3, 4}), 48,
			Thrash{Sampled: true, Basis: BasisStall, MaxStall: 0.002, Stalled: 0.004}},
		// stalled far below the limit (the machine short of memory) still counts
		{"below limit", stalled([]int64{5, 5, 5}, []int64{0, 500, 1000}), 48,
			Thrash{Sampled: true, Basis: BasisStall, Seconds: 2, From: 0, Stall: 0.5, MaxStall: 0.5, Stalled: 1, Usage: 5.0 / 48}},
		// a missing reading breaks the run; no limit leaves usage out
		{"gap", stalled([]int64{47, 47, 47, 47, 47}, []int64{0, 300, -1, 300, 600}), 0,
			Thrash{Sampled: true, Basis: BasisStall, Seconds: 1, From: 0, Stall: 0.3, MaxStall: 0.3, Stalled: 0.6}},
		// a single sample: nothing to difference
		{"one sample", stalled([]int64{47}, []int64{5}), 48, Thrash{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got := thrash(c.samples, Params{Limit: c.limit << 20}.withDefaults())
			for _, f := range []struct{ want, got *float64 }{{&c.want.Usage, &got.Usage}, {&c.want.Stall, &got.Stall},
				{&c.want.MaxStall, &got.MaxStall}, {&c.want.Stalled, &got.Stalled}} {
				assert.InDelta(t, *f.want, *f.got, 1e-9)
				*f.got = *f.want
			}
			assert.InDelta(t, c.want.Usage, got.Usage, 1e-9)
			got.Usage = c.want.Usage
			assert.Equal(t, c.want, got)
		})
	}
}
