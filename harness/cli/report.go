package cli

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
	"github.com/soaklab/soaklab/reports/render"
)

func cmdReport(ctx context.Context, args []string, env Env) int {
	fs := flags("report", env)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return fail(env, ExitUsage, "usage: soaklab report <run-directory>")
	}
	code, err := finish(fs.Arg(0), env)
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	return code
}

// finish judges a run from its results alone, writes the verdicts back into
// run.json and renders the report, JUnit file and summary. The exit code is
// ExitNoGo when any cell or comparison is NO-GO.
func finish(runDir string, env Env) (int, error) {
	run, err := results.ReadRun(runDir)
	if err != nil {
		return ExitHarness, fmt.Errorf("read run: %w", err)
	}
	m, err := matrix.Parse(run.Matrix, []byte(run.MatrixYAML))
	if err != nil {
		return ExitHarness, fmt.Errorf("the run's stored matrix: %w", err)
	}
	samples := func(c *results.Cell) ([]results.Sample, error) {
		return results.ReadSamples(filepath.Join(runDir, results.CellsDir, c.Dir, results.SamplesFile))
	}
	if err := judge.JudgeRun(run, samples, m); err != nil {
		fmt.Fprintf(env.Stderr, "soaklab: judging %s: %v\n", runDir, err)
	}
	if run.Baseline != "" {
		if err := compareBaseline(runDir, run); err != nil {
			fmt.Fprintf(env.Stderr, "soaklab: baseline %s: %v\n", run.Baseline, err)
		}
	}
	if err := results.WriteJSON(filepath.Join(runDir, results.RunFile), run); err != nil {
		return ExitHarness, err
	}
	if _, err := render.Run(runDir); err != nil {
		return ExitHarness, fmt.Errorf("render report: %w", err)
	}
	c := run.Counts
	fmt.Fprintf(env.Stdout, "%d cells: %d GO, %d NEUTRAL, %d NO-GO", c.Cells, c.GO, c.NEUTRAL, c.NOGO)
	if c.Pending > 0 {
		fmt.Fprintf(env.Stdout, ", %d not run", c.Pending)
	}
	fmt.Fprintln(env.Stdout)
	for _, cmp := range run.Comparisons {
		fmt.Fprintf(env.Stdout, "comparison %s: %s\n", cmp.Name, cmp.Verdict)
	}
	fmt.Fprintf(env.Stdout, "report: %s\n", filepath.Join(runDir, "report", "index.html"))
	return exitCode(run), nil
}

func exitCode(run *results.Run) int {
	if run.Counts.NOGO > 0 {
		return ExitNoGo
	}
	for _, c := range run.Comparisons {
		if c.Verdict == results.NOGO {
			return ExitNoGo
		}
	}
	return ExitOK
}
