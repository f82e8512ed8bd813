package pipeline

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/runner"
)

// Open chooses the backend the plan's matrix asks for and records it in
// the run. The note says which backend was chosen and how it holds limits,
// for the CLI to print.
func (p *Plan) Open(ctx context.Context, env Env) (note string, err error) {
	b, note, err := chooseBackend(ctx, p.Matrix.Backend, env)
	if err != nil {
		return "", fmt.Errorf("backend: %w", err)
	}
	p.backend = b
	p.Run.Backend = b.Name()
	return note, nil
}

// Execute builds the plan's targets and runs its cells, telling obs (which
// may be nil) what happens; each cell's verdict is judged as it ends, so
// observers see it. It stops early, recording the running cell as
// interrupted, when ctx ends. It calls Open first when the plan has no
// backend yet. A target that does not build is an InputError; any other
// error means soaklab itself failed, and the results measured so far are
// on disk.
func (p *Plan) Execute(ctx context.Context, obs runner.Observer, env Env) error {
	if p.backend == nil {
		if _, err := p.Open(ctx, env); err != nil {
			return err
		}
	}
	workDir := filepath.Dir(p.Run.Matrix)
	bins, err := runner.Build(ctx, workDir, filepath.Join(p.Dir, "bin"), p.Matrix.Targets)
	interrupted := err != nil && ctx.Err() != nil
	if err != nil && !interrupted {
		return input(err)
	}
	procs, err := probe.NewProcs(env.ProcRoot)
	if err != nil {
		return err
	}
	if obs != nil {
		obs = &judging{next: obs, dir: p.Dir, m: p.Matrix}
	}
	r := &runner.Runner{Backend: p.backend, Matrix: p.Matrix, Binaries: bins, WorkDir: workDir, Dir: p.Dir,
		NewDriver: driverFactory(workDir), NewSink: newSink, Observer: obs, Procs: procs, SelfPID: env.PID,
		Runtime: probe.ReadGoRuntime, Watch: p.watchFactory()}
	// Interrupted while building, the run is still written, every cell
	// pending and the run interrupted, so --resume can finish it.
	if err := r.Run(ctx, p.Run, p.Cells); err != nil {
		return fmt.Errorf("run %s: %w (results so far are in %s)", p.Run.ID, err, p.Dir)
	}
	return nil
}
