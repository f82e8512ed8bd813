package cli

import (
	"soaklab/harness/progress"
	"soaklab/harness/results"
	"soaklab/harness/runner"
)

// observers picks the progress output for a run.
func observers(f runFlags, env Env, run *results.Run) (runner.Observer, func(), error) {
	var obs runner.Observers
	if !f.quiet {
		obs = append(obs, progress.NewPlain(env.Stdout, 1))
	}
	return obs, func() {}, nil
}
