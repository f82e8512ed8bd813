package runner

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
	"github.com/soaklab/soaklab/matrix"
)

// cellRun holds what one cell gathers while it runs.
type cellRun struct {
	r    *Runner
	cell matrix.Cell
	tgt  matrix.Target
	res  *results.Cell
	dir  string
	obs  Observer

	watcher Watcher // nil: the cell runs to its planned end
	stopper stopper

	mu sync.Mutex // guards res.Warnings and res.Detail written by goroutines

	heap atomic.Pointer[heapDiff] // heap profiles, told each sample's memory; nil before ready or without pprof
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
	if err := applied(tgt); err != nil {
		return cr.fail(results.Errored, err.Error())
	}
	cr.tgt = tgt
	res.Kind = tgt.Kind
	warmup := c.Warmup // as matrix applied it: the target's own, or its default share of the duration
	res.Warmup = warmup.Seconds()
	if err := os.MkdirAll(cr.dir, 0o755); err != nil {
		return cr.fail(results.Errored, "create cell directory: "+err.Error())
	}
	if old, err := setAside(cr.dir); err != nil {
		return cr.fail(results.Errored, "keep the earlier attempt's files: "+err.Error())
	} else if old != "" {
		cr.warn("an earlier attempt of this cell is kept in " + old)
	}
	if r.Watch != nil {
		cr.watcher = r.Watch(c, res)
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
	logw := newCapWriter(logf, DefaultLogCap)
	defer func() {
		if n := logw.Dropped(); n > 0 {
			cr.warn(fmt.Sprintf("target log capped at %d bytes; %d bytes of output dropped", DefaultLogCap, n))
		}
	}()
	port, err := freePort()
	if err != nil {
		cr.fail(results.Errored, "find a free port: "+err.Error())
		return
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	env := cellEnv(c, t, port)

	load := &loadSource{}
	if res.Kind == matrix.KindClient {
		if r.NewSink == nil {
			cr.fail(results.Errored, "client target but no sink available")
			return
		}
		if load.sink, err = r.NewSink(c); err != nil {
			cr.fail(results.Errored, "start sink: "+err.Error())
			return
		}
		defer load.sink.Close()
		opened := time.Now()
		defer func() { cr.received(load.sink, time.Since(opened)) }() // runs before Close
		env = append(env, t.SinkEnv+"="+load.sink.URL())
	}

	sinkURL := ""
	if load.sink != nil {
		sinkURL = load.sink.URL()
	}
	spec, err := cr.spec(env, logw, port, sinkURL)
	if err != nil {
		cr.fail(results.Errored, err.Error())
		return
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
	smp, err := cr.startSampling(inst, base, start, warmup, load)
	if err != nil {
		cr.fail(results.Errored, "create samples file: "+err.Error())
		return
	}
	defer smp.finish()

	if err := cr.waitReady(ctx, base, inst); err != nil {
		smp.finish()
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
	var heap *heapDiff
	if t.Pprof != "" {
		heap = startHeapDiff(ctx, base+t.Pprof+"/heap", cr.dir, start, warmup, t.ProfileInterval(c.Duration), cr.warn)
		cr.heap.Store(heap)
	}

	lctx, stopLoad := context.WithTimeout(ctx, c.Duration)
	defer stopLoad()
	cr.stopper.set(stopLoad)
	loadDone := make(chan struct{})
	go func() {
		defer close(loadDone)
		if res.Kind == matrix.KindServer {
			cr.drive(lctx, base, load, stopLoad)
		}
		<-lctx.Done() // self-driven targets run for the cell's duration
	}()
	select {
	case <-inst.Done():
		stopLoad()
		<-loadDone
		smp.finish()
		if heap != nil { // the newest profile taken before the target ended
			res.GrowthSites, res.HeapProfiles, _ = heap.finish(false)
		}
		cr.exited(inst, fmt.Sprintf("after %.0f s", time.Since(start).Seconds()))
		return
	case <-loadDone:
	}
	if heap != nil {
		var err error
		res.GrowthSites, res.HeapProfiles, err = heap.finish(true)
		if err != nil {
			cr.warn("heap profiles: " + err.Error())
		}
	}
	smp.finish()
	// A backend may tell of a target's end seconds after it came (the docker
	// engine, busy): a target whose cgroup counted an OOM kill is given a
	// moment to be seen ending, so the kill is not recorded as a cell that
	// completed.
	if cr.res.OOMKills > 0 {
		select {
		case <-inst.Done():
		case <-time.After(EndGrace):
		}
	}
	select {
	case <-inst.Done():
		when := "at the end of the cell"
		if at := inst.Exit().At; at.After(start) && time.Since(at) > time.Second {
			when = fmt.Sprintf("after %.0f s", at.Sub(start).Seconds())
		}
		cr.exited(inst, when)
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

// EndGrace is how long the end of a cell waits for a target whose cgroup
// counted an OOM kill to be reported ended.
const EndGrace = 15 * time.Second

// waitReady waits until the target answers its readiness path; a target
// with `ready: none` listens on no port and is ready once started.
func (cr *cellRun) waitReady(ctx context.Context, base string, inst target.Instance) error {
	if cr.tgt.Ready.None {
		return nil
	}
	return waitReady(ctx, base+cr.tgt.Ready.Path, cr.tgt.Ready.Timeout, inst.Done())
}

// drive runs the load driver against a server target until ctx ends; a
// driver that cannot start ends the cell (stop) as an error.
func (cr *cellRun) drive(ctx context.Context, base string, load *loadSource, stop func()) {
	w := cr.r.Matrix.Workload
	if cr.tgt.Workload != nil {
		w = *cr.tgt.Workload
	}
	d, err := cr.r.NewDriver(base, w, cr.cell)
	if err != nil {
		cr.warn("driver: " + err.Error())
		cr.mu.Lock()
		cr.res.Detail = "driver: " + err.Error()
		cr.mu.Unlock()
		stop()
		return
	}
	load.setDriver(d)
	l, err := d.Run(ctx)
	if err != nil && ctx.Err() == nil {
		cr.warn("driver: " + err.Error())
	}
	cr.res.Load = l
}

// received records what a client target sent to the sink over open, the
// time the sink was open, as the cell's load: the rate the matrix asked of
// the client is the cell's rps (a client cell has one only when the
// target's env or command passes it on).
func (cr *cellRun) received(s Sink, open time.Duration) {
	l := s.Received()
	l.Mode, l.TargetRPS, l.Tasks, l.Duration = results.SinkMode, cr.cell.RPS, cr.cell.Tasks, open.Seconds()
	if open > 0 {
		l.AchievedRPS = float64(l.Completed) / open.Seconds()
	}
	cr.res.Load = &l
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
			res.Detail = fmt.Sprintf("killed by soaklab's RSS watchdog %s: RSS passed the %s limit", when, matrix.FormatSize(cr.cell.RAM))
		} else {
			res.Detail = fmt.Sprintf("killed by the kernel's OOM killer %s (cgroup oom_kill=%d, limit %s)", when, e.OOMKills, matrix.FormatSize(cr.cell.RAM))
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

func appendOnce(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}
