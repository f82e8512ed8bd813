// Package runner runs a matrix's cells one after another: start the target
// under its limit, wait until it is ready, drive or observe it for the
// cell's duration while sampling, and write its result. It knows nothing of
// verdicts: reports judge what it writes.
package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/soaklab/soaklab/harness/buildinfo"
	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/matrix"
)

// DefaultStopTimeout bounds how long stopping one target may take.
const DefaultStopTimeout = 15 * time.Second

// Runner runs cells and writes results under Dir.
type Runner struct {
	Backend   target.Backend
	Matrix    *matrix.Matrix
	Binaries  map[string]string // target name -> built binary
	WorkDir   string            // where relative command paths resolve (the matrix's directory)
	Dir       string            // the run directory
	NewDriver DriverFactory     // for server targets
	NewSink   SinkFactory       // for client targets
	Observer  Observer          // may be nil
	Procs     probe.Procs
	SelfPID   int                    // the harness's own pid, sampled as the driver's RSS
	Runtime   func() probe.GoRuntime // the harness's own Go heap; nil = not sampled
	// Watch makes each cell's watcher, which may stop it early; nil: every
	// cell runs to its planned end.
	Watch WatchFactory
}

// Done reports whether a cell result needs no re-run on --resume.
func Done(c *results.Cell) bool {
	return c != nil && c.Outcome != "" && c.Outcome != results.Interrupted
}

// Run runs cells in order. run.json is written when the run starts (every
// cell pending) and when it ends; in between each cell's result goes to its
// own result.json, so the bookkeeping of a cell costs the same at 100,000
// cells as at 10 (results.ReadRun finds the results of cells run.json still
// calls pending, after a crash). Cells already in
// run.Cells with a final outcome are skipped (that is --resume). It stops
// early, marking the run interrupted, when ctx ends; the cell running then
// is recorded as interrupted. An error means the harness itself failed
// (results could not be written).
func (r *Runner) Run(ctx context.Context, run *results.Run, cells []matrix.Cell) error {
	if err := os.MkdirAll(filepath.Join(r.Dir, results.CellsDir), 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	index := make(map[string]int, len(run.Cells))
	for i, c := range run.Cells {
		index[c.ID] = i
	}
	for _, c := range cells {
		if _, ok := index[c.ID]; !ok {
			index[c.ID] = len(run.Cells)
			run.Cells = append(run.Cells, pending(c, r.Matrix))
		}
	}
	run.Status = "running"
	if run.Soaklab == (results.Tool{}) { // a resumed run keeps the version that started it
		b := buildinfo.Read()
		run.Soaklab = results.Tool{Version: b.Version, Commit: b.Commit}
	}
	if err := r.save(run); err != nil {
		return err
	}
	obs := r.Observer
	if obs == nil {
		obs = Observers(nil)
	}
	obs.RunStarted(run, cells)
	for n, c := range cells {
		i := index[c.ID]
		if Done(&run.Cells[i]) {
			continue
		}
		if ctx.Err() != nil {
			break
		}
		obs.CellStarted(n+1, len(cells), c)
		res := r.runCell(ctx, c, obs)
		run.Cells[i] = *res
		cellDir := filepath.Join(r.Dir, results.CellsDir, res.Dir)
		if err := os.MkdirAll(cellDir, 0o755); err != nil {
			return fmt.Errorf("results directory: %w", err)
		}
		if err := results.WriteJSON(filepath.Join(cellDir, results.CellFile), res); err != nil {
			return err
		}
		obs.CellEnded(n+1, len(cells), res)
	}
	run.Finished = time.Now().UTC()
	run.Status = "finished"
	if ctx.Err() != nil {
		run.Status = "interrupted"
	}
	return r.save(run)
}

func (r *Runner) save(run *results.Run) error {
	if err := results.WriteJSON(filepath.Join(r.Dir, results.RunFile), run); err != nil {
		if errors.Is(err, os.ErrPermission) {
			return fmt.Errorf("results directory %s is not writable: %w", r.Dir, err)
		}
		return err
	}
	return nil
}

// pending is the entry of a cell not yet run.
func pending(c matrix.Cell, m *matrix.Matrix) results.Cell {
	kind := matrix.KindServer
	for _, t := range m.Targets {
		if t.Name == c.Target && t.Kind != "" {
			kind = t.Kind
		}
	}
	return results.Cell{Schema: results.SchemaVersion, ID: c.ID, Dir: results.CellDir(c.ID), Target: c.Target,
		Kind: kind, Axes: c.Axes, Repeat: c.Repeat, RAMLimit: c.RAM, Duration: c.Duration.Seconds()}
}
