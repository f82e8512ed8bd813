package analysis

import (
	"math"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// costSamples are 11 samples at 1 s, the first two in warm-up: 100
// requests an interval, 2 ms of CPU and 30 context switches per request
// (CPU 200 ms, 3,000 switches a second), a scraped counter of 5 per
// request, and a fall of every running total at t=6 (restarted target).
func costSamples() []results.Sample {
	var out []results.Sample
	var cpu, vol, nvol, frees float64
	for i := range 11 {
		s := results.Sample{T: float64(i), Requests: 100}
		if i < 2 {
			s.Phase = "warmup"
		}
		if i == 6 {
			cpu, vol, nvol, frees = 1, 1, 1, 0 // restarted: totals from (about) zero, the interval of the fall lost
		} else if i > 0 {
			cpu += 200_000 // µs
			vol += 2000
			nvol += 1000
			frees += 500
		}
		s.CPUUs, s.CtxVoluntary, s.CtxNonvoluntary = int64(cpu), int64(vol), int64(nvol)
		s.Metrics = map[string]float64{"frees_total": frees}
		out = append(out, s)
	}
	return out
}

func TestCost(t *testing.T) {
	t.Parallel()
	nan := math.NaN()
	noCPU := costSamples()
	for i := range noCPU {
		noCPU[i].CPUUs, noCPU[i].CtxVoluntary, noCPU[i].CtxNonvoluntary = 0, 0, 0
	}
	workload := costSamples()
	for i := range workload {
		workload[i].Requests = 0
		workload[i].Metrics["ops_total"] = float64(i) * 100
	}
	tests := []struct {
		name                 string
		samples              []results.Sample
		p                    Params
		ops, cpuPerOp, ctxOp float64
		opsFrom              string
		cores                float64
		frees                float64 // frees_total per op
	}{
		// 8 measured intervals (t=3..10) of 100 requests; the restart at
		// t=6 loses one interval of every running total: 7 intervals of
		// CPU, switches and frees.
		{"server", costSamples(), Params{Warmup: 2, Counters: []string{"frees_total", "ops"}},
			800, 7 * 0.2 / 800, 7 * 3000.0 / 800, "requests", 7 * 0.2 / 8, 7 * 500.0 / 800},
		// no cgroup: operations and the scraped counter still, no CPU or switches
		{"no-cpu", noCPU, Params{Warmup: 2, Counters: []string{"frees_total"}},
			800, nan, nan, "requests", nan, 7 * 500.0 / 800},
		// a workload: operations are its throughput counter's increase
		{"workload", workload, Params{Warmup: 2, ThroughputMetric: "ops_total", Counters: []string{"frees_total"}},
			800, 7 * 0.2 / 800, 7 * 3000.0 / 800, "ops_total", 7 * 0.2 / 8, 7 * 500.0 / 800},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := Analyze(tt.samples, tt.p)
			c := r.Cost
			same := func(want, got float64, what string) {
				if math.IsNaN(want) {
					assert.True(t, math.IsNaN(got), "%s: want not measured, got %v", what, got)
					return
				}
				assert.InDelta(t, want, got, want*1e-9, what)
			}
			same(tt.ops, c.Ops, "ops")
			assert.Equal(t, tt.opsFrom, c.OpsFrom)
			same(tt.cpuPerOp, c.CPUPerOp, "CPU/op")
			same(tt.ctxOp, c.CtxPerOp, "ctx/op")
			same(tt.cores, c.CPUCores, "cores")
			same(tt.frees, r.Ratio("frees_total", "ops"), "frees/op")
			same(nan, r.Ratio("no_such_total", "ops"), "an unmeasured counter")
			stored := r.Analysis().Cost
			require.NotNil(t, stored)
			assert.Equal(t, tt.frees*tt.ops, stored.Counters["frees_total"])
			if math.IsNaN(tt.cpuPerOp) {
				assert.Nil(t, stored.CPUSPerOp, "not measured is absent, not 0")
				assert.Nil(t, stored.CtxSwitchesPerOp)
			} else {
				require.NotNil(t, stored.CPUSPerOp)
				assert.InDelta(t, tt.cpuPerOp, *stored.CPUSPerOp, 1e-12)
			}
		})
	}
	// nothing of it measured: no cost group at all
	assert.Nil(t, Analyze([]results.Sample{{T: 0, RSS: 1}, {T: 1, RSS: 1}}, Params{}).Analysis().Cost)
}

// TestIncrease: each built-in counter over a window, and what is not
// measured.
func TestIncrease(t *testing.T) {
	t.Parallel()
	meas := costSamples()[2:]
	tests := []struct {
		name string
		p    Params
		want float64
		ok   bool
	}{
		{"requests", Params{}, 800, true},    // the first measured sample's interval is before the window
		{"errors", Params{}, 0, true},        // counted with the requests: a measured 0
		{"seconds", Params{}, 8, true},       // t=2..10
		{"cpu_seconds", Params{}, 1.4, true}, // 7 intervals (one lost to the restart)
		{"ctx_voluntary", Params{}, 14000, true},
		{"ctx_nonvoluntary", Params{}, 7000, true},
		{"ctx_switches", Params{}, 21000, true},
		{"frees_total", Params{}, 3500, true},
		{"absent_total", Params{}, 0, false}, // never scraped
	}
	for _, tt := range tests {
		got, ok := Increase(meas, tt.name, tt.p)
		assert.Equal(t, tt.ok, ok, tt.name)
		assert.InDelta(t, tt.want, got, 1e-9, tt.name)
	}
	_, ok := Increase(meas[:1], "cpu_seconds", Params{})
	assert.False(t, ok, "one reading is no increase")
	_, ok = Increase([]results.Sample{{T: 0}, {T: 1}}, "ops", Params{})
	assert.False(t, ok, "no requests and no throughput counter: operations not measured")
}
