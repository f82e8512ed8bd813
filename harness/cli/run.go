package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/soaklab/soaklab/harness/live"
	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

// runFlags are `soaklab run`'s flags.
type runFlags struct {
	matrix, resultsDir, runID, shard, baseline, resume, backend, listen string
	quiet, jsonLog                                                      bool
}

func cmdRun(ctx context.Context, args []string, env Env) int {
	var f runFlags
	fs := flags("run", env)
	fs.StringVar(&f.matrix, "matrix", "matrix.yaml", "matrix file")
	fs.StringVar(&f.matrix, "m", "matrix.yaml", "matrix file (shorthand)")
	fs.StringVar(&f.resultsDir, "results", "results", "directory that holds runs")
	fs.StringVar(&f.runID, "run-id", "", "run id (default: a timestamp)")
	fs.StringVar(&f.shard, "shard", "", "run only shard i of n, e.g. 2/8")
	fs.StringVar(&f.baseline, "baseline", "", "earlier run directory to compare against")
	fs.StringVar(&f.resume, "resume", "", "run directory to finish: runs only cells without a final result")
	fs.StringVar(&f.backend, "backend", "", "override the matrix's backend: process, docker or auto")
	fs.StringVar(&f.listen, "listen", "", "serve live Prometheus metrics on this loopback address, e.g. 127.0.0.1:9464")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final summary")
	fs.BoolVar(&f.jsonLog, "json", false, "print progress as JSON lines")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	if fs.NArg() > 0 {
		return fail(env, ExitUsage, "run: unexpected argument %q", fs.Arg(0))
	}
	if f.runID != "" {
		if err := results.CheckRunID(f.runID); err != nil {
			return fail(env, ExitUsage, "run: --run-id: %v", err)
		}
	}
	if f.listen != "" {
		if err := live.CheckLoopback(f.listen); err != nil {
			return fail(env, ExitUsage, "run: --listen: %v", err)
		}
	}

	// A resumed run uses the matrix it was started with, not today's file.
	var run *results.Run
	var m *matrix.Matrix
	var err error
	runDir := ""
	if f.resume != "" {
		runDir = f.resume
		if run, err = results.ReadRun(runDir); err != nil {
			return fail(env, ExitUsage, "resume: %v", err)
		}
		m, err = matrix.Parse(run.Matrix, []byte(run.MatrixYAML))
		if err == nil && f.shard == "" {
			f.shard = run.Shard
		}
	} else {
		m, err = matrix.Load(f.matrix, matrix.CheckHost())
	}
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	}
	cells, err := m.Expand()
	if err != nil {
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	}
	printWarnings(env, m)
	if f.shard != "" {
		i, n, err := matrix.ParseShard(f.shard)
		if err != nil {
			return fail(env, ExitUsage, "run: --shard: %v", err)
		}
		cells = matrix.Shard(cells, i, n)
	}
	if f.backend != "" {
		m.Backend = f.backend
	}

	if run == nil {
		text, err := os.ReadFile(f.matrix)
		if err != nil {
			return fail(env, ExitUsage, "%v", err)
		}
		id := f.runID
		if id == "" {
			id = env.Now().UTC().Format("20060102-150405")
		}
		runDir = filepath.Join(f.resultsDir, id)
		if _, err := os.Stat(filepath.Join(runDir, results.RunFile)); err == nil {
			return fail(env, ExitUsage, "run: %s already holds a run; use --resume %s or another --run-id", runDir, runDir)
		}
		if err := os.MkdirAll(runDir, 0o755); err != nil {
			return fail(env, ExitHarness, "results directory: %v", err)
		}
		abs, _ := filepath.Abs(f.matrix)
		run = &results.Run{Schema: results.SchemaVersion, ID: id, Matrix: abs, MatrixYAML: string(text),
			Shard: f.shard, Started: env.Now().UTC(), Host: host(env)}
	}
	if f.baseline != "" {
		run.Baseline = f.baseline
	}
	if err := probeWritable(runDir); err != nil {
		return fail(env, ExitHarness, "results directory %s is not writable: %v", runDir, err)
	}

	backend, note, err := chooseBackend(ctx, m.Backend, env)
	if err != nil {
		return fail(env, ExitHarness, "backend: %v", err)
	}
	run.Backend = backend.Name()
	fmt.Fprintf(env.Stderr, "soaklab: run %s: %d cells, backend %s\n", run.ID, len(cells), note)

	ctx, stop := withSignals(ctx, env)
	defer stop()

	obs, closeObs, err := observers(f, env, run)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	defer closeObs()
	workDir := filepath.Dir(run.Matrix)
	bins, err := runner.Build(ctx, workDir, filepath.Join(runDir, "bin"), m.Targets)
	if err != nil {
		return fail(env, ExitUsage, "%v", err)
	}
	procs, err := probe.NewProcs(env.ProcRoot)
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	r := &runner.Runner{Backend: backend, Matrix: m, Binaries: bins, WorkDir: workDir, Dir: runDir,
		NewDriver: driverFactory(workDir), NewSink: newSink, Observer: obs, Procs: procs, SelfPID: os.Getpid(), Runtime: probe.ReadGoRuntime}
	runErr := r.Run(ctx, run, cells)
	// Whatever happened, judge and render what was measured.
	code, err := finish(runDir, env)
	if runErr != nil {
		return fail(env, ExitHarness, "run %s: %v (results so far are in %s)", run.ID, runErr, runDir)
	}
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "soaklab: interrupted; finish it with: soaklab run --resume %s\n", runDir)
		if code == ExitOK {
			code = ExitHarness
		}
	}
	return code
}

// withSignals cancels ctx on the first SIGINT/SIGTERM; a second one exits
// at once (cgroups and containers left behind go with `soaklab clean`).
func withSignals(ctx context.Context, env Env) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	if env.Signals == nil {
		return ctx, cancel
	}
	done := make(chan struct{})
	go func() {
		select {
		case s := <-env.Signals:
			fmt.Fprintf(env.Stderr, "soaklab: %v: stopping load, recording the cell as interrupted and writing the report (again to quit at once)\n", s)
			cancel()
		case <-done:
			return
		}
		select {
		case <-env.Signals:
			fmt.Fprintln(env.Stderr, "soaklab: second signal: exiting now; run `soaklab clean` to remove what is left")
			os.Exit(ExitHarness)
		case <-done:
		}
	}()
	return ctx, func() { close(done); cancel() }
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

func host(env Env) results.Host {
	h := results.Host{OS: runtime.GOOS, Arch: runtime.GOARCH, CPUs: runtime.NumCPU(), GoVersion: runtime.Version()}
	h.Hostname, _ = os.Hostname()
	if data, err := os.ReadFile(filepath.Join(env.ProcRoot, "sys/kernel/osrelease")); err == nil {
		h.Kernel = strings.TrimSpace(string(data))
	}
	return h
}
