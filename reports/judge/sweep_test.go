package judge

import (
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// Over many noise seeds, shapes without a leak are never NO-GO and leaks
// are always NO-GO: the failures of endpoint gates (slow leaks passed),
// straight-line fits on saw-tooth memory (false alarms) and warm-up ramps
// read as leaks.
func TestNoFalseAlarms(t *testing.T) {
	t.Parallel()
	const seeds = 20
	cases := []struct {
		name string
		spec synth.Spec
		leak bool
	}{
		// flat, small and large process
		{"flat", synth.Spec{Noise: 0.3 * M}, false},
		{"flat 60 MiB", synth.Spec{Noise: M, Base: 60 * M}, false},
		// saw-tooth GC cycles of several periods
		{"saw 20 s", synth.Spec{Noise: 0.3 * M, SawPeriod: 20, SawAmplitude: 10 * M}, false},
		{"saw 50 s", synth.Spec{Noise: 0.3 * M, SawPeriod: 50, SawAmplitude: 10 * M}, false},
		// warm-up ramps outlasting the 18 s warm-up
		{"ramp 60 s", synth.Spec{Noise: 0.3 * M, RampFor: 60, RampHeight: 10 * M}, false},
		{"ramp 90 s", synth.Spec{Noise: 0.3 * M, RampFor: 90, RampHeight: 10 * M}, false},
		// 1 MiB/min leaks on processes of 15–60 MiB
		{"leak 15 MiB", synth.Spec{Noise: 0.3 * M, LeakPerMin: M}, true},
		{"leak 60 MiB", synth.Spec{Noise: 0.3 * M, LeakPerMin: M, Base: 60 * M}, true},
		// 1 MB/min (not MiB) leak
		{"leak 1 MB/min", synth.Spec{Noise: 0.3 * M, LeakPerMin: 1e6}, true},
		// saw-tooth with rising troughs within 3 minutes
		{"saw leak", synth.Spec{Noise: 0.3 * M, SawPeriod: 20, SawAmplitude: 10 * M, LeakPerMin: M}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for seed := uint64(100); seed < 100+seeds; seed++ {
				s := c.spec
				s.Seed = seed
				v, rs, _ := Cell(cell(results.Completed), s.Samples(), matrix.Judge{})
				if (v == results.NOGO) != c.leak {
					for _, r := range rs {
						t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
					}
					t.Fatalf("seed %d: verdict %s, leak=%v", seed, v, c.leak)
				}
			}
		})
	}
}
