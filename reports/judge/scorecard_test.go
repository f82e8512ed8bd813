package judge

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// withCost gives each repeat's samples running totals: cpuUs µs of CPU
// and ctx context switches per request, and a scraped counter frees_total
// of frees per request, each with 3 % seeded run-to-run variation. cpuUs 0
// leaves CPU and switches unmeasured.
func withCost(side []CellData, seed uint64, cpuUs, ctx, frees float64) []CellData {
	rng := rand.New(rand.NewPCG(seed, 11))
	out := make([]CellData, len(side))
	for i, d := range side {
		k := 1 + 0.03*rng.NormFloat64()
		smp := make([]results.Sample, len(d.Samples))
		var cpu, cs, fr float64
		for j, s := range d.Samples {
			cpu += float64(s.Requests) * cpuUs * k
			cs += float64(s.Requests) * ctx * k
			fr += float64(s.Requests) * frees * k
			if cpuUs > 0 {
				s.CPUUs, s.CtxVoluntary = int64(cpu)+1, int64(cs)+1
			}
			s.Metrics = map[string]float64{"frees_total": fr}
			smp[j] = s
		}
		out[i] = CellData{Cell: d.Cell, Samples: smp}
	}
	return out
}

// TestScorecardGates: the CPU/op, CV, ratio and drift rows of a lean-mode
// scorecard, each PASS, FAIL or UNKNOWN as its figures say, and what they
// make of the verdict. Every side has 6 repeats: a peak drop of 70 % and
// throughput within 1 % pass the RSS and throughput gates throughout.
func TestScorecardGates(t *testing.T) {
	t.Parallel()
	fast := func(seed uint64) []CellData { return repeats(6, seed, "fast", 100*M, 1000, 0) }
	lean := func(seed uint64, leakPerMin float64) []CellData {
		return repeats(6, seed, "lean", 30*M, 995, leakPerMin)
	}
	frees := []matrix.Ratio{{Name: "frees/op", Num: "frees_total", Den: "ops", MaxRisePct: 20, Max: 0.05,
		Set: map[string]bool{matrix.KeyMaxRisePct: true, matrix.KeyMax: true}}}
	cases := []struct {
		name   string
		sc     matrix.Scorecard
		a, b   []CellData
		want   results.Verdict
		status map[string]results.Status // "" : the row is absent
	}{
		// CPU/op +2 %, frees/op +5 % and within budget, steady, flat: GO
		{"all pass", matrix.Scorecard{MaxCVPct: 5, Ratios: frees},
			withCost(fast(1), 1, 20, 3, 0.01), withCost(lean(2, 0), 2, 20.4, 3, 0.0105), results.GO,
			map[string]results.Status{"cpu/op": results.Pass, "cv": results.Pass, "ratio frees/op": results.Pass, "drift": results.Pass}},
		// CPU/op +40 % against an allowed 10 %: soft, NEUTRAL
		{"cpu rises", matrix.Scorecard{Ratios: frees},
			withCost(fast(3), 3, 20, 3, 0.01), withCost(lean(4, 0), 4, 28, 3, 0.01), results.NEUTRAL,
			map[string]results.Status{"cpu/op": results.Fail, "ratio frees/op": results.Pass}},
		// frees/op doubles (and exceeds its budget); a hard row: NO-GO
		{"ratio hard", matrix.Scorecard{Ratios: []matrix.Ratio{{Name: "frees/op", Num: "frees_total", Den: "ops", MaxRisePct: 20, Max: 0.015, Hard: true,
			Set: map[string]bool{matrix.KeyMaxRisePct: true, matrix.KeyMax: true}}}},
			withCost(fast(5), 5, 20, 3, 0.01), withCost(lean(6, 0), 6, 20, 3, 0.02), results.NOGO,
			map[string]results.Status{"ratio frees/op": results.Fail, "cpu/op": results.Pass}},
		// a budget alone, met
		{"budget", matrix.Scorecard{Ratios: []matrix.Ratio{{Name: "cs/op", Num: "ctx_switches", Den: "ops", Max: 4, Set: map[string]bool{matrix.KeyMax: true}}}},
			withCost(fast(7), 7, 20, 3, 0), withCost(lean(8, 0), 8, 20, 3.5, 0), results.GO,
			map[string]results.Status{"ratio cs/op": results.Pass}},
		// a CV gate no real throughput meets: soft FAIL, NEUTRAL
		{"cv", matrix.Scorecard{MaxCVPct: 0.01},
			fast(9), lean(10, 0), results.NEUTRAL,
			map[string]results.Status{"cv": results.Fail, "cpu/op": ""}},
		// no CPU accounting on either side: no CPU row, nothing unknown
		{"no cpu", matrix.Scorecard{},
			fast(11), lean(12, 0), results.GO,
			map[string]results.Status{"cpu/op": "", "cv": ""}},
		// CPU accounting on one side only: UNKNOWN, NEUTRAL
		{"cpu one side", matrix.Scorecard{},
			withCost(fast(13), 13, 20, 3, 0), lean(14, 0), results.NEUTRAL,
			map[string]results.Status{"cpu/op": results.Unknown}},
		// the ratio's counter is not recorded by the candidate: UNKNOWN
		{"ratio unmeasured", matrix.Scorecard{Ratios: []matrix.Ratio{{Name: "madvise/op", Num: "madvise_total", Den: "ops", Max: 1, Hard: true,
			Set: map[string]bool{matrix.KeyMax: true}}}},
			fast(15), lean(16, 0), results.NEUTRAL,
			map[string]results.Status{"ratio madvise/op": results.Unknown}},
		// the candidate leaks 10 MiB/min: significantly above 0 and +30 % drift: NO-GO
		{"drifts", matrix.Scorecard{},
			fast(17), lean(18, 10*M), results.NOGO,
			map[string]results.Status{"drift": results.Fail}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmp := matrix.Compare{Name: "lean", Axis: "variant", Baseline: "fast", Candidate: "lean", Scorecard: c.sc}
			cmp.Scorecard.MinRSSDropPct = 50
			got := Compare(cmp, c.a, c.b, Counters("frees_total", "ops", "ctx_switches", "madvise_total"))
			logs := func() string {
				var b strings.Builder
				for _, r := range got.Reasons {
					b.WriteString(string(r.Status) + " " + r.Criterion + ": " + r.Message + "\n")
				}
				return b.String()
			}
			require.Equal(t, c.want, got.Verdict, logs())
			for crit, st := range c.status {
				r, ok := reason(got.Reasons, crit)
				if st == "" {
					assert.False(t, ok, "%s should be absent:\n%s", crit, logs())
					continue
				}
				require.True(t, ok, "%s missing:\n%s", crit, logs())
				assert.Equal(t, st, r.Status, "%s: %s", crit, r.Message)
				assert.NotEmpty(t, r.Message)
			}
		})
	}
}

// TestScorecardRows: both sides' CPU/op (µs), switches/op and each ratio
// are rows with medians, n and p.
func TestScorecardRows(t *testing.T) {
	t.Parallel()
	sc := matrix.Scorecard{Ratios: []matrix.Ratio{{Name: "frees/op", Num: "frees_total", Den: "ops", Max: 1, Set: map[string]bool{matrix.KeyMax: true}}}}
	got := Compare(matrix.Compare{Axis: "variant", Baseline: "fast", Candidate: "lean", Scorecard: sc},
		withCost(repeats(6, 31, "fast", 100*M, 1000, 0), 31, 20, 3, 0.01),
		withCost(repeats(6, 32, "lean", 30*M, 1000, 0), 32, 30, 6, 0.02), Counters("frees_total", "ops"))
	rows := map[string]results.CompareRow{}
	for _, r := range got.Rows {
		rows[r.Measure] = r
	}
	cpu := rows["CPU/op"]
	assert.Equal(t, "µs", cpu.Unit)
	assert.InDelta(t, 20, cpu.A, 2)
	assert.InDelta(t, 30, cpu.B, 3)
	assert.True(t, cpu.Detected)
	assert.Equal(t, 6, cpu.NA)
	assert.InDelta(t, 3, rows["ctx switches/op"].A, 0.3)
	assert.InDelta(t, 0.02, rows["frees/op"].B, 0.002)
	r, ok := reason(got.Reasons, "cpu/op")
	require.True(t, ok)
	assert.InDelta(t, 50, r.Value, 10, "the CPU row's value is its rise in %")
	assert.Equal(t, 10.0, r.Limit, "default allowed rise")
	assert.Contains(t, r.Message, "CPU/op 20")
}

// TestDriftGate: significance comes from the slope's interval, materiality
// from the drift; each combination of the two.
func TestDriftGate(t *testing.T) {
	t.Parallel()
	sc := ScorecardWithDefaults(matrix.Scorecard{})
	tests := []struct {
		name   string
		leak   float64 // bytes per minute
		maxPct float64
		want   results.Status
		says   string
	}{
		// flat: the interval reaches 0
		{"flat", 0, 5, results.Pass, "not significantly above 0"},
		// a 10 MiB/min climb on 30 MiB: significant and material
		{"leak", 10 * M, 5, results.Fail, "memory grows"},
		// the same climb with a 100 % drift allowance: significant, immaterial
		{"tolerated", 10 * M, 100, results.Pass, "immaterially"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := sc
			s.MaxDriftPct = tt.maxPct
			rs := driftGate(analyses(repeats(6, 41, "lean", 30*M, 1000, tt.leak), nil), s)
			assert.Equal(t, tt.want, rs.Status, rs.Message)
			assert.Contains(t, rs.Message, tt.says)
			assert.Contains(t, rs.Message, "95 % CI")
			assert.True(t, rs.Hard)
		})
	}
	none := driftGate(nil, sc)
	assert.Equal(t, results.Unknown, none.Status)
	assert.False(t, none.Hard)
}
