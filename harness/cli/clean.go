package cli

import (
	"context"
	"fmt"

	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/harness/results"
)

func cmdClean(ctx context.Context, args []string, env Env) int {
	fs := flags("clean", env)
	images := fs.Bool("images", false, "also remove dangling images soaklab built (older than 10 minutes)")
	var runs []string
	fs.Func("run", "clean only this run's leftovers (repeatable)", func(s string) error {
		if err := results.CheckRunID(s); err != nil {
			return err
		}
		runs = append(runs, s)
		return nil
	})
	if code := parse(fs, args); code >= 0 {
		return code
	}
	runs = append(runs, fs.Args()...) // soaklab clean <run-id>...
	total, err := pipeline.Clean(ctx, runs, *images, env.Stdout, pipelineEnv(env))
	fmt.Fprintf(env.Stdout, "removed %d leftovers\n", total)
	if err != nil {
		return fail(env, ExitHarness, "clean: %v", err)
	}
	return ExitOK
}
