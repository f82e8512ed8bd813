// Package analysis turns the samples of one cell into the numbers the
// judge decides on: the robust slope of memory after warm-up with its
// interval, drift between quarters, the slope of saw-tooth troughs, stair
// steps, projected time to the limit, episodes above a threshold,
// throughput variation, achieved rate, errors, p99 and goroutine growth.
//
// It reads results.Sample and nothing else of the harness; statistics come
// from the stats leaf.
package analysis

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/stats"
)

// Defaults of Params fields left zero.
const (
	// DefaultThresholdRatio is the share of the limit above which memory is
	// "in an episode": 90 %, where a kernel under pressure starts reclaiming.
	DefaultThresholdRatio = 0.9
	// DefaultHysteresisRatio is how far below the threshold memory must fall
	// to leave an episode (5 % of the limit), so noise at the edge does not
	// count as many episodes.
	DefaultHysteresisRatio = 0.05
	// DefaultWindow is the throughput window for the CV across windows.
	DefaultWindow = 10.0 // seconds
	// MaxFitPoints bounds the points handed to the O(n²) Theil–Sen fit;
	// longer series are averaged into this many bins (a day at 1 s becomes
	// 216-second bins).
	MaxFitPoints = 400
	// GoroutinesMetric is the Prometheus series of the goroutine count.
	GoroutinesMetric = "go_goroutines"
)

// SeriesUnreclaimable names the cgroup's unreclaimable total as a fitted
// series: anonymous + shared + kernel memory + socket buffers.
const SeriesUnreclaimable = "unreclaimable (anon+shmem+kernel+sock)"

// MiB is 2^20 bytes.
const MiB = 1 << 20

// Params describe the cell the samples come from.
type Params struct {
	Limit         int64   // memory limit in bytes; 0 = unknown
	Warmup        float64 // seconds trimmed before analysis
	Interval      float64 // sampling interval, seconds (default 1)
	RequestedRate float64 // requested rate, per second; 0 = none
	// ThroughputMetric names a Prometheus counter in Sample.Metrics whose
	// rate is the throughput of a workload target.
	ThroughputMetric string
	// Load is the driver's summary, when the cell had one; it is preferred
	// over per-sample numbers for rate, errors and p99.
	Load            *results.Load
	ThresholdRatio  float64 // default DefaultThresholdRatio
	HysteresisRatio float64 // default DefaultHysteresisRatio
	Window          float64 // throughput window, seconds; default DefaultWindow
	// Levels are thresholds whose episodes are listed (Result.Thresholds).
	Levels []Level
	// Confidence is the level of the memory slopes' intervals (fit, last
	// half, troughs); default stats.Confidence (95 %). Early stopping asks
	// for a stricter one.
	Confidence float64
	// Counters are counters whose increase over the window is kept in
	// Result.Cost.Counters (the scorecards' ratio rows name them): a
	// built-in counter (matrix.BuiltinCounters) or a scraped series.
	Counters []string
}

// Result holds the per-cell numbers. Float fields are NaN when they could
// not be computed; Map leaves those out.
type Result struct {
	Warmup         float64
	N              int    // measured samples after warm-up
	UsesWorkingSet bool   // peak and episodes use the cgroup working set (else RSS)
	FitSeries      string // what the slope is fitted to: SeriesUnreclaimable, "anon", "RSS anon", "working set" or "RSS"
	FitFrom        float64
	FitTo          float64    // t of the last measured memory sample
	Fit            stats.Line // bytes against seconds, over the measured samples
	Late           stats.Line // the same over the last half (growth that has not stopped)
	Change         Change     // the break in the growth (see Change); valid when HasChange
	HasChange      bool
	Trough         stats.Line // troughs against seconds
	HasTrough      bool
	DriftPct       float64
	Steps          int
	TimeToLimit    float64 // seconds; NaN when the slope is not positive
	Peak           float64 // bytes, over all samples
	PeakRatio      float64
	Episodes       int
	CVPct          float64
	AchievedRatio  float64
	ErrorRate      float64
	P99            float64 // ms
	Throughput     float64 // workload counter rate, per second
	MeanRPS        float64 // mean per-interval completed rate (server targets; client targets: received by the sink)
	// AchievedRPS is the rate the cell's load achieved, per second: the
	// driver's over the run, else the mean per-interval rate after warm-up
	// (a client target's, as soaklab's sink received it), else a
	// workload's counter rate. RateSource says which: RateDriver,
	// RateSink or RateCounter ("" when NaN). RequestedRate is the rate
	// asked (Params.RequestedRate; NaN when none).
	AchievedRPS    float64
	RequestedRate  float64
	RateSource     string
	GoroutineSlope float64 // per hour
	GoroutineFirst float64
	GoroutineLast  float64
	GoroutineMax   float64
	// GoroutineFit is go_goroutines against seconds over the measured
	// samples, GoroutineLate over their last half; N is 0 when not scraped.
	GoroutineFit, GoroutineLate stats.Line
	Noise                       float64 // robust spread (MAD) of the residuals of the fit, bytes
	// FitAR1 and LateAR1 are the lag-one autocorrelation of the residuals
	// of Fit and Late (NaN when under 3 points): near 1, memory wanders and
	// Sen's interval, which assumes independent points, is too narrow.
	FitAR1, LateAR1 float64
	Thrash          Thrash // the longest stretch at the limit reading pages back
	// The harness's own memory against seconds: Driver is the judged line,
	// fitted to DriverSeries ("RSS anon", else "RSS"); DriverRSS and
	// DriverHeap are its total RSS and its Go heap objects; DriverLate is
	// the judged line over the last half.
	Driver, DriverRSS, DriverHeap, DriverLate stats.Line
	HasDriver, HasDriverRSS, HasDriverHeap    bool
	DriverSeries                              string
	Warnings                                  []error
	// Thresholds are the episodes above each of Params.Levels.
	Thresholds []results.ThresholdEpisodes
	// Cost is CPU time, context switches and counters per operation.
	Cost Cost
}

// MiBPerH converts a slope in bytes per second.
func MiBPerH(bytesPerS float64) float64 { return bytesPerS * 3600 / MiB }

// Analyze computes the numbers of one cell from its samples.
func Analyze(samples []results.Sample, p Params) Result {
	p = p.withDefaults()
	nan := math.NaN()
	r := Result{
		Warmup: p.Warmup, FitFrom: p.Warmup, DriftPct: nan, TimeToLimit: nan, Peak: nan, PeakRatio: nan,
		CVPct: nan, MeanRPS: nan, AchievedRPS: nan, RequestedRate: nan, AchievedRatio: nan, ErrorRate: nan, P99: nan, Throughput: nan,
		GoroutineSlope: nan, GoroutineFirst: nan, GoroutineLast: nan, GoroutineMax: nan, Noise: nan, FitAR1: nan, LateAR1: nan,
	}
	for _, s := range samples {
		if s.WorkingSet > 0 {
			r.UsesWorkingSet = true
			break
		}
	}
	fit := fitValue(samples)
	r.FitSeries = fit.name
	all := memSeries(samples, r.UsesWorkingSet)
	meas := measured(samples, p.Warmup)
	r.N = len(meas)
	if len(meas) > 0 {
		r.FitFrom = meas[0].T
	}
	mem := valueSeries(meas, fit.value)
	r.memory(all, mem, p)
	r.load(meas, p)
	r.cost(meas, p)
	r.goroutines(meas)
	r.driver(meas)
	r.Thrash = thrash(samples, p)
	r.Thresholds = thresholdEpisodes(samples, p.Levels)
	if r.N < 2 {
		r.Warnings = append(r.Warnings, fmt.Errorf("%w: %d measured samples after %.0f s warm-up", stats.ErrTooFewSamples, r.N, p.Warmup))
	}
	return r
}

func (p Params) withDefaults() Params {
	if p.Interval <= 0 {
		p.Interval = 1
	}
	if p.ThresholdRatio <= 0 {
		p.ThresholdRatio = DefaultThresholdRatio
	}
	if p.HysteresisRatio <= 0 {
		p.HysteresisRatio = DefaultHysteresisRatio
	}
	if p.Window <= 0 {
		p.Window = DefaultWindow
	}
	if p.Confidence <= 0 || p.Confidence >= 1 {
		p.Confidence = stats.Confidence
	}
	return p
}

// measured drops warm-up samples: those marked so and those before Warmup.
func measured(samples []results.Sample, warmup float64) []results.Sample {
	out := make([]results.Sample, 0, len(samples))
	for _, s := range samples {
		if s.Phase == "warmup" || s.T < warmup {
			continue
		}
		out = append(out, s)
	}
	return out
}

// series is a time series: t in seconds, y in the series' unit.
type series struct{ t, y []float64 }

func (s series) len() int { return len(s.t) }

// fitSource is the memory series slopes are fitted to.
type fitSource struct {
	name  string
	value func(*results.Sample) int64
}

// fitValue picks the series a leak shows in: the memory the kernel cannot
// reclaim (docs/memory.md). The cgroup's unreclaimable total (anon + shmem
// + kernel + sock) counts what anonymous memory alone misses: a target
// growing shared memory or socket buffers is OOM-killed with a flat heap.
// Working set (usage − inactive file) would also count page cache, which
// moves when pages go from the inactive to the active list: a steady 7 MiB
// service's working set was seen to climb 1.6 MiB in 3 minutes while its
// anonymous memory rose 0.5 MiB. Samples recorded before the total was
// sampled fall back to the cgroup's anon; procfs RssAnon is the fallback
// without a cgroup; working set and RSS are last resorts.
func fitValue(samples []results.Sample) fitSource {
	sources := []fitSource{
		{SeriesUnreclaimable, func(s *results.Sample) int64 { return s.Unreclaimable }},
		{"anon", func(s *results.Sample) int64 { return s.Anon }},
		{"RSS anon", func(s *results.Sample) int64 { return s.RSSAnon }},
		{"working set", func(s *results.Sample) int64 { return s.WorkingSet }},
		{"RSS", func(s *results.Sample) int64 { return s.RSS }},
	}
	for _, src := range sources {
		for i := range samples {
			if src.value(&samples[i]) > 0 {
				return src
			}
		}
	}
	return sources[len(sources)-1]
}

// valueSeries is one memory value over time; samples without it are skipped.
func valueSeries(samples []results.Sample, value func(*results.Sample) int64) series {
	var s series
	for i := range samples {
		if v := value(&samples[i]); v > 0 {
			s.t = append(s.t, samples[i].T)
			s.y = append(s.y, float64(v))
		}
	}
	return s
}

// memSeries is the memory held against the limit: working set if the samples have
// it, else RSS. Samples missing the value are skipped.
func memSeries(samples []results.Sample, ws bool) series {
	var s series
	for _, x := range samples {
		v := x.RSS
		if ws {
			v = x.WorkingSet
		}
		if v <= 0 {
			continue
		}
		s.t = append(s.t, x.T)
		s.y = append(s.y, float64(v))
	}
	return s
}

// Analysis returns the numbers stored with the cell (results.Cell.Analysis,
// documented there); groups and fields that were not computed are absent.
func (r Result) Analysis() *results.Analysis {
	finite := func(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
	opt := func(v float64) *float64 {
		if finite(v) {
			return &v
		}
		return nil
	}
	a := &results.Analysis{Window: results.Window{WarmupS: r.Warmup, Samples: r.N, FromS: r.FitFrom}}
	if r.Fit.N >= 2 {
		a.Fit = &results.Fit{
			Series: r.FitSeries, InterceptBytes: r.Fit.Intercept, SlopeBytesPerS: r.Fit.Slope,
			SlopeMiBPerH: MiBPerH(r.Fit.Slope), SlopeLowMiBPerH: MiBPerH(r.Fit.SlopeLow),
			SlopeHighMiBPerH: MiBPerH(r.Fit.SlopeHigh), R2: r.Fit.R2,
		}
		a.Steps = &results.Steps{Count: r.Steps}
	}
	if r.HasChange {
		a.Change = &results.Change{
			AtS: r.Change.At, BeforeMiBPerH: MiBPerH(r.Change.Before.Slope), RecentMiBPerH: MiBPerH(r.Change.Recent.Slope),
			RecentLowMiBPerH: MiBPerH(r.Change.Recent.SlopeLow), RecentHighMiBPerH: MiBPerH(r.Change.Recent.SlopeHigh),
		}
	}
	if finite(r.DriftPct) {
		a.Drift = &results.Drift{Pct: r.DriftPct}
	}
	if r.HasTrough {
		a.Troughs = &results.Troughs{SlopeMiBPerH: MiBPerH(r.Trough.Slope)}
	}
	if finite(r.TimeToLimit) {
		a.OOMRisk = &results.OOMRisk{TimeToLimitS: r.TimeToLimit}
	}
	if finite(r.Peak) {
		a.Peak = &results.Peak{Series: "RSS", Bytes: r.Peak, Ratio: opt(r.PeakRatio)}
		if r.UsesWorkingSet {
			a.Peak.Series = "working set"
		}
		if r.PeakRatio >= 0 {
			a.Peak.Episodes = results.Ptr(r.Episodes)
		}
	}
	if th := r.Thrash; th.Sampled && th.Basis == BasisStall {
		a.Thrash = &results.Thrash{Basis: BasisStall, LongestS: th.Seconds, MaxStallPct: results.Ptr(100 * th.MaxStall),
			StalledS: results.Ptr(th.Stalled)}
		if th.Seconds > 0 {
			a.Thrash.FromS, a.Thrash.StallPct = opt(th.From), opt(100*th.Stall)
			if th.Usage > 0 {
				a.Thrash.UsageRatio = opt(th.Usage)
			}
		}
	} else if th.Sampled {
		a.Thrash = &results.Thrash{MaxFaultsPerS: th.MaxRate, LongestS: th.Seconds}
		if th.Seconds > 0 {
			a.Thrash.FromS, a.Thrash.FaultsPerS, a.Thrash.UsageRatio = opt(th.From), opt(th.Rate), opt(th.Usage)
		}
	}
	load := results.LoadFigures{
		AchievedRatio: opt(r.AchievedRatio), ErrorRate: opt(r.ErrorRate), P99Ms: opt(r.P99),
		CVPct: opt(r.CVPct), ThroughputOpsPerS: opt(r.Throughput),
		AchievedPerS: opt(r.AchievedRPS), RequestedPerS: opt(r.RequestedRate), RateSource: r.RateSource,
	}
	if load != (results.LoadFigures{}) {
		a.Load = &load
	}
	if finite(r.GoroutineSlope) {
		a.Goroutines = &results.Goroutines{SlopePerH: r.GoroutineSlope, First: r.GoroutineFirst, Last: r.GoroutineLast, Max: r.GoroutineMax,
			SlopeLowPerH: r.GoroutineFit.SlopeLow * 3600, SlopeHighPerH: r.GoroutineFit.SlopeHigh * 3600}
	}
	a.Thresholds = r.Thresholds
	a.Cost = r.Cost.stored()
	if r.HasDriver {
		a.Driver = &results.DriverMemory{
			Series: r.DriverSeries, SlopeMiBPerH: MiBPerH(r.Driver.Slope),
			SlopeLowMiBPerH: MiBPerH(r.Driver.SlopeLow), SlopeHighMiBPerH: MiBPerH(r.Driver.SlopeHigh),
		}
		if r.HasDriverRSS {
			a.Driver.RSSSlopeMiBPerH = results.Ptr(MiBPerH(r.DriverRSS.Slope))
		}
		if r.HasDriverHeap {
			a.Driver.HeapSlopeMiBPerH = results.Ptr(MiBPerH(r.DriverHeap.Slope))
		}
	}
	return a
}
