package pipeline

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
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
}

// Plan is a run ready to start: its directory exists and is writable, its
// run.json entry is filled in, and its cells are known.
type Plan struct {
	Run    *results.Run
	Dir    string // the run directory
	Matrix *matrix.Matrix
	Cells  []matrix.Cell // this shard's cells, in order

	backend target.Backend // set by Open
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
	p := &Plan{}
	var text []byte
	var err error
	if opts.Resume != "" {
		p.Dir = opts.Resume
		if p.Run, err = results.ReadRun(p.Dir); err != nil {
			return nil, input(fmt.Errorf("resume: %w", err))
		}
		p.Matrix, err = matrix.Parse(p.Run.Matrix, []byte(p.Run.MatrixYAML))
		if err == nil && opts.Shard == "" {
			opts.Shard = p.Run.Shard
		}
	} else {
		// Read where the working directory says; errors name the file as
		// the user spelled it.
		if text, err = matrix.ReadFile(env.abs(opts.Matrix), opts.Matrix); err != nil {
			return nil, input(err)
		}
		p.Matrix, err = matrix.Parse(opts.Matrix, text, matrix.CheckHostAt(filepath.Dir(env.abs(opts.Matrix))))
	}
	if err != nil {
		return nil, input(err)
	}
	if p.Cells, err = p.Matrix.Expand(); err != nil {
		return nil, input(err)
	}
	if opts.Shard != "" {
		i, n, err := matrix.ParseShard(opts.Shard)
		if err != nil {
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
		return nil, fmt.Errorf("results directory %s is not writable: %w", p.Dir, err)
	}
	return p, nil
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
	if err := os.MkdirAll(p.Dir, 0o755); err != nil {
		return fmt.Errorf("results directory: %w", err)
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
	return h
}
