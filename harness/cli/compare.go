package cli

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/progress"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/judge"
)

func cmdCompare(ctx context.Context, args []string, env Env) int {
	fs := flags("compare", env)
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 2 {
		return fail(env, ExitUsage, "usage: soaklab compare <old-run> <new-run>")
	}
	rc, err := pipeline.CompareRuns(fs.Arg(0), fs.Arg(1))
	if err != nil {
		return failErr(env, "compare", err)
	}
	judge.WriteRegressions(env.Stdout, fs.Arg(0), fs.Arg(1), rc.Old, rc.New, rc.Comparisons, rc.Rule, value)
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
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() != 1 {
		return fail(env, ExitUsage, "usage: soaklab history [-o dir] <results-dir>")
	}
	page, err := pipeline.History(fs.Arg(0), *out)
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
