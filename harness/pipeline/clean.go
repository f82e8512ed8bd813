package pipeline

import (
	"context"
	"errors"
	"io"

	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/docker"
	"github.com/soaklab/soaklab/harness/target/process"
)

// Clean removes the cgroups, processes and containers left by runs whose
// harness is gone (only those of runs, when given), and with images the
// dangling images soaklab built. It reports each removal on w and returns
// how many it removed. Docker is cleaned when an engine answers.
func Clean(ctx context.Context, runs []string, images bool, w io.Writer, env Env) (int, error) {
	popts := []process.Option{process.CgroupRoot(env.CgroupRoot, env.Mounts), process.ProcRoot(env.ProcRoot)}
	var opts []docker.Option
	if runs != nil {
		popts = append(popts, process.OnlyRuns(runs...))
		opts = append(opts, docker.OnlyRuns(runs...))
	}
	cleaners := []target.Cleaner{process.New(popts...)}
	if images {
		opts = append(opts, docker.CleanImages())
	}
	if d, err := docker.New(ctx, opts...); err == nil {
		cleaners = append(cleaners, d)
	}
	total := 0
	var errs []error
	for _, c := range cleaners {
		n, err := c.Clean(ctx, w)
		total += n
		if err != nil {
			errs = append(errs, err)
		}
	}
	return total, errors.Join(errs...)
}
