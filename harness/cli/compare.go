package cli

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/progress"
	"github.com/soaklab/soaklab/harness/results"
)

func cmdCompare(ctx context.Context, args []string, env Env) int {
	fs := flags("compare", env)
	resultsDir := resultsFlag(fs)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 2 {
		return fail(env, ExitUsage, "usage: soaklab compare <old-run> <new-run>")
	}
	var dirs [2]string
	for i := range dirs {
		var err error
		if dirs[i], err = pipeline.FindRun(*resultsDir, fs.Arg(i)); err != nil {
			return failErr(env, "compare", err)
		}
	}
	cmps, err := pipeline.Compare(dirs[0], dirs[1])
	if err != nil {
		return failErr(env, "compare", err)
	}
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
	resultsDir := fs.String("results", "results", "directory that holds runs, when no argument names one")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 1 {
		return fail(env, ExitUsage, "usage: soaklab history [-o dir] [results-dir]")
	}
	dir := *resultsDir
	if fs.NArg() == 1 {
		dir = fs.Arg(0)
	}
	page, err := pipeline.History(dir, *out)
	if err != nil {
		return fail(env, ExitHarness, "history: %v", err)
	}
	fmt.Fprintf(env.Stdout, "history: %s\n", page)
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
