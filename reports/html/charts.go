package html

import (
	"fmt"
	"html/template"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
)

// Chart is one rendered plot of a cell: its title and inline SVG, or why it
// could not be drawn.
type Chart struct {
	Title string
	SVG   template.HTML
	Err   string
}

const mib = 1 << 20

// cellCharts draws every chart of a cell from its samples: memory, latency,
// throughput and one per scraped metric. Charts without data are left out.
// At most maxMetrics scraped metrics are plotted (goroutines first, then by
// name); the names of the others are returned.
func cellCharts(c *results.Cell, samples []results.Sample, opts []plot.Option, maxMetrics int) (charts []Chart, omitted []string) {
	if len(samples) == 0 {
		return nil, nil
	}
	ts := make([]float64, len(samples))
	for i, s := range samples {
		ts[i] = s.T
	}
	col := func(f func(s *results.Sample) float64) ([]float64, bool) {
		ys := make([]float64, len(samples))
		any := false
		for i := range samples {
			ys[i] = f(&samples[i])
			any = any || ys[i] != 0
		}
		return ys, any
	}
	add := func(c plot.Chart) {
		if len(c.Series) == 0 {
			return
		}
		svg, err := plot.SVG(c, opts...)
		ch := Chart{Title: c.Title, SVG: template.HTML(svg)} //nolint:gosec // SVG from gonum, text escaped by plot.
		if err != nil {
			ch = Chart{Title: c.Title, Err: err.Error()}
		}
		charts = append(charts, ch)
	}

	add(memoryChart(c, samples, ts, col))
	add(faultsChart(c, samples, ts))

	lat := plot.Chart{Title: "Latency per interval", YLabel: "ms", Time: true}
	if ys, ok := col(func(s *results.Sample) float64 { return s.P50 }); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p50 (corrected)", X: ts, Y: ys, Color: plot.Palette[2]})
	}
	if ys, ok := col(func(s *results.Sample) float64 { return s.P99 }); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p99 (corrected)", X: ts, Y: ys, Color: plot.Palette[0]})
	}
	if ys, ok := col(func(s *results.Sample) float64 { return s.P99Raw }); ok {
		lat.Series = append(lat.Series, plot.Series{Name: "p99 (uncorrected)", X: ts, Y: ys, Dashed: true, Color: plot.Palette[1]})
	}
	add(lat)

	thr := plot.Chart{Title: "Throughput", YLabel: "requests/s", Time: true}
	if ys, ok := col(func(s *results.Sample) float64 { return s.RPS }); ok {
		thr.Series = append(thr.Series, plot.Series{Name: "completed/s", X: ts, Y: ys})
		if c.Load != nil && c.Load.TargetRPS > 0 {
			thr.HLines = append(thr.HLines, plot.HLine{Name: "requested", Y: c.Load.TargetRPS, Color: plot.Grey})
		}
	}
	if ys, ok := col(func(s *results.Sample) float64 {
		if s.Errors == 0 || c.Interval <= 0 {
			return 0
		}
		return float64(s.Errors) / c.Interval
	}); ok {
		thr.Series = append(thr.Series, plot.Series{Name: "errors/s", X: ts, Y: ys, Color: plot.Red})
	}
	add(thr)
	add(harnessChart(samples, ts, col))

	names := metricNames(samples)
	if len(names) > maxMetrics {
		names, omitted = names[:maxMetrics], names[maxMetrics:]
	}
	for _, name := range names {
		ys := make([]float64, len(samples))
		for i, s := range samples {
			v, ok := s.Metrics[name]
			if !ok {
				v = nan
			}
			ys[i] = v
		}
		unit := ""
		if strings.HasSuffix(name, "_bytes") {
			unit = "MiB"
			for i := range ys {
				ys[i] /= mib
			}
		}
		add(plot.Chart{Title: name, YLabel: unit, Time: true, Series: []plot.Series{{Name: name, X: ts, Y: ys}}})
	}
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.Threads) }); ok && varies(ys) {
		add(plot.Chart{Title: "Target threads", Time: true, Series: []plot.Series{{Name: "threads", X: ts, Y: ys}}})
	}
	return charts, omitted
}

// faultsChart is the rate of the cgroup's major page faults, drawn when the
// cell thrashed: pages read back from disk per second, the stretch the
// thrash criterion measured marked at its start.
func faultsChart(c *results.Cell, samples []results.Sample, ts []float64) plot.Chart {
	ch := plot.Chart{Title: "Major page faults (thrashing at the limit)", YLabel: "pages/s", Time: true}
	var th *results.Thrash
	if c.Analysis != nil {
		th = c.Analysis.Thrash
	}
	if th == nil || th.LongestS <= 0 {
		return ch
	}
	secs := th.LongestS
	ys := make([]float64, len(samples))
	for i := 1; i < len(samples); i++ {
		dt, df := samples[i].T-samples[i-1].T, samples[i].MajorFaults-samples[i-1].MajorFaults
		if dt > 0 && df >= 0 {
			ys[i] = float64(df) / dt
		}
	}
	ch.Series = append(ch.Series, plot.Series{Name: "major faults/s", X: ts, Y: ys, Color: plot.Red})
	if th.FaultsPerS != nil {
		rate, from := *th.FaultsPerS, 0.0
		if th.FromS != nil {
			from = *th.FromS
		}
		ch.Marks = append(ch.Marks, plot.Mark{Label: fmt.Sprintf("thrashing %.0f s", secs), X: from, Y: rate, Color: plot.Red})
	}
	return ch
}

// harnessChart is soaklab's own memory, when the samples break it down: its
// whole RSS, the anonymous part its slope is judged on, and its Go heap. It
// is absent for results that only carry the driver's RSS (drawn on the
// memory chart).
func harnessChart(samples []results.Sample, ts []float64, col func(func(*results.Sample) float64) ([]float64, bool)) plot.Chart {
	ch := plot.Chart{Title: "soaklab's own memory", YLabel: "MiB", Time: true}
	anon, ok := col(func(s *results.Sample) float64 { return float64(s.DriverAnon) / mib })
	if !ok {
		return ch
	}
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.DriverRSS) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "RSS", X: ts, Y: ys, Color: plot.Palette[4]})
	}
	ch.Series = append(ch.Series, plot.Series{Name: "RSS anon (judged)", X: ts, Y: anon, Color: plot.Palette[2]})
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.DriverHeap) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "Go heap objects", X: ts, Y: ys, Thin: true, Color: plot.Palette[0]})
	}
	return ch
}

func memoryChart(c *results.Cell, samples []results.Sample, ts []float64, col func(func(*results.Sample) float64) ([]float64, bool)) plot.Chart {
	ch := plot.Chart{Title: "Memory", YLabel: "MiB", Time: true}
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.RSS) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "target RSS", X: ts, Y: ys, Color: plot.Palette[0]})
	}
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.WorkingSet) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "cgroup working set", X: ts, Y: ys, Color: plot.Palette[1]})
	}
	// The leak slope is fitted to anonymous memory: draw it so the fitted
	// line sits on a plotted series.
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.Anon) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "cgroup anon", X: ts, Y: ys, Color: plot.Palette[2]})
	} else if ys, ok := col(func(s *results.Sample) float64 { return float64(s.RSSAnon) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "target RSS anon", X: ts, Y: ys, Color: plot.Palette[2]})
	}
	if ys, ok := col(func(s *results.Sample) float64 { return float64(s.DriverRSS) / mib }); ok {
		ch.Series = append(ch.Series, plot.Series{Name: "driver RSS", X: ts, Y: ys, Thin: true, Color: plot.Palette[4]})
	}
	if a := c.Analysis; a != nil && a.Fit != nil {
		fit := a.Fit
		from := a.Window.FromS
		to := ts[len(ts)-1]
		if to > from {
			ch.Series = append(ch.Series, plot.Series{
				Name:   fmt.Sprintf("fitted slope (%+.1f MiB/h)", fit.SlopeMiBPerH),
				X:      []float64{from, to},
				Y:      []float64{(fit.InterceptBytes + fit.SlopeBytesPerS*from) / mib, (fit.InterceptBytes + fit.SlopeBytesPerS*to) / mib},
				Dashed: true, Color: plot.Palette[3],
			})
		}
	}
	if c.RAMLimit > 0 {
		ch.HLines = append(ch.HLines, plot.HLine{Name: "memory limit", Y: float64(c.RAMLimit) / mib, Color: plot.Red})
	}
	if c.Outcome == results.OOMKilled {
		last := samples[len(samples)-1]
		y := float64(max(last.RSS, last.WorkingSet, last.Usage)) / mib
		if y == 0 && c.RAMLimit > 0 {
			y = float64(c.RAMLimit) / mib
		}
		ch.Marks = append(ch.Marks, plot.Mark{Label: "OOM kill", X: last.T, Y: y, Color: plot.Red})
	}
	return ch
}

// metricNames lists scraped metric names, goroutines first, then by name.
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
	sort.Slice(names, func(i, j int) bool {
		gi, gj := names[i] == "go_goroutines", names[j] == "go_goroutines"
		if gi != gj {
			return gi
		}
		return names[i] < names[j]
	})
	return names
}

// varies says a series is worth a chart: not one constant value.
func varies(ys []float64) bool {
	for _, y := range ys {
		if y != ys[0] {
			return true
		}
	}
	return false
}
