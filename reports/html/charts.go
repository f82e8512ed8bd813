package html

import (
	"fmt"
	"html/template"
	"math"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
	"github.com/soaklab/soaklab/reports/view"
)

// Chart is one rendered plot of a cell: its title, the Prometheus name of
// what it draws, its inline SVG (for print and readers without script), or
// why it could not be drawn.
type Chart struct {
	Title, Metric string
	SVG           template.HTML
	Err           string
	// Live is the chart's index in the cell's interactive data; -1 when it
	// has none.
	Live int
}

const mib = 1 << 20

// MemoryTitle is the title of a cell's memory chart.
const MemoryTitle = "Target memory"

// cellCharts describes every chart of a cell from its chart series (see
// BuildChartSeries): memory, soaklab's own memory, latency, throughput and
// one per scraped metric. Charts without data are left out. At most
// maxMetrics scraped metrics are plotted (goroutines first, then by name);
// the names of the others are returned. Every series of a time chart has
// cs.X as its X.
func cellCharts(c *results.Cell, cs *results.ChartSeries, maxMetrics int) (charts []plot.Chart, omitted []string) {
	if cs == nil || cs.Samples == 0 || len(cs.X) == 0 {
		return nil, nil
	}
	ts := cs.X
	col := func(name string) ([]float64, bool) {
		ys := cs.Col(name)
		return ys, ys != nil
	}
	killT, killed := killTime(c, cs)
	add := func(ch plot.Chart) {
		if len(ch.Series) == 0 {
			return
		}
		if killed {
			ch.XMax = killT
		}
		if e := c.EarlyStop; e != nil && !e.Recorded {
			ch.XMax = max(ch.XMax, e.PlannedS) // the planned duration, not only what ran
		}
		charts = append(charts, ch)
	}

	add(memoryChart(c, cs, killT, killed))
	add(harnessChart(cs))
	add(faultsChart(c, cs))
	add(pressureChart(c, cs))

	lat := plot.Chart{Title: "Latency per interval", YLabel: "ms", Time: true}
	if ys, ok := col(colP50); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p50 (corrected)", X: ts, Y: ys, Color: plot.Palette[2]})
	}
	if ys, ok := col(colP99); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p99 (corrected)", X: ts, Y: ys, Color: plot.Palette[0]})
	}
	if ys, ok := col(colP99Raw); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p99 (uncorrected)", X: ts, Y: ys, Dashed: true, Color: plot.Palette[1]})
	}
	add(lat)

	thr := plot.Chart{Title: "Throughput", YLabel: "requests/s", Time: true}
	done, asked := "completed/s", "requested "
	if c.Load != nil && c.Load.Mode == results.SinkMode {
		// a client target: what soaklab's sink received, against the rate
		// asked of the client
		thr.Title, done, asked = "Throughput (received by soaklab's sink)", "received/s", "asked "
	}
	if ys, ok := col(colRPS); ok {
		thr.Series = append(thr.Series, plot.Series{Name: done, X: ts, Y: ys})
		if c.Load != nil && c.Load.TargetRPS > 0 {
			thr.HLines = append(thr.HLines, plot.HLine{Name: asked + view.Num(c.Load.TargetRPS) + "/s", Y: c.Load.TargetRPS, Color: plot.Grey})
		}
	}
	if errs, ok := col(colErrors); ok && c.Interval > 0 {
		ys := make([]float64, len(errs))
		for i, e := range errs {
			if e != 0 {
				ys[i] = e / c.Interval
			}
		}
		thr.Series = append(thr.Series, plot.Series{Name: "errors/s", X: ts, Y: ys, Color: plot.Red})
	}
	add(thr)

	names := seriesMetrics(cs)
	if len(names) > maxMetrics {
		names, omitted = names[:maxMetrics], names[maxMetrics:]
	}
	for _, name := range names {
		ys := cs.Col(metricPrefix + name)
		title, unit := MetricTitle(name)
		scale := 1.0
		if unit == "MiB" {
			scale = mib
			scaled := make([]float64, len(ys))
			for i := range ys {
				scaled[i] = ys[i] / mib
			}
			ys = scaled
		}
		ch := plot.Chart{Title: title, Metric: name, Label: title + " (" + name + ")", YLabel: unit, Time: true,
			Counts: name == "go_goroutines" || name == "go_threads" || name == "process_open_fds",
			Series: []plot.Series{{Name: title, X: ts, Y: ys}}}
		thresholdMarks(&ch, c, name, scale)
		add(ch)
	}
	if ys, ok := col(colThreads); ok && varies(ys) {
		add(plot.Chart{Title: "Target threads", Time: true, Counts: true, Series: []plot.Series{{Name: "threads", X: ts, Y: ys}}})
	}
	return charts, omitted
}

// killTime is when an OOM-killed cell died, in seconds since it started:
// the sample that saw the kill, else a sample interval after the last one,
// but no later than the cell's end.
func killTime(c *results.Cell, cs *results.ChartSeries) (float64, bool) {
	if c.Outcome != results.OOMKilled || len(cs.X) == 0 {
		return 0, false
	}
	if t, ok := cs.Scalars[scalarKillT]; ok {
		return t, true
	}
	lastT := cs.X[len(cs.X)-1]
	t := lastT + max(c.Interval, 0)
	if !c.Started.IsZero() && c.Ended.After(c.Started) {
		t = min(t, c.Ended.Sub(c.Started).Seconds())
	}
	return max(t, lastT), true
}

// metricWords names common Prometheus metrics in words; others are named
// from their own words.
var metricWords = map[string]string{
	"go_goroutines":                   "Goroutines",
	"go_threads":                      "OS threads",
	"go_memstats_heap_inuse_bytes":    "Go heap in use",
	"go_memstats_heap_alloc_bytes":    "Go heap allocated",
	"go_memstats_heap_objects":        "Go heap objects",
	"go_memstats_heap_sys_bytes":      "Go heap from the OS",
	"go_memstats_heap_idle_bytes":     "Go heap idle",
	"go_memstats_heap_released_bytes": "Go heap released to the OS",
	"go_memstats_sys_bytes":           "Go runtime memory from the OS",
	"go_memstats_stack_inuse_bytes":   "Goroutine stacks in use",
	"go_gc_duration_seconds":          "GC pause",
	"process_resident_memory_bytes":   "Resident memory",
	"process_virtual_memory_bytes":    "Virtual memory",
	"process_open_fds":                "Open file descriptors",
}

// MetricTitle is the chart title and unit of a scraped metric:
// "Goroutines" for go_goroutines, "Go heap in use" in MiB for
// go_memstats_heap_inuse_bytes, "Cache entries" for cache_entries.
func MetricTitle(name string) (title, unit string) {
	if strings.HasSuffix(name, "_bytes") {
		unit = "MiB"
	} else if strings.HasSuffix(name, "_seconds") {
		unit = "s"
	}
	if t, ok := metricWords[name]; ok {
		return t, unit
	}
	w := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bytes"), "_seconds"), "_total")
	w = strings.ReplaceAll(w, "_", " ")
	if w == "" {
		return name, unit
	}
	return strings.ToUpper(w[:1]) + w[1:], unit
}

// faultsChart is the rate of the cgroup's major page faults, drawn when the
// cell thrashed: pages read back from disk per second, the stretch the
// thrash criterion measured marked at its start.
func faultsChart(c *results.Cell, cs *results.ChartSeries) plot.Chart {
	ch := plot.Chart{Title: "Major page faults (thrashing at the limit)", YLabel: "pages/s", Time: true}
	var th *results.Thrash
	if c.Analysis != nil {
		th = c.Analysis.Thrash
	}
	if th == nil || th.LongestS <= 0 {
		return ch
	}
	secs := th.LongestS
	ys := cs.Col(colFaults)
	if ys == nil { // it never faulted: a flat line at 0
		ys = zeros(len(cs.X))
	}
	ch.Series = append(ch.Series, plot.Series{Name: "major faults/s", X: cs.X, Y: ys, Color: plot.Red})
	if th.FaultsPerS != nil {
		rate, from := *th.FaultsPerS, 0.0
		if th.FromS != nil {
			from = *th.FromS
		}
		ch.Marks = append(ch.Marks, plot.Mark{Label: fmt.Sprintf("thrashing %.0f s", secs), X: from, Y: rate, Color: plot.Red})
	}
	return ch
}

// pressureChart is the cgroup's memory pressure (cgroup v2's PSI), drawn
// when the samples carry it and the cgroup stalled at all: the share of
// each interval in which some task, and every task ("full"), waited on
// memory; the stretch the thrash criterion measured is marked at its start.
func pressureChart(c *results.Cell, cs *results.ChartSeries) plot.Chart {
	ch := plot.Chart{Title: "Memory pressure (PSI: time stalled on memory)", YLabel: "% of interval", Time: true}
	some, full := cs.Col(colSome), cs.Col(colFull)
	if some == nil || full == nil { // it never stalled
		return ch
	}
	ch.Series = append(ch.Series, plot.Series{Name: "some task waiting", X: cs.X, Y: some, Color: plot.Palette[1]},
		plot.Series{Name: "every task waiting (full)", X: cs.X, Y: full, Color: plot.Red})
	if c.Analysis != nil {
		if th := c.Analysis.Thrash; th != nil && th.Basis == "memory-stall" && th.StallPct != nil {
			from := 0.0
			if th.FromS != nil {
				from = *th.FromS
			}
			ch.Marks = append(ch.Marks, plot.Mark{Label: fmt.Sprintf("stalled %.0f s", th.LongestS), X: from, Y: *th.StallPct, Color: plot.Red})
		}
	}
	return ch
}

// harnessChart is soaklab's own memory, on its own chart so that it is
// never read against the target's limit: its whole RSS, and when the
// samples break it down, the anonymous part its slope is judged on and its
// Go heap.
func harnessChart(cs *results.ChartSeries) plot.Chart {
	ch := plot.Chart{Title: "soaklab's own memory", YLabel: "MiB", Time: true}
	if ys := cs.Col(colDriverRSS); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "RSS", X: cs.X, Y: ys, Color: plot.Palette[4]})
	}
	if ys := cs.Col(colDriverAnon); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "RSS anon (judged)", X: cs.X, Y: ys, Color: plot.Palette[2]})
	}
	if ys := cs.Col(colDriverHeap); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "Go heap objects", X: cs.X, Y: ys, Thin: true, Color: plot.Palette[0]})
	}
	return ch
}

// memoryChart is the target's memory against its limit: scaled to the data
// (a limit far above is named, not drawn; see plot.OffScale), the fitted
// slope, and for an OOM-killed cell the kill at the peak the cgroup saw.
func memoryChart(c *results.Cell, cs *results.ChartSeries, killT float64, killed bool) plot.Chart {
	ch := plot.Chart{Title: MemoryTitle, YLabel: "MiB", Time: true}
	ts := cs.X
	if ys := cs.Col(colRSS); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "target RSS", X: ts, Y: ys, Color: plot.Palette[0]})
	}
	if ys := cs.Col(colWorkingSet); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "cgroup working set", X: ts, Y: ys, Color: plot.Palette[1]})
	}
	// The leak slope is fitted to anonymous memory: draw it so the fitted
	// line sits on a plotted series.
	if ys := cs.Col(colAnon); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "cgroup anon", X: ts, Y: ys, Color: plot.Palette[2]})
	} else if ys := cs.Col(colRSSAnon); ys != nil {
		ch.Series = append(ch.Series, plot.Series{Name: "target RSS anon", X: ts, Y: ys, Color: plot.Palette[2]})
	}
	if a := c.Analysis; a != nil && a.Fit != nil {
		fit := a.Fit
		from := a.Window.FromS
		to := ts[len(ts)-1]
		if to > from {
			ch.Series = append(ch.Series, plot.Series{
				Name:   "fitted slope (" + signedNum(fit.SlopeMiBPerH) + " MiB/h)",
				X:      []float64{from, to},
				Y:      []float64{(fit.InterceptBytes + fit.SlopeBytesPerS*from) / mib, (fit.InterceptBytes + fit.SlopeBytesPerS*to) / mib},
				Dashed: true, Color: plot.Palette[3],
			})
		}
	}
	if c.RAMLimit > 0 {
		ch.HLines = append(ch.HLines, plot.HLine{Name: "memory limit " + view.Bytes(c.RAMLimit), Y: float64(c.RAMLimit) / mib, Color: plot.Red})
	}
	if killed {
		peak := float64(view.Peak(c)) / mib
		if peak <= 0 {
			peak = cs.Scalars[scalarLastMem] / mib
		}
		if peak <= 0 && c.RAMLimit > 0 {
			peak = float64(c.RAMLimit) / mib
		}
		ch.Marks = append(ch.Marks, plot.Mark{Label: "OOM kill at " + view.Num(peak) + " MiB", X: killT, Y: peak, Color: plot.Red})
	}
	if e := c.EarlyStop; e != nil && !e.Recorded && len(ch.Series) > 0 {
		ch.Marks = append(ch.Marks, plot.Mark{Label: "stopped early: " + e.Criterion + " certain", X: e.AtS, Y: lastAt(ch.Series[0], e.AtS), Color: plot.Red})
	}
	return ch
}

// lastAt is s's last value at or before x (0 when none).
func lastAt(s plot.Series, x float64) float64 {
	y := 0.0
	for i := range min(len(s.X), len(s.Y)) {
		if s.X[i] > x {
			break
		}
		if !math.IsNaN(s.Y[i]) {
			y = s.Y[i]
		}
	}
	return y
}

// metricNames lists scraped metric names: goroutines first, then the
// target's own families (those a matrix keeps with metrics_keep), then the
// Go runtime's and process's, each by name.
func metricNames(samples []results.Sample) []string {
	seen := map[string]bool{}
	for _, s := range samples {
		for k := range s.Metrics {
			seen[k] = true
		}
	}
	names := make([]string, 0, len(seen))
	for k := range seen {
		names = append(names, k)
	}
	rank := func(n string) int {
		switch {
		case n == "go_goroutines":
			return 0
		case strings.HasPrefix(n, "go_") || strings.HasPrefix(n, "process_"):
			return 2
		}
		return 1
	}
	sort.Slice(names, func(i, j int) bool {
		if ri, rj := rank(names[i]), rank(names[j]); ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	return names
}

// varies says a series is worth a chart: not one constant value.
func varies(ys []float64) bool {
	for _, y := range ys {
		if y != ys[0] && !(math.IsNaN(y) && math.IsNaN(ys[0])) {
			return true
		}
	}
	return false
}

// signedNum is view.Num with a "+" for growth.
func signedNum(v float64) string {
	if v > 0 {
		return "+" + view.Num(v)
	}
	return view.Num(v)
}
