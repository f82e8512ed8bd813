package results

import (
	"encoding/json"
	"errors"
)

// Analysis is what reports computed from a cell's samples, stored with the
// cell so a report, the history and a comparison read the same numbers the
// verdict was decided on. It is grouped by the criterion that reads each
// group. A nil group or field was not measured (too few samples, no limit,
// nothing sampled), which is not the same as a measured zero.
//
// Names carry their unit: _s seconds, _bytes, _pct percent, _mib_per_h,
// _per_s, _ms; ratios are shares of 1.
//
// To add a measure, add a field to its group (or a new group) with a JSON
// tag in that style and omitempty when it may be absent, and fill it in
// reports/analysis (Result.Analysis). Removing or renaming a field changes
// the format: bump SchemaVersion and convert the older form in legacy.go.
type Analysis struct {
	Window Window `json:"window"`
	// Leak: the robust line through the judged memory series; nil with
	// fewer than two measured samples.
	Fit *Fit `json:"fit,omitempty"`
	// Leak: change between the first and last quarter of the series.
	Drift *Drift `json:"drift,omitempty"`
	// Leak, saw-tooth memory: the line through the bottoms of the cycles.
	Troughs *Troughs `json:"troughs,omitempty"`
	// Upward stair steps (new plateaus) of the series.
	Steps *Steps `json:"steps,omitempty"`
	// Leak, oom-risk: where the growth changed most, with the slopes on
	// each side; absent when the series is too short for two segments.
	Change *Change `json:"change,omitempty"`
	// Leak: the smallest leak this cell could have detected.
	Detect *Detectability `json:"detect,omitempty"`
	// oom-risk: the projection of the fitted line to the limit.
	OOMRisk *OOMRisk `json:"oom_risk,omitempty"`
	// peak: the highest memory held against the limit.
	Peak *Peak `json:"peak,omitempty"`
	// thrash: the cgroup reading its own pages back at its limit.
	Thrash *Thrash `json:"thrash,omitempty"`
	// rate, errors, cv, p99 and the throughput of workload targets.
	Load *LoadFigures `json:"load,omitempty"`
	// Growth of the target's goroutines (go_goroutines, when scraped).
	Goroutines *Goroutines `json:"goroutines,omitempty"`
	// thresholds: the episodes above each level the target's thresholds
	// set, in the matrix's order.
	Thresholds []ThresholdEpisodes `json:"thresholds,omitempty"`
	// driver: soaklab's own memory while it drove the cell.
	Driver *DriverMemory `json:"driver,omitempty"`
	// Scorecards (CPU/op, ratio rows): what the target spent per
	// operation; absent when nothing of it was measured.
	Cost *Cost `json:"cost,omitempty"`
}

// Window is the stretch of samples the analysis used.
type Window struct {
	WarmupS float64 `json:"warmup_s"` // seconds trimmed from the start as warm-up
	Samples int     `json:"samples"`  // measured samples after warm-up
	FromS   float64 `json:"from_s"`   // t of the first measured sample (the fit starts there)
}

// Fit is a line fitted to the judged memory series: bytes = InterceptBytes
// + SlopeBytesPerS * t, with the 95 % interval of the slope.
type Fit struct {
	// Series is what the line is fitted to: "unreclaimable
	// (anon+shmem+kernel+sock)" (what the cgroup cannot reclaim, see
	// docs/memory.md), "anon" (the cgroup's anonymous memory, in runs
	// recorded before the total was sampled), "RSS anon", "working set" or
	// "RSS".
	Series           string  `json:"series"`
	InterceptBytes   float64 `json:"intercept_bytes"`
	SlopeBytesPerS   float64 `json:"slope_bytes_per_s"`
	SlopeMiBPerH     float64 `json:"slope_mib_per_h"`
	SlopeLowMiBPerH  float64 `json:"slope_low_mib_per_h"`
	SlopeHighMiBPerH float64 `json:"slope_high_mib_per_h"`
	R2               float64 `json:"r2"`
}

// Drift compares the mean of the last quarter with the first's.
type Drift struct {
	Pct float64 `json:"pct"` // (last − first) / first, in percent
}

// Troughs is the slope of the saw-tooth's bottoms.
type Troughs struct {
	SlopeMiBPerH float64 `json:"slope_mib_per_h"`
}

// Steps counts upward stair steps.
type Steps struct {
	Count int `json:"count"`
}

// Change is the break of a two-segment fit of the judged memory series:
// the judge reads "growth stopped at AtS" when the slope before it is
// significantly above the recent one and the recent one is under the
// floor, and then projects the limit from the recent slope.
type Change struct {
	AtS               float64 `json:"at_s"`
	BeforeMiBPerH     float64 `json:"before_mib_per_h"`
	RecentMiBPerH     float64 `json:"recent_mib_per_h"`
	RecentLowMiBPerH  float64 `json:"recent_low_mib_per_h"`
	RecentHighMiBPerH float64 `json:"recent_high_mib_per_h"`
}

// Detectability is the smallest leak the cell's leak criterion would have
// found with 80 % probability at the cell's noise and duration: the
// largest of the slope floor plus 1.43 half-widths of the slope's 95 %
// interval (noise), 1.43 half-widths of the last half's slope interval
// (last half: growth must go on there) and the slope whose drift reaches
// max_drift_pct (drift). Half-widths shrink as duration^-1.5 under white
// noise.
type Detectability struct {
	MinLeakMiBPerH       float64 `json:"min_leak_mib_per_h"`
	HalfWidthMiBPerH     float64 `json:"half_width_mib_per_h"`                // of the fitted slope's 95 % interval
	LateHalfWidthMiBPerH float64 `json:"late_half_width_mib_per_h,omitempty"` // of the last half's
	WindowS              float64 `json:"window_s"`                            // the measured window it was computed for
	Bound                string  `json:"bound"`                               // what sets it: "noise", "last half" or "drift"
}

// OOMRisk is the projected time to the limit at the fitted slope; absent
// when the slope is not positive or there is no limit.
type OOMRisk struct {
	TimeToLimitS float64 `json:"time_to_limit_s"`
}

// Peak is the peak of the memory held against the limit.
type Peak struct {
	// Series is "working set" (the cgroup's usage less inactive page cache)
	// or "RSS".
	Series string  `json:"series"`
	Bytes  float64 `json:"bytes"`
	// Ratio is Bytes / the limit, and Episodes the count of stretches above
	// the threshold share of it; both absent without a limit.
	Ratio    *float64 `json:"ratio,omitempty"`
	Episodes *int     `json:"episodes,omitempty"`
}

// Thrash describes the cgroup's major page faults at its limit; present
// when faults were sampled with usage at the threshold share of the limit.
type Thrash struct {
	MaxFaultsPerS float64 `json:"max_faults_per_s"` // highest rate in an interval at the threshold
	// LongestS is the longest stretch reading pages back at the thrashing
	// rate or more (0: none); its start, mean rate and highest usage / limit
	// are absent when there was none.
	LongestS   float64  `json:"longest_s"`
	FromS      *float64 `json:"from_s,omitempty"`
	FaultsPerS *float64 `json:"faults_per_s,omitempty"`
	UsageRatio *float64 `json:"usage_ratio,omitempty"`
	// Basis is "memory-stall" when the stretch was measured from the
	// cgroup's memory pressure (v2 with PSI: every task waiting on memory
	// at once); absent, or "major-faults", for the major-fault rule. With
	// memory-stall, MaxStallPct is the highest share of an interval spent
	// stalled, StallPct the longest stretch's mean share, StalledS the
	// cell's total stall; the fault fields are then absent or zero.
	Basis       string   `json:"basis,omitempty"`
	MaxStallPct *float64 `json:"max_stall_pct,omitempty"`
	StallPct    *float64 `json:"stall_pct,omitempty"`
	StalledS    *float64 `json:"stalled_s,omitempty"`
}

// LoadFigures are the figures of the load criteria, each absent when it
// could not be computed (no requested rate, no requests, no counter).
type LoadFigures struct {
	AchievedRatio     *float64 `json:"achieved_ratio,omitempty"`       // achieved / requested rate
	ErrorRate         *float64 `json:"error_rate,omitempty"`           // failed / sent
	P99Ms             *float64 `json:"p99_ms,omitempty"`               // corrected p99 over the run
	CVPct             *float64 `json:"cv_pct,omitempty"`               // throughput variation across windows
	ThroughputOpsPerS *float64 `json:"throughput_ops_per_s,omitempty"` // workload targets: rate of their counter
	// AchievedPerS is the rate achieved, per second, and RateSource where
	// it was measured: "driver" (soaklab's driver, over the run), "sink"
	// (what a client target sent to soaklab's sink, mean over the
	// measured samples) or "counter" (a workload target's counter).
	AchievedPerS  *float64 `json:"achieved_per_s,omitempty"`
	RequestedPerS *float64 `json:"requested_per_s,omitempty"` // the rate asked of the driver or the client
	RateSource    string   `json:"rate_source,omitempty"`
}

// Goroutines is the growth of the target's goroutine count.
type Goroutines struct {
	SlopePerH     float64 `json:"slope_per_h"`
	SlopeLowPerH  float64 `json:"slope_low_per_h"`  // 95 % interval of the slope
	SlopeHighPerH float64 `json:"slope_high_per_h"` // (Theil–Sen)
	First         float64 `json:"first"`
	Last          float64 `json:"last"`
	Max           float64 `json:"max,omitempty"` // the highest count measured
}

// ThresholdEpisodes lists the stretches a series spent above a level: each
// entered at or above Above and left below Leave (Above less the
// hysteresis), over every sample, warm-up included.
type ThresholdEpisodes struct {
	Series   string             `json:"series"`
	Above    float64            `json:"above"`
	Leave    float64            `json:"leave"`
	Samples  int                `json:"samples"` // samples that carried the series
	Peak     float64            `json:"peak"`    // its highest value
	Episodes []ThresholdEpisode `json:"episodes"`
}

// ThresholdEpisode is one stretch above a level.
type ThresholdEpisode struct {
	CrossedS float64  `json:"crossed_s"`        // t of the first sample at or above the level
	BackS    *float64 `json:"back_s,omitempty"` // t of the first sample below the leave level; absent: still above at the end
	Peak     float64  `json:"peak"`             // the highest value in the episode
}

// DriverMemory is soaklab's own memory over the cell.
type DriverMemory struct {
	// Series is what the judged slope is fitted to: "RSS anon" (without the
	// pages of its executable) or "RSS".
	Series           string   `json:"series"`
	SlopeMiBPerH     float64  `json:"slope_mib_per_h"`
	SlopeLowMiBPerH  float64  `json:"slope_low_mib_per_h"`
	SlopeHighMiBPerH float64  `json:"slope_high_mib_per_h"`
	RSSSlopeMiBPerH  *float64 `json:"rss_slope_mib_per_h,omitempty"`  // whole RSS, executable included
	HeapSlopeMiBPerH *float64 `json:"heap_slope_mib_per_h,omitempty"` // its Go heap objects
}

// Cost is what the target spent over the judged window, per operation.
// Operations are the requests soaklab's driver completed or its sink
// counted, else the increase of a workload's throughput counter.
type Cost struct {
	Ops     *float64 `json:"ops,omitempty"`      // operations in the window
	OpsFrom string   `json:"ops_from,omitempty"` // "requests" or the throughput counter's name
	// CPU time of the target's cgroup in the window, per operation and
	// per second of the window (cores busy); absent without CPU accounting.
	CPUS      *float64 `json:"cpu_s,omitempty"`
	CPUSPerOp *float64 `json:"cpu_s_per_op,omitempty"`
	CPUCores  *float64 `json:"cpu_cores,omitempty"`
	// Context switches of the target's threads in the window (procfs),
	// and per operation.
	CtxSwitches      *float64 `json:"ctx_switches,omitempty"`
	CtxSwitchesPerOp *float64 `json:"ctx_switches_per_op,omitempty"`
	// Counters are the increases in the window of the counters the
	// matrix's scorecard ratio rows name.
	Counters map[string]float64 `json:"counters,omitempty"`
}

// Ptr returns a pointer to v, for the optional fields of Analysis.
func Ptr[T any](v T) *T { return &v }

// errNotAnalysis is the error of an "analysis" object without its window:
// not one this schema writes (a schema-1 map in a file labelled with a
// newer schema, or a hand edit).
var errNotAnalysis = errors.New(`analysis has no "window": not the form of schema 2 (a flat map of schema 1 under a newer schema number?)`)

// UnmarshalJSON decodes an analysis, refusing an object without its
// window, which every analysis of this schema has: read as this schema, a
// schema-1 map would decode to an analysis of nothing but absent figures.
func (a *Analysis) UnmarshalJSON(data []byte) error {
	var probe struct {
		Window json.RawMessage `json:"window"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return err
	}
	if probe.Window == nil {
		return errNotAnalysis
	}
	type plain Analysis // without this method
	return json.Unmarshal(data, (*plain)(a))
}
