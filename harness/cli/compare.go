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
	rc, err := pipeline.CompareRuns(dirs[0], dirs[1])
	if err != nil {
		return failErr(env, "compare", err)
	}
	rc.Write(env.Stdout, dirs[0], dirs[1], value)
	code := ExitOK
	for _, c := range rc.Comparisons {
		if c.Verdict == results.NOGO {
			code = ExitNoGo
		}
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
