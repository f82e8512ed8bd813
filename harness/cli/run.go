package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/soaklab/soaklab/harness/live"
	"github.com/soaklab/soaklab/harness/pipeline"
	"github.com/soaklab/soaklab/matrix"
)

// runFlags are `soaklab run`'s flags.
type runFlags struct {
	matrix, resultsDir, runID, shard, baseline, resume, backend, listen string
	quiet, jsonLog, noEarlyStop                                         bool
	progressEvery                                                       time.Duration
}

func cmdRun(ctx context.Context, args []string, env Env) int {
	var f runFlags
	fs := flags("run", env)
	fs.StringVar(&f.matrix, "matrix", "matrix.yaml", "matrix file")
	fs.StringVar(&f.matrix, "m", "matrix.yaml", "matrix file (shorthand)")
	fs.StringVar(&f.resultsDir, "results", "results", "directory that holds runs")
	fs.StringVar(&f.runID, "run-id", "", "run id (default: a timestamp)")
	fs.StringVar(&f.shard, "shard", "", "run only shard i of n, e.g. 2/8")
	fs.StringVar(&f.baseline, "baseline", "", "earlier run to compare against: a run directory or a run id under --results")
	fs.StringVar(&f.resume, "resume", "", "run to finish (directory or id): runs only cells without a final result")
	fs.StringVar(&f.backend, "backend", "", "override the matrix's backend: process, docker or auto")
	fs.StringVar(&f.listen, "listen", "", "serve live Prometheus metrics on this loopback address, e.g. 127.0.0.1:9464")
	fs.BoolVar(&f.quiet, "quiet", false, "print only the final summary")
	fs.BoolVar(&f.jsonLog, "json", false, "print progress as JSON lines")
	fs.BoolVar(&f.noEarlyStop, "no-early-stop", false, "run every cell to its planned end, even once its NO-GO is certain (overrides the matrix's judge.early_stop)")
	fs.DurationVar(&f.progressEvery, "progress-every", 0, "plain progress (stdout not a terminal, or CI=true): a line per running cell this often (default 30s; a terminal gets a live view)")
	if code := parse(fs, args); code >= 0 {
		return code
	}
	switch {
	case fs.NArg() > 1:
		return fail(env, ExitUsage, "run: unexpected argument %q (one matrix file per run)", fs.Arg(1))
	case fs.NArg() == 1 && (fs.explicit["matrix"] || fs.explicit["m"]):
		return fail(env, ExitUsage, "run: the matrix is given twice: %q and -m %q", fs.Arg(0), f.matrix)
	case fs.NArg() == 1 && f.resume != "":
		return fail(env, ExitUsage, "run: --resume runs the matrix the run was started with; drop %q", fs.Arg(0))
	case fs.NArg() == 1:
		f.matrix = fs.Arg(0)
	}
	if f.progressEvery < 0 {
		return fail(env, ExitUsage, "run: --progress-every %s: must be positive", f.progressEvery)
	}
	for _, ref := range []*string{&f.resume, &f.baseline} {
		if *ref == "" {
			continue
		}
		dir, err := pipeline.FindRun(f.resultsDir, *ref)
		if err != nil {
			return failErr(env, "run", err)
		}
		*ref = dir
	}
	if f.listen != "" {
		if err := live.CheckLoopback(f.listen); err != nil {
			return fail(env, ExitUsage, "run: --listen: %v", err)
		}
	}
	penv := pipelineEnv(env)
	plan, err := pipeline.NewPlan(pipeline.Options{Matrix: f.matrix, ResultsDir: f.resultsDir, RunID: f.runID,
		Shard: f.shard, Baseline: f.baseline, Resume: f.resume, Backend: f.backend, NoEarlyStop: f.noEarlyStop}, penv)
	if err != nil {
		return failErr(env, "run", err)
	}
	defer plan.Close()
	if env.Announce != nil {
		env.Announce(plan.Dir)
	}
	printWarnings(env, plan.Matrix)
	note, err := plan.Open(ctx, penv)
	if err != nil {
		plan.Discard() // nothing ran: no empty run directory is left
		return fail(env, ExitHarness, "%v", err)
	}
	obs, closeObs, err := observers(f, env, plan.Run)
	if err != nil {
		plan.Discard()
		return fail(env, ExitUsage, "%v", err)
	}
	defer closeObs()
	// Once the run can start: a run refused is one line.
	if !f.quiet && !f.jsonLog {
		fmt.Fprintf(env.Stderr, "planned: %s\n", pipeline.EstimateCells(plan.Cells))
	}
	fmt.Fprintf(env.Stderr, "soaklab: run %s: %d cells, backend %s\n", plan.Run.ID, len(plan.Cells), note)

	ctx, stop := pipeline.WithSignals(ctx, penv)
	defer stop()
	runErr := plan.Execute(ctx, obs, penv)
	if runErr != nil && pipeline.IsInput(runErr) {
		return failErr(env, "run", runErr)
	}
	// Whatever happened, judge and render what was measured.
	code, err := finish(plan.Dir, env)
	if runErr != nil {
		return fail(env, ExitHarness, "%v", runErr)
	}
	if err != nil {
		return fail(env, ExitHarness, "%v", err)
	}
	if ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "soaklab: interrupted; finish it with: soaklab run --resume %s\n", plan.Dir)
		if code == ExitOK {
			code = ExitHarness
		}
	}
	return code
}

// failErr prints an error of the pipeline and returns its exit code: a
// matrix's problems as they are (file:line:column, one a line), other
// errors in what the user gave with ExitUsage, the rest with ExitHarness.
func failErr(env Env, cmd string, err error) int {
	switch {
	case errors.Is(err, matrix.ErrInvalid), errors.Is(err, matrix.ErrExpand):
		fmt.Fprintln(env.Stderr, err)
		return ExitUsage
	case pipeline.IsInput(err):
		return fail(env, ExitUsage, "%s: %v", cmd, err)
	}
	return fail(env, ExitHarness, "%s: %v", cmd, err)
}
