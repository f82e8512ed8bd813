package judge

import (
	"fmt"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// Thresholds sets the thresholds of a target (matrix.Target.Thresholds),
// whose episodes the analysis lists and the thresholds criterion reports.
func Thresholds(target string, ths []matrix.Threshold) Option {
	return func(o *options) {
		if o.levels == nil {
			o.levels = map[string][]analysis.Level{}
		}
		for _, th := range ths {
			o.levels[target] = append(o.levels[target], analysis.Level{Series: th.Series, Above: th.Above, Leave: th.Above * (1 - th.Hysteresis)})
		}
	}
}

// thresholds is the soft criterion of a target's thresholds: FAIL (so
// NEUTRAL) when a series crossed its level, listing each episode as
// "crossed at, back at, peak" like an alert's exceeded / no longer exceeded
// pair; UNKNOWN when a series was never sampled; left out without
// thresholds.
func thresholds(_ *results.Cell, r analysis.Result, _ matrix.Judge) (results.Reason, bool) {
	if len(r.Thresholds) == 0 {
		return results.Reason{}, false
	}
	rs := results.Reason{Criterion: "thresholds", Status: results.Pass, Unit: "episodes"}
	var parts []string
	missing := false
	for _, te := range r.Thresholds {
		f := levelFormat(te.Series)
		switch {
		case te.Samples == 0:
			missing = true
			parts = append(parts, fmt.Sprintf("%s never sampled (level %s)", te.Series, f(te.Above)))
		case len(te.Episodes) == 0:
			parts = append(parts, fmt.Sprintf("%s never above %s (peak %s)", te.Series, f(te.Above), f(te.Peak)))
		default:
			rs.Status = results.Fail
			rs.Value += float64(len(te.Episodes))
			eps := make([]string, len(te.Episodes))
			for i, e := range te.Episodes {
				back := "still above at the end"
				if e.BackS != nil {
					back = fmt.Sprintf("back under %s at %.0f s", f(te.Leave), *e.BackS)
				}
				eps[i] = fmt.Sprintf("crossed at %.0f s, %s, peak %s", e.CrossedS, back, f(e.Peak))
			}
			parts = append(parts, fmt.Sprintf("%s above %s in %d episode(s): %s", te.Series, f(te.Above), len(te.Episodes), strings.Join(eps, "; ")))
		}
	}
	if missing && rs.Status == results.Pass {
		rs.Status = results.Unknown
	}
	rs.Message = strings.Join(parts, "; ")
	return rs, true
}

// levelFormat spells a series' values: bytes as MiB, counts plainly.
func levelFormat(series string) func(float64) string {
	if strings.HasSuffix(series, "_bytes") || series == "rss" || series == "anon" || series == "working_set" || series == "usage" {
		return mib
	}
	return func(v float64) string { return fmt.Sprintf("%.0f", v) }
}
