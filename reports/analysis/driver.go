package analysis

import (
	"soaklab/harness/results"
	"soaklab/reports/stats"
)

// driver fits the harness's own RSS (Sample.DriverRSS) after warm-up. A
// driver whose memory grows disturbs what it measures, and on a long soak
// may be the thing that runs out of memory.
func (r *Result) driver(meas []results.Sample) {
	var s series
	for _, x := range meas {
		if x.DriverRSS > 0 {
			s.t = append(s.t, x.T)
			s.y = append(s.y, float64(x.DriverRSS))
		}
	}
	if s.len() < 2 {
		return
	}
	s = reduce(s, MaxFitPoints)
	r.Driver = stats.TheilSen(s.t, s.y)
	r.HasDriver = true
}
