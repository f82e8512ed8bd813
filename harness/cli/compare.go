package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/progress"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/history"
	"github.com/soaklab/soaklab/reports/judge"
)

// cellData loads every finished cell of a run with the analysis of its
// samples, one cell's series in memory at a time.
func cellData(dir string, run *results.Run) ([]judge.CellData, error) {
	var out []judge.CellData
	for i := range run.Cells {
		c := &run.Cells[i]
		if c.Outcome == "" {
			continue
		}
		s, err := results.ReadSamples(filepath.Join(dir, results.CellsDir, c.Dir, results.SamplesFile))
		if err != nil {
			return nil, err
		}
		out = append(out, judge.Analyzed(c, s))
	}
	return out, nil
}

// regressionRule is the rule a run is compared against an earlier one by:
// the default thresholds, with the run's own judge criteria (from the
// matrix it stores) deciding what counts as a new leak.
func regressionRule(run *results.Run) judge.RegressionRule {
	rule := judge.DefaultRegressionRule
	if m, err := matrix.Parse(run.Matrix, []byte(run.MatrixYAML)); err == nil {
		rule.Judge = m.Judge
	}
	return rule
}

// compareBaseline adds the regressions of run against its baseline run.
func compareBaseline(runDir string, run *results.Run) error {
	old, err := results.ReadRun(run.Baseline)
	if err != nil {
		return err
	}
	a, err := cellData(run.Baseline, old)
	if err != nil {
		return err
	}
	b, err := cellData(runDir, run)
	if err != nil {
		return err
	}
	run.Comparisons = append(run.Comparisons, judge.Regressions(a, b, regressionRule(run))...)
	return nil
}

func cmdCompare(ctx context.Context, args []string, env Env) int {
	fs := flags("compare", env)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 2 {
		return fail(env, ExitUsage, "usage: soaklab compare <old-run> <new-run>")
	}
	var data [2][]judge.CellData
	var rule judge.RegressionRule
	for i, dir := range fs.Args() {
		run, err := results.ReadRun(dir)
		if err != nil {
			return fail(env, ExitUsage, "compare: %v", err)
		}
		if data[i], err = cellData(dir, run); err != nil {
			return fail(env, ExitHarness, "compare: %v", err)
		}
		rule = regressionRule(run) // the new run's, the last one read
	}
	cmps := judge.Regressions(data[0], data[1], rule)
	code := ExitOK
	for _, c := range cmps {
		fmt.Fprintf(env.Stdout, "%-7s %s\n", c.Verdict, c.Name)
		for _, r := range c.Rows {
			delta := "~"
			if r.Detected {
				delta = fmt.Sprintf("%+.1f%%", r.DeltaPct)
			}
			fmt.Fprintf(env.Stdout, "        %-14s %12s → %-12s %8s  (p=%.3f n=%d+%d)\n",
				r.Measure, value(r.A, r.Unit), value(r.B, r.Unit), delta, r.P, r.NA, r.NB)
		}
		for _, r := range c.Reasons {
			if r.Status != results.Pass {
				fmt.Fprintf(env.Stdout, "        %s: %s\n", r.Status, r.Message)
			}
		}
		if c.Verdict == results.NOGO {
			code = ExitNoGo
		}
	}
	if len(cmps) == 0 {
		fmt.Fprintln(env.Stdout, "no cell ids in common")
	}
	return code
}

func cmdHistory(ctx context.Context, args []string, env Env) int {
	fs := flags("history", env)
	out := fs.String("o", "", "output directory (default <results-dir>/history)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return fail(env, ExitUsage, "usage: soaklab history [-o dir] <results-dir>")
	}
	dir := fs.Arg(0)
	if *out == "" {
		*out = filepath.Join(dir, "history")
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(env, ExitHarness, "history: %v", err)
	}
	if err := history.Render(dir, *out); err != nil {
		return fail(env, ExitHarness, "history: %v", err)
	}
	fmt.Fprintf(env.Stdout, "history: %s\n", filepath.Join(*out, "index.html"))
	return ExitOK
}

// value spells a compared measure in its unit.
func value(v float64, unit string) string {
	switch unit {
	case "bytes":
		return progress.Size(int64(v))
	case "%":
		return fmt.Sprintf("%.1f%%", v)
	case "":
		return fmt.Sprintf("%.4g", v)
	}
	return fmt.Sprintf("%.4g %s", v, unit)
}
