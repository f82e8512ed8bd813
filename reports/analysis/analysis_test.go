package analysis

import (
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
			m := r.Map()
			if s := m["slope_mib_per_h"]; s < c.slopeLo || s > c.slopeHi {
				t.Errorf("slope %.1f MiB/h, want %v…%v", s, c.slopeLo, c.slopeHi)
			}
			lo, hi := m["slope_low_mib_per_h"], m["slope_high_mib_per_h"]
			if c.ciHasZero != (lo <= 0 && 0 <= hi) {
				t.Errorf("slope CI %.1f…%.1f, contains zero: want %v", lo, hi, c.ciHasZero)
			}
			if !math.IsNaN(c.ciHasTruth) && !(lo <= c.ciHasTruth && c.ciHasTruth <= hi) {
				t.Errorf("slope CI %.1f…%.1f misses the true %v", lo, hi, c.ciHasTruth)
			}
			if d := m["drift_pct"]; d < c.driftLo || d > c.driftHi {
				t.Errorf("drift %.1f %%, want %v…%v", d, c.driftLo, c.driftHi)
			}
			if tr := m["trough_slope_mib_per_h"]; tr < c.troughLo || tr > c.troughHi {
				t.Errorf("trough slope %.1f, want %v…%v", tr, c.troughLo, c.troughHi)
			}
			if r.Steps != c.steps {
				t.Errorf("steps %d, want %d", r.Steps, c.steps)
			}
			if m["n"] != float64(len(c.spec.Samples())-18) || m["warmup_s"] != 18 || m["fit_from_s"] != 18 {
				t.Errorf("n %v warmup %v from %v", m["n"], m["warmup_s"], m["fit_from_s"])
			}
		})
	}
}

func TestMemoryNumbers(t *testing.T) {
	t.Parallel()
	// 1 MiB/min from 15 MiB, no noise, 100 MiB limit, working set reported.
	spec := synth.Spec{LeakPerMin: M, WorkingSet: true}
	r := Analyze(spec.Samples(), Params{Limit: 100 * synth.MiB, Warmup: 10})
	m := r.Map()
	if m["fit_uses_working_set"] != 1 {
		t.Fatalf("working set not preferred")
	}
	// working set is 0.97 of the series: at 180 s it is 0.97·18 MiB, the
	// slope 0.97 MiB/min, so the limit is (100−17.46)/0.97 min away.
	want := (100 - 0.97*18) / 0.97 * 60
	if got := m["time_to_limit_s"]; math.Abs(got-want) > 5 {
		t.Errorf("time to limit %.0f s, want %.0f", got, want)
	}
	if got := m["peak_bytes"]; math.Abs(got-0.97*18*M) > 1024 {
		t.Errorf("peak %v", got)
	}
	if _, ok := m["episodes"]; !ok || m["episodes"] != 0 {
		t.Errorf("episodes %v", m["episodes"])
	}
	if r2 := m["r2"]; r2 < 0.999 {
		t.Errorf("r² %v on a noiseless line", r2)
	}
	// A flat series has no time to limit.
	flat := Analyze(synth.Spec{}.Samples(), Params{Limit: 100 * synth.MiB}).Map()
	if _, ok := flat["time_to_limit_s"]; ok {
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
	m := Analyze(spec.Samples(), Params{RequestedRate: 500, Warmup: 20}).Map()
	if got := m["achieved_ratio"]; math.Abs(got-0.9) > 0.02 {
		t.Errorf("achieved ratio %v, want ≈0.9", got)
	}
	if got := m["error_rate"]; math.Abs(got-0.02) > 0.003 {
		t.Errorf("error rate %v, want ≈0.02", got)
	}
	if got := m["p99_ms"]; got != 12 {
		t.Errorf("p99 %v", got)
	}
	// 5 % noise per second averages to ≈1.6 % across 10-s windows.
	if got := m["cv_pct"]; got < 0.5 || got > 3 {
		t.Errorf("cv %v %%", got)
	}
	if got := m["goroutine_slope_per_h"]; math.Abs(got-3600) > 10 {
		t.Errorf("goroutine slope %v /h, want 3600", got)
	}
	if m["goroutines_first"] != 30 || m["goroutines_last"] != 190 {
		t.Errorf("goroutines %v → %v, want 30 → 190", m["goroutines_first"], m["goroutines_last"])
	}
	// The driver's summary wins over per-sample numbers.
	load := &results.Load{AchievedRPS: 250, Sent: 1000, Errors: 100, Corrected: &results.Latency{Count: 900, P99: 40}}
	m = Analyze(spec.Samples(), Params{RequestedRate: 500, Load: load}).Map()
	if m["achieved_ratio"] != 0.5 || m["error_rate"] != 0.1 || m["p99_ms"] != 40 {
		t.Errorf("with Load: %v %v %v", m["achieved_ratio"], m["error_rate"], m["p99_ms"])
	}
	// Workload target: throughput from a counter's rate.
	w := synth.Spec{Counter: "ops_total", CounterRate: 200, Seed: 3}
	m = Analyze(w.Samples(), Params{ThroughputMetric: "ops_total"}).Map()
	if got := m["throughput_ops_per_s"]; math.Abs(got-200) > 2 {
		t.Errorf("throughput %v, want ≈200", got)
	}
	if _, ok := m["cv_pct"]; !ok {
		t.Errorf("no cv for a workload target")
	}
}

func TestMapKeys(t *testing.T) {
	t.Parallel()
	contract := map[string]bool{}
	for _, k := range []string{"warmup_s", "n", "fit_uses_working_set", "fit_from_s", "fit_intercept_bytes",
		"fit_slope_bytes_per_s", "slope_mib_per_h", "slope_low_mib_per_h", "slope_high_mib_per_h", "r2",
		"drift_pct", "trough_slope_mib_per_h", "steps", "time_to_limit_s", "peak_bytes", "peak_ratio", "cv_pct",
		"achieved_ratio", "error_rate", "p99_ms", "goroutine_slope_per_h", "goroutines_first", "goroutines_last",
		"throughput_ops_per_s", "episodes", "driver_slope_mib_per_h", "driver_slope_low_mib_per_h",
		"driver_slope_high_mib_per_h", "fit_uses_anon", "driver_fit_uses_anon", "driver_rss_slope_mib_per_h",
		"driver_heap_slope_mib_per_h", "major_faults_per_s_max", "thrash_s", "thrash_from_s",
		"thrash_faults_per_s", "thrash_usage_ratio"} {
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
	m := Analyze(samples, Params{Limit: 64 << 20, RequestedRate: 100, Warmup: 10, ThroughputMetric: "ops"}).Map()
	for k, v := range m {
		if !contract[k] {
			t.Errorf("key %q is not in the contract", k)
		}
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("key %q = %v", k, v)
		}
	}
	for k := range contract {
		if _, ok := m[k]; !ok && k != "throughput_ops_per_s" {
			t.Errorf("key %q missing", k)
		}
	}
	// No samples: nothing but the bookkeeping, no NaN.
	empty := Analyze(nil, Params{Warmup: 5}).Map()
	if len(empty) != 5 {
		t.Errorf("empty analysis map %v", empty)
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
