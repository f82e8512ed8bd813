package judge

import (
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

const M = float64(synth.MiB)

// cell is a completed 3-minute server cell with an 18 s warm-up under a
// 128 MiB limit.
func cell(outcome results.Outcome) *results.Cell {
	return &results.Cell{
		ID: "t/ram=128MiB", Target: "t", Kind: "server", RAMLimit: 128 << 20,
		Duration: 180, Warmup: 18, Interval: 1, Outcome: outcome,
	}
}

func reason(rs []results.Reason, criterion string) (results.Reason, bool) {
	for _, r := range rs {
		if r.Criterion == criterion {
			return r, true
		}
	}
	return results.Reason{}, false
}

func TestCell(t *testing.T) {
	t.Parallel()
	base := synth.Spec{Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5}
	with := func(f func(*synth.Spec)) synth.Spec { s := base; f(&s); return s }
	leaky := func(c *results.Cell) {
		c.GrowthSites = []results.GrowthSite{
			{Function: "main.cache.add", File: "leaky.go", Line: 42, Delta: 3 << 20},
			{Function: "bytes.growSlice", Delta: 1 << 20},
		}
	}
	cases := []struct {
		name    string
		spec    synth.Spec
		outcome results.Outcome
		tweak   func(*results.Cell)
		want    results.Verdict
		fail    string   // criterion that must FAIL ("" none)
		says    []string // words the failing or deciding reason must contain
	}{
		// flat memory with GC noise: every criterion passes
		{"flat", with(func(s *synth.Spec) { s.Seed = 1 }), results.Completed, nil, results.GO, "", nil},
		// 1 MiB/min leak on 15 MiB, 3 minutes, 1 s samples: leak, named sources
		{"linear leak", with(func(s *synth.Spec) { s.Seed = 2; s.LeakPerMin = M; s.Goroutines = 10; s.GoroutinesPerMin = 30 }),
			results.Completed, leaky, results.NOGO, "leak", []string{"MiB/h", "95% CI", "drift", "goroutines", "main.cache.add (leaky.go:42)"}},
		// saw-tooth GC without a leak
		{"saw-tooth", with(func(s *synth.Spec) { s.Seed = 3; s.SawPeriod = 20; s.SawAmplitude = 10 * M }), results.Completed, nil, results.GO, "", nil},
		// saw-tooth whose troughs rise 1 MiB/min over 5 minutes
		{"saw-tooth leak", with(func(s *synth.Spec) {
			s.Seed = 4
			s.Duration = 300
			s.SawPeriod = 20
			s.SawAmplitude = 10 * M
			s.LeakPerMin = M
		}),
			results.Completed, func(c *results.Cell) { c.Duration = 300 }, results.NOGO, "leak", []string{"troughs"}},
		// allocator warm-up ramp then flat
		{"warm-up ramp", with(func(s *synth.Spec) { s.Seed = 6; s.RampFor = 30; s.RampHeight = 10 * M }), results.Completed, nil, results.GO, "", nil},
		// a ramp that outlasts the warm-up and stops: its last half is not
		// significantly above the floor, and far under the whole window
		{"late ramp", with(func(s *synth.Spec) { s.Seed = 6; s.Duration = 300; s.RampFor = 120; s.RampHeight = 20 * M }),
			results.Completed, func(c *results.Cell) { c.Duration = 300 }, results.GO, "", []string{"no leak: growth stopped at 119 s", "+0.9 MiB/h since"}},
		// stair steps of 5 MiB every 40 s: a leak, steps named
		{"stairs", with(func(s *synth.Spec) { s.Seed = 5; s.StepEvery = 40; s.StepSize = 5 * M }), results.Completed, nil, results.NOGO, "leak", []string{"4 upward steps"}},
		// killed by the kernel: the counter is quoted
		{"oom-killed", with(func(s *synth.Spec) { s.Seed = 7; s.Duration = 60 }), results.OOMKilled,
			func(c *results.Cell) { c.OOMKills = 1; c.Duration = 60 }, results.NOGO, "outcome", []string{"oom_kill counter is 1"}},
		// killed with no cgroup peak recorded: the peak quoted is the largest
		// known (here the procfs high-water mark), as comparisons use
		{"oom-killed, RSS peak", with(func(s *synth.Spec) { s.Seed = 7; s.Duration = 60 }), results.OOMKilled,
			func(c *results.Cell) { c.OOMKills = 1; c.Duration = 60; c.PeakRSS = 500 << 20 }, results.NOGO, "outcome", []string{"peak 500.0 MiB"}},
		// killed by the kernel before its end: the sites come from the last
		// heap profile taken before the kill, and the reason says which
		{"oom-killed, sites", with(func(s *synth.Spec) { s.Seed = 7; s.Duration = 60 }), results.OOMKilled,
			func(c *results.Cell) {
				c.OOMKills = 1
				c.Duration = 60
				c.GrowthSites = []results.GrowthSite{{Function: "main.(*cache).put", Delta: 180 << 20}}
				c.HeapProfiles = &results.HeapProfiles{FirstS: 6, LastS: 51, Last: "memory at 90 % of the limit", Taken: 5}
			}, results.NOGO, "outcome", []string{"oom_kill counter is 1", "top growing allocation sites: main.(*cache).put +180.0 MiB (heap profiles at 6 s and 51 s, the last before the cell ended)"}},
		// crashed with a signal
		{"crashed", with(func(s *synth.Spec) { s.Seed = 8 }), results.Crashed, func(c *results.Cell) { c.Signal = "SIGSEGV" }, results.NOGO, "outcome", []string{"SIGSEGV"}},
		// 25 s of samples with 18 s warm-up: inconclusive, not GO
		{"too few samples", with(func(s *synth.Spec) { s.Seed = 9; s.Duration = 25 }), results.Completed, nil, results.NEUTRAL, "", []string{"inconclusive"}},
		// interrupted: soft
		{"interrupted", with(func(s *synth.Spec) { s.Seed = 1 }), results.Interrupted, nil, results.NEUTRAL, "", nil},
		// 80 % of the requested rate: NO-GO
		{"slow driver", with(func(s *synth.Spec) { s.Seed = 1; s.RPS = 80 }), results.Completed,
			func(c *results.Cell) { c.Axes = map[string]string{"rps": "100"} }, results.NOGO, "rate", []string{"of the requested rate (<"}},
		// 5 % errors: NO-GO
		{"errors", with(func(s *synth.Spec) { s.Seed = 1; s.Errors = 0.05 }), results.Completed, nil, results.NOGO, "errors", nil},
		// peak at 93 % of a 16 MiB limit: soft miss
		{"near limit", with(func(s *synth.Spec) { s.Seed = 1; s.Noise = 0.05 * M }), results.Completed,
			func(c *results.Cell) { c.RAMLimit = 16 << 20 }, results.NEUTRAL, "peak", []string{"% of the limit"}},
		// throughput noise of 60 % per second: CV over budget, soft
		{"unsteady", with(func(s *synth.Spec) { s.Seed = 1; s.RPSNoise = 0.6 }), results.Completed, nil, results.NEUTRAL, "cv", nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cl := cell(c.outcome)
			if c.tweak != nil {
				c.tweak(cl)
			}
			v, rs, m := Cell(cl, c.spec.Samples(), matrix.Judge{})
			if v != c.want {
				for _, r := range rs {
					t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
				}
				t.Fatalf("verdict %s, want %s", v, c.want)
			}
			if m == nil || m.Window.Samples == 0 {
				t.Errorf("no analysis: %+v", m)
			}
			var msg string
			if c.fail != "" {
				r, ok := reason(rs, c.fail)
				if !ok || r.Status != results.Fail {
					t.Fatalf("criterion %q: %+v, want FAIL", c.fail, r)
				}
				msg = r.Message
			} else {
				for _, r := range rs {
					msg += r.Message + "\n"
				}
			}
			for _, w := range c.says {
				if !strings.Contains(msg, w) {
					t.Errorf("reason %q does not say %q", msg, w)
				}
			}
		})
	}
}

// A cell killed a second in fails on its outcome alone: its missing samples
// and missed rate are consequences, not further reasons.
func TestKilledEarlyFailsOnOutcomeOnly(t *testing.T) {
	t.Parallel()
	c := cell(results.OOMKilled)
	c.OOMKills, c.PeakCgroup, c.RAMLimit = 1, 48<<20, 48<<20
	c.Axes = map[string]string{"rps": "100"}
	v, rs, _ := Cell(c, synth.Spec{Duration: 1, Interval: 1, Base: 1 << 20, Seed: 1}.Samples(), matrix.Judge{})
	if v != results.NOGO {
		t.Fatalf("verdict %s, want NO-GO", v)
	}
	if len(rs) != 1 || rs[0].Criterion != "outcome" {
		t.Fatalf("reasons %+v, want only the outcome", rs)
	}
	if !strings.Contains(rs[0].Message, "peak 48.0 MiB") {
		t.Errorf("message %q does not quote the cgroup peak", rs[0].Message)
	}
}

// Defaults fill only zero fields.
func TestWithDefaults(t *testing.T) {
	t.Parallel()
	j := WithDefaults(matrix.Judge{MaxDriftPct: 20})
	if j.MaxDriftPct != 20 || j.MaxSlopeMiBPerH != DefaultJudge.MaxSlopeMiBPerH || j.MinSamples != DefaultJudge.MinSamples {
		t.Errorf("WithDefaults = %+v", j)
	}
}

// A short cell whose working set wanders 0.6 MiB on a 7 MiB base fits a
// significant slope, but growth that small with drift under its threshold
// is not a leak, and is not projected to an OOM.
func TestSmallGrowthIsNotALeak(t *testing.T) {
	t.Parallel()
	s := synth.Spec{Seed: 11, Duration: 30, Base: 7 << 20, LeakPerMin: 1.4 * M, Noise: 0.1 * M}.Samples()
	c := cell(results.Completed)
	c.Duration, c.Warmup = 30, 5
	v, rs, _ := Cell(c, s, matrix.Judge{MaxDriftPct: 10, MinSamples: 10})
	l, _ := reason(rs, "leak")
	o, _ := reason(rs, "oom-risk")
	if l.Status != results.Pass || !strings.Contains(l.Message, "under the 1 MiB floor") {
		t.Errorf("leak %s: %s", l.Status, l.Message)
	}
	if o.Status != results.Pass {
		t.Errorf("oom-risk %s: %s", o.Status, o.Message)
	}
	if v != results.GO {
		t.Errorf("verdict %s", v)
	}
}
