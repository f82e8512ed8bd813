// Package judge decides GO / NEUTRAL / NO-GO for soaklab cells, A/B
// comparisons and regressions against an earlier run. Every criterion
// yields a results.Reason whose status (PASS, FAIL, UNKNOWN) is read
// mechanically from where its confidence interval sits against its
// threshold; a FAIL of a hard criterion is NO-GO, all PASS is GO, anything
// else NEUTRAL with what was unmet or unknown listed.
package judge

import (
	"math"
	"strconv"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// DefaultJudge holds the single-cell criteria used for every field a
// matrix's `judge:` block leaves out (see WithDefaults for what an explicit
// zero means).
//
//   - MaxDriftPct 5: a 1 MiB/min leak in a 3-minute cell of a 15–30 MiB Go
//     process drifts 7–13 % between the first and last quarter after
//     warm-up, while flat and saw-tooth series with GC noise stay within
//     ±1 %. Drift alone never fails a cell: it must agree with a
//     significant slope (see MaxSlopeMiBPerH).
//   - MaxSlopeMiBPerH 5: the slope floor. A leak needs the whole 95 %
//     interval of the Theil–Sen slope above it (and the trough slope above
//     it on saw-tooth memory), so GC noise, whose interval spans zero, does
//     not count. 5 MiB/h (120 MiB/day) is what a real Go process retaining
//     1 MiB/min while churning garbage showed in RSS over 3 minutes
//     (testdata/leaky.jsonl: 8.3…13.1 MiB/h, the runtime reuses freed
//     space first); flat series' intervals stay within ±4 MiB/h.
//   - Horizon 24h: NO-GO when, at the lower bound of the slope, the limit
//     is reached within a day — one nightly soak's worth.
//   - MaxErrorRate 0.01: 1 % failed requests is already a broken service.
//   - MinRateRatio 0.95: an open-model driver that delivers under 95 % of
//     the requested rate measured a different load than asked for.
//   - PeakWarnRatio 0.9: above 90 % of the limit the kernel reclaims page
//     cache and a spike away from an OOM kill; a soft miss.
//   - MaxCV 10: throughput CV across 10-s windows, in percent; above it
//     the cell was not steady (soft). Run-to-run CV on shared machines is
//     2–5 %.
//   - MaxP99 0: no latency budget unless the matrix sets one.
//   - MaxThrash 5s: a cgroup at its limit reading its own pages back from
//     disk (analysis.ThrashFaultsPerS) for longer is NO-GO. It is not
//     OOM-killed, so nothing else says why it barely runs; a few seconds
//     of it happen when a burst meets the limit and passes. On cgroup v2
//     with PSI the stretch is the cgroup stalled on memory instead (every
//     task waiting, analysis.ThrashStallShare of each interval or more),
//     with the same budget.
//   - MinSamples 10: with fewer measured samples after warm-up the
//     verdict is "inconclusive", never GO.
var DefaultJudge = matrix.Judge{
	MaxDriftPct:     5,
	MaxSlopeMiBPerH: 5,
	Horizon:         24 * time.Hour,
	MaxErrorRate:    0.01,
	MinRateRatio:    0.95,
	PeakWarnRatio:   0.9,
	MaxCV:           10,
	MaxP99:          0,
	MaxThrash:       5 * time.Second,
	MinSamples:      10,
}

// DefaultScorecard holds the A/B gates used for every field a `compare:`
// block's scorecard leaves out (see ScorecardWithDefaults for what an
// explicit zero means).
//
//   - MinRSSDropPct 0: any significant drop of peak memory passes unless
//     the matrix asks for more (a lean mode typically asks 30–70 %).
//   - MaxThroughputLossPct 10: the lean-mode practice of accepting up to
//     10 % throughput for memory.
//   - MaxDriftPct 5: the candidate must not drift more than a single cell
//     may (DefaultJudge.MaxDriftPct), median over its repeats.
//   - Alpha 0.05: the Mann–Whitney significance level.
var DefaultScorecard = matrix.Scorecard{
	MinRSSDropPct:        0,
	MaxThroughputLossPct: 10,
	MaxDriftPct:          5,
	Alpha:                0.05,
}

// WithDefaults returns j with every zero field the matrix left out (its
// key not in j.Set) replaced by DefaultJudge's. An explicit zero is kept
// and means:
//
//   - max_drift_pct 0: any positive drift counts (a leak still needs the
//     slope to agree);
//   - max_slope_mib_per_h 0: any significant positive slope counts, for the
//     target and for the driver criterion alike;
//   - horizon 0: no time-to-limit projection (no oom-risk criterion);
//   - max_error_rate 0: a single failed request fails the cell;
//   - min_rate_ratio 0: no rate requirement;
//   - max_p99 0: no latency budget (also the default);
//   - max_thrash 0: any thrashing at the limit fails the cell;
//   - min_samples 0: judge whatever was measured.
//
// peak_warn_ratio and max_cv are refused at 0 by the matrix parser; a Go
// caller's zero takes the default whether set or not.
func WithDefaults(j matrix.Judge) matrix.Judge {
	d := DefaultJudge
	unset := func(zero bool, key string) bool { return zero && !j.IsSet(key) }
	if unset(j.MaxDriftPct == 0, matrix.KeyMaxDriftPct) {
		j.MaxDriftPct = d.MaxDriftPct
	}
	if unset(j.MaxSlopeMiBPerH == 0, matrix.KeyMaxSlopeMiBPerH) {
		j.MaxSlopeMiBPerH = d.MaxSlopeMiBPerH
	}
	if unset(j.Horizon == 0, matrix.KeyHorizon) {
		j.Horizon = d.Horizon
	}
	if unset(j.MaxErrorRate == 0, matrix.KeyMaxErrorRate) {
		j.MaxErrorRate = d.MaxErrorRate
	}
	if unset(j.MinRateRatio == 0, matrix.KeyMinRateRatio) {
		j.MinRateRatio = d.MinRateRatio
	}
	if j.PeakWarnRatio == 0 {
		j.PeakWarnRatio = d.PeakWarnRatio
	}
	if j.MaxCV == 0 {
		j.MaxCV = d.MaxCV
	}
	if unset(j.MaxP99 == 0, matrix.KeyMaxP99) {
		j.MaxP99 = d.MaxP99
	}
	if unset(j.MaxThrash == 0, matrix.KeyMaxThrash) {
		j.MaxThrash = d.MaxThrash
	}
	if unset(j.MinSamples == 0, matrix.KeyMinSamples) {
		j.MinSamples = d.MinSamples
	}
	return j
}

// ScorecardWithDefaults returns s with every zero field the matrix left
// out (its key not in s.Set) replaced by DefaultScorecard's. An explicit
// zero is kept: max_throughput_loss_pct 0 allows no detectable throughput
// loss, min_rss_drop_pct 0 accepts any significant drop (also the
// default). max_drift_pct and alpha are refused at 0 by the matrix parser;
// a Go caller's zero takes the default whether set or not.
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
	return s
}

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

// thr formats a threshold as it was set: whole numbers without decimals,
// others with up to three significant digits, so a 0.5 % limit does not
// print as "0 %".
func thr(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return strconv.FormatFloat(v, 'g', 3, 64)
}
