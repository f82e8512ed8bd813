package judge

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// atLimit returns flat synthetic samples of a 48 MiB cell whose cgroup
// sits at 99 % of its limit and reads faultsPerS pages a second back from
// disk between from and to (seconds), a few a second otherwise.
func atLimit(from, to float64, faultsPerS int64) []results.Sample {
	s := synth.Spec{Seed: 7, Noise: 0.1 * M, RPS: 100, P99: 5}.Samples()
	var n int64
	for i := range s {
		s[i].Usage = 99 * 48 << 20 / 100 // 99 % of the limit
		rate := int64(2)
		if s[i].T > from && s[i].T <= to {
			rate = faultsPerS
		}
		n += rate
		s[i].MajorFaults = n
	}
	return s
}

func TestThrashCriterion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []results.Sample
		judge   matrix.Judge
		status  results.Status
		says    string
		verdict results.Verdict
	}{
		// a minute at the limit reading 200 pages a second back: NO-GO
		{"thrashing", atLimit(60, 120, 200), matrix.Judge{}, results.Fail,
			"thrashing at the memory limit for 60 s from 60 s (5 s allowed): 200 major page faults/s with usage at 99 % of the 48.0 MiB limit", results.NOGO},
		// three seconds pass under the 5 s default, and are named
		{"brief", atLimit(60, 63, 200), matrix.Judge{}, results.Pass,
			"thrashed 3 s (5 s allowed): 200 major page faults/s at ≥ 90 % of the 48.0 MiB limit", ""},
		// max_thrash: 0 allows none
		{"none allowed", atLimit(60, 63, 200), matrix.Judge{Set: map[string]bool{matrix.KeyMaxThrash: true}}, results.Fail,
			"thrashing at the memory limit for 3 s from 60 s (none allowed)", results.NOGO},
		// a longer allowance set by the matrix
		{"allowed", atLimit(60, 120, 200), matrix.Judge{MaxThrash: 2 * time.Minute}, results.Pass, "thrashed 60 s (120 s allowed)", ""},
		// at the limit but quiet
		{"quiet", atLimit(0, 0, 0), matrix.Judge{}, results.Pass,
			"no thrashing: at most 2 major page faults/s at ≥ 90 % of the 48.0 MiB limit (thrashing from 50/s)", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := cell(results.Completed)
			c.RAMLimit = 48 << 20
			v, rs, m := Cell(c, tc.samples, tc.judge)
			r, ok := reason(rs, "thrash")
			require.True(t, ok, "no thrash reason in %v", rs)
			assert.Equal(t, tc.status, r.Status, r.Message)
			assert.True(t, r.Hard)
			assert.Contains(t, r.Message, tc.says)
			if tc.verdict != "" {
				assert.Equal(t, tc.verdict, v)
			}
			assert.NotNil(t, m.Thrash, "analysis lacks the thrash figures")
		})
	}
}

// withStall adds memory pressure to samples (cgroup v2 with PSI): every
// task stalled share of each second between from and to, 0.1 % otherwise.
func withStall(s []results.Sample, from, to, share float64) []results.Sample {
	var us int64
	for i := range s {
		d := 0.001
		if s[i].T > from && s[i].T <= to {
			d = share
		}
		us += int64(d * 1e6)
		s[i].Pressure = &results.MemPressure{FullUs: us, SomeUs: us}
	}
	return s
}

// TestThrashCriterionStall: on v2 the stall rule decides, whatever the
// major faults say.
func TestThrashCriterionStall(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		samples []results.Sample
		judge   matrix.Judge
		status  results.Status
		says    string
	}{
		// stalled 60 % of each second for a minute, without a major fault above 2/s
		{"stalled", withStall(atLimit(0, 0, 0), 60, 120, 0.6), matrix.Judge{}, results.Fail,
			"thrashing: stalled on memory for 60 s from 60 s (5 s allowed): every task of the cgroup waited on memory 60 % of that time (PSI full), usage at 99 % of the 48.0 MiB limit; 36.1 s stalled in all"},
		// a short stall within the budget
		{"brief", withStall(atLimit(0, 0, 0), 60, 63, 0.5), matrix.Judge{}, results.Pass,
			"stalled on memory 3 s (5 s allowed): every task waited 50 % of that time (PSI full)"},
		// major faults at the limit, but no stall: PSI says the cgroup ran
		{"faults without stall", withStall(atLimit(60, 120, 200), 0, 0, 0), matrix.Judge{}, results.Pass,
			"no thrashing: every task of the cgroup waited on memory at most 0.1 % of an interval (PSI full; thrashing from 10 %)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := cell(results.Completed)
			c.RAMLimit = 48 << 20
			_, rs, m := Cell(c, tc.samples, tc.judge)
			r, ok := reason(rs, "thrash")
			require.True(t, ok, "no thrash reason in %v", rs)
			assert.Equal(t, tc.status, r.Status, r.Message)
			assert.Contains(t, r.Message, tc.says)
			require.NotNil(t, m.Thrash)
			assert.Equal(t, "memory-stall", m.Thrash.Basis)
			assert.NotNil(t, m.Thrash.StalledS)
		})
	}
}

// Without major faults in the samples (older results, a backend without a
// cgroup) or below the threshold, there is nothing to judge.
func TestThrashLeftOut(t *testing.T) {
	t.Parallel()
	c := cell(results.Completed)
	s := synth.Spec{Seed: 8, Noise: 0.1 * M, RPS: 100, P99: 5}.Samples()
	_, rs, _ := Cell(c, s, matrix.Judge{})
	_, ok := reason(rs, "thrash")
	assert.False(t, ok, "no major faults sampled")

	for i := range s {
		s[i].Usage, s[i].MajorFaults = 20<<20, int64(i*500) // a cold start far below the limit
	}
	_, rs, _ = Cell(c, s, matrix.Judge{})
	_, ok = reason(rs, "thrash")
	assert.False(t, ok, "never near the limit")
}
