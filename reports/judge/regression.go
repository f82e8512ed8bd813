package judge

import (
	"fmt"
	"math"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// RegressionRule holds the thresholds of a comparison against an earlier
// run.
type RegressionRule struct {
	// RelPct is the relative worsening that counts (peak memory up,
	// throughput down, p99 up), in percent.
	RelPct float64
	// NoiseK multiplies the within-run noise of memory (the MAD of the
	// residuals around the fitted line, the larger of the two runs) that a
	// single-run increase must exceed on top of RelPct.
	NoiseK float64
	// Alpha is the Mann–Whitney level used when both sides have at least
	// stats.MinCompareSamples repeats.
	Alpha float64
	// Judge supplies the slope floor and drift threshold of a new leak.
	Judge matrix.Judge
}

// DefaultRegressionRule: a 10 % relative threshold (the smallest change
// field tools flag by default), α = 0.05.
//
// The rule, per matched cell (same target and axis values):
//   - a measure (peak memory, throughput, p99) regressed when both sides
//     have at least stats.MinCompareSamples repeats, its medians moved the
//     worse way by more than RelPct and Mann–Whitney p < Alpha; improved
//     the same the better way; "~" otherwise. With fewer repeats a side no
//     p < 0.05 is possible, so nothing is decided on the measures: their
//     reasons are UNKNOWN ("too few repeats") and never FAIL;
//   - whatever the number of repeats, a cell that now fails on its own
//     where it did not before regressed: oom-killed or crashed where the
//     earlier run completed, or leaking (slope interval above the judge's
//     floor and drift over its threshold) where the earlier run did not.
//     Those are decided within each run, from its whole series.
//
// A memory regression, a new failure or a new leak is NO-GO; a throughput
// loss or p99 rise is NEUTRAL. NoiseK is kept for callers that set it; the
// rule no longer decides on one run a side.
var DefaultRegressionRule = RegressionRule{RelPct: 10, NoiseK: 3, Alpha: 0.05}

// Regressions compares the cells of a new run with the cells of an old
// run, matched by target and axis values (repeats grouped). Cells present
// on one side only are skipped.
func Regressions(old, new []CellData, rule RegressionRule, opts ...Option) []results.Comparison {
	if rule.RelPct == 0 {
		rule.RelPct = DefaultRegressionRule.RelPct
	}
	if rule.NoiseK == 0 {
		rule.NoiseK = DefaultRegressionRule.NoiseK
	}
	if rule.Alpha == 0 {
		rule.Alpha = DefaultRegressionRule.Alpha
	}
	rule.Judge = WithDefaults(rule.Judge)
	old, new = aligned(old, new)
	group := func(ds []CellData) map[string][]CellData {
		g := map[string][]CellData{}
		for _, d := range ds {
			k := groupKey(d.Cell, "")
			g[k] = append(g[k], d)
		}
		return g
	}
	og, ng := group(old), group(new)
	keys := make([]string, 0, len(ng))
	for k := range ng {
		if _, ok := og[k]; ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	out := make([]results.Comparison, 0, len(keys))
	for _, k := range keys {
		out = append(out, regression(k, og[k], ng[k], rule, opts))
	}
	return out
}

// sideStats is what one side contributes to a regression check.
type sideStats struct {
	vals   side
	noise  float64
	leaks  bool
	failed int // cells oom-killed or crashed
	n      int
}

func summarize(ds []CellData, rule RegressionRule, opts []Option) sideStats {
	s := sideStats{vals: side{}}
	for _, d := range ds {
		r := d.analyze(opts)
		for _, m := range measures {
			if v := m.get(d.Cell, r); !math.IsNaN(v) && !math.IsInf(v, 0) {
				s.vals[m.name] = append(s.vals[m.name], v)
			}
		}
		if !math.IsNaN(r.Noise) {
			s.noise = math.Max(s.noise, r.Noise)
		}
		s.n++
		if d.Cell.Outcome == results.OOMKilled || d.Cell.Outcome == results.Crashed {
			s.failed++
		}
		if r.Fit.N >= 2 && analysis.MiBPerH(r.Fit.SlopeLow) > rule.Judge.MaxSlopeMiBPerH && r.DriftPct > rule.Judge.MaxDriftPct {
			s.leaks = true
		}
	}
	return s
}

func regression(key string, old, new []CellData, rule RegressionRule, opts []Option) results.Comparison {
	o, n := summarize(old, rule, opts), summarize(new, rule, opts)
	cmp := results.Comparison{Name: key, Baseline: "earlier run", Candidate: "this run"}
	enough := len(old) >= stats.MinCompareSamples && len(new) >= stats.MinCompareSamples
	for _, m := range measures {
		r, ok := row(m, o.vals[m.name], n.vals[m.name], rule.Alpha)
		if !ok {
			continue
		}
		label(&r, worse[m.name], rule.RelPct, enough)
		cmp.Rows = append(cmp.Rows, r)
		if !judgedMeasure[m.name] {
			continue
		}
		rs := results.Reason{Criterion: m.name, Value: r.DeltaPct, Limit: rule.RelPct, Unit: "%", Status: results.Pass, Hard: m.name == "peak memory"}
		switch r.Label {
		case LabelFewRepeats:
			rs.Status, rs.Hard = results.Unknown, false
			rs.Message = fmt.Sprintf("%s: too few repeats to decide, need >= %d a side for α=%.2f: %s",
				m.name, stats.MinCompareSamples, rule.Alpha, describe(r))
		case LabelRegressed:
			rs.Status = results.Fail
			rs.Message = fmt.Sprintf("%s regressed: %s (> %s %%, Mann–Whitney p < %.2f)", m.name, describe(r), thr(rule.RelPct), rule.Alpha)
		case LabelImproved:
			rs.Message = fmt.Sprintf("%s improved: %s", m.name, describe(r))
		default:
			rs.Message = fmt.Sprintf("%s: no regression beyond %s %% at α=%.2f: %s", m.name, thr(rule.RelPct), rule.Alpha, describe(r))
		}
		cmp.Reasons = append(cmp.Reasons, rs)
	}
	if n.failed > 0 && o.failed == 0 {
		cmp.Reasons = append(cmp.Reasons, results.Reason{Criterion: "outcome", Hard: true, Status: results.Fail,
			Message: fmt.Sprintf("%d of %d cells of this run were oom-killed or crashed; none of the earlier run's %d was", n.failed, n.n, o.n)})
	}
	if n.leaks && !o.leaks {
		cmp.Reasons = append(cmp.Reasons, results.Reason{Criterion: "leak", Hard: true, Status: results.Fail,
			Message: fmt.Sprintf("memory grows in this run (slope interval above %s MiB/h, drift over %s %%) and did not in the earlier one",
				thr(rule.Judge.MaxSlopeMiBPerH), thr(rule.Judge.MaxDriftPct))})
	}
	cmp.Reasons = finite(cmp.Reasons)
	cmp.Verdict = Decide(cmp.Reasons)
	return cmp
}

// Row labels of a regression comparison.
const (
	LabelRegressed  = "regressed"
	LabelImproved   = "improved"
	LabelSame       = "~"
	LabelFewRepeats = "too few repeats"
)

// worse is the direction in which each measure gets worse.
var worse = map[string]float64{"peak memory": 1, "throughput": -1, "drift": 1, "CV": 1, "p99": 1}

// judgedMeasure are the measures a regression is decided on; drift and CV
// are shown only (a new leak is judged from the slope, see summarize).
var judgedMeasure = map[string]bool{"peak memory": true, "throughput": true, "p99": true}

// label sets a row's regression label: with enough repeats, regressed or
// improved when the medians moved by more than relPct and Mann–Whitney
// found the difference (r.Detected on entry), else "~"; with too few
// repeats, nothing is detected.
func label(r *results.CompareRow, dir, relPct float64, enough bool) {
	switch {
	case !enough:
		r.Detected, r.Label = false, LabelFewRepeats
	case r.Detected && dir*r.DeltaPct > relPct:
		r.Label = LabelRegressed
	case r.Detected && -dir*r.DeltaPct > relPct:
		r.Label = LabelImproved
	default:
		r.Detected, r.Label = false, LabelSame
	}
}
