package analysis

import (
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Cost is what a cell's target spent over the judged window (the measured
// samples after warm-up). Fields are NaN when not measured.
type Cost struct {
	// Ops is the operations in the window: the requests soaklab's driver
	// completed or its sink counted, else the increase of the target's
	// throughput counter; OpsFrom says which ("requests" or the counter).
	Ops     float64
	OpsFrom string
	// CPUSeconds is the CPU time of the target's cgroup in the window,
	// CPUPerOp that per operation, CPUCores per second of the window.
	CPUSeconds, CPUPerOp, CPUCores float64
	// CtxSwitches is the context switches of the target's threads in the
	// window; CtxPerOp that per operation.
	CtxSwitches, CtxPerOp float64
	// Counters holds the increase of each counter Params.Counters names
	// (for scorecard ratios); a counter not measured is absent.
	Counters map[string]float64
}

// cost fills r.Cost from the measured samples.
func (r *Result) cost(meas []results.Sample, p Params) {
	nan := math.NaN()
	c := Cost{Ops: nan, CPUSeconds: nan, CPUPerOp: nan, CPUCores: nan, CtxSwitches: nan, CtxPerOp: nan}
	if v, ok := Increase(meas, matrix.CounterOps, p); ok {
		c.Ops, c.OpsFrom = v, matrix.CounterRequests
		if !requestsMeasured(meas, p) {
			c.OpsFrom = p.ThroughputMetric
		}
	}
	if v, ok := Increase(meas, matrix.CounterCPUSeconds, p); ok {
		c.CPUSeconds = v
		if span, ok := Increase(meas, matrix.CounterSeconds, p); ok && span > 0 {
			c.CPUCores = v / span
		}
	}
	if v, ok := Increase(meas, matrix.CounterCtxSwitches, p); ok {
		c.CtxSwitches = v
	}
	if c.Ops > 0 {
		c.CPUPerOp = c.CPUSeconds / c.Ops
		c.CtxPerOp = c.CtxSwitches / c.Ops
	}
	for _, name := range p.Counters {
		if v, ok := Increase(meas, name, p); ok {
			if c.Counters == nil {
				c.Counters = map[string]float64{}
			}
			c.Counters[name] = v
		}
	}
	r.Cost = c
}

// Ratio is the increase of counter num over that of counter den in the
// window (r.Cost.Counters, else the cost's own figures); NaN when either
// was not measured or den did not increase.
func (r Result) Ratio(num, den string) float64 {
	get := func(name string) float64 {
		if v, ok := r.Cost.Counters[name]; ok {
			return v
		}
		switch name {
		case matrix.CounterOps:
			return r.Cost.Ops
		case matrix.CounterCPUSeconds:
			return r.Cost.CPUSeconds
		case matrix.CounterCtxSwitches:
			return r.Cost.CtxSwitches
		}
		return math.NaN()
	}
	n, d := get(num), get(den)
	if math.IsNaN(n) || math.IsNaN(d) || d <= 0 {
		return math.NaN()
	}
	return n / d
}

// Increase is the increase of a counter over the measured samples meas:
// a counter soaklab keeps (matrix.BuiltinCounters) or a series of
// Sample.Metrics. Counts per interval (requests, errors) are summed over
// every measured sample but the first, whose interval ended before the
// window began; running totals (CPU time, context switches, scraped
// counters) add up their increases from sample to sample, skipping a
// fall (a restarted target). ok is false when the counter was not
// measured: absent from the samples, or with fewer than two readings.
func Increase(meas []results.Sample, name string, p Params) (float64, bool) {
	switch name {
	case matrix.CounterOps:
		if requestsMeasured(meas, p) {
			return Increase(meas, matrix.CounterRequests, p)
		}
		if p.ThroughputMetric == "" {
			return 0, false
		}
		return Increase(meas, p.ThroughputMetric, p)
	case matrix.CounterRequests, matrix.CounterErrors:
		if !requestsMeasured(meas, p) || len(meas) < 2 {
			return 0, false
		}
		var n int64
		for _, s := range meas[1:] {
			if name == matrix.CounterRequests {
				n += s.Requests
			} else {
				n += s.Errors
			}
		}
		return float64(n), true
	case matrix.CounterSeconds:
		if len(meas) < 2 {
			return 0, false
		}
		return meas[len(meas)-1].T - meas[0].T, true
	case matrix.CounterCPUSeconds:
		v, ok := running(meas, func(s *results.Sample) (float64, bool) { return float64(s.CPUUs), s.CPUUs > 0 })
		return v / 1e6, ok
	case matrix.CounterCtxSwitches:
		return running(meas, func(s *results.Sample) (float64, bool) {
			n := s.CtxVoluntary + s.CtxNonvoluntary
			return float64(n), n > 0
		})
	case matrix.CounterCtxVoluntary:
		return running(meas, func(s *results.Sample) (float64, bool) { return float64(s.CtxVoluntary), s.CtxVoluntary > 0 })
	case matrix.CounterCtxNonvoluntary:
		return running(meas, func(s *results.Sample) (float64, bool) { return float64(s.CtxNonvoluntary), s.CtxNonvoluntary > 0 })
	}
	return running(meas, func(s *results.Sample) (float64, bool) {
		v, ok := s.Metrics[name]
		return v, ok
	})
}

// requestsMeasured reports whether the cell's requests were counted: by
// the driver (its summary) or per sample (driver or sink).
func requestsMeasured(meas []results.Sample, p Params) bool {
	if p.Load != nil {
		return true
	}
	for _, s := range meas {
		if s.Requests > 0 || s.Errors > 0 {
			return true
		}
	}
	return false
}

// running adds the increases of a running total from one reading to the
// next; a fall (the total restarted) adds nothing.
func running(meas []results.Sample, value func(*results.Sample) (float64, bool)) (float64, bool) {
	var sum, prev float64
	n := 0
	for i := range meas {
		v, ok := value(&meas[i])
		if !ok {
			continue
		}
		if n > 0 && v >= prev {
			sum += v - prev
		}
		prev = v
		n++
	}
	return sum, n >= 2
}

// stored is the cost as results.Analysis keeps it; nil when neither CPU
// time, context switches nor a ratio's counter was measured.
func (c Cost) stored() *results.Cost {
	opt := func(v float64) *float64 {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil
		}
		return &v
	}
	if math.IsNaN(c.CPUSeconds) && math.IsNaN(c.CtxSwitches) && len(c.Counters) == 0 {
		return nil
	}
	return &results.Cost{
		Ops: opt(c.Ops), OpsFrom: c.OpsFrom,
		CPUS: opt(c.CPUSeconds), CPUSPerOp: opt(c.CPUPerOp), CPUCores: opt(c.CPUCores),
		CtxSwitches: opt(c.CtxSwitches), CtxSwitchesPerOp: opt(c.CtxPerOp),
		Counters: c.Counters,
	}
}
