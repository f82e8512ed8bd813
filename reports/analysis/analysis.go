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
}

// Result holds the per-cell numbers. Float fields are NaN when they could
// not be computed; Map leaves those out.
type Result struct {
	Warmup         float64
	N              int    // measured samples after warm-up
	UsesWorkingSet bool   // peak and episodes use the cgroup working set (else RSS)
	FitSeries      string // what the slope is fitted to: "anon", "RSS anon", "working set" or "RSS"
	FitFrom        float64
	FitTo          float64    // t of the last measured memory sample
	Fit            stats.Line // bytes against seconds, over the measured samples
	Late           stats.Line // the same over the last half (growth that has not stopped)
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
	MeanRPS        float64 // mean per-interval completed rate (server targets)
	GoroutineSlope float64 // per hour
	GoroutineFirst float64
	GoroutineLast  float64
	Noise          float64 // robust spread (MAD) of the residuals of the fit, bytes
	Thrash         Thrash  // the longest stretch at the limit reading pages back
	// The harness's own memory against seconds: Driver is the judged line,
	// fitted to DriverSeries ("RSS anon", else "RSS"); DriverRSS and
	// DriverHeap are its total RSS and its Go heap objects; DriverLate is
	// the judged line over the last half.
	Driver, DriverRSS, DriverHeap, DriverLate stats.Line
	HasDriver, HasDriverRSS, HasDriverHeap    bool
	DriverSeries                              string
	Warnings                                  []error
}

// MiBPerH converts a slope in bytes per second.
func MiBPerH(bytesPerS float64) float64 { return bytesPerS * 3600 / MiB }

// Analyze computes the numbers of one cell from its samples.
func Analyze(samples []results.Sample, p Params) Result {
	p = p.withDefaults()
	nan := math.NaN()
	r := Result{
		Warmup: p.Warmup, FitFrom: p.Warmup, DriftPct: nan, TimeToLimit: nan, Peak: nan, PeakRatio: nan,
		CVPct: nan, MeanRPS: nan, AchievedRatio: nan, ErrorRate: nan, P99: nan, Throughput: nan,
		GoroutineSlope: nan, GoroutineFirst: nan, GoroutineLast: nan, Noise: nan,
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
	r.goroutines(meas)
	r.driver(meas)
	r.Thrash = thrash(samples, p)
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

// fitValue picks the series a leak shows in: anonymous memory, which the
// kernel cannot reclaim. Working set (usage − inactive file) also moves when
// page-cache pages go from the inactive to the active list: a steady 7 MiB
// service's working set was seen to climb 1.6 MiB in 3 minutes while its
// anonymous memory rose 0.5 MiB. The cgroup's anon counts the target and its
// children; procfs RssAnon is the fallback without a cgroup; working set and
// RSS are last resorts for samples that have neither.
func fitValue(samples []results.Sample) fitSource {
	sources := []fitSource{
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

// Map returns the numbers under the keys reports read from
// results.Cell.Analysis; values that were not computed are absent:
//
//	warmup_s                 seconds trimmed as warm-up
//	n                        measured samples after warm-up
//	fit_uses_working_set     1 if peak and episodes use the cgroup working set, 0 if RSS
//	fit_uses_anon            1 if the slope is fitted to anonymous memory (cgroup anon or RssAnon)
//	fit_from_s               t (seconds) where the fit starts (= end of warm-up)
//	fit_intercept_bytes      fitted memory at t = 0 (line: intercept + slope * t)
//	fit_slope_bytes_per_s    Theil-Sen slope of the judged series
//	slope_mib_per_h          same slope in MiB/h; slope_low_mib_per_h / slope_high_mib_per_h = 95% CI
//	r2                       r² of the fit
//	drift_pct                (mean of last quarter - mean of first quarter) / first, in %
//	trough_slope_mib_per_h   slope of saw-tooth bottoms (troughs)
//	steps                    count of upward stair steps (new plateaus)
//	time_to_limit_s          projected seconds until the limit at the fitted slope (absent if slope <= 0)
//	peak_bytes               peak of the judged series; peak_ratio = peak / limit
//	cv_pct                   coefficient of variation of throughput across windows, in %
//	achieved_ratio           achieved / requested rate
//	error_rate               failed / sent
//	p99_ms                   corrected p99 over the run
//	goroutine_slope_per_h    slope of go_goroutines (if scraped); goroutines_first / goroutines_last
//	throughput_ops_per_s     workload targets: rate of their throughput counter
//	episodes                 count of episodes above the memory threshold (hysteresis)
//	driver_slope_mib_per_h   the harness's own memory slope (judged); _low_ / _high_ = 95% CI
//	driver_fit_uses_anon     1 if that slope is fitted to its RssAnon, 0 if to its whole RSS
//	driver_rss_slope_mib_per_h   the harness's whole RSS slope, its executable's pages included
//	driver_heap_slope_mib_per_h  the slope of the harness's Go heap objects
//	major_faults_per_s_max   highest rate of the cgroup's major page faults in an interval ending at the memory threshold
//	thrash_s                 longest stretch at the threshold reading pages back at >= ThrashFaultsPerS (0 = none);
//	                         thrash_from_s its start, thrash_faults_per_s its mean rate, thrash_usage_ratio its highest usage / limit
func (r Result) Map() map[string]float64 {
	m := map[string]float64{}
	put := func(k string, v float64) {
		if !math.IsNaN(v) && !math.IsInf(v, 0) {
			m[k] = v
		}
	}
	put("warmup_s", r.Warmup)
	put("n", float64(r.N))
	ws := 0.0
	if r.UsesWorkingSet {
		ws = 1
	}
	put("fit_uses_working_set", ws)
	anon := 0.0
	if r.FitSeries == "anon" || r.FitSeries == "RSS anon" {
		anon = 1
	}
	put("fit_uses_anon", anon)
	put("fit_from_s", r.FitFrom)
	if r.Fit.N >= 2 {
		put("fit_intercept_bytes", r.Fit.Intercept)
		put("fit_slope_bytes_per_s", r.Fit.Slope)
		put("slope_mib_per_h", MiBPerH(r.Fit.Slope))
		put("slope_low_mib_per_h", MiBPerH(r.Fit.SlopeLow))
		put("slope_high_mib_per_h", MiBPerH(r.Fit.SlopeHigh))
		put("r2", r.Fit.R2)
		put("steps", float64(r.Steps))
	}
	put("drift_pct", r.DriftPct)
	if r.HasTrough {
		put("trough_slope_mib_per_h", MiBPerH(r.Trough.Slope))
	}
	put("time_to_limit_s", r.TimeToLimit)
	put("peak_bytes", r.Peak)
	put("peak_ratio", r.PeakRatio)
	put("cv_pct", r.CVPct)
	put("achieved_ratio", r.AchievedRatio)
	put("error_rate", r.ErrorRate)
	put("p99_ms", r.P99)
	put("goroutine_slope_per_h", r.GoroutineSlope)
	put("goroutines_first", r.GoroutineFirst)
	put("goroutines_last", r.GoroutineLast)
	put("throughput_ops_per_s", r.Throughput)
	if r.HasDriver {
		put("driver_slope_mib_per_h", MiBPerH(r.Driver.Slope))
		put("driver_slope_low_mib_per_h", MiBPerH(r.Driver.SlopeLow))
		put("driver_slope_high_mib_per_h", MiBPerH(r.Driver.SlopeHigh))
		put("driver_fit_uses_anon", map[bool]float64{true: 1}[r.DriverSeries == "RSS anon"])
	}
	if r.HasDriverRSS {
		put("driver_rss_slope_mib_per_h", MiBPerH(r.DriverRSS.Slope))
	}
	if r.HasDriverHeap {
		put("driver_heap_slope_mib_per_h", MiBPerH(r.DriverHeap.Slope))
	}
	if !math.IsNaN(r.Peak) && r.PeakRatio >= 0 {
		put("episodes", float64(r.Episodes))
	}
	if th := r.Thrash; th.Sampled {
		put("major_faults_per_s_max", th.MaxRate)
		put("thrash_s", th.Seconds)
		if th.Seconds > 0 {
			put("thrash_from_s", th.From)
			put("thrash_faults_per_s", th.Rate)
			put("thrash_usage_ratio", th.Usage)
		}
	}
	return m
}
