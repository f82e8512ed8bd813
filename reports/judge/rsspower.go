package judge

import (
	"fmt"
	"math"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/stats"
)

// dropExcluded reports whether the comparison rules out a peak-memory drop
// of req %: memory grew significantly, or the Hodges–Lehmann interval's
// largest drop (−Low) is below req. Without an interval (Low = High = 0)
// nothing is excluded but a significant growth.
func dropExcluded(r results.CompareRow, req float64) bool {
	if r.Detected && r.DeltaPct > 0 {
		return true
	}
	if r.Low == 0 && r.High == 0 {
		return false
	}
	return -r.Low < req
}

// rssPlan says, for a drop neither shown nor excluded, how many repeats a
// side would decide it at the observed noise: the size at which the
// Mann–Whitney test detects, with stats.Power, a shift of the required
// drop (or, when a smaller drop was detected, of the gap between it and
// the requirement; with no requirement, of the observed shift), assuming
// normal noise with the pooled standard deviation of the peaks (see
// stats.RepeatsToDetect: exact test power up to 40 repeats, the normal
// approximation with the rank test's efficiency beyond).
func rssPlan(r results.CompareRow, sc matrix.Scorecard, a, b []float64) string {
	sd := stats.PooledStdDev(a, b)
	what, delta := "", 0.0
	switch {
	case r.Detected:
		gap := sc.MinRSSDropPct + r.DeltaPct // required minus observed drop, in %
		delta = math.Abs(gap) / 100 * math.Abs(r.A)
		what = fmt.Sprintf("tell the observed %.1f %% drop from the required %s %%", -r.DeltaPct, thr(sc.MinRSSDropPct))
	case sc.MinRSSDropPct > 0:
		delta = sc.MinRSSDropPct / 100 * math.Abs(r.A)
		what = fmt.Sprintf("detect a %s %% drop", thr(sc.MinRSSDropPct))
	default:
		delta = math.Abs(r.B - r.A)
		what = fmt.Sprintf("detect the observed %s change", signed(r.DeltaPct))
	}
	n := stats.RepeatsToDetect(sd, delta, sc.Alpha, stats.Power)
	if n == 0 {
		return fmt.Sprintf("; not shown at n=%d+%d and no noise or difference to plan more repeats from", r.NA, r.NB)
	}
	return fmt.Sprintf("; not shown at n=%d+%d: about %d repeats a side would %s at the observed noise (sd %s; rank-test power %.0f %% under normal noise)",
		r.NA, r.NB, n, what, mib(sd), stats.Power*100)
}
