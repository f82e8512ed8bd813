package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/docker"
	"github.com/soaklab/soaklab/harness/target/process"
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
	popts := []process.Option{process.CgroupRoot(env.CgroupRoot, env.Mounts), process.ProcRoot(env.ProcRoot)}
	var opts []docker.Option
	if runs != nil {
		popts = append(popts, process.OnlyRuns(runs...))
		opts = append(opts, docker.OnlyRuns(runs...))
	}
	cleaners := []target.Cleaner{process.New(popts...)}
	if *images {
		opts = append(opts, docker.CleanImages())
	}
	if d, err := docker.New(ctx, opts...); err == nil {
		cleaners = append(cleaners, d)
	}
	total := 0
	var errs []error
	for _, c := range cleaners {
		n, err := c.Clean(ctx, env.Stdout)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	fmt.Fprintf(env.Stdout, "removed %d leftovers\n", total)
	if err := errors.Join(errs...); err != nil {
		return fail(env, ExitHarness, "clean: %v", err)
	}
	return ExitOK
}
