package judge

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// shortCell is a completed 60 s client cell with a 10 s warm-up under a
// 512 MiB limit, as labelstorm's plateau cells were.
func shortCell() *results.Cell {
	return &results.Cell{ID: "labelstorm/ram=512MiB", Target: "labelstorm", Kind: "workload", RAMLimit: 512 << 20,
		Duration: 60, Warmup: 10, Interval: 1, Outcome: results.Completed}
}

// A climb that stops inside a short cell is a plateau, not a leak or an
// OOM risk, and the reasons say when it stopped; a climb that goes on is
// still a leak.
func TestPlateau(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		spec synth.Spec
		want results.Verdict
		says []string // each must be said; "a|b": one of them
	}{
		// labelstorm with a label cap: climbs 25 MiB until 30 s, flat after
		{"plateau at 30 s", synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, RampFor: 30, RampHeight: 25 * M},
			results.GO, []string{"no leak: growth stopped at 3", "no OOM projected within the horizon: growth stopped at 3"}},
		// stops at 45 s: a quarter of the window is left, enough
		{"plateau at 45 s", synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, RampFor: 45, RampHeight: 25 * M},
			results.GO, []string{"growth stopped at 4"}},
		// a 5-minute cell whose climb stops at 200 s
		{"plateau at 200 s", synth.Spec{Duration: 300, Base: 40 * M, Noise: 0.3 * M, RampFor: 200, RampHeight: 60 * M},
			results.GO, []string{"no leak: growth stopped at 19|no leak: growth stopped at 20"}},
		// a climb all the way: a leak, nothing stopped
		{"still climbing", synth.Spec{Duration: 60, Base: 40 * M, Noise: 0.2 * M, LeakPerMin: 25 * M},
			results.NOGO, []string{"growing:"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			for seed := range uint64(5) {
				c.spec.Seed = seed + 1
				v, rs, _ := Cell(shortCell(), c.spec.Samples(), matrix.Judge{})
				msg := ""
				for _, r := range rs {
					msg += r.Criterion + " " + string(r.Status) + ": " + r.Message + "\n"
				}
				if v != c.want {
					t.Fatalf("seed %d: verdict %s, want %s\n%s", seed+1, v, c.want, msg)
				}
				for _, w := range c.says {
					said := false
					for _, alt := range strings.Split(w, "|") {
						said = said || strings.Contains(msg, alt)
					}
					if !said {
						t.Errorf("seed %d: reasons do not say %q:\n%s", seed+1, w, msg)
					}
				}
			}
		})
	}
}

// A steady leak never reads as stopped: the change point is chosen where
// the noise makes the slopes differ most, so this is the false plateau rate
// at its worst, over 200 seeded series of three shapes.
func TestPlateauNotFoundInSteadyLeaks(t *testing.T) {
	t.Parallel()
	specs := []synth.Spec{
		{Duration: 60, Base: 40 * M, Noise: 0.5 * M, LeakPerMin: 4 * M},
		{Duration: 180, Base: 15 * M, Noise: 0.3 * M, LeakPerMin: M},
		{Duration: 180, Base: 15 * M, Noise: 0.3 * M, LeakPerMin: M, SawPeriod: 20, SawAmplitude: 3 * M},
	}
	for i, s := range specs {
		found := 0
		for seed := range uint64(200) {
			s.Seed = seed + 1
			c := shortCell()
			c.Duration = s.Duration
			r := analyzeFor(c, s)
			if p, ok := plateau(r, DefaultJudge.MaxSlopeMiBPerH); ok {
				found++
				t.Logf("spec %d seed %d: %s", i, seed+1, p.Why)
			}
		}
		if found > 2 { // ≤ 1 %
			t.Errorf("spec %d: a plateau in %d of 200 steady leaks", i, found)
		}
	}
}

// analyzeFor is the analysis the judge makes of a synthetic cell.
func analyzeFor(c *results.Cell, s synth.Spec) analysis.Result {
	return analysis.Analyze(s.Samples(), Params(c))
}

// A real labelstorm cell with MAX_LABELS=100 (rps 1000, 50 tasks, 60 s,
// 10 s warm-up, 512 MiB; a busy 2-core machine): its anonymous memory
// climbs to 33 MiB by about 30 s and stays. Judged GO, the plateau named.
func TestPlateauRecordedLabelstorm(t *testing.T) {
	t.Parallel()
	samples, err := results.ReadSamples(filepath.Join("testdata", "labelstorm-capped.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	c := shortCell()
	c.Kind = "client"
	v, rs, _ := Cell(c, samples, matrix.Judge{})
	msg := ""
	for _, r := range rs {
		msg += r.Criterion + " " + string(r.Status) + ": " + r.Message + "\n"
	}
	t.Log(msg)
	if v != results.GO {
		t.Fatalf("verdict %s, want GO", v)
	}
	for _, w := range []string{"no leak: growth stopped at", "no OOM projected: growth stopped at", "settling"} {
		if !strings.Contains(msg, w) {
			t.Errorf("reasons do not say %q", w)
		}
	}
}
