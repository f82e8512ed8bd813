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
