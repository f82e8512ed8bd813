package judge

import (
	"math"

	"github.com/soaklab/soaklab/harness/results"
)

// finite replaces NaN and infinities in reasons with 0: JSON has no
// spelling for them.
func finite(rs []results.Reason) []results.Reason {
	for i := range rs {
		if math.IsNaN(rs[i].Value) || math.IsInf(rs[i].Value, 0) {
			rs[i].Value = 0
		}
		if math.IsNaN(rs[i].Limit) || math.IsInf(rs[i].Limit, 0) {
			rs[i].Limit = 0
		}
	}
	return rs
}

// Decide turns reasons into a verdict: NO-GO when a hard criterion FAILs,
// GO when every criterion PASSes, NEUTRAL otherwise.
func Decide(reasons []results.Reason) results.Verdict {
	all := true
	for _, r := range reasons {
		if r.Status == results.Fail && r.Hard {
			return results.NOGO
		}
		if r.Status != results.Pass {
			all = false
		}
	}
	if all {
		return results.GO
	}
	return results.NEUTRAL
}
