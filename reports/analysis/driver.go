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
// report shows which of them moved. DriverLate fits the judged series' last
// half, as Late does the target's: a warm-up ramp of the harness (its Go
// heap taking two or three of the runtime's two-minute collection cycles to
// find its size) stops there.
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
	judged := rss
	r.Driver, r.HasDriver = r.DriverRSS, r.HasDriverRSS
	r.DriverSeries = "RSS"
	if anon.len() == rss.len() {
		if line, ok := fit(anon); ok {
			judged = anon
			r.Driver, r.HasDriver = line, true
			r.DriverSeries = "RSS anon"
		}
	}
	if judged.len() >= 4 {
		h := judged.len() / 2
		r.DriverLate, _ = fit(series{judged.t[h:], judged.y[h:]})
	}
}
