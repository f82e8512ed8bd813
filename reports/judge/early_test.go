package judge

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// watched runs a Watch over samples and returns where it stopped (nil: it
// never did).
func watched(c results.Cell, samples []results.Sample, j matrix.Judge) *results.EarlyStop {
	w := NewWatch(c, j)
	for _, s := range samples {
		if e := w.Add(s); e != nil {
			return e
		}
	}
	return nil
}

// tenMinutes is a 10-minute cell with a 1-minute warm-up under 256 MiB.
func tenMinutes() results.Cell {
	return results.Cell{ID: "c", Target: "t", Kind: matrix.KindServer, RAMLimit: 256 * synth.MiB,
		Duration: 600, Warmup: 60, Interval: 1}
}

// noLeaks are memory shapes without a leak that must never stop a cell:
// each is run over many seeds, for a cell of the given duration (a tenth
// of it warm-up).
var noLeaks = []struct {
	name string
	spec func(duration float64) synth.Spec
}{
	// Independent noise around a flat level.
	{"flat, white noise", func(float64) synth.Spec { return synth.Spec{Noise: 0.3 * synth.MiB} }},
	// Noise that wanders (lag-one autocorrelation 0.95, ~20 s memory):
	// Sen's interval is too narrow on it.
	{"flat, autocorrelated noise", func(float64) synth.Spec { return synth.Spec{Noise: 0.5 * synth.MiB, AR: 0.95} }},
	// A garbage-collected saw-tooth: 6 MiB up over 25 s, then down.
	{"saw-tooth", func(float64) synth.Spec {
		return synth.Spec{Noise: 0.2 * synth.MiB, SawPeriod: 25, SawAmplitude: 6 * synth.MiB}
	}},
	// A start-up ramp of 8 MiB that outlasts the warm-up by a minute, then
	// a plateau.
	{"plateau after a ramp", func(d float64) synth.Spec {
		return synth.Spec{Noise: 0.2 * synth.MiB, RampFor: d/10 + 60, RampHeight: 8 * synth.MiB}
	}},
}

// falseStops counts the seeds of shape whose cell of the given length
// (a tenth of it warm-up) stops early.
func falseStops(t testing.TB, shape func(float64) synth.Spec, seeds int, duration float64) int {
	stops := 0
	for seed := range uint64(seeds) {
		spec := shape(duration)
		spec.Duration, spec.Warmup, spec.Seed = duration, duration/10, seed+1
		cell := tenMinutes()
		cell.Duration, cell.Warmup = duration, duration/10
		if e := watched(cell, spec.Samples(), matrix.Judge{}); e != nil {
			stops++
			t.Logf("seed %d stopped: %s", seed+1, e.Message)
		}
	}
	return stops
}

// TestWatchFalseStops: no memory shape without a leak stops a cell early,
// over many seeds, with independent and autocorrelated noise. (The leak
// criterion's own false-alarm rate at full length is the verdict tests'
// business; early stopping must add none.) BenchmarkWatchFalseStops runs
// more seeds of 10-minute cells for the figures in docs/operations.md.
func TestWatchFalseStops(t *testing.T) {
	t.Parallel()
	for _, c := range noLeaks {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			require.Zero(t, falseStops(t, c.spec, 12, 300), "false early stops out of 12 five-minute cells")
		})
	}
}

// BenchmarkWatchFalseStops reports the share of 10-minute cells without a
// leak that a Watch stops, per shape (go test -bench WatchFalseStops
// -benchtime 1x ./reports/judge; SOAKLAB_EARLY_SEEDS sets the seeds, 100 by
// default).
func BenchmarkWatchFalseStops(b *testing.B) {
	seeds := 100
	if v, err := strconv.Atoi(os.Getenv("SOAKLAB_EARLY_SEEDS")); err == nil && v > 0 {
		seeds = v
	}
	for _, c := range noLeaks {
		b.Run(strings.ReplaceAll(c.name, " ", "_"), func(b *testing.B) {
			stops := 0
			for range b.N {
				stops = falseStops(b, c.spec, seeds, 600)
			}
			b.ReportMetric(float64(stops), "stops")
			b.ReportMetric(float64(seeds), "cells")
		})
	}
}

// TestWatchStopsLeaks: leaks stop their cell early, never before the leak
// has begun, and the verdict of the whole series agrees.
func TestWatchStopsLeaks(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		spec    synth.Spec
		within  float64 // the stop comes at or before this t
		notFrom float64 // and not before this t
	}{
		// 24 MiB/min: within two minutes of the warm-up's end.
		{"24 MiB/min", synth.Spec{LeakPerMin: 24 * synth.MiB, Noise: 0.5 * synth.MiB}, 180, 60},
		// 4 MiB/min on a saw-tooth whose troughs rise with it.
		{"4 MiB/min saw-tooth", synth.Spec{LeakPerMin: 4 * synth.MiB, Noise: 0.3 * synth.MiB, SawPeriod: 25, SawAmplitude: 6 * synth.MiB}, 420, 60},
		// 1 MiB/min on autocorrelated noise: well before the end.
		{"1 MiB/min", synth.Spec{LeakPerMin: 1 * synth.MiB, Noise: 0.5 * synth.MiB, AR: 0.9}, 480, 60},
		// A leak that starts at 5 minutes is not stopped before it starts.
		{"late 4 MiB/min", synth.Spec{LeakPerMin: 4 * synth.MiB, LeakFrom: 300, Noise: 0.3 * synth.MiB}, 600, 300},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			spec := c.spec
			spec.Duration, spec.Warmup, spec.Seed = 600, 60, 7
			samples := spec.Samples()
			e := watched(tenMinutes(), samples, matrix.Judge{})
			require.NotNil(t, e, "never stopped")
			t.Logf("stopped at %.0f s of 600 s: %s", e.AtS, e.Criterion)
			require.LessOrEqual(t, e.AtS, c.within, e.Message)
			require.Greater(t, e.AtS, c.notFrom, e.Message)
			require.Equal(t, 600.0, e.PlannedS)
			require.NotContains(t, e.Message, "95% CI", "the look's interval is at 99.9 %")
			cell := tenMinutes()
			cell.Outcome = results.Completed
			full, _, _ := Cell(&cell, samples, matrix.Judge{})
			require.Equal(t, results.NOGO, full, "the full-length verdict")
			// The stopped cell is judged NO-GO from what it measured.
			cut := samples[:int(e.AtS)+1]
			cell.EarlyStop = e
			v, reasons, _ := Cell(&cell, cut, matrix.Judge{})
			require.Equal(t, results.NOGO, v)
			require.Contains(t, reasons[1].Message, "stopped early at")
		})
	}
}

// TestWatchErrorBudget: the cell stops once failed requests exceed the
// budget of every request it can still send, with no statistics.
func TestWatchErrorBudget(t *testing.T) {
	t.Parallel()
	cell := tenMinutes()
	cell.Load = &results.Load{TargetRPS: 100}
	// 100 rps × 600 s = 60,000 requests; 1 % of them is 600.
	w := NewWatch(cell, matrix.Judge{})
	for i := range 5 {
		require.Nil(t, w.Add(results.Sample{T: float64(i), Errors: 100}), "500 failed so far")
	}
	e := w.Add(results.Sample{T: 5, Errors: 101})
	require.NotNil(t, e)
	require.Equal(t, "errors", e.Criterion)
	require.Contains(t, e.Message, "601 failed requests exceed 1.00 % of the 60000")
	require.Nil(t, w.Add(results.Sample{T: 6, Errors: 100}), "decides once")
}

// TestWatchMemoryBounded: a day of samples keeps at most WatchCapacity of
// them, spread over the whole day.
func TestWatchMemoryBounded(t *testing.T) {
	t.Parallel()
	cell := tenMinutes()
	cell.Duration = 86400
	w := NewWatch(cell, matrix.Judge{EarlyStop: matrix.EarlyStopOn})
	w.nextLook = 1e9 // no looks: this test is about what is kept
	for i := range 86400 {
		w.Add(results.Sample{T: float64(i), RSS: 100 << 20, Metrics: map[string]float64{"x": 1}})
	}
	require.LessOrEqual(t, len(w.kept), WatchCapacity)
	require.Equal(t, WatchCapacity, cap(w.kept), "never reallocated")
	require.Greater(t, len(w.kept), WatchCapacity/2)
	require.Less(t, w.kept[0].T, 120.0)
	require.Greater(t, w.kept[len(w.kept)-1].T, 86000.0)
	for _, s := range w.kept {
		require.Nil(t, s.Metrics)
	}
}

// BenchmarkWatchLook is the cost of one look at a full Watch.
func BenchmarkWatchLook(b *testing.B) {
	spec := synth.Spec{Duration: 3000, Warmup: 60, Noise: 0.3 * synth.MiB, Seed: 1}
	cell := tenMinutes()
	cell.Duration = 86400
	w := NewWatch(cell, matrix.Judge{})
	w.nextLook = 1e9
	for _, s := range spec.Samples() {
		w.Add(s)
	}
	b.ResetTimer()
	for range b.N {
		w.look(3000)
	}
}

// TestWatchFlatAllocatesNothing: on a cell whose memory does not grow, a
// Watch makes no garbage in the harness, looks included (the screen
// before the analysis allocates nothing): soaklab's own memory is judged
// too.
func TestWatchFlatAllocatesNothing(t *testing.T) {
	spec := synth.Spec{Duration: 600, Warmup: 60, Noise: 0.3 * synth.MiB, Seed: 3}
	samples := spec.Samples()
	start := testing.AllocsPerRun(3, func() { NewWatch(tenMinutes(), matrix.Judge{}) })
	whole := testing.AllocsPerRun(3, func() {
		w := NewWatch(tenMinutes(), matrix.Judge{})
		for _, s := range samples {
			if w.Add(s) != nil {
				t.Fatal("a flat cell stopped")
			}
		}
	})
	require.Equal(t, start, whole, "allocations over 600 samples and 18 looks beyond the Watch's own")
}
