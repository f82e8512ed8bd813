package judge

import "github.com/soaklab/soaklab/matrix"

// DefaultJudge holds the single-cell criteria used for every field a
// matrix's `judge:` block leaves out (see WithDefaults for what an explicit
// zero means): the Default of each Threshold in Criteria, where the reason
// for each value is given.
var DefaultJudge = defaults(Criteria)

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
//   - MaxCPUPerOpRisePct 10: the mirror of the throughput loss: a lean
//     mode may spend up to 10 % more CPU per operation (judged only when
//     both sides measured CPU time).
//   - MaxCVPct 0: no CV gate unless the matrix sets one (a lean-mode
//     scorecard asks 2–5 %); the CV row is shown all the same.
var DefaultScorecard = matrix.Scorecard{
	MinRSSDropPct:        0,
	MaxThroughputLossPct: 10,
	MaxDriftPct:          5,
	Alpha:                0.05,
	MaxCPUPerOpRisePct:   10,
}
