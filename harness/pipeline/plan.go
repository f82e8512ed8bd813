package pipeline

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/harness/target/cgroup"
	"github.com/soaklab/soaklab/matrix"
)

// RunIDLayout is the default run id: the start time in UTC.
const RunIDLayout = "20060102-150405"

// Options say what to run. The CLI fills them from flags.
type Options struct {
	Matrix     string // matrix file; ignored with Resume
	ResultsDir string // the directory that holds runs
	RunID      string // default: the start time (RunIDLayout)
	Shard      string // "i/n"; with Resume, default the shard the run was started with
	Baseline   string // an earlier run directory to compare against
	Resume     string // a run directory to finish: only cells without a final result run
	Backend    string // overrides the matrix's backend: process, docker or auto
	// NoEarlyStop runs every cell to its planned end, whatever the
	// matrix's judge.early_stop says.
	NoEarlyStop bool
}

// Plan is a run ready to start: its directory exists and is writable, its
// run.json entry is filled in, and its cells are known.
type Plan struct {
	Run    *results.Run
	Dir    string // the run directory
	Matrix *matrix.Matrix
	Cells  []matrix.Cell // this shard's cells, in order

	backend     target.Backend // set by Open
	noEarlyStop bool
	lock        *results.RunLock
	created     bool // NewPlan made the run directory
}

// NewPlan reads the matrix (or, with Resume, the run and the matrix it
// was started with: not today's file), expands and shards it, and makes
// the run directory. Errors in what the user gave are InputErrors; matrix
// problems keep their matrix.Errors value (file:line:column).
func NewPlan(opts Options, env Env) (*Plan, error) {
	if opts.RunID != "" {
		if err := results.CheckRunID(opts.RunID); err != nil {
			return nil, input(fmt.Errorf("--run-id: %w", err))
		}
	}
	if opts.Backend != "" && !slices.Contains(matrix.Backends, opts.Backend) {
		return nil, input(fmt.Errorf("--backend: unknown backend %q (want %s)", opts.Backend, strings.Join(matrix.Backends, ", ")))
	}
	p := &Plan{noEarlyStop: opts.NoEarlyStop}
	var text []byte
	var err error
	if opts.Resume != "" {
		p.Dir = opts.Resume
		if !isRun(p.Dir) {
			return nil, input(fmt.Errorf("resume: %w: %s holds no %s", ErrNoRun, p.Dir, results.RunFile))
		}
		// One harness per run directory: a second one would run the same
		// cells at once and set aside the first one's live samples.
		if p.lock, err = lockRun(p.Dir); err != nil {
			return nil, err
		}
		if p.Run, err = results.ReadRun(p.Dir); err != nil {
			p.Close()
			return nil, input(fmt.Errorf("resume: %w", err))
		}
		p.Matrix, err = matrix.Parse(p.Run.Matrix, []byte(p.Run.MatrixYAML))
		if err == nil && opts.Shard == "" {
			opts.Shard = p.Run.Shard
		}
	} else {
		if text, err = matrix.ReadFile(opts.Matrix, opts.Matrix); err != nil {
			return nil, input(err)
		}
		p.Matrix, err = matrix.Parse(opts.Matrix, text, matrix.CheckHostAt(filepath.Dir(opts.Matrix)))
	}
	if err != nil {
		p.Close()
		return nil, input(err)
	}
	if p.Cells, err = expandFor(p.Matrix, p.Run); err != nil {
		p.Close()
		return nil, input(err)
	}
	if opts.Shard != "" {
		i, n, err := matrix.ParseShard(opts.Shard)
		if err != nil {
			p.Close()
			return nil, input(fmt.Errorf("--shard: %w", err))
		}
		p.Cells = matrix.Shard(p.Cells, i, n)
	}
	if opts.Backend != "" {
		p.Matrix.Backend = opts.Backend
	}
	if p.Run == nil {
		if err := p.create(opts, text, env); err != nil {
			return nil, err
		}
	}
	if opts.Baseline != "" {
		p.Run.Baseline = opts.Baseline
	}
	if err := probeWritable(p.Dir); err != nil {
		p.Discard()
		return nil, fmt.Errorf("results directory %s is not writable: %w", p.Dir, err)
	}
	return p, nil
}

// lockRun takes the run directory's lock; a live owner is the user's
// problem (an InputError), anything else soaklab's.
func lockRun(dir string) (*results.RunLock, error) {
	l, err := results.LockRun(dir)
	if errors.Is(err, results.ErrLocked) {
		return nil, input(err)
	}
	return l, err
}

// Close releases the run directory's lock. Call it when the run is over,
// after Finish.
func (p *Plan) Close() {
	if p.lock != nil {
		p.lock.Unlock()
		p.lock = nil
	}
}

// Discard gives up a plan that never ran: a run directory NewPlan created
// is removed (nothing but its lock is in it yet), an existing one is left
// as it was. The lock is released either way.
func (p *Plan) Discard() {
	if p.created && p.Dir != "" {
		os.RemoveAll(p.Dir)
	}
	p.Close()
}

// create makes a new run's directory and entry.
func (p *Plan) create(opts Options, text []byte, env Env) error {
	id := opts.RunID
	if id == "" {
		id = env.now().UTC().Format(RunIDLayout)
	}
	p.Dir = filepath.Join(opts.ResultsDir, id)
	if _, err := os.Stat(filepath.Join(p.Dir, results.RunFile)); err == nil {
		return input(fmt.Errorf("%s already holds a run; use --resume %s or another --run-id", p.Dir, p.Dir))
	}
	if _, err := os.Stat(p.Dir); errors.Is(err, os.ErrNotExist) {
		p.created = true
	}
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
	}
	l, err := lockRun(p.Dir)
	if err != nil {
		p.Discard()
		return err
	}
	p.lock = l
	if _, err := os.Stat(filepath.Join(p.Dir, results.RunFile)); err == nil {
		p.Discard() // another harness made it a run in between
		return input(fmt.Errorf("%s already holds a run; use --resume %s or another --run-id", p.Dir, p.Dir))
	}
	p.Run = &results.Run{Schema: results.SchemaVersion, ID: id, Matrix: env.abs(opts.Matrix), MatrixYAML: string(text),
		Shard: opts.Shard, Started: env.now().UTC(), Host: host(env)}
	return nil
}

func probeWritable(dir string) error {
	f, err := os.CreateTemp(dir, ".probe-*")
	if err != nil {
		return err
	}
	name := f.Name()
	f.Close()
	return os.Remove(name)
}

// host describes the machine a run ran on.
func host(env Env) results.Host {
	h := results.Host{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version(),
		Hostname: env.Hostname}
	if env.ProcRoot != "" {
		if data, err := os.ReadFile(filepath.Join(env.ProcRoot, "sys/kernel/osrelease")); err == nil {
			h.Kernel = strings.TrimSpace(string(data))
		}
	}
	h.Cgroup = cgroup.None.String()
	if env.CgroupRoot != "" && env.Mounts != "" {
		if hier, err := cgroup.Detect(env.CgroupRoot, env.Mounts); err == nil {
			h.Cgroup = hier.Version.String() // the memory controller's hierarchy
		}
	}
	return h
}

// expandFor expands m for run (nil for a new run). A resumed run started by
// a soaklab that crossed client and workload targets with every tasks and
// rps value (matrix.KeepUnusedAxes) keeps the cell ids it stored: when the
// run holds cells the matrix no longer makes and that expansion makes them
// all, it is the one used.
func expandFor(m *matrix.Matrix, run *results.Run) ([]matrix.Cell, error) {
	cells, err := m.Expand()
	if err != nil || run == nil || covers(cells, run.Cells) {
		return cells, err
	}
	old := *m
	old.KeepUnusedAxes = true
	legacy, err := old.Expand()
	if err != nil || !covers(legacy, run.Cells) {
		return cells, nil
	}
	m.KeepUnusedAxes = true
	return legacy, nil
}

// covers reports whether every stored cell is one of cells.
func covers(cells []matrix.Cell, stored []results.Cell) bool {
	ids := make(map[string]bool, len(cells))
	for _, c := range cells {
		ids[c.ID] = true
	}
	for _, c := range stored {
		if !ids[c.ID] {
			return false
		}
	}
	return true
}
