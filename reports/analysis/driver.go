package analysis

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/stats"
)

// driver fits the harness's own memory after warm-up. A driver whose memory
// grows disturbs what it measures, and on a long soak may be the thing that
// runs out of memory.
//
// The judged line (Driver) is fitted to the harness's anonymous memory
// (Sample.DriverAnon) when the samples have it, for the reason targets are:
// the rest of its RSS is the pages of its own executable, faulted in as code
// runs for the first time, bounded by the file's size and reclaimable. A
// 10-minute self-soak measured RssFile +0.3 MiB while RssAnon was flat. The
// total RSS (DriverRSS) and the Go heap (DriverHeap) are fitted too, so a
// report shows which of them moved.
func (r *Result) driver(meas []results.Sample) {
	rss := valueSeries(meas, func(s *results.Sample) int64 { return s.DriverRSS })
	anon := valueSeries(meas, func(s *results.Sample) int64 { return s.DriverAnon })
	heap := valueSeries(meas, func(s *results.Sample) int64 { return s.DriverHeap })
	fit := func(s series) (stats.Line, bool) {
		if s.len() < 2 {
			return stats.Line{}, false
		}
		s = reduce(s, MaxFitPoints)
		return stats.TheilSen(s.t, s.y), true
	}
	r.DriverRSS, r.HasDriverRSS = fit(rss)
	r.DriverHeap, r.HasDriverHeap = fit(heap)
	// Anonymous memory is judged only when every RSS reading has it: a
	// series mixing both would fit a step between them.
	if anon.len() == rss.len() {
		if r.Driver, r.HasDriver = fit(anon); r.HasDriver {
			r.DriverSeries = "RSS anon"
			return
		}
	}
	r.Driver, r.HasDriver = r.DriverRSS, r.HasDriverRSS
	r.DriverSeries = "RSS"
}
