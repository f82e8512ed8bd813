package pipeline

import (
	"context"
	"fmt"
)

// WithSignals cancels ctx on the first signal from env.Signals, so the run
// stops its load, records the running cell as interrupted and writes the
// report; a second signal calls env.Exit at once
// (cgroups and containers left behind go with `soaklab clean`). Call the
// returned func when the run is over.
func WithSignals(ctx context.Context, env Env) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	if env.Signals == nil {
		return ctx, cancel
	}
	w := env.stderr()
	done := make(chan struct{})
	go func() {
		select {
		case s := <-env.Signals:
			fmt.Fprintf(w, "soaklab: %v: stopping load, recording the cell as interrupted and writing the report (again to quit at once)\n", s)
			cancel()
		case <-done:
			return
		}
		select {
		case <-env.Signals:
			fmt.Fprintln(w, "soaklab: second signal: exiting now; run `soaklab clean` to remove what is left")
			if env.Exit != nil {
				env.Exit()
			}
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
}
