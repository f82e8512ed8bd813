package judge

import (
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis"
)

// Criterion is one row of the table of single-cell criteria: the name its
// reasons carry, when it is judged, the function that decides it and the
// `judge:` keys it owns with their defaults and documentation.
//
// Adding a criterion: write its function in a file of its own (with its
// test), add its row to Criteria, and, for a new key, its field and row in
// matrix/judge.go (matrix.JudgeKeys); docs/matrix.md's table of judge keys
// is generated from both (go test ./reports/judge -run TestDocs -update).
type Criterion struct {
	Name  string // as in results.Reason.Criterion
	Stage Stage
	// Judge decides the criterion for a cell from the analysis of its
	// samples and the judge with its defaults applied; false leaves the
	// criterion out (nothing to judge).
	Judge func(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool)
	Keys  []Threshold
}

// Threshold is a key of `judge:` as the criterion that owns it reads it.
type Threshold struct {
	Key string // a key of matrix.JudgeKeys
	// Default is taken when the matrix leaves the key out: a value of the
	// type of the key's field (float64, time.Duration or int); zero for
	// none.
	Default any
	Meaning string // what the key does, for docs/matrix.md
	Zero    string // what an explicit 0 does, for docs/matrix.md
}

// Stage says which cells a criterion is judged for.
type Stage int

// Stages.
const (
	// Always: every cell with an outcome.
	Always Stage = iota
	// Measured: cells with at least min_samples measured samples after
	// warm-up, including one that ended early (its memory still speaks).
	Measured
	// Ran: cells that completed or were interrupted. A cell that ended
	// early has failed on its outcome; its short series and missed rate
	// are consequences, not further reasons.
	Ran
)

// Criteria are the single-cell criteria in the order their reasons are
// listed.
var Criteria = []Criterion{
	{Name: "outcome", Stage: Always, Judge: always(outcome)},
	// A cell stopped early failed a hard criterion for certain (early.go);
	// judge.early_stop (a mode, not a threshold) is read by the pipeline.
	{Name: "early-stop", Stage: Always, Judge: earlyStopped},
	{Name: "thrash", Stage: Always, Judge: thrash, Keys: []Threshold{{
		Key: matrix.KeyMaxThrash,
		// A cgroup at its limit reading its own pages back from disk
		// (analysis.ThrashFaultsPerS) for longer is NO-GO. It is not
		// OOM-killed, so nothing else says why it barely runs; a few
		// seconds of it happen when a burst meets the limit and passes.
		// On cgroup v2 with PSI the stretch is the cgroup stalled on
		// memory instead (every task waiting, analysis.ThrashStallShare
		// of each interval or more), with the same budget.
		Default: 5 * time.Second,
		Meaning: "NO-GO when the cgroup thrashed longer than this: usage at ≥ 90 % of the limit while reading ≥ 50 pages a second back from disk (major faults), a target the kernel slows to a crawl instead of killing; on cgroup v2 with PSI, every task of the cgroup stalled on memory ≥ 10 % of each interval (`memory.pressure`)",
		Zero:    "any thrashing fails the cell",
	}}},
	{Name: "samples", Stage: Ran, Judge: enoughSamples, Keys: []Threshold{{
		Key: matrix.KeyMinSamples,
		// With fewer measured samples after warm-up the verdict is
		// "inconclusive", never GO.
		Default: 10,
		Meaning: "fewer measured samples: UNKNOWN",
		Zero:    "judge whatever was measured; below 10 samples the slope has no confidence interval, so the leak and oom-risk criteria rest on the point slope",
	}}},
	{Name: "leak", Stage: Measured, Judge: always(shortened(leak)), Keys: []Threshold{{
		Key: matrix.KeyMaxDriftPct,
		// A 1 MiB/min leak in a 3-minute cell of a 15–30 MiB Go process
		// drifts 7–13 % between the first and last quarter after warm-up,
		// while flat and saw-tooth series with GC noise stay within ±1 %.
		// Drift alone never fails a cell: it must agree with a significant
		// slope (see max_slope_mib_per_h).
		Default: 5.0,
		Meaning: "drift between first and last quarter after warm-up",
		Zero:    "any positive drift counts (a leak still needs the slope to agree, as always)",
	}, {
		Key: matrix.KeyMaxSlopeMiBPerH,
		// The slope floor. A leak needs the whole 95 % interval of the
		// Theil–Sen slope above it (and the trough slope above it on
		// saw-tooth memory), so GC noise, whose interval spans zero, does
		// not count. 5 MiB/h (120 MiB/day) is what a real Go process
		// retaining 1 MiB/min while churning garbage showed in RSS over 3
		// minutes (testdata/leaky.jsonl: 8.3…13.1 MiB/h, the runtime reuses
		// freed space first); flat series' intervals stay within ±4 MiB/h.
		Default: 5.0,
		Meaning: "a significant slope above this is a leak",
		Zero:    "any significant positive slope counts; the driver criterion (soaklab's own memory, cells of 10 minutes or more) uses the same floor",
	}}},
	{Name: "oom-risk", Stage: Measured, Judge: oomRiskWithin, Keys: []Threshold{{
		Key: matrix.KeyHorizon,
		// NO-GO when, at the lower bound of the slope, the limit is
		// reached within a day — one nightly soak's worth.
		Default: 24 * time.Hour,
		Meaning: "NO-GO when the limit is projected to be hit within it",
		Zero:    "no time-to-limit projection: the oom-risk criterion is left out",
	}}},
	{Name: "goroutines", Stage: Measured, Judge: goroutines, Keys: []Threshold{{
		Key: matrix.KeyMaxGoroutines,
		// No ceiling unless the matrix sets one: what the target's own
		// runners explain (a slow goroutine leak was found at 2–3× that).
		Default: 0,
		Meaning: "NO-GO when the target's go_goroutines exceeds this count",
		Zero:    "no ceiling (same as leaving it out)",
	}, {
		Key: matrix.KeyMaxGoroutineGrowthPerH,
		// A goroutine a minute. A leak needs the slope's whole 95 %
		// interval above it, a gain of at least MinGoroutineGrowth and
		// growth still significant in the last half: a server's count
		// follows its requests in flight, which a flat load keeps level.
		Default: 60.0,
		Meaning: "NO-GO when go_goroutines grows significantly faster than this",
		Zero:    "any significant growth of 10 goroutines or more counts",
	}}},
	{Name: "rate", Stage: Ran, Judge: achievedRate, Keys: []Threshold{{
		Key: matrix.KeyMinRateRatio,
		// An open-model driver that delivers under 95 % of the requested
		// rate measured a different load than asked for; so did a client
		// target that sent its sink less than the rps passed to it.
		Default: 0.95,
		Meaning: "achieved / requested rate (a client target: what soaklab's sink received / the rps its env or command is given)",
		Zero:    "no rate requirement (the achieved rate is still reported)",
	}}},
	{Name: "errors", Stage: Ran, Judge: errorRate, Keys: []Threshold{{
		Key: matrix.KeyMaxErrorRate,
		// 1 % failed requests is already a broken service.
		Default: 0.01,
		Meaning: "share of failed requests",
		Zero:    "a single failed request fails the cell (NO-GO)",
	}}},
	{Name: "peak", Stage: Ran, Judge: peakShare, Keys: []Threshold{{
		Key: matrix.KeyPeakWarnRatio,
		// Above 90 % of the limit the kernel reclaims page cache and a
		// spike away from an OOM kill; a soft miss.
		Default: 0.9,
		Meaning: "NEUTRAL when the peak exceeds this share of the limit",
		Zero:    "refused: every cell with a memory limit would be NEUTRAL",
	}}},
	{Name: "cv", Stage: Ran, Judge: throughputCV, Keys: []Threshold{{
		Key: matrix.KeyMaxCV,
		// Throughput CV across 10-s windows, in percent; above it the cell
		// was not steady (soft). Run-to-run CV on shared machines is 2–5 %.
		Default: 10.0,
		Meaning: "NEUTRAL when throughput CV across windows exceeds it",
		Zero:    "refused: no throughput is perfectly steady, so every cell would be NEUTRAL; give a large value (e.g. 1000) to ignore throughput variation",
	}}},
	{Name: "p99", Stage: Ran, Judge: p99Budget, Keys: []Threshold{{
		Key: matrix.KeyMaxP99,
		// No latency budget unless the matrix sets one.
		Default: time.Duration(0),
		Meaning: "NEUTRAL when p99 exceeds it",
		Zero:    "no latency budget (same as leaving it out)",
	}}},
	{Name: "thresholds", Stage: Always, Judge: thresholds},
	{Name: "driver", Stage: Ran, Judge: driver},
}

// always adapts a criterion that always has a reason.
func always(f func(c *results.Cell, r analysis.Result, j matrix.Judge) results.Reason) func(*results.Cell, analysis.Result, matrix.Judge) (results.Reason, bool) {
	return func(c *results.Cell, r analysis.Result, j matrix.Judge) (results.Reason, bool) {
		return f(c, r, j), true
	}
}

// WithDefaults returns j with every zero field the matrix left out (its
// key not in j.Set) replaced by DefaultJudge's. An explicit zero is kept
// and means what its Threshold.Zero says (docs/matrix.md lists them); a key
// whose zero the matrix refuses (matrix.JudgeKey.ZeroRefused) takes the
// default at zero whether set or not, as a Go caller's zero.
func WithDefaults(j matrix.Judge) matrix.Judge {
	d := DefaultJudge
	for _, k := range matrix.JudgeKeys {
		if j.IsSet(k.Key) && k.ZeroRefused == "" {
			continue
		}
		switch f := k.Field(&j).(type) {
		case *float64:
			if *f == 0 {
				*f = *k.Field(&d).(*float64)
			}
		case *time.Duration:
			if *f == 0 {
				*f = *k.Field(&d).(*time.Duration)
			}
		case *int:
			if *f == 0 {
				*f = *k.Field(&d).(*int)
			}
		}
	}
	return j
}

// defaults is the judge of every Threshold's default.
func defaults(criteria []Criterion) matrix.Judge {
	var j matrix.Judge
	for _, c := range criteria {
		for _, th := range c.Keys {
			// A key matrix does not know, or a default of another type
			// than its field, is left out here and fails TestCriteria.
			k, ok := matrix.JudgeKeyOf(th.Key)
			if !ok {
				continue
			}
			switch f := k.Field(&j).(type) {
			case *float64:
				*f, _ = th.Default.(float64)
			case *time.Duration:
				*f, _ = th.Default.(time.Duration)
			case *int:
				*f, _ = th.Default.(int)
			}
		}
	}
	return j
}
