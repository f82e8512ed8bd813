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
// field tools flag by default) plus 3× the within-run noise, α = 0.05.
//
// The rule, per matched cell (same target and axis values):
//   - with >= 4 repeats a side: memory regressed when peak memory rises
//     by more than RelPct at the medians and Mann–Whitney p < Alpha;
//   - with fewer: when the new median peak exceeds the old by more than
//     RelPct and by more than NoiseK × the within-run noise;
//   - in both cases also when the new run leaks (slope interval above the
//     judge's floor and drift over its threshold) and the old did not.
//
// A memory regression is NO-GO; a throughput loss or p99 rise beyond
// RelPct (significant when there are enough repeats) is NEUTRAL.
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
	vals  side
	noise float64
	leaks bool
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
	noise := math.Max(o.noise, n.noise)
	worse := map[string]float64{"peak memory": 1, "throughput": -1, "p99": 1} // direction of "worse"
	for _, m := range measures {
		r, ok := row(m, o.vals[m.name], n.vals[m.name], rule.Alpha)
		if !ok {
			continue
		}
		dir, judged := worse[m.name]
		if judged {
			beyond := dir*r.DeltaPct > rule.RelPct
			if enough {
				r.Detected = beyond && r.Detected
			} else {
				r.Detected = beyond && (m.name != "peak memory" || dir*(r.B-r.A) > rule.NoiseK*noise)
			}
		}
		cmp.Rows = append(cmp.Rows, r)
		if !judged {
			continue
		}
		rs := results.Reason{Criterion: m.name, Value: r.DeltaPct, Limit: rule.RelPct, Unit: "%", Status: results.Pass, Hard: m.name == "peak memory"}
		how := fmt.Sprintf("Mann–Whitney at α=%.2f", rule.Alpha)
		if !enough {
			how = fmt.Sprintf("one-run rule: > %s %% and > %s× within-run noise %s", thr(rule.RelPct), thr(rule.NoiseK), mib(noise))
			if m.name != "peak memory" {
				how = fmt.Sprintf("one-run rule: > %s %%", thr(rule.RelPct))
			}
		}
		verb := "no regression"
		if r.Detected {
			rs.Status, verb = results.Fail, "regressed"
		}
		rs.Message = fmt.Sprintf("%s %s: %s (%s)", m.name, verb, describe(r), how)
		cmp.Reasons = append(cmp.Reasons, rs)
	}
	if n.leaks && !o.leaks {
		cmp.Reasons = append(cmp.Reasons, results.Reason{Criterion: "leak", Hard: true, Status: results.Fail,
			Message: fmt.Sprintf("memory grows in this run (slope interval above %s MiB/h, drift over %s %%) and did not in the earlier one",
				thr(rule.Judge.MaxSlopeMiBPerH), thr(rule.Judge.MaxDriftPct))})
	}
	if !enough {
		cmp.Reasons = append(cmp.Reasons, results.Reason{Criterion: "repeats", Status: results.Pass,
			Message: fmt.Sprintf("n=%d+%d: fewer than %d repeats a side, judged by the one-run rule", len(old), len(new), stats.MinCompareSamples)})
	}
	cmp.Reasons = finite(cmp.Reasons)
	cmp.Verdict = Decide(cmp.Reasons)
	return cmp
}
