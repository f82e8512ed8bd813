package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"soaklab/harness/probe"
	"soaklab/harness/results"
	"soaklab/harness/target"
	"soaklab/matrix"
)

// cellRun holds what one cell gathers while it runs.
type cellRun struct {
	r    *Runner
	cell matrix.Cell
	tgt  matrix.Target
	res  *results.Cell
	dir  string
	obs  Observer

	mu sync.Mutex // guards res.Warnings and res.Detail written by goroutines
}

// warn records a warning in the cell's result and tells the observer, once
// per distinct message (a full disk fails every sample the same way); safe
// from any goroutine.
func (cr *cellRun) warn(msg string) {
	cr.mu.Lock()
	n := len(cr.res.Warnings)
	cr.res.Warnings = appendOnce(cr.res.Warnings, msg)
	fresh := len(cr.res.Warnings) > n
	cr.mu.Unlock()
	if fresh {
		cr.obs.Warn(cr.cell.ID + ": " + msg)
	}
}

func (r *Runner) target(name string) (matrix.Target, bool) {
	for _, t := range r.Matrix.Targets {
		if t.Name == name {
			return t, true
		}
	}
	return matrix.Target{}, false
}

// runCell runs one cell to its end and returns its result. It never fails:
// whatever goes wrong becomes the cell's outcome.
func (r *Runner) runCell(ctx context.Context, c matrix.Cell, obs Observer) *results.Cell {
	res := pending(c, r.Matrix)
	cr := &cellRun{r: r, cell: c, res: &res, obs: obs, dir: filepath.Join(r.Dir, results.CellsDir, res.Dir)}
	res.Backend = r.Backend.Name()
	res.Interval = r.Matrix.Interval.Seconds()
	res.Started = time.Now().UTC()
	tgt, ok := r.target(c.Target)
	if !ok {
		return cr.fail(results.Errored, fmt.Sprintf("unknown target %q", c.Target))
	}
	cr.tgt = tgt
	res.Kind = tgt.Kind
	if res.Kind == "" {
		res.Kind = matrix.KindServer
	}
	warmup := c.Warmup // the target's own, or a tenth of the duration
	if warmup == 0 {
		warmup = tgt.Warmup
	}
	res.Warmup = warmup.Seconds()
	if err := os.MkdirAll(cr.dir, 0o755); err != nil {
		return cr.fail(results.Errored, "create cell directory: "+err.Error())
	}
	cr.run(ctx, warmup)
	res.Ended = time.Now().UTC()
	return &res
}

func (cr *cellRun) fail(o results.Outcome, detail string) *results.Cell {
	cr.res.Outcome, cr.res.Detail = o, detail
	cr.res.Ended = time.Now().UTC()
	return cr.res
}

func (cr *cellRun) run(ctx context.Context, warmup time.Duration) {
	r, c, t, res := cr.r, cr.cell, cr.tgt, cr.res
	logf, err := os.Create(filepath.Join(cr.dir, results.LogFile))
	if err != nil {
		cr.fail(results.Errored, "create target log: "+err.Error())
		return
	}
	defer logf.Close()
	port, err := freePort()
	if err != nil {
		cr.fail(results.Errored, "find a free port: "+err.Error())
		return
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	env := cellEnv(c, t, port)

	var sink Sink
	if res.Kind == matrix.KindClient {
		if r.NewSink == nil {
			cr.fail(results.Errored, "client target but no sink available")
			return
		}
		if sink, err = r.NewSink(c); err != nil {
			cr.fail(results.Errored, "start sink: "+err.Error())
			return
		}
		defer sink.Close()
		sinkEnv := t.SinkEnv
		if sinkEnv == "" {
			sinkEnv = "SINK_URL"
		}
		env = append(env, sinkEnv+"="+sink.URL())
	}

	logw := newCapWriter(logf, DefaultLogCap)
	defer func() {
		if n := logw.Dropped(); n > 0 {
			cr.warn(fmt.Sprintf("target log capped at %d bytes; %d bytes of output dropped", DefaultLogCap, n))
		}
	}()
	spec := target.Spec{RunID: filepath.Base(r.Dir), CellID: c.ID, Name: t.Name, Dir: r.WorkDir,
		Env: env, MemoryLimit: c.RAM, Stdout: logw, Stderr: logw, Image: t.Image}
	switch {
	case t.Build != "":
		spec.Path = r.Binaries[t.Name]
	case len(t.Command) > 0:
		spec.Path, spec.Args = t.Command[0], t.Command[1:]
		if !filepath.IsAbs(spec.Path) && filepath.Base(spec.Path) != spec.Path {
			spec.Path = filepath.Join(r.WorkDir, spec.Path)
		}
	case t.Dockerfile != "":
		spec.Dockerfile = filepath.Join(r.WorkDir, t.Dockerfile)
	}
	inst, err := r.Backend.Start(ctx, spec)
	if err != nil {
		cr.fail(results.Errored, err.Error())
		return
	}
	res.Enforcement = inst.Enforcement()
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), DefaultStopTimeout)
		defer cancel()
		if err := inst.Stop(sctx); err != nil {
			cr.warn("stop target: " + err.Error())
		}
	}()
	start := time.Now()

	// Sample from the start: a target that dies while starting still shows
	// how its memory grew.
	sw, err := results.CreateSamples(filepath.Join(cr.dir, results.SamplesFile))
	if err != nil {
		cr.fail(results.Errored, "create samples file: "+err.Error())
		return
	}
	var driver Driver
	var loadMu sync.Mutex
	sampler := &probe.Sampler{Procs: r.Procs, PID: inst.PID(), SelfPID: r.SelfPID, Memory: inst.Memory,
		Start: start, Warmup: warmup}
	if _, err := inst.Memory(); err != nil {
		sampler.Memory = nil
	}
	if t.Metrics != "" {
		var names []string
		if t.Throughput != "" {
			names = append(names, t.Throughput)
		}
		sampler.Scraper = &probe.Scraper{URL: base + t.Metrics, Names: names}
	}
	sampler.Load = func() probe.LoadWindow {
		loadMu.Lock()
		defer loadMu.Unlock()
		switch {
		case driver != nil:
			return driver.Interval()
		case sink != nil:
			return sink.Interval()
		}
		return probe.LoadWindow{}
	}
	sctx, stopSampling := context.WithCancel(context.Background())
	var sampling sync.WaitGroup
	sampling.Add(1)
	go func() {
		defer sampling.Done()
		sampler.Run(sctx, r.Matrix.Interval, func(s results.Sample) {
			if err := sw.Write(&s); err != nil {
				cr.warn("write samples: " + err.Error())
			}
			cr.track(s)
			cr.obs.Sampled(c, s)
		})
	}()
	finishSampling := func() {
		stopSampling()
		sampling.Wait()
		res.Samples = sw.Count()
		if err := sw.Close(); err != nil {
			cr.warn("close samples: " + err.Error())
		}
	}

	readyPath := t.Ready.Path
	if readyPath == "" {
		readyPath = "/healthz"
	}
	readyTimeout := t.Ready.Timeout
	if readyTimeout == 0 {
		readyTimeout = 10 * time.Second
	}
	if err := waitReady(ctx, base+readyPath, readyTimeout, inst.Done()); err != nil {
		finishSampling()
		switch {
		case errors.Is(err, errDied):
			cr.exited(inst, "while starting")
		case ctx.Err() != nil:
			cr.fail(results.Interrupted, "interrupted while waiting for the target to be ready")
		default:
			cr.fail(results.NotReady, err.Error()+tail(logf.Name()))
		}
		return
	}

	var before *profile.Profile
	var profMu sync.Mutex
	pprofURL := ""
	if t.Pprof != "" {
		pprofURL = base + t.Pprof + "/heap"
		timer := time.AfterFunc(warmup, func() {
			p, err := probe.FetchHeap(ctx, nil, pprofURL)
			profMu.Lock()
			defer profMu.Unlock()
			if err == nil {
				before = p
			}
		})
		defer timer.Stop()
	}

	lctx, stopLoad := context.WithTimeout(ctx, c.Duration)
	defer stopLoad()
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		if res.Kind != matrix.KindServer {
			<-lctx.Done()
			return
		}
		w := r.Matrix.Workload
		if t.Workload != nil {
			w = *t.Workload
		}
		d, err := r.NewDriver(base, w, c)
		if err != nil {
			cr.warn("driver: " + err.Error())
			cr.mu.Lock()
			res.Detail = "driver: " + err.Error()
			cr.mu.Unlock()
			stopLoad()
			return
		}
		loadMu.Lock()
		driver = d
		loadMu.Unlock()
		l, err := d.Run(lctx)
		if err != nil {
			cr.warn("driver: " + err.Error())
		}
		res.Load = l
	}()

	select {
	case <-inst.Done():
		stopLoad()
		<-loadDone
		finishSampling()
		cr.exited(inst, fmt.Sprintf("after %.0f s", time.Since(start).Seconds()))
		return
	case <-loadDone:
	}
	if res.Kind != matrix.KindServer {
		// Give the last interval of a self-driven target a sample.
		<-lctx.Done()
	}
	if pprofURL != "" {
		after, err := probe.FetchHeap(context.Background(), nil, pprofURL)
		profMu.Lock()
		if err == nil && before != nil {
			res.GrowthSites = probe.Growth(before, after, probe.DefaultTopSites)
		} else if err != nil {
			cr.warn("heap profile at end: " + err.Error())
		}
		profMu.Unlock()
	}
	finishSampling()
	select {
	case <-inst.Done():
		cr.exited(inst, "at the end of the cell")
		return
	default:
	}
	switch {
	case ctx.Err() != nil:
		res.Outcome, res.Detail = results.Interrupted, "interrupted by signal"
	case res.Detail != "":
		res.Outcome = results.Errored
	default:
		res.Outcome = results.Completed
	}
}

// exited records how a target that ended by itself ended.
func (cr *cellRun) exited(inst target.Instance, when string) {
	e := inst.Exit()
	res := cr.res
	// The last cgroup reading, taken as the target exited, holds the peak
	// of a target killed between two samples.
	if m, err := inst.Memory(); err == nil {
		res.PeakCgroup = max(res.PeakCgroup, m.Peak, m.Usage)
	}
	res.ExitCode, res.Signal = e.Code, e.Signal
	if e.OOMKills > res.OOMKills {
		res.OOMKills = e.OOMKills
	}
	switch {
	case e.OOMKilled:
		res.Outcome = results.OOMKilled
		if inst.Enforcement() == "watchdog" {
			res.Detail = fmt.Sprintf("killed by soaklab's RSS watchdog %s: RSS passed the %s limit", when, mib(cr.cell.RAM))
		} else {
			res.Detail = fmt.Sprintf("killed by the kernel's OOM killer %s (cgroup oom_kill=%d, limit %s)", when, e.OOMKills, mib(cr.cell.RAM))
		}
	case e.Signal != "":
		res.Outcome = results.Crashed
		res.Detail = fmt.Sprintf("killed by signal %q %s", e.Signal, when)
	default:
		res.Outcome = results.Crashed
		res.Detail = fmt.Sprintf("exited with status %d %s", e.Code, when)
	}
	if res.Outcome == results.Crashed {
		res.Detail += tail(filepath.Join(cr.dir, results.LogFile))
	}
}

// track keeps peaks and the OOM counter up to date from each sample.
func (cr *cellRun) track(s results.Sample) {
	res := cr.res
	res.PeakRSS = max(res.PeakRSS, s.RSS, s.RSSPeak)
	res.PeakCgroup = max(res.PeakCgroup, s.CgroupPeak, s.Usage)
	res.OOMKills = max(res.OOMKills, s.OOMKills)
}

// cellEnv is the target's environment for a cell: its rendered env, the
// port, and the cell's identity.
func cellEnv(c matrix.Cell, t matrix.Target, port int) []string {
	portEnv := t.PortEnv
	if portEnv == "" {
		portEnv = "PORT"
	}
	keys := make([]string, 0, len(c.Env))
	for k := range c.Env {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	env := make([]string, 0, len(keys)+4)
	for _, k := range keys {
		env = append(env, k+"="+c.Env[k])
	}
	return append(env, portEnv+"="+strconv.Itoa(port), "SOAKLAB_CELL="+c.ID,
		"SOAKLAB_RAM="+strconv.FormatInt(c.RAM, 10))
}

// tail returns the last lines of a target's log, for crash messages.
func tail(path string) string {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		return ""
	}
	const max = 600
	if len(data) > max {
		data = data[len(data)-max:]
	}
	return "; last output: " + string(data)
}

// mib formats a byte count for messages.
func mib(n int64) string { return strconv.FormatInt(n>>20, 10) + " MiB" }

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
