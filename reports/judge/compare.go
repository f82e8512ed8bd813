package judge

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
	"github.com/soaklab/soaklab/reports/stats"
)

// CellData is a cell with its samples, or with their analysis made
// beforehand (Analyzed), so that many cells can be compared without holding
// all their series in memory: a day at one sample a second is some 86,000.
type CellData struct {
	Cell    *results.Cell
	Samples []results.Sample
	// Analysis, when set, is used instead of analysing Samples: the
	// analysis of the cell's samples with Params(Cell, opts...) for the
	// same options as the comparison's.
	Analysis *analysis.Result
}

// Analyzed returns the cell with the analysis of its samples and without
// the samples themselves.
func Analyzed(c *results.Cell, samples []results.Sample, opts ...Option) CellData {
	r := analysis.Analyze(samples, Params(c, opts...))
	return CellData{Cell: c, Analysis: &r}
}

// analyze returns the cell's analysis, made now unless it was made before.
func (d CellData) analyze(opts []Option) analysis.Result {
	if d.Analysis != nil {
		return *d.Analysis
	}
	return analysis.Analyze(d.Samples, Params(d.Cell, opts...))
}

// measure is one number taken from each repeat of a side.
type measure struct {
	name, unit string
	get        func(c *results.Cell, r analysis.Result) float64 // NaN when absent
}

// measures are the rows of a comparison, in order.
var measures = []measure{
	{"peak memory", "bytes", peakOf},
	{"throughput", "ops/s", throughputOf},
	{"drift", "%", func(_ *results.Cell, r analysis.Result) float64 { return r.DriftPct }},
	{"CV", "%", func(_ *results.Cell, r analysis.Result) float64 { return r.CVPct }},
	{"p99", "ms", func(_ *results.Cell, r analysis.Result) float64 { return r.P99 }},
}

// peakOf is a cell's peak memory, as comparisons and regressions see it.
//
// For an oom-killed cell it is the highest of the cgroup's own peak (the
// kernel's max usage), the recorded peak RSS and the samples' peak: the
// kill comes up to one interval after the last sample, so the samples miss
// the climb to the limit, and before killing the kernel reclaimed the page
// cache it could, so the cgroup's peak is then the memory the target held
// at the limit, the quantity the samples measure. This is the peak the
// reports show (view.Peak).
//
// Every other cell keeps the peak of the judged series (working set, else
// RSS), or its recorded peak RSS when there were no samples: its cgroup
// peak also counts page cache the target touched but never needed, and
// backends without a cgroup record none, so preferring it for every cell
// would compare different quantities from cell to cell.
func peakOf(c *results.Cell, r analysis.Result) float64 {
	if c.Outcome == results.OOMKilled {
		p := float64(max(c.PeakCgroup, c.PeakRSS))
		if !math.IsNaN(r.Peak) {
			p = max(p, r.Peak)
		}
		if p > 0 {
			return p
		}
		return math.NaN()
	}
	if !math.IsNaN(r.Peak) {
		return r.Peak
	}
	if c.PeakRSS > 0 {
		return float64(c.PeakRSS)
	}
	return math.NaN()
}

// throughputOf is a workload's counter rate, else the driver's achieved
// rate, else the mean per-interval rate (a client target's: what soaklab's
// sink received after warm-up).
func throughputOf(c *results.Cell, r analysis.Result) float64 {
	if !math.IsNaN(r.Throughput) {
		return r.Throughput
	}
	if c.Load != nil && c.Load.Mode != results.SinkMode && c.Load.AchievedRPS > 0 {
		return c.Load.AchievedRPS
	}
	if r.N > 0 && !math.IsNaN(r.MeanRPS) {
		return r.MeanRPS
	}
	return math.NaN()
}

// side holds one side's values per measure.
type side map[string][]float64

// collect takes each measure of ms from each repeat of a side, with the
// repeats' analyses rs (in the order of cells).
func collect(cells []CellData, rs []analysis.Result, ms []measure) side {
	s := side{}
	for i, d := range cells {
		for _, m := range ms {
			if v := m.get(d.Cell, rs[i]); !math.IsNaN(v) && !math.IsInf(v, 0) {
				s[m.name] = append(s[m.name], v)
			}
		}
	}
	return s
}

// analyses are the analyses of a side's repeats.
func analyses(cells []CellData, o []Option) []analysis.Result {
	out := make([]analysis.Result, len(cells))
	for i, d := range cells {
		out[i] = d.analyze(o)
	}
	return out
}

// scorecardMeasures are the rows of a comparison with scorecard sc: the
// fixed measures, the cost rows, then one row per ratio.
func scorecardMeasures(sc matrix.Scorecard) []measure {
	ms := append(append([]measure{}, measures...), costMeasures...)
	for _, rt := range sc.Ratios {
		ms = append(ms, ratioMeasure(rt))
	}
	return ms
}

// row compares one measure; ok is false when a side has no values.
func row(m measure, a, b []float64, alpha float64) (results.CompareRow, bool) {
	if len(a) == 0 || len(b) == 0 {
		return results.CompareRow{}, false
	}
	r := results.CompareRow{Measure: m.name, Unit: m.unit, A: stats.Median(a), B: stats.Median(b), NA: len(a), NB: len(b)}
	t := stats.MannWhitney(a, b)
	r.P = t.P
	if r.A != 0 {
		r.DeltaPct = (r.B - r.A) / math.Abs(r.A) * 100
		if hl := stats.HodgesLehmann(a, b); len(hl.Warnings) == 0 {
			r.Low, r.High = hl.Low/math.Abs(r.A)*100, hl.High/math.Abs(r.A)*100
		}
	}
	r.Detected = len(t.Warnings) == 0 && t.P < alpha
	return r, true
}

// describe prints a row as "A → B (delta, CI, p, n)" or "~".
func describe(r results.CompareRow) string {
	f := func(v float64) string {
		switch {
		case r.Unit == "bytes":
			return mib(v)
		case r.Unit == "":
			return num(v) // a ratio: small values keep their digits
		case math.Abs(v) < 1:
			return num(v) + " " + r.Unit
		}
		return fmt.Sprintf("%.1f %s", v, r.Unit)
	}
	if !r.Detected {
		return fmt.Sprintf("%s %s → %s ~ (p=%.3f n=%d+%d)", r.Measure, f(r.A), f(r.B), r.P, r.NA, r.NB)
	}
	ci := ""
	if r.Low != 0 || r.High != 0 {
		ci = fmt.Sprintf(", 95%% CI %+.1f…%+.1f %%", r.Low, r.High)
	}
	return fmt.Sprintf("%s %s → %s (%s%s, p=%.3f n=%d+%d)", r.Measure, f(r.A), f(r.B), signed(r.DeltaPct), ci, r.P, r.NA, r.NB)
}

// Compare judges candidate repeats b against baseline repeats a with the
// scorecard of cmp (fields the matrix left out take DefaultScorecard's,
// see ScorecardWithDefaults). Its rows compare peak memory, throughput,
// drift, CV, p99, CPU and context switches per operation and each ratio
// row (both sides' medians, the delta with its interval, p and n); its
// gates are:
//
//   - rss (hard): peak memory drops significantly by at least
//     MinRSSDropPct;
//   - throughput (soft): loses at most MaxThroughputLossPct, or no loss
//     is detectable;
//   - drift (hard): the candidate's memory is not significantly growing
//     by more than MaxDriftPct (driftGate);
//   - cv (soft, when MaxCVPct is set): the candidate's throughput CV
//     stays within it;
//   - cpu/op (soft, when CPU time was measured): CPU per operation rises
//     by at most MaxCPUPerOpRisePct, or no rise is detectable;
//   - one per ratio row, hard or soft as the row says (ratioGate).
//
// GO when every gate passes, NO-GO when a hard one fails, NEUTRAL
// otherwise (Decide). With fewer than stats.MinCompareSamples repeats a
// side the verdict is NEUTRAL and a reason says so: nothing is decided on
// one run.
func Compare(cmp matrix.Compare, a, b []CellData, opts ...Option) results.Comparison {
	sc := ScorecardWithDefaults(cmp.Scorecard)
	out := results.Comparison{
		Name:      cmp.Name,
		Baseline:  fmt.Sprintf("%s=%s", cmp.Axis, cmp.Baseline),
		Candidate: fmt.Sprintf("%s=%s", cmp.Axis, cmp.Candidate),
	}
	if len(a) > 0 {
		key := groupKey(a[0].Cell, cmp.Axis)
		out.Name = strings.TrimSpace(cmp.Name + " " + key)
	}
	ra, rb := analyses(a, opts), analyses(b, opts)
	ms := scorecardMeasures(sc)
	sa, sb := collect(a, ra, ms), collect(b, rb, ms)
	rows := map[string]results.CompareRow{}
	for _, m := range ms {
		if r, ok := row(m, sa[m.name], sb[m.name], sc.Alpha); ok {
			out.Rows = append(out.Rows, r)
			rows[m.name] = r
		}
	}
	few := len(a) < stats.MinCompareSamples || len(b) < stats.MinCompareSamples
	if few {
		out.Reasons = append(out.Reasons, results.Reason{
			Criterion: "repeats", Status: results.Unknown, Value: float64(min(len(a), len(b))), Limit: stats.MinCompareSamples,
			Message: fmt.Sprintf("n=%d+%d: need >= %d repeats per side to detect a difference at alpha level %.2f; no confident verdict",
				len(a), len(b), stats.MinCompareSamples, sc.Alpha),
		})
	}
	out.Reasons = append(out.Reasons, rssGate(rows, sc, few, sa["peak memory"], sb["peak memory"]), throughputGate(rows, sc, few), driftGate(rb, sc))
	if rs, ok := cvGate(sb["CV"], sc); ok {
		out.Reasons = append(out.Reasons, rs)
	}
	if rs, ok := cpuGate(rows, sa, sb, sc, few); ok {
		out.Reasons = append(out.Reasons, rs)
	}
	for _, rt := range sc.Ratios {
		out.Reasons = append(out.Reasons, ratioGate(rt, rows, sa, sb, few))
	}
	out.Reasons = finite(out.Reasons)
	out.Verdict = Decide(out.Reasons)
	if few && out.Verdict != results.NEUTRAL {
		out.Verdict = results.NEUTRAL
	}
	return out
}

// rssGate passes a significant drop of at least MinRSSDropPct and fails
// one the data exclude (memory grew, or the interval's largest drop is
// below the requirement); a drop neither shown nor excluded is UNKNOWN,
// hence NEUTRAL, with the repeats that would decide it (rssPlan).
func rssGate(rows map[string]results.CompareRow, sc matrix.Scorecard, few bool, a, b []float64) results.Reason {
	rs := results.Reason{Criterion: "rss", Hard: true, Limit: sc.MinRSSDropPct, Unit: "%"}
	r, ok := rows["peak memory"]
	plan := ""
	switch {
	case !ok:
		rs.Status, rs.Hard = results.Unknown, false
		rs.Message = "no peak memory on one side"
		return rs
	case few:
		rs.Status, rs.Hard = results.Unknown, false
	case r.Detected && -r.DeltaPct >= sc.MinRSSDropPct:
		rs.Status = results.Pass
	case dropExcluded(r, sc.MinRSSDropPct):
		rs.Status = results.Fail
		if !r.Detected {
			plan = fmt.Sprintf("; excluded: the 95 %% interval's largest drop is %.1f %%", -r.Low)
		}
	default:
		rs.Status, rs.Hard = results.Unknown, false
		plan = rssPlan(r, sc, a, b)
	}
	rs.Value = -r.DeltaPct
	rs.Message = fmt.Sprintf("%s; required drop ≥ %s %%%s", describe(r), thr(sc.MinRSSDropPct), plan)
	return rs
}

func throughputGate(rows map[string]results.CompareRow, sc matrix.Scorecard, few bool) results.Reason {
	rs := results.Reason{Criterion: "throughput", Limit: sc.MaxThroughputLossPct, Unit: "%"}
	r, ok := rows["throughput"]
	switch {
	case !ok:
		rs.Status = results.Unknown
		rs.Message = "no throughput on one side"
		return rs
	case few:
		rs.Status = results.Unknown
	case r.Detected && -r.DeltaPct > sc.MaxThroughputLossPct:
		rs.Status = results.Fail
	default:
		rs.Status = results.Pass
	}
	rs.Value = -r.DeltaPct
	rs.Message = fmt.Sprintf("%s; allowed loss ≤ %s %%", describe(r), thr(sc.MaxThroughputLossPct))
	return rs
}

// groupKey is the target and every axis but skip, sorted: cells with the
// same key differ only in skip (and their repeat).
func groupKey(c *results.Cell, skip string) string {
	keys := make([]string, 0, len(c.Axes))
	for k := range c.Axes {
		if k != skip && k != "repeat" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + c.Axes[k]
	}
	return c.Target + "/" + strings.Join(parts, ",")
}

// ScorecardWithDefaults returns s with every zero field the matrix left
// out (its key not in s.Set) replaced by DefaultScorecard's. An explicit
// zero is kept: max_throughput_loss_pct 0 allows no detectable throughput
// loss, max_cpu_per_op_rise_pct 0 no detectable rise of CPU per
// operation, min_rss_drop_pct 0 accepts any significant drop (also the
// default). max_drift_pct, alpha and max_cv_pct are refused at 0 by the
// matrix parser; a Go caller's zero takes the default whether set or not
// (for max_cv_pct: no CV gate).
func ScorecardWithDefaults(s matrix.Scorecard) matrix.Scorecard {
	d := DefaultScorecard
	if s.MinRSSDropPct == 0 && !s.IsSet(matrix.KeyMinRSSDropPct) {
		s.MinRSSDropPct = d.MinRSSDropPct
	}
	if s.MaxThroughputLossPct == 0 && !s.IsSet(matrix.KeyMaxThroughputLossPct) {
		s.MaxThroughputLossPct = d.MaxThroughputLossPct
	}
	if s.MaxDriftPct == 0 {
		s.MaxDriftPct = d.MaxDriftPct
	}
	if s.Alpha == 0 {
		s.Alpha = d.Alpha
	}
	if s.MaxCPUPerOpRisePct == 0 && !s.IsSet(matrix.KeyMaxCPUPerOpRisePct) {
		s.MaxCPUPerOpRisePct = d.MaxCPUPerOpRisePct
	}
	return s
}
