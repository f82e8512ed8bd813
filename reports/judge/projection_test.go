package judge

import (
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// The analysis stores the projection the oom-risk criterion judged: the
// same time to the limit as its reason's value, its interval, and the line
// it came from.
func TestProjectionStored(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		spec synth.Spec
		from string // "" = no projection stored
		high bool   // the slope's lower bound grows: a latest time
	}{
		// 25 MiB/min from 40 MiB under 512 MiB: about 19 minutes left
		{"leak", synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, LeakPerMin: 25 * M}, "fit", true},
		// labelstorm capped: the climb stopped at 30 s, projected from what
		// came after (+2.2 MiB/h, 95 % CI −34…+35: 219 h, 13.5 h…never)
		{"plateau", synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, RampFor: 30, RampHeight: 25 * M}, "recent", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			c.spec.Seed = 1
			_, rs, a := Cell(shortCell(), c.spec.Samples(), matrix.Judge{})
			var risk *results.Reason
			for i := range rs {
				if rs[i].Criterion == "oom-risk" {
					risk = &rs[i]
				}
			}
			require.NotNil(t, risk)
			o := a.OOMRisk
			require.NotNil(t, o, "no projection stored")
			assert.Equal(t, c.from, o.From)
			assert.InDelta(t, risk.Value, o.TimeToLimitS, 1e-9, "the reason's value and the stored projection differ")
			require.NotNil(t, o.TimeToLimitLowS)
			assert.LessOrEqual(t, *o.TimeToLimitLowS, o.TimeToLimitS)
			assert.Equal(t, c.high, o.TimeToLimitHighS != nil)
			if c.high {
				require.NotNil(t, o.TimeToLimitHighS)
				assert.GreaterOrEqual(t, *o.TimeToLimitHighS, o.TimeToLimitS)
				// the reason spells the same interval
				assert.True(t, strings.Contains(risk.Message, "("+hours(*o.TimeToLimitLowS)+"…"+hours(*o.TimeToLimitHighS)+")"), risk.Message)
			}
		})
	}
}

// Without a limit nothing is projected; a flat series projects nothing.
func TestProjectionNone(t *testing.T) {
	t.Parallel()
	flat := synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, Seed: 3}
	c := shortCell()
	c.RAMLimit = 0
	_, _, a := Cell(c, flat.Samples(), matrix.Judge{})
	assert.Nil(t, a.OOMRisk, "no limit")
	leak := synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, LeakPerMin: 25 * M, Seed: 3}
	_, _, a = Cell(c, leak.Samples(), matrix.Judge{})
	assert.Nil(t, a.OOMRisk, "no limit, growing")
	_, _, a = Cell(shortCell(), leak.Samples(), matrix.Judge{Horizon: 0, Set: map[string]bool{matrix.KeyHorizon: true}})
	require.NotNil(t, a.OOMRisk, "horizon 0 turns the criterion off, not the projection")
	assert.False(t, math.IsInf(a.OOMRisk.TimeToLimitS, 0))
}
