package analysis

import (
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/stats"
)

// Where an achieved rate was measured (Result.RateSource).
const (
	RateDriver  = "driver"  // soaklab's driver, or its per-interval rates
	RateSink    = "sink"    // what a client target sent to soaklab's sink
	RateCounter = "counter" // a workload target's throughput counter
)

// load fills throughput, CV, achieved rate, error rate and p99.
func (r *Result) load(meas []results.Sample, p Params) {
	tp := rpsSeries(meas)
	if tp.len() == 0 && p.ThroughputMetric != "" {
		tp = counterRate(meas, p.ThroughputMetric)
		if tp.len() > 0 {
			first, last, ok := counterSpan(meas, p.ThroughputMetric)
			if ok && last.T > first.T {
				r.Throughput = (last.Metrics[p.ThroughputMetric] - first.Metrics[p.ThroughputMetric]) / (last.T - first.T)
			}
		}
	}
	if w := int(math.Round(p.Window / p.Interval)); tp.len() >= 3*max(w, 1) {
		w = max(w, 1)
		var means []float64
		for i := 0; i+w <= tp.len(); i += w {
			means = append(means, stats.Mean(tp.y[i:i+w]))
		}
		r.CVPct = stats.CV(means) * 100
	}
	if rp := rpsSeries(meas); rp.len() > 0 {
		r.MeanRPS = stats.Mean(rp.y)
	}
	// A client target's load is what soaklab's sink received: judged from
	// the measured samples, like a workload's counter, not from the
	// cell's totals, which include the client's start.
	sink := p.Load != nil && p.Load.Mode == results.SinkMode
	driven := p.Load != nil && !sink
	switch {
	case driven && p.Load.AchievedRPS > 0:
		r.AchievedRPS, r.RateSource = p.Load.AchievedRPS, RateDriver
	case tp.len() > 0:
		r.AchievedRPS, r.RateSource = stats.Mean(tp.y), RateDriver
		if sink {
			r.RateSource = RateSink
		} else if !math.IsNaN(r.Throughput) {
			r.RateSource = RateCounter
		}
	case sink && len(meas) > 0:
		// the sink was there and counted nothing: the client sent nothing
		r.AchievedRPS, r.RateSource = 0, RateSink
	}
	if p.RequestedRate > 0 {
		r.RequestedRate = p.RequestedRate
		if !math.IsNaN(r.AchievedRPS) {
			r.AchievedRatio = r.AchievedRPS / p.RequestedRate
		}
	}
	var sent, failed int64
	if driven && p.Load.Sent > 0 {
		sent, failed = p.Load.Sent, p.Load.Errors
	} else {
		for _, s := range meas {
			sent += s.Requests + s.Errors
			failed += s.Errors
		}
	}
	if sent > 0 {
		r.ErrorRate = float64(failed) / float64(sent)
	}
	if p.Load != nil && p.Load.Corrected != nil && p.Load.Corrected.Count > 0 {
		r.P99 = p.Load.Corrected.P99
	} else {
		// Without the merged histogram, the median of the per-interval
		// corrected p99s: an approximation, never derived from throughput.
		var p99 []float64
		for _, s := range meas {
			if s.P99 > 0 {
				p99 = append(p99, s.P99)
			}
		}
		if len(p99) > 0 {
			r.P99 = stats.Median(p99)
		}
	}
}

// rpsSeries is the per-interval completed rate: of soaklab's driver, or
// of a client target as soaklab's sink received it. Samples of sinks that
// counted requests but no rate (soaklab before the sink measured one) get
// the requests over the time since the sample before.
func rpsSeries(meas []results.Sample) series {
	var s series
	any, counted := false, false
	for _, x := range meas {
		if x.RPS > 0 {
			any = true
			break
		}
		counted = counted || x.Requests > 0
	}
	if !any && counted {
		for i := 1; i < len(meas); i++ {
			if dt := meas[i].T - meas[i-1].T; dt > 0 {
				s.t = append(s.t, meas[i].T)
				s.y = append(s.y, float64(meas[i].Requests)/dt)
			}
		}
		return s
	}
	if !any {
		return s
	}
	for _, x := range meas {
		s.t = append(s.t, x.T)
		s.y = append(s.y, x.RPS)
	}
	return s
}

// counterRate is the per-interval rate of a counter; intervals across a
// counter reset (a drop) are skipped.
func counterRate(meas []results.Sample, name string) series {
	var s series
	var prev *results.Sample
	for i := range meas {
		x := &meas[i]
		v, ok := x.Metrics[name]
		if !ok {
			continue
		}
		if prev != nil {
			dv, dt := v-prev.Metrics[name], x.T-prev.T
			if dv >= 0 && dt > 0 {
				s.t = append(s.t, x.T)
				s.y = append(s.y, dv/dt)
			}
		}
		prev = x
	}
	return s
}

func counterSpan(meas []results.Sample, name string) (first, last results.Sample, ok bool) {
	for _, x := range meas {
		if _, has := x.Metrics[name]; has {
			if !ok {
				first, ok = x, true
			}
			last = x
		}
	}
	return first, last, ok
}

// goroutines fills the goroutine growth from the scraped metric.
func (r *Result) goroutines(meas []results.Sample) {
	var s series
	for _, x := range meas {
		if v, ok := x.Metrics[GoroutinesMetric]; ok {
			s.t = append(s.t, x.T)
			s.y = append(s.y, v)
		}
	}
	if s.len() < 2 {
		return
	}
	r.GoroutineFirst, r.GoroutineLast = s.y[0], s.y[s.len()-1]
	r.GoroutineMax = s.y[0]
	for _, v := range s.y {
		r.GoroutineMax = max(r.GoroutineMax, v)
	}
	if h := s.len() / 2; s.len() >= 4 {
		late := reduce(series{s.t[h:], s.y[h:]}, MaxFitPoints)
		r.GoroutineLate = stats.TheilSen(late.t, late.y)
	}
	s = reduce(s, MaxFitPoints)
	r.GoroutineFit = stats.TheilSen(s.t, s.y)
	r.GoroutineSlope = r.GoroutineFit.Slope * 3600
}
