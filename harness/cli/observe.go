package cli

import (
	"fmt"
	"time"

	"github.com/soaklab/soaklab/harness/live"
	"github.com/soaklab/soaklab/harness/progress"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
)

// observers picks the outputs of a run: JSON lines with --json, nothing
// with --quiet, a live view when stdout is a terminal (and CI is not set),
// plain lines every --progress-every otherwise; and the live Prometheus
// endpoint with --listen. The returned
// func stops them all; call it when the run is over.
func observers(f runFlags, env Env, run *results.Run) (runner.Observer, func(), error) {
	var obs runner.Observers
	var closers []func()
	switch {
	case f.jsonLog:
		obs = append(obs, progress.NewJSON(env.Stdout, env.Now))
	case f.quiet:
	case env.IsTerminal && !inCI(env):
		t := progress.NewTerminal(env.Stdout, progress.WithWidth(progress.TerminalWidth(env.Stdout)))
		obs = append(obs, t)
		closers = append(closers, t.Close)
	default:
		obs = append(obs, progress.NewPlain(env.Stdout, progressEvery(f, env)))
	}
	if f.listen != "" {
		e := live.New()
		url, err := e.Serve(f.listen)
		if err != nil {
			return nil, nil, fmt.Errorf("--listen: %w", err)
		}
		fmt.Fprintf(env.Stderr, "soaklab: run %s: live metrics at %s\n", run.ID, url)
		obs = append(obs, e)
		closers = append(closers, func() { _ = e.Close() })
	}
	return obs, func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}, nil
}

// progressEvery is how often plain progress prints a running cell: the
// flag, else progress.DefaultEvery (plain lines are for CI logs; a
// terminal gets the live view, redrawn every second and faster).
func progressEvery(f runFlags, env Env) time.Duration {
	if f.progressEvery > 0 {
		return f.progressEvery
	}
	return progress.DefaultEvery
}

// inCI reports whether the CI variable says soaklab runs in CI (GitHub
// Actions, GitLab CI and most others set CI=true).
func inCI(env Env) bool {
	v := env.Getenv("CI")
	return v != "" && v != "false" && v != "0"
}
