package judge

import (
	"fmt"
	"math"
	"strconv"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// Option sets a knob of Cell, Compare and Regressions.
type Option func(*options)

type options struct {
	throughputMetric map[string]string // target → counter
	confidence       float64           // of the memory slopes' intervals; 0 = analysis' default
	levels           map[string][]analysis.Level
	noRate           map[string]bool // targets asked no rate
	counters         []string        // counters whose increase the analysis keeps (ratio rows)
}

// NoRequestedRate says target is asked no rate: a client or workload
// target whose env and command do not pass the cell's rps on. Its cells'
// rps, if older results carry one, is not held against what it sent.
func NoRequestedRate(target string) Option {
	return func(o *options) {
		if o.noRate == nil {
			o.noRate = map[string]bool{}
		}
		o.noRate[target] = true
	}
}

// Confidence sets the level of the memory slopes' intervals (default 95 %):
// early stopping judges at a stricter one.
func Confidence(level float64) Option { return func(o *options) { o.confidence = level } }

// ThroughputMetric names the Prometheus counter whose rate is the
// throughput of a workload target.
func ThroughputMetric(target, counter string) Option {
	return func(o *options) {
		if o.throughputMetric == nil {
			o.throughputMetric = map[string]string{}
		}
		o.throughputMetric[target] = counter
	}
}

func newOptions(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}

// Params derives the analysis parameters of a cell.
func Params(c *results.Cell, opts ...Option) analysis.Params {
	o := newOptions(opts)
	p := analysis.Params{
		Limit:            c.RAMLimit,
		Warmup:           c.Warmup,
		Interval:         c.Interval,
		Load:             c.Load,
		ThroughputMetric: o.throughputMetric[c.Target],
		Confidence:       o.confidence,
		Levels:           o.levels[c.Target],
		Counters:         o.counters,
	}
	if p.Warmup == 0 {
		// The runner records the warm-up matrix applied; a result without
		// one (written by hand, or by a Go caller) gets the matrix's default.
		p.Warmup = matrix.DefaultWarmupFraction * c.Duration
	}
	if c.Load != nil && c.Load.Burst > 0 && c.Load.Pause > 0 {
		// Load in bursts: a throughput window of one whole cycle holds one
		// burst wherever it starts, so the CV across windows measures the
		// target, not how many bursts a window happened to catch.
		p.Window = c.Load.Burst + c.Load.Pause
	}
	// A server target is asked the rate of its cell; a client target
	// when its env or command passes the cell's rps on (the matrix then
	// keeps rps in its cells). A workload target sets its own load.
	if c.Kind != matrix.KindWorkload && !o.noRate[c.Target] {
		if c.Load != nil && c.Load.TargetRPS > 0 {
			p.RequestedRate = c.Load.TargetRPS
		} else if v, err := strconv.ParseFloat(c.Axes[matrix.AxisRPS], 64); err == nil {
			p.RequestedRate = v
		}
	}
	return p
}

// Cell judges one cell from its samples against j (fields the matrix left
// out take DefaultJudge's values, see WithDefaults) and returns the
// verdict, every reason and the analysis stored with the cell.
func Cell(c *results.Cell, samples []results.Sample, j matrix.Judge, opts ...Option) (results.Verdict, []results.Reason, *results.Analysis) {
	return judged(c, analysis.Analyze(samples, Params(c, opts...)), j)
}

// judged judges a cell from the analysis of its samples (see Cell).
func judged(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Verdict, []results.Reason, *results.Analysis) {
	j = WithDefaults(j)
	endedEarly := c.Outcome != results.Completed && c.Outcome != results.Interrupted
	var rs []results.Reason
	for _, cr := range Criteria {
		switch {
		case cr.Stage == Measured && r.N < j.MinSamples, cr.Stage == Ran && endedEarly:
			continue
		}
		if x, ok := cr.Judge(c, r, j); ok {
			rs = append(rs, x)
		}
	}
	a := r.Analysis()
	withDetect(rs, a, r, j)
	withProjection(a, c, r, j)
	return Decide(rs), finite(rs), a
}

// enoughSamples is UNKNOWN when fewer than j.MinSamples samples were measured
// after warm-up: too few to judge memory (the Measured criteria are then
// left out).
func enoughSamples(_ *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if r.N >= j.MinSamples {
		return results.Reason{}, false
	}
	return results.Reason{
		Criterion: "samples", Status: results.Unknown, Value: float64(r.N), Limit: float64(j.MinSamples),
		Message: fmt.Sprintf("only %d measured samples after %.0f s warm-up (need >= %d): inconclusive", r.N, r.Warmup, j.MinSamples),
	}, true
}

// oomRiskWithin is oom-risk unless the horizon is 0 (an explicit
// `horizon: 0` turns the projection off).
func oomRiskWithin(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
	if j.Horizon <= 0 {
		return results.Reason{}, false
	}
	return shortWindow(c, r, oomRisk(c, r, j)), true
}

// MinLeakWindow is the shortest measured window (after warm-up) over which
// a growing series can FAIL the leak and OOM-risk criteria; over a shorter
// one the growth cannot be told from the target's own warm-up, and a FAIL
// becomes UNKNOWN saying how long the cell needs to be.
//
// Measured (scripts/warmup on ten 3-minute cells each of the Go steady
// target, the Python server and busybox httpd, cut to shorter durations
// with the default warm-up of a tenth): the Go runtime's memory ramps from
// 0.3 to about 7 MiB over the first 15–20 s. Cut to 15, 20, 25 and 30 s,
// steady FAILed the leak criterion 10, 10, 5 and 2 times out of 10; from
// 40 s (36 s measured) never, nor did the others at any cut. The judge
// needs the last half of the window, where it checks that growth goes
// on, to start after the ramp: 36 s measured puts it 22 s after the start.
const MinLeakWindow = 36.0 // seconds

// shortened holds a memory criterion to MinLeakWindow (see shortWindow).
func shortened(f func(*results.Cell, analysis.Result, matrix.Judge) results.Reason) func(*results.Cell, analysis.Result, matrix.Judge) results.Reason {
	return func(c *results.Cell, r analysis.Result, j matrix.Judge) results.Reason {
		return shortWindow(c, r, f(c, r, j))
	}
}

// shortWindow turns a FAIL of the leak or OOM-risk criterion of a cell
// measured over less than MinLeakWindow into UNKNOWN.
func shortWindow(c *results.Cell, r analysis.Result, rs results.Reason) results.Reason {
	// n samples span n-1 intervals: the window from the first measured
	// sample to the last is one interval short of the time measured.
	window := r.FitTo - r.FitFrom + c.Interval
	if r.N == 0 || window >= MinLeakWindow || rs.Status != results.Fail {
		return rs
	}
	// A fixed warm-up adds to the window; the default one is a share of
	// the duration.
	need := MinLeakWindow + r.Warmup
	if c.Duration > 0 && math.Abs(r.Warmup-matrix.DefaultWarmupFraction*c.Duration) < 0.5 {
		need = MinLeakWindow / (1 - matrix.DefaultWarmupFraction)
	}
	rs.Status = results.Unknown
	rs.Message = fmt.Sprintf("cell too short to tell growth from warm-up: %.0f s measured after %.0f s warm-up, "+
		"the %s criterion needs >= %.0f s measured (a cell of >= %.0f s); inconclusive: %s",
		window, r.Warmup, rs.Criterion, MinLeakWindow, math.Ceil(need), rs.Message)
	return rs
}

// outcome is the hard criterion of how the cell ended.
func outcome(c *results.Cell, r analysis.Result, _ matrix.Judge) results.Reason {
	rs := results.Reason{Criterion: "outcome", Hard: true, Status: results.Fail}
	detail := ""
	if c.Detail != "" {
		detail = ": " + c.Detail
	}
	switch c.Outcome {
	case results.Completed:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("completed %.0f s", c.Duration)
		if e := c.EarlyStop; e != nil && !e.Recorded {
			rs.Message = fmt.Sprintf("completed %.0f s of %.0f s (stopped early)", e.AtS, e.PlannedS)
		}
	case results.OOMKilled:
		rs.Value, rs.Unit = float64(c.OOMKills), "kills"
		peak := peakOf(c, r) // the same peak comparisons use
		if math.IsNaN(peak) {
			peak = 0
		}
		from := "the samples' " + peakSeries(r)
		if c.PeakCgroup > 0 && float64(c.PeakCgroup) >= peak {
			from = "the cgroup's high-water mark"
		}
		rs.Message = fmt.Sprintf("oom-killed by the kernel: the cgroup's oom_kill counter is %d (limit %s, peak %s from %s)%s%s",
			c.OOMKills, mib(float64(c.RAMLimit)), mib(peak), from, detail, sources(c, r))
	case results.Crashed:
		how := fmt.Sprintf("exit code %d", c.ExitCode)
		if c.Signal != "" {
			how = "signal " + c.Signal
		}
		rs.Message = fmt.Sprintf("crashed (%s)%s", how, detail)
	case results.NotReady:
		rs.Message = "never became ready" + detail
	case results.Errored:
		rs.Message = "the harness failed to run the cell" + detail
	case results.Interrupted:
		rs.Status, rs.Hard = results.Unknown, false
		rs.Message = "interrupted before the end" + detail
	default:
		rs.Status, rs.Hard = results.Unknown, false
		rs.Message = fmt.Sprintf("unknown outcome %q", c.Outcome)
	}
	return rs
}

// MinGrowth is the smallest fitted growth over a cell's measured window that
// can hold a verdict back when drift is under its threshold: a short cell
// whose working set wanders 0.7 MiB on a 7 MiB base fits a "significant"
// slope of 100 MiB/h, which is noise, not a leak. Growth must be material
// both relatively (drift) and absolutely (this) before it is more than a
// PASS, and every FAIL needs drift over its threshold as well: a steady Go
// service of 7 MiB fitted +7.7 MiB/h (r² = 0.08) with drift +5.2 % over a
// 3-minute cell, 0.35 MiB of wandering, and was NO-GO without it.
const MinGrowth = 1 << 20

// leak is the hard criterion of sustained growth: the slope's whole 95 %
// interval above the floor, saw-tooth troughs rising above the floor too,
// drift between the first and last quarter over its threshold, and growth
// still significant over the last half (so a warm-up ramp that outlasts
// the warm-up is not a leak). Growth that clearly stopped in the last half
// passes; evidence on one side only is UNKNOWN ("run longer").
func leak(c *results.Cell, r analysis.Result, j matrix.Judge) results.Reason {
	floor := j.MaxSlopeMiBPerH
	s, lo, hi := analysis.MiBPerH(r.Fit.Slope), analysis.MiBPerH(r.Fit.SlopeLow), analysis.MiBPerH(r.Fit.SlopeHigh)
	trough := analysis.MiBPerH(r.Trough.Slope)
	rs := results.Reason{Criterion: "leak", Hard: true, Value: s, Limit: floor, Unit: "MiB/h"}
	msg := fmt.Sprintf("%s slope %+.1f MiB/h (95%% CI %.1f…%.1f, r²=%.2f) after %.0f s warm-up",
		seriesName(r), s, lo, hi, r.Fit.R2, r.Warmup)
	if r.HasTrough {
		msg += fmt.Sprintf("; troughs %.1f MiB/h", trough)
	}
	driftKnown := !math.IsNaN(r.DriftPct)
	driftOver := driftKnown && r.DriftPct > j.MaxDriftPct
	if driftKnown {
		cmp := "≤"
		if driftOver {
			cmp = ">"
		}
		msg += fmt.Sprintf("; drift %s %s %s %%", signed(r.DriftPct), cmp, thr(j.MaxDriftPct))
	}
	if r.Steps > 0 {
		msg += fmt.Sprintf("; %d upward steps", r.Steps)
	}
	sig := lo > 0 && lo > floor
	troughsRise := !r.HasTrough || trough > floor
	stopped := growthStopped(r, floor)
	continues := r.Late.N < 10 || r.Late.SlopeLow > 0
	material := growth(r) >= MinGrowth
	stopped2, flat := plateau(r, floor)
	switch {
	case flat:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("no leak: %s: %s", stopped2.Why, msg)
	case sig && troughsRise && driftOver && material && !stopped && continues:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("growing: %s; slope above the %s MiB/h floor%s", msg, thr(floor), sources(c, r))
	case sig && !troughsRise:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("no leak: saw-tooth whose troughs stay under %s MiB/h: %s", thr(floor), msg)
	case stopped:
		rs.Status = results.Pass
		lo, hi := analysis.MiBPerH(r.Late.SlopeLow), analysis.MiBPerH(r.Late.SlopeHigh)
		if hi <= floor {
			rs.Message = fmt.Sprintf("no leak: growth in the last half is under the %s MiB/h floor (%.1f…%.1f MiB/h): %s", thr(floor), lo, hi, msg)
		} else {
			rs.Message = fmt.Sprintf("no leak: growth slowed in the last half (%.1f…%.1f MiB/h, under the whole window's %.1f MiB/h): %s", lo, hi, analysis.MiBPerH(r.Fit.SlopeLow), msg)
		}
	case sig && !material:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("no leak: fitted growth %.2f MiB over %.0f s is under the %d MiB floor: %s",
			growth(r)/analysis.MiB, r.FitTo-r.FitFrom, MinGrowth>>20, msg)
	case sig && troughsRise && driftOver:
		rs.Status = results.Unknown
		rs.Message = fmt.Sprintf("growth not confirmed in the last half (%.1f…%.1f MiB/h), run longer: %s", analysis.MiBPerH(r.Late.SlopeLow), analysis.MiBPerH(r.Late.SlopeHigh), msg)
	case sig:
		rs.Status = results.Unknown
		rs.Message = fmt.Sprintf("growing but drift under its threshold, run longer: %s", msg)
	case hi <= floor || (driftKnown && !driftOver):
		rs.Status = results.Pass
		rs.Message = "no leak: " + msg
	default:
		rs.Status = results.Unknown
		rs.Message = fmt.Sprintf("inconclusive, the slope interval straddles the %s MiB/h floor: %s", thr(floor), msg)
	}
	return rs
}

// growth is the fitted growth in bytes over the measured window.
func growth(r analysis.Result) float64 { return r.Fit.Slope * (r.FitTo - r.FitFrom) }

// growthStopped reports a warm-up ramp that outlasted the warm-up: the
// slope over the last half is at most the floor and either entirely under
// it or entirely under the whole series' interval.
func growthStopped(r analysis.Result, floor float64) bool {
	if r.Late.N < 10 {
		return false
	}
	lo, hi := analysis.MiBPerH(r.Late.SlopeLow), analysis.MiBPerH(r.Late.SlopeHigh)
	return lo <= floor && (hi <= floor || hi < analysis.MiBPerH(r.Fit.SlopeLow))
}

// oomRisk is the hard criterion of reaching the limit within the horizon
// at the fitted growth: PASS when the slope is not significantly above the
// floor (or the growth is only in the saw-tooth's peaks) or the fastest
// projection is beyond the horizon; FAIL when even the slope's lower bound
// reaches the limit within the horizon and growth goes on in the last
// half; UNKNOWN in between. A ramp that stopped in the last half is
// projected from the last half.
func oomRisk(c *results.Cell, r analysis.Result, j matrix.Judge) results.Reason {
	rs := results.Reason{Criterion: "oom-risk", Hard: true, Limit: j.Horizon.Seconds(), Unit: "s"}
	if c.RAMLimit <= 0 || r.Fit.N < 2 {
		rs.Status = results.Unknown
		rs.Message = "no memory limit or series to project against"
		return rs
	}
	limit := float64(c.RAMLimit)
	pr := project(c, r, j)
	fit, pl, flat := pr.fit, pr.plateau, pr.flat
	stop := ""
	if flat {
		stop = pl.Why + "; "
	}
	point, fast, slow := pr.point, pr.fast, pr.slow
	rs.Value = point
	if math.IsInf(point, 1) {
		rs.Value = 0
	}
	h := j.Horizon.Seconds()
	floor := j.MaxSlopeMiBPerH
	base := fmt.Sprintf("%s%s at %.1f MiB/h reaches the %s limit in %s (%s…%s); horizon %s",
		stop, seriesName(r), analysis.MiBPerH(fit.Slope), mib(limit), hours(point), hours(fast), hours(slow), hours(h))
	switch {
	case flat && pl.Settling:
		rs.Status = results.Pass
		rs.Message = "no OOM projected: " + pl.Why + " (" + seriesName(r) + ")"
	case analysis.MiBPerH(fit.SlopeLow) <= floor || (r.HasTrough && analysis.MiBPerH(r.Trough.Slope) <= floor) || fast >= h:
		rs.Status = results.Pass
		rs.Message = "no OOM projected within the horizon: " + base
	case growth(r) < MinGrowth && !math.IsNaN(r.DriftPct) && r.DriftPct <= j.MaxDriftPct:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("no OOM projected: fitted growth %.2f MiB is under the %d MiB floor, too small to project (%s)",
			growth(r)/analysis.MiB, MinGrowth>>20, base)
	case slow < h && (fit.N < 10 || fit.SlopeLow > 0) && (r.Late.N < 10 || r.Late.SlopeLow > 0):
		rs.Status = results.Fail
		rs.Message = "OOM projected within the horizon: " + base + sources(c, r)
	default:
		rs.Status = results.Unknown
		rs.Message = "OOM within the horizon possible: " + base
	}
	return rs
}
