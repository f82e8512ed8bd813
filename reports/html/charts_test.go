package html

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
)

// An OOM-killed cell's memory chart: samples that read 0 (the process
// gone) are gaps, and the kill sits at the cgroup's peak, at the sample
// that saw it, else an interval after the last sample but not after the
// cell's end.
func TestOOMMemoryChart(t *testing.T) {
	t.Parallel()
	start := time.Date(2026, 11, 20, 2, 0, 0, 0, time.UTC)
	mk := func(rss ...int64) []results.Sample {
		out := make([]results.Sample, len(rss))
		for i, r := range rss {
			out[i] = results.Sample{T: float64(i), RSS: r << 20}
		}
		return out
	}
	for _, tc := range []struct {
		name    string
		samples []results.Sample
		ended   time.Duration
		killT   float64
	}{
		// killed between the last two samples' interval and the cell's end
		{"between samples", mk(10, 30, 50), 2500 * time.Millisecond, 2.5},
		// the end is late (teardown): an interval after the last sample
		{"late end", mk(10, 30, 50), 10 * time.Second, 3},
		// the sample after the kill reads nothing and has the counter
		{"seen", append(mk(10, 30, 50), results.Sample{T: 3, OOMKills: 1}), 10 * time.Second, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := &results.Cell{ID: "x", Outcome: results.OOMKilled, RAMLimit: 64 << 20, PeakCgroup: 64 << 20, Interval: 1,
				Started: start, Ended: start.Add(tc.ended)}
			charts, _ := cellCharts(c, BuildChartSeries(tc.samples, 0), 0)
			mem := charts[0]
			require.Equal(t, MemoryTitle, mem.Title)
			require.Len(t, mem.Marks, 1)
			require.Equal(t, tc.killT, mem.Marks[0].X)
			require.Equal(t, 64.0, mem.Marks[0].Y, "the kill at the cgroup's peak")
			rss := mem.Series[0].Y
			require.Equal(t, []float64{10, 30, 50}, rss[:3])
			if len(rss) > 3 {
				require.True(t, math.IsNaN(rss[3]), "a reading of nothing is a gap")
			}
			r, ok := mem.Ranges()
			require.True(t, ok)
			require.Equal(t, 0.0, r.XMin)
			require.Equal(t, tc.killT, r.XMax)
			require.GreaterOrEqual(t, r.YMax, 64.0)
		})
	}
}

// TestEarlyStopCharts: a cell stopped early keeps the planned duration on
// every chart's x axis and marks where it stopped on the memory chart.
func TestEarlyStopCharts(t *testing.T) {
	t.Parallel()
	samples := []results.Sample{{T: 0, RSS: 10 << 20}, {T: 60, RSS: 20 << 20}, {T: 150, RSS: 40 << 20}, {T: 151, RSS: 41 << 20}}
	c := &results.Cell{ID: "x", Outcome: results.Completed, RAMLimit: 256 << 20, Interval: 1,
		EarlyStop: &results.EarlyStop{AtS: 150, PlannedS: 600, Criterion: "leak"}}
	charts, _ := cellCharts(c, BuildChartSeries(samples, 0), 0)
	require.NotEmpty(t, charts)
	mem := charts[0]
	require.Len(t, mem.Marks, 1)
	require.Equal(t, "stopped early: leak certain", mem.Marks[0].Label)
	require.Equal(t, 150.0, mem.Marks[0].X)
	require.Equal(t, 40.0, mem.Marks[0].Y, "at the memory it had when it stopped")
	for _, ch := range charts {
		r, ok := ch.Ranges()
		require.True(t, ok, ch.Title)
		require.Equal(t, 600.0, r.XMax, "%s: the planned 10 minutes", ch.Title)
	}
	// In record mode the cell ran on: nothing marked, the axis is what ran.
	c.EarlyStop.Recorded = true
	charts, _ = cellCharts(c, BuildChartSeries(samples, 0), 0)
	require.Empty(t, charts[0].Marks)
	r, _ := charts[0].Ranges()
	require.Equal(t, 151.0, r.XMax)
}
