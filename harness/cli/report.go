package cli

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
)

func cmdReport(ctx context.Context, args []string, env Env) int {
	fs := flags("report", env)
	resultsDir := resultsFlag(fs)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return fail(env, ExitUsage, "usage: soaklab report <run> (a run directory or a run id under --results)")
	}
	dir, err := pipeline.FindRun(*resultsDir, fs.Arg(0))
	if err != nil {
		return failErr(env, "report", err)
	}
	// Not while a harness writes the run: both would rewrite run.json.
	lock, err := results.LockRun(dir)
	if err != nil {
		return fail(env, ExitUsage, "report: %v", err)
	}
	defer lock.Unlock()
	code, err := finish(dir, env)
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	return code
}

// finish judges and renders a run through the pipeline and prints its
// counts, comparisons and report path. The exit code is ExitNoGo when any
// cell or comparison is NO-GO.
func finish(runDir string, env Env) (int, error) {
	run, err := pipeline.Finish(runDir, pipelineEnv(env))
	if err != nil {
		return ExitHarness, err
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
	if lines := pipeline.GridLines(run); len(lines) > 0 {
		fmt.Fprintln(env.Stdout, "works/OOM grid (the report's table says which):")
		for _, l := range lines {
			fmt.Fprintf(env.Stdout, "  %s\n", l)
		}
	}
	if nogos := pipeline.NoGos(run); len(nogos) > 0 {
		fmt.Fprintln(env.Stdout, "NO-GO:")
		for _, n := range nogos {
			fmt.Fprintf(env.Stdout, "  %s: %s\n", n.ID, n.Reason)
		}
	}
	fmt.Fprintf(env.Stdout, "report: %s\n", pipeline.ReportPath(runDir))
	return exitCode(run), nil
}

// resultsFlag adds --results, where run ids are looked up.
func resultsFlag(fs *cmdline) *string {
	return fs.String("results", "results", "directory that holds runs: where a run id is looked up")
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
