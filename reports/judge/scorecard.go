package judge

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// Counters asks the analysis to keep the increase of the named counters
// over each cell's judged window: the numerators and denominators of the
// scorecards' ratio rows (MatrixOptions adds them from the matrix).
func Counters(names ...string) Option {
	return func(o *options) { o.counters = append(o.counters, names...) }
}

// Measure names of the cost rows of a comparison.
const (
	measureCPUPerOp = "CPU/op"
	measureCtxPerOp = "ctx switches/op"
)

// costMeasures are the comparison rows on what the target spent per
// operation; a row appears when both sides measured it.
var costMeasures = []measure{
	{measureCPUPerOp, "µs", func(_ *results.Cell, r analysis.Result) float64 { return r.Cost.CPUPerOp * 1e6 }},
	{measureCtxPerOp, "", func(_ *results.Cell, r analysis.Result) float64 { return r.Cost.CtxPerOp }},
}

// ratioMeasure is the comparison row of a ratio row of the scorecard.
func ratioMeasure(rt matrix.Ratio) measure {
	return measure{rt.Name, "", func(_ *results.Cell, r analysis.Result) float64 { return r.Ratio(rt.Num, rt.Den) }}
}

// cpuGate holds the candidate's CPU time per operation to at most
// MaxCPUPerOpRisePct above the baseline's, as throughputGate holds its
// loss: a rise not detected passes. Soft: more CPU for less memory is the
// trade a lean mode makes, to be weighed, not reverted. Left out when
// neither side measured CPU time (no cgroup CPU accounting: a docker
// engine or a machine without it), UNKNOWN when one side only.
func cpuGate(rows map[string]results.CompareRow, sa, sb side, sc matrix.Scorecard, few bool) (results.Reason, bool) {
	rs := results.Reason{Criterion: "cpu/op", Limit: sc.MaxCPUPerOpRisePct, Unit: "%"}
	r, ok := rows[measureCPUPerOp]
	switch {
	case !ok && len(sa[measureCPUPerOp]) == 0 && len(sb[measureCPUPerOp]) == 0:
		if !sc.IsSet(matrix.KeyMaxCPUPerOpRisePct) {
			return rs, false
		}
		rs.Status = results.Unknown
		rs.Message = "CPU per operation not measured (no cgroup CPU accounting, or no operations counted)"
		return rs, true
	case !ok:
		rs.Status = results.Unknown
		rs.Message = "CPU per operation measured on one side only"
		return rs, true
	case few:
		rs.Status = results.Unknown
	case r.Detected && r.DeltaPct > sc.MaxCPUPerOpRisePct:
		rs.Status = results.Fail
	default:
		rs.Status = results.Pass
	}
	rs.Value = r.DeltaPct
	rs.Message = fmt.Sprintf("%s; allowed rise ≤ %s %%", describe(r), thr(sc.MaxCPUPerOpRisePct))
	return rs, true
}

// cvGate holds the candidate's throughput CV across windows (the median
// over its repeats) within MaxCVPct: a candidate whose rate wanders is
// not steady enough to be judged by its medians. Soft. Judged only when
// the scorecard sets max_cv_pct.
func cvGate(cv []float64, sc matrix.Scorecard) (results.Reason, bool) {
	if sc.MaxCVPct <= 0 {
		return results.Reason{}, false
	}
	rs := results.Reason{Criterion: "cv", Limit: sc.MaxCVPct, Unit: "%"}
	if len(cv) == 0 {
		rs.Status = results.Unknown
		rs.Message = "candidate throughput CV not measured (too few windows of throughput)"
		return rs, true
	}
	v := stats.Median(cv)
	rs.Value = v
	cmp := "≤"
	rs.Status = results.Pass
	if v > sc.MaxCVPct {
		rs.Status, cmp = results.Fail, ">"
	}
	rs.Message = fmt.Sprintf("candidate throughput CV %.2f %% (median of %d, %.2f…%.2f) %s %s %%",
		v, len(cv), minOf(cv), maxOf(cv), cmp, thr(sc.MaxCVPct))
	return rs, true
}

// ratioGate judges one ratio row: FAIL when the candidate's ratio rose
// significantly by more than MaxRisePct over the baseline's, or when its
// median exceeds Max; UNKNOWN when a side did not measure it (a counter
// not recorded, or no operations) or with too few repeats for the rise.
func ratioGate(rt matrix.Ratio, rows map[string]results.CompareRow, sa, sb side, few bool) results.Reason {
	rs := results.Reason{Criterion: "ratio " + rt.Name, Hard: rt.Hard}
	a, b := sa[rt.Name], sb[rt.Name]
	what := fmt.Sprintf("%s / %s", rt.Num, rt.Den)
	if len(b) == 0 || (rt.IsSet(matrix.KeyMaxRisePct) && len(a) == 0) {
		rs.Status, rs.Hard = results.Unknown, false
		rs.Message = fmt.Sprintf("%s (%s) not measured on the %s side: a counter absent from its samples (keep it with metrics_keep) or no increase of %s",
			rt.Name, what, map[bool]string{true: "candidate", false: "baseline"}[len(b) == 0], rt.Den)
		return rs
	}
	med := stats.Median(b)
	var fails, notes []string
	unknown := false
	if rt.IsSet(matrix.KeyMaxRisePct) {
		r := rows[rt.Name]
		switch {
		case few:
			unknown = true
			notes = append(notes, fmt.Sprintf("%s; allowed rise ≤ %s %%", describe(r), thr(rt.MaxRisePct)))
		case r.Detected && r.DeltaPct > rt.MaxRisePct:
			fails = append(fails, fmt.Sprintf("%s; rise above the allowed %s %%", describe(r), thr(rt.MaxRisePct)))
		default:
			notes = append(notes, fmt.Sprintf("%s; allowed rise ≤ %s %%", describe(r), thr(rt.MaxRisePct)))
		}
		rs.Value, rs.Limit, rs.Unit = r.DeltaPct, rt.MaxRisePct, "%"
	}
	if rt.IsSet(matrix.KeyMax) {
		line := fmt.Sprintf("candidate %s %s (median of %d)", rt.Name, num(med), len(b))
		if med > rt.Max {
			fails = append(fails, fmt.Sprintf("%s > budget %s", line, num(rt.Max)))
		} else {
			notes = append(notes, fmt.Sprintf("%s ≤ budget %s", line, num(rt.Max)))
		}
		if !rt.IsSet(matrix.KeyMaxRisePct) {
			rs.Value, rs.Limit, rs.Unit = med, rt.Max, ""
		}
	}
	switch {
	case len(fails) > 0:
		rs.Status = results.Fail
	case unknown:
		rs.Status, rs.Hard = results.Unknown, false
	default:
		rs.Status = results.Pass
	}
	rs.Message = fmt.Sprintf("%s (%s = %s)", joinSemi(append(fails, notes...)), rt.Name, what)
	return rs
}

// driftGate is "drift 0 %" as a statistical gate: the candidate fails
// when its memory grows significantly, that is when the median over its
// repeats of the lower bound of the slope's 95 % interval is above 0, and
// materially, its median drift between the first and last quarter above
// MaxDriftPct. An exact 0 % drift would fail every other flat run on
// noise; a slope whose interval reaches 0 or below is not shown to grow.
// Significant but immaterial growth passes, with its figures. Without a
// fitted slope the drift alone cannot be tested: a drift above the
// threshold is then UNKNOWN.
func driftGate(b []analysis.Result, sc matrix.Scorecard) results.Reason {
	rs := results.Reason{Criterion: "drift", Hard: true, Limit: sc.MaxDriftPct, Unit: "%"}
	var drift, slope, lo, hi []float64
	for _, r := range b {
		if !math.IsNaN(r.DriftPct) && !math.IsInf(r.DriftPct, 0) {
			drift = append(drift, r.DriftPct)
		}
		if r.Fit.N >= 2 && !math.IsNaN(r.Fit.SlopeLow) && !math.IsNaN(r.Fit.SlopeHigh) {
			slope = append(slope, analysis.MiBPerH(r.Fit.Slope))
			lo = append(lo, analysis.MiBPerH(r.Fit.SlopeLow))
			hi = append(hi, analysis.MiBPerH(r.Fit.SlopeHigh))
		}
	}
	if len(drift) == 0 && len(slope) == 0 {
		rs.Status, rs.Hard = results.Unknown, false
		rs.Message = "candidate drift not measured"
		return rs
	}
	material := false
	driftText := ""
	if len(drift) > 0 {
		d := stats.Median(drift)
		rs.Value = d
		material = d > sc.MaxDriftPct
		cmp := map[bool]string{true: ">", false: "≤"}[material]
		driftText = fmt.Sprintf("drift %s (median of %d) %s %s %%", signed(d), len(drift), cmp, thr(sc.MaxDriftPct))
	}
	if len(slope) == 0 {
		if material {
			rs.Status, rs.Hard = results.Unknown, false
			rs.Message = fmt.Sprintf("candidate %s, but no slope interval to test it against 0", driftText)
		} else {
			rs.Status = results.Pass
			rs.Message = "candidate " + driftText
		}
		return rs
	}
	l, s, h := stats.Median(lo), stats.Median(slope), stats.Median(hi)
	above := 0
	for _, v := range lo {
		if v > 0 {
			above++
		}
	}
	slopeText := fmt.Sprintf("slope %+.1f MiB/h (95 %% CI %+.1f…%+.1f, medians of %d; %d significantly above 0)", s, l, h, len(slope), above)
	significant := l > 0
	switch {
	case significant && material:
		rs.Status = results.Fail
		rs.Message = fmt.Sprintf("candidate memory grows: %s; %s", slopeText, driftText)
	case significant:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("candidate grows significantly but immaterially: %s; %s", slopeText, driftText)
	default:
		rs.Status = results.Pass
		rs.Message = fmt.Sprintf("candidate drift not significantly above 0: %s", slopeText)
		if driftText != "" {
			rs.Message += "; " + driftText
		}
	}
	return rs
}

func minOf(v []float64) float64 {
	m := math.Inf(1)
	for _, x := range v {
		m = math.Min(m, x)
	}
	return m
}

func maxOf(v []float64) float64 {
	m := math.Inf(-1)
	for _, x := range v {
		m = math.Max(m, x)
	}
	return m
}

// num spells a ratio with 3 significant digits, small ones included.
func num(v float64) string {
	if v != 0 && math.Abs(v) < 0.001 {
		return fmt.Sprintf("%.3g", v)
	}
	return fmt.Sprintf("%.4g", v)
}

func joinSemi(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}
