package view

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

func cell(target string, ramMiB int64, tasks, rps, dur string, v results.Verdict) results.Cell {
	return results.Cell{Target: target, RAMLimit: ramMiB << 20, Duration: map[string]float64{"5m": 300, "30m": 1800}[dur],
		Axes: map[string]string{"tasks": tasks, "rps": rps, "duration": dur}, Verdict: v}
}

func TestSafeConfigs(t *testing.T) {
	t.Parallel()
	GO, NO := results.GO, results.NOGO
	for _, tc := range []struct {
		name  string
		cells []results.Cell
		want  []SafeRow
	}{
		// the load tester's table: 512 MiB holds 10 tasks at 500 RPS for 5m, not more
		{"one limit", []results.Cell{
			cell("lt", 512, "10", "500", "5m", GO),
			cell("lt", 512, "100", "500", "5m", NO),
			cell("lt", 512, "10", "5000", "5m", NO),
		}, []SafeRow{{Target: "lt", RAM: 512 << 20, Found: true, Tasks: 10, RPS: 500, Duration: 300, GO: 1, Cells: 3}}},
		// a GO cell above a failed lighter cell is not safe (flaky): nothing is
		{"lighter failed", []results.Cell{
			cell("lt", 512, "10", "500", "5m", NO),
			cell("lt", 512, "100", "5000", "5m", GO),
		}, []SafeRow{{Target: "lt", RAM: 512 << 20, GO: 1, Cells: 2}}},
		// two incomparable safe points give two rows; limits sort ascending
		{"frontier", []results.Cell{
			cell("lt", 2048, "100", "500", "30m", GO),
			cell("lt", 2048, "10", "5000", "30m", GO),
			cell("lt", 2048, "100", "5000", "30m", NO),
			cell("lt", 512, "10", "500", "5m", GO),
		}, []SafeRow{
			{Target: "lt", RAM: 512 << 20, Found: true, Tasks: 10, RPS: 500, Duration: 300, GO: 1, Cells: 1},
			{Target: "lt", RAM: 2048 << 20, Found: true, Tasks: 10, RPS: 5000, Duration: 1800, GO: 2, Cells: 3},
			{Target: "lt", RAM: 2048 << 20, Found: true, Tasks: 100, RPS: 500, Duration: 1800, GO: 2, Cells: 3},
		}},
		// a client target setting its own load: its cells carry no tasks or
		// rps and its rows show none, only the axes it has
		{"client without driver axes", []results.Cell{
			{Target: "cl", Kind: "client", RAMLimit: 256 << 20, Duration: 300, Verdict: GO,
				Axes: map[string]string{"duration": "5m", "ram": "256MiB", "variant": "a"}, Load: &results.Load{Mode: results.SinkMode, Completed: 100}},
			{Target: "cl", Kind: "client", RAMLimit: 256 << 20, Duration: 1800, Verdict: NO,
				Axes: map[string]string{"duration": "30m", "ram": "256MiB", "variant": "a"}, Load: &results.Load{Mode: results.SinkMode, Completed: 100}},
		}, []SafeRow{{Target: "cl", RAM: 256 << 20, Others: "variant=a", Found: true, Duration: 300, GO: 1, Cells: 2}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tc.want, SafeConfigs(tc.cells))
		})
	}
}

func TestMainReason(t *testing.T) {
	t.Parallel()
	pass := results.Reason{Criterion: "oom", Status: results.Pass}
	unk := results.Reason{Criterion: "steps", Status: results.Unknown}
	soft := results.Reason{Criterion: "goroutines", Status: results.Fail}
	hard := results.Reason{Criterion: "slope", Status: results.Fail, Hard: true}
	for _, tc := range []struct {
		name string
		in   []results.Reason
		want string
	}{
		{"hard failure first", []results.Reason{pass, soft, unk, hard}, "slope"}, // hard FAIL beats order
		{"soft failure over unknown", []results.Reason{pass, unk, soft}, "goroutines"},
		{"unknown over pass", []results.Reason{pass, unk}, "steps"},
		{"all pass: first", []results.Reason{pass}, "oom"},
	} {
		require.Equal(t, tc.want, MainReason(tc.in).Criterion, tc.name)
	}
	require.Nil(t, MainReason(nil))
}

func TestFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ got, want string }{
		{Bytes(512 << 20), "512 MiB"},  // exact unit
		{Bytes(1536 << 20), "1.5 GiB"}, // fraction kept
		{Bytes(100), "100 B"},          // small
		{Num(5000), "5,000"},           // thousands grouped
		{Num(0.0312), "0.0312"},        // 3 significant digits
		{Seconds(5400), "1h30m"},       // compound
		{Seconds(0), "0s"},             // zero
		// analysis values by key suffix: rates are not durations
		{AnalysisValue("thrash_s", 8), "8s"},
		{AnalysisValue("thrash_faults_per_s", 215), "215/s"},
		{AnalysisValue("throughput_ops_per_s", 2000), "2,000/s"},
		{AnalysisValue("fit_slope_bytes_per_s", 2048), "2 KiB/s"},
		// stored keys are group.field: the unit is the field's
		{AnalysisValue("peak.bytes", 3<<20), "3 MiB"},
		{AnalysisValue("cost.cpu_s_per_op", 0.0000215), "21.5 µs/op"},
		{AnalysisValue("cost.ctx_switches_per_op", 0.25), "0.25/op"},
		{AnalysisValue("drift.pct", 1.5), "1.5 %"},
		{AnalysisValue("thrash.longest_s", 8), "8s"},
		{AnalysisValue("fit.slope_bytes_per_s", 2048), "2 KiB/s"},
	} {
		require.Equal(t, tc.want, tc.got)
	}
	d, ci := Delta(results.CompareRow{DeltaPct: -1.2, Low: -3.9, High: 1.4})
	require.Equal(t, "~", d, "undetected change prints ~")
	require.Equal(t, "[-3.9%, +1.4%]", ci)
	d, _ = Delta(results.CompareRow{A: 0, B: 0.001, Detected: true})
	require.Equal(t, "from 0", d, "a ratio that was 0 on the baseline has no percentage change")
}
