package results

import "math"

// Schema 1 stored a cell's analysis as a flat map of numbers under keys
// such as "slope_mib_per_h", with booleans as 0 or 1. It is read and
// converted to Analysis; a file of schema 1 is then written back as the
// current schema.

// cellV1 decodes a schema-1 cell: its "analysis" field, shallower than the
// embedded Cell's, takes the flat map and leaves Cell.Analysis nil.
type cellV1 struct {
	Cell
	Analysis map[string]float64 `json:"analysis,omitempty"`
}

// runV1 decodes a schema-1 run.json.
type runV1 struct {
	Run
	Cells []cellV1 `json:"cells"`
}

func (c *cellV1) upgrade() Cell {
	out := c.Cell
	out.Schema = SchemaVersion
	out.Analysis = AnalysisV1(c.Analysis)
	return out
}

func (r *runV1) upgrade() *Run {
	out := r.Run
	out.Schema = SchemaVersion
	out.Cells = make([]Cell, len(r.Cells))
	for i := range r.Cells {
		out.Cells[i] = r.Cells[i].upgrade()
	}
	return &out
}

// AnalysisV1 converts a schema-1 analysis map; nil for an empty map (a cell
// not judged). A key the map lacks leaves its group or optional field
// absent, as the analysis that wrote it had not computed it. soaklab wrote
// each group's keys together (the fit's slope with its interval and r²); a
// hand-written map that gives only part of a group reads 0 for the rest.
func AnalysisV1(m map[string]float64) *Analysis {
	if len(m) == 0 {
		return nil
	}
	get := func(k string) (float64, bool) {
		v, ok := m[k]
		return v, ok && !math.IsNaN(v) && !math.IsInf(v, 0)
	}
	opt := func(k string) *float64 {
		if v, ok := get(k); ok {
			return &v
		}
		return nil
	}
	a := &Analysis{}
	a.Window.WarmupS = m["warmup_s"]
	a.Window.Samples = int(m["n"])
	a.Window.FromS = m["fit_from_s"]
	ws := m["fit_uses_working_set"] == 1
	if slope, ok := get("fit_slope_bytes_per_s"); ok {
		// The analysis fitted anonymous memory when it had any: the
		// cgroup's when the cgroup was sampled (it had a working set), else
		// the process's RssAnon; without anonymous memory, the working set
		// or RSS.
		series := "RSS"
		switch anon := m["fit_uses_anon"] == 1; {
		case anon && ws:
			series = "anon"
		case anon:
			series = "RSS anon"
		case ws:
			series = "working set"
		}
		a.Fit = &Fit{
			Series: series, InterceptBytes: m["fit_intercept_bytes"], SlopeBytesPerS: slope,
			SlopeMiBPerH: m["slope_mib_per_h"], SlopeLowMiBPerH: m["slope_low_mib_per_h"],
			SlopeHighMiBPerH: m["slope_high_mib_per_h"], R2: m["r2"],
		}
		if _, ok := m["slope_mib_per_h"]; !ok {
			a.Fit.SlopeMiBPerH = slope * 3600 / (1 << 20)
		}
	}
	if v, ok := get("drift_pct"); ok {
		a.Drift = &Drift{Pct: v}
	}
	if v, ok := get("trough_slope_mib_per_h"); ok {
		a.Troughs = &Troughs{SlopeMiBPerH: v}
	}
	if v, ok := get("steps"); ok {
		a.Steps = &Steps{Count: int(v)}
	}
	if v, ok := get("time_to_limit_s"); ok {
		a.OOMRisk = &OOMRisk{TimeToLimitS: v}
	}
	if v, ok := get("peak_bytes"); ok {
		a.Peak = &Peak{Series: "RSS", Bytes: v, Ratio: opt("peak_ratio")}
		if ws {
			a.Peak.Series = "working set"
		}
		if e, ok := get("episodes"); ok {
			a.Peak.Episodes = Ptr(int(e))
		}
	}
	if v, ok := get("thrash_s"); ok {
		a.Thrash = &Thrash{
			MaxFaultsPerS: m["major_faults_per_s_max"], LongestS: v,
			FromS: opt("thrash_from_s"), FaultsPerS: opt("thrash_faults_per_s"), UsageRatio: opt("thrash_usage_ratio"),
		}
	}
	load := LoadFigures{
		AchievedRatio: opt("achieved_ratio"), ErrorRate: opt("error_rate"), P99Ms: opt("p99_ms"),
		CVPct: opt("cv_pct"), ThroughputOpsPerS: opt("throughput_ops_per_s"),
	}
	if load != (LoadFigures{}) {
		a.Load = &load
	}
	if v, ok := get("goroutine_slope_per_h"); ok {
		a.Goroutines = &Goroutines{SlopePerH: v, First: m["goroutines_first"], Last: m["goroutines_last"]}
	}
	if v, ok := get("driver_slope_mib_per_h"); ok {
		a.Driver = &DriverMemory{
			Series: "RSS", SlopeMiBPerH: v,
			SlopeLowMiBPerH: m["driver_slope_low_mib_per_h"], SlopeHighMiBPerH: m["driver_slope_high_mib_per_h"],
			RSSSlopeMiBPerH: opt("driver_rss_slope_mib_per_h"), HeapSlopeMiBPerH: opt("driver_heap_slope_mib_per_h"),
		}
		if m["driver_fit_uses_anon"] == 1 {
			a.Driver.Series = "RSS anon"
		}
	}
	return a
}
