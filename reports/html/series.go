package html

import (
	"fmt"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/downsample"
)

// The columns of a chart series (results.ChartSeries) the charts draw,
// each as the chart shows it: memory in MiB with a gap where it read 0
// (the process was gone), rates per second. A column whose values would
// draw nothing (memory never read, a latency always 0) is left out.
const (
	colRSS        = "rss"
	colWorkingSet = "working_set"
	colAnon       = "anon"
	colRSSAnon    = "rss_anon"
	colDriverRSS  = "driver_rss"
	colDriverAnon = "driver_rss_anon"
	colDriverHeap = "driver_heap"
	colFaults     = "major_faults_per_s" // only when the cgroup faulted at all
	colSome       = "psi_some_pct"       // both PSI columns, only when it stalled
	colFull       = "psi_full_pct"
	colP50        = "p50_ms"
	colP99        = "p99_ms"
	colP99Raw     = "p99_raw_ms"
	colRPS        = "rps"
	colErrors     = "errors" // a count per interval: the chart divides by the cell's interval
	colThreads    = "threads"
	metricPrefix  = "metric:" // then the scraped metric's name, NaN where a sample lacks it
)

// Scalars of a chart series: what the reduction would lose.
const (
	scalarKillT   = "kill_t"         // T of the first sample that saw an OOM kill
	scalarLastMem = "last_mem_bytes" // the last sample's largest memory reading
)

// chartSeriesVersion changes whenever what BuildChartSeries keeps changes
// (TestChartSeriesVersion pins it to a digest of what it keeps):
// chart series built by another version are rebuilt from the samples.
const chartSeriesVersion = 1

// ChartSeriesBuilder names the reduction BuildChartSeries makes with
// buckets (0: DefaultLiveBuckets); a chart series built otherwise is
// stale.
func ChartSeriesBuilder(buckets int) string {
	if buckets <= 0 {
		buckets = DefaultLiveBuckets
	}
	return fmt.Sprintf("html.v%d/%d", chartSeriesVersion, buckets)
}

// BuildChartSeries reduces a cell's samples to what its charts draw: every
// column downsampled together by min/max buckets (downsample.Columns with
// buckets, 0: DefaultLiveBuckets) to at most twice as many rows, which is
// exactly what the interactive charts keep. Every chart is drawn from a
// chart series, whether read from the cache beside the samples or built
// here from them, so the two cannot draw different pages. Source is left
// for the caller to stamp.
func BuildChartSeries(samples []results.Sample, buckets int) *results.ChartSeries {
	if buckets <= 0 {
		buckets = DefaultLiveBuckets
	}
	cs := &results.ChartSeries{Builder: ChartSeriesBuilder(buckets), Samples: len(samples), Scalars: map[string]float64{}}
	n := len(samples)
	if n == 0 {
		return cs
	}
	ts := make([]float64, n)
	for i := range samples {
		ts[i] = samples[i].T
	}
	var names []string
	var cols [][]float64
	add := func(name string, ys []float64) {
		names, cols = append(names, name), append(cols, ys)
	}
	mem := func(name string, f func(*results.Sample) int64) {
		ys := make([]float64, n)
		any := false
		for i := range samples {
			if v := f(&samples[i]); v > 0 {
				ys[i], any = float64(v)/mib, true
			} else {
				ys[i] = nan
			}
		}
		if any {
			add(name, ys)
		}
	}
	col := func(name string, f func(*results.Sample) float64) {
		ys := make([]float64, n)
		any := false
		for i := range samples {
			ys[i] = f(&samples[i])
			any = any || ys[i] != 0
		}
		if any {
			add(name, ys)
		}
	}
	mem(colRSS, func(s *results.Sample) int64 { return s.RSS })
	mem(colWorkingSet, func(s *results.Sample) int64 { return s.WorkingSet })
	mem(colAnon, func(s *results.Sample) int64 { return s.Anon })
	mem(colRSSAnon, func(s *results.Sample) int64 { return s.RSSAnon })
	mem(colDriverRSS, func(s *results.Sample) int64 { return s.DriverRSS })
	mem(colDriverAnon, func(s *results.Sample) int64 { return s.DriverAnon })
	mem(colDriverHeap, func(s *results.Sample) int64 { return s.DriverHeap })

	faults := make([]float64, n)
	faulted := false
	for i := 1; i < n; i++ {
		dt, df := samples[i].T-samples[i-1].T, samples[i].MajorFaults-samples[i-1].MajorFaults
		if dt > 0 && df >= 0 {
			faults[i] = float64(df) / dt
			faulted = faulted || faults[i] != 0
		}
	}
	if faulted {
		add(colFaults, faults)
	}
	some, full := make([]float64, n), make([]float64, n)
	stalled := false
	for i := 1; i < n; i++ {
		a, b := samples[i-1].Pressure, samples[i].Pressure
		dt := samples[i].T - samples[i-1].T
		if a == nil || b == nil || dt <= 0 {
			continue
		}
		if d := b.SomeUs - a.SomeUs; d > 0 {
			some[i], stalled = 100*float64(d)/1e6/dt, true
		}
		if d := b.FullUs - a.FullUs; d > 0 {
			full[i] = 100 * float64(d) / 1e6 / dt
		}
	}
	if stalled {
		add(colSome, some)
		add(colFull, full)
	}

	col(colP50, func(s *results.Sample) float64 { return s.P50 })
	col(colP99, func(s *results.Sample) float64 { return s.P99 })
	col(colP99Raw, func(s *results.Sample) float64 { return s.P99Raw })
	col(colRPS, func(s *results.Sample) float64 { return s.RPS })
	col(colErrors, func(s *results.Sample) float64 { return float64(s.Errors) })
	col(colThreads, func(s *results.Sample) float64 { return float64(s.Threads) })
	for _, name := range metricNames(samples) {
		ys := make([]float64, n)
		for i := range samples {
			v, ok := samples[i].Metrics[name]
			if !ok {
				v = nan
			}
			ys[i] = v
		}
		add(metricPrefix+name, ys)
	}

	cs.X, cols = downsample.Columns(ts, cols, buckets)
	for j, name := range names {
		cs.Cols = append(cs.Cols, results.Column{Name: name, Y: cols[j]})
	}
	for _, s := range samples {
		if s.OOMKills > 0 {
			cs.Scalars[scalarKillT] = s.T
			break
		}
	}
	last := samples[n-1]
	cs.Scalars[scalarLastMem] = float64(max(last.RSS, last.WorkingSet, last.Usage))
	return cs
}

// seriesMetrics lists the scraped metrics a chart series holds, in the
// order metricNames gives them.
func seriesMetrics(cs *results.ChartSeries) []string {
	var out []string
	for _, c := range cs.Cols {
		if name, ok := strings.CutPrefix(c.Name, metricPrefix); ok {
			out = append(out, name)
		}
	}
	return out
}

// zeros is a column of n zeros.
func zeros(n int) []float64 { return make([]float64, n) }
