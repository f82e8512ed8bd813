package analysis

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

const M = float64(synth.MiB)

// Shapes with known answers, 3-minute cells at 1 s on a 15 MiB base with
// seeded GC noise, 18 s warm-up, 128 MiB limit.
func TestShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name       string
		spec       synth.Spec
		slopeLo    float64 // point slope bounds, MiB/h
		slopeHi    float64
		driftLo    float64
		driftHi    float64
		troughLo   float64
		troughHi   float64
		steps      int
		ciHasZero  bool
		ciHasTruth float64 // NaN: not checked
	}{
		// flat: slope CI contains zero, no drift, no steps
		{"flat", synth.Spec{Noise: 0.3 * M, Seed: 1}, -10, 10, -2, 2, -15, 15, 0, true, 0},
		// 1 MiB/min leak = 60 MiB/h: CI contains 60, drift ≈13 %
		{"leak", synth.Spec{Noise: 0.3 * M, Seed: 2, LeakPerMin: M}, 50, 70, 10, 16, 40, 80, 0, false, 60},
		// saw-tooth 10 MiB every 20 s, no leak: troughs flat, no drift, no steps
		{"saw", synth.Spec{Noise: 0.3 * M, Seed: 3, SawPeriod: 20, SawAmplitude: 10 * M}, -20, 80, -2, 2, -30, 30, 0, true, 0},
		// saw-tooth with 1 MiB/min rising troughs over 5 minutes
		{"saw leak", synth.Spec{Duration: 300, Noise: 0.3 * M, Seed: 4, SawPeriod: 20, SawAmplitude: 10 * M, LeakPerMin: M}, 30, 120, 12, 25, 40, 90, 0, false, 60},
		// a 5 MiB stair every 40 s: four steps after warm-up
		{"stairs", synth.Spec{Noise: 0.3 * M, Seed: 5, StepEvery: 40, StepSize: 5 * M}, 400, 500, 80, 100, 380, 520, 4, false, math.NaN()},
		// warm-up ramp of 10 MiB over 30 s then flat: little drift left
		{"ramp", synth.Spec{Noise: 0.3 * M, Seed: 6, RampFor: 30, RampHeight: 10 * M}, -5, 15, 0, 7, -10, 40, 1, true, math.NaN()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			r := Analyze(c.spec.Samples(), Params{Limit: 128 << 20, Warmup: 18})
			a := r.Analysis()
			if a.Fit == nil || a.Drift == nil || a.Troughs == nil {
				t.Fatalf("fit %v, drift %v, troughs %v: want all three", a.Fit, a.Drift, a.Troughs)
			}
			if s := a.Fit.SlopeMiBPerH; s < c.slopeLo || s > c.slopeHi {
				t.Errorf("slope %.1f MiB/h, want %v…%v", s, c.slopeLo, c.slopeHi)
			}
			lo, hi := a.Fit.SlopeLowMiBPerH, a.Fit.SlopeHighMiBPerH
			if c.ciHasZero != (lo <= 0 && 0 <= hi) {
				t.Errorf("slope CI %.1f…%.1f, contains zero: want %v", lo, hi, c.ciHasZero)
			}
			if !math.IsNaN(c.ciHasTruth) && !(lo <= c.ciHasTruth && c.ciHasTruth <= hi) {
				t.Errorf("slope CI %.1f…%.1f misses the true %v", lo, hi, c.ciHasTruth)
			}
			if d := a.Drift.Pct; d < c.driftLo || d > c.driftHi {
				t.Errorf("drift %.1f %%, want %v…%v", d, c.driftLo, c.driftHi)
			}
			if tr := a.Troughs.SlopeMiBPerH; tr < c.troughLo || tr > c.troughHi {
				t.Errorf("trough slope %.1f, want %v…%v", tr, c.troughLo, c.troughHi)
			}
			if r.Steps != c.steps {
				t.Errorf("steps %d, want %d", r.Steps, c.steps)
			}
			if a.Steps == nil || a.Steps.Count != c.steps {
				t.Errorf("steps recorded %v, want %d", a.Steps, c.steps)
			}
			if w := a.Window; w.Samples != len(c.spec.Samples())-18 || w.WarmupS != 18 || w.FromS != 18 {
				t.Errorf("n %v warmup %v from %v", w.Samples, w.WarmupS, w.FromS)
			}
		})
	}
}

func TestMemoryNumbers(t *testing.T) {
	t.Parallel()
	// 1 MiB/min from 15 MiB, no noise, 100 MiB limit, working set reported.
	spec := synth.Spec{LeakPerMin: M, WorkingSet: true}
	r := Analyze(spec.Samples(), Params{Limit: 100 * synth.MiB, Warmup: 10})
	a := r.Analysis()
	if a.Peak == nil || a.Peak.Series != "working set" || a.OOMRisk == nil || a.Fit == nil {
		t.Fatalf("working set not preferred: peak %+v, oom risk %v, fit %v", a.Peak, a.OOMRisk, a.Fit)
	}
	// working set is 0.97 of the series: at 180 s it is 0.97·18 MiB, the
	// slope 0.97 MiB/min, so the limit is (100−17.46)/0.97 min away.
	want := (100 - 0.97*18) / 0.97 * 60
	if got := a.OOMRisk.TimeToLimitS; math.Abs(got-want) > 5 {
		t.Errorf("time to limit %.0f s, want %.0f", got, want)
	}
	if got := a.Peak.Bytes; math.Abs(got-0.97*18*M) > 1024 {
		t.Errorf("peak %v", got)
	}
	if e := a.Peak.Episodes; e == nil || *e != 0 {
		t.Errorf("episodes %v", e)
	}
	if r2 := a.Fit.R2; r2 < 0.999 {
		t.Errorf("r² %v on a noiseless line", r2)
	}
	// A flat series has no time to limit.
	flat := Analyze(synth.Spec{}.Samples(), Params{Limit: 100 * synth.MiB}).Analysis()
	if flat.OOMRisk != nil {
		t.Errorf("flat series has a time to limit")
	}
}

func TestEpisodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		y    []float64
		want int
	}{
		// noise at the threshold counts once thanks to hysteresis
		{"edge noise", []float64{80, 91, 89, 90.5, 88, 91, 70}, 1},
		// two clear visits above 90
		{"two", []float64{80, 95, 80, 95, 80}, 2},
		// never above
		{"none", []float64{10, 20, 89.9}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			if got := episodes(c.y, 90, 85); got != c.want {
				t.Errorf("episodes = %d, want %d", got, c.want)
			}
		})
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	// Server target at 500 rps requested, 450 achieved, 2 % errors,
	// goroutines +60/min.
	spec := synth.Spec{RPS: 459.2, RPSNoise: 0.05, Errors: 0.02, P99: 12, Goroutines: 10, GoroutinesPerMin: 60, Seed: 9}
	a := Analyze(spec.Samples(), Params{RequestedRate: 500, Warmup: 20}).Analysis()
	m := a.Load
	if m == nil || m.AchievedRatio == nil || m.ErrorRate == nil || m.P99Ms == nil || m.CVPct == nil || a.Goroutines == nil {
		t.Fatalf("load %+v, goroutines %v: want rate, errors, p99, cv and goroutines", m, a.Goroutines)
	}
	if got := *m.AchievedRatio; math.Abs(got-0.9) > 0.02 {
		t.Errorf("achieved ratio %v, want ≈0.9", got)
	}
	if got := *m.ErrorRate; math.Abs(got-0.02) > 0.003 {
		t.Errorf("error rate %v, want ≈0.02", got)
	}
	if got := *m.P99Ms; got != 12 {
		t.Errorf("p99 %v", got)
	}
	// 5 % noise per second averages to ≈1.6 % across 10-s windows.
	if got := *m.CVPct; got < 0.5 || got > 3 {
		t.Errorf("cv %v %%", got)
	}
	if got := a.Goroutines.SlopePerH; math.Abs(got-3600) > 10 {
		t.Errorf("goroutine slope %v /h, want 3600", got)
	}
	if g := a.Goroutines; g.First != 30 || g.Last != 190 {
		t.Errorf("goroutines %v → %v, want 30 → 190", g.First, g.Last)
	}
	// The driver's summary wins over per-sample numbers.
	load := &results.Load{AchievedRPS: 250, Sent: 1000, Errors: 100, Corrected: &results.Latency{Count: 900, P99: 40}}
	m = Analyze(spec.Samples(), Params{RequestedRate: 500, Load: load}).Analysis().Load
	if m == nil || val(m.AchievedRatio) != 0.5 || val(m.ErrorRate) != 0.1 || val(m.P99Ms) != 40 {
		t.Errorf("with Load: %+v", m)
	}
	// Workload target: throughput from a counter's rate.
	w := synth.Spec{Counter: "ops_total", CounterRate: 200, Seed: 3}
	m = Analyze(w.Samples(), Params{ThroughputMetric: "ops_total"}).Analysis().Load
	if m == nil || m.ThroughputOpsPerS == nil {
		t.Fatalf("no throughput for a workload target: %+v", m)
	}
	if got := *m.ThroughputOpsPerS; math.Abs(got-200) > 2 {
		t.Errorf("throughput %v, want ≈200", got)
	}
	if m.CVPct == nil {
		t.Errorf("no cv for a workload target")
	}
}

// val reads an optional figure; NaN when absent.
func val(p *float64) float64 {
	if p == nil {
		return math.NaN()
	}
	return *p
}

// flatten spells an analysis as the JSON of results.Cell.Analysis, one
// "group.field" key per number, string or boolean.
func flatten(t *testing.T, a *results.Analysis) map[string]any {
	t.Helper()
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var tree map[string]any
	if err := json.Unmarshal(data, &tree); err != nil {
		t.Fatal(err)
	}
	out := map[string]any{}
	var walk func(prefix string, v map[string]any)
	walk = func(prefix string, v map[string]any) {
		for k, x := range v {
			if sub, ok := x.(map[string]any); ok {
				walk(prefix+k+".", sub)
				continue
			}
			out[prefix+k] = x
		}
	}
	walk("", tree)
	return out
}

// TestAnalysisFields checks the stored analysis of a cell that has every
// measure: each field of the format is filled, none is NaN, and an empty
// analysis holds only the window.
func TestAnalysisFields(t *testing.T) {
	t.Parallel()
	contract := map[string]bool{}
	for _, k := range []string{"window.warmup_s", "window.samples", "window.from_s",
		"fit.series", "fit.intercept_bytes", "fit.slope_bytes_per_s", "fit.slope_mib_per_h",
		"fit.slope_low_mib_per_h", "fit.slope_high_mib_per_h", "fit.r2",
		"drift.pct", "troughs.slope_mib_per_h", "steps.count", "oom_risk.time_to_limit_s",
		"change.at_s", "change.before_mib_per_h", "change.recent_mib_per_h", "change.recent_low_mib_per_h", "change.recent_high_mib_per_h",
		"peak.series", "peak.bytes", "peak.ratio", "peak.episodes",
		"load.cv_pct", "load.achieved_ratio", "load.error_rate", "load.p99_ms", "load.throughput_ops_per_s",
		"load.achieved_per_s", "load.requested_per_s", "load.rate_source",
		"goroutines.slope_per_h", "goroutines.first", "goroutines.last", "goroutines.max", "goroutines.slope_low_per_h", "goroutines.slope_high_per_h",
		"driver.series", "driver.slope_mib_per_h", "driver.slope_low_mib_per_h", "driver.slope_high_mib_per_h",
		"driver.rss_slope_mib_per_h", "driver.heap_slope_mib_per_h",
		"thrash.max_faults_per_s", "thrash.longest_s", "thrash.from_s", "thrash.faults_per_s", "thrash.usage_ratio"} {
		contract[k] = true
	}
	spec := synth.Spec{LeakPerMin: M, RPS: 100, P99: 5, Goroutines: 5, Counter: "ops", CounterRate: 1, WorkingSet: true}
	samples := spec.Samples()
	for i := range samples {
		samples[i].DriverRSS = 20<<20 + int64(i%7)<<10
		samples[i].DriverAnon = 8<<20 + int64(i%5)<<10
		samples[i].DriverHeap = 3<<20 + int64(i%3)<<10
		samples[i].Usage = 60 << 20 // at the limit, reading 100 pages a second back
		samples[i].MajorFaults = int64(100 * samples[i].T)
	}
	a := Analyze(samples, Params{Limit: 64 << 20, RequestedRate: 100, Warmup: 10, ThroughputMetric: "ops"}).Analysis()
	m := flatten(t, a)
	for k, v := range m {
		if !contract[k] {
			t.Errorf("key %q is not in the contract", k)
		}
		if f, ok := v.(float64); ok && (math.IsNaN(f) || math.IsInf(f, 0)) {
			t.Errorf("key %q = %v", k, v)
		}
	}
	for k := range contract {
		if _, ok := m[k]; !ok && k != "load.throughput_ops_per_s" {
			t.Errorf("key %q missing", k)
		}
	}
	if a.Fit.Series != "working set" || a.Driver.Series != "RSS anon" || a.Peak.Series != "working set" {
		t.Errorf("series: fit %q, driver %q, peak %q", a.Fit.Series, a.Driver.Series, a.Peak.Series)
	}
	// No samples: nothing but the window, no NaN.
	empty := flatten(t, Analyze(nil, Params{Warmup: 5}).Analysis())
	if len(empty) != 3 || empty["window.warmup_s"] != 5.0 {
		t.Errorf("empty analysis %v", empty)
	}
}

// Slopes are fitted to anonymous memory: page-cache pages moving to the
// active list raise the working set without any leak.
func TestFitToAnonymousMemory(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		anonPerH  float64 // MiB/h growth of cgroup anon
		filePerH  float64 // MiB/h growth of active file pages
		wantLeak  bool
		wantFitTo string
	}{
		// working set climbs with active file pages; anon is flat: no growth
		{"file pages activate", 0, 40, false, "anon"},
		// anon grows: the slope shows it
		{"anon leak", 60, 0, true, "anon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var samples []results.Sample
			for i := 0; i < 180; i++ {
				ts := float64(i)
				noise := float64((i*7919)%13) * 4096
				anon := 7<<20 + tt.anonPerH*M*ts/3600 + noise
				file := 2<<20 + tt.filePerH*M*ts/3600
				samples = append(samples, results.Sample{T: ts, Anon: int64(anon), WorkingSet: int64(anon + file),
					Usage: int64(anon + file + 8<<20), RSS: int64(anon + 6<<20)})
			}
			r := Analyze(samples, Params{Warmup: 20, Limit: 256 << 20})
			if r.FitSeries != tt.wantFitTo {
				t.Fatalf("fitted to %q, want %q", r.FitSeries, tt.wantFitTo)
			}
			slope := MiBPerH(r.Fit.Slope)
			if tt.wantLeak != (slope > 30) {
				t.Errorf("slope %.1f MiB/h, leak expected: %v", slope, tt.wantLeak)
			}
			if !r.UsesWorkingSet || r.Peak < float64(9<<20) {
				t.Errorf("peak %v should come from the working set", r.Peak)
			}
		})
	}
}
