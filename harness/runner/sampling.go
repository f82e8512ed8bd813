package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/target"
)

// loadSource is where the sampler reads the last interval's load: the
// driver of a server target, the sink of a client target, or nothing.
type loadSource struct {
	mu     sync.Mutex
	driver Driver
	sink   Sink
}

func (l *loadSource) setDriver(d Driver) {
	l.mu.Lock()
	l.driver = d
	l.mu.Unlock()
}

func (l *loadSource) interval() probe.LoadWindow {
	l.mu.Lock()
	defer l.mu.Unlock()
	switch {
	case l.driver != nil:
		return l.driver.Interval()
	case l.sink != nil:
		return l.sink.Interval()
	}
	return probe.LoadWindow{}
}

// sampling streams one sample per interval to samples.jsonl until finished.
type sampling struct {
	cr     *cellRun
	w      *results.SampleWriter
	cancel context.CancelFunc
	wg     sync.WaitGroup
	once   sync.Once
}

// startSampling starts sampling inst from now on: a target that dies while
// starting still shows how its memory grew.
func (cr *cellRun) startSampling(inst target.Instance, base string, start time.Time, warmup time.Duration, load *loadSource) (*sampling, error) {
	w, err := results.CreateSamples(filepath.Join(cr.dir, results.SamplesFile))
	if err != nil {
		return nil, err
	}
	r, t := cr.r, cr.tgt
	sampler := &probe.Sampler{Procs: r.Procs, PID: inst.PID(), SelfPID: r.SelfPID, Runtime: r.Runtime, Memory: inst.Memory,
		Start: start, Warmup: warmup, Load: load.interval}
	if _, err := inst.Memory(); err != nil {
		sampler.Memory = nil // watchdog mode: no cgroup to read
	}
	if m, ok := inst.(target.CPUMeter); ok {
		if _, err := m.CPU(); err == nil {
			sampler.CPU = m.CPU // else no CPU accounting: not measured
		}
	}
	if l, ok := inst.(target.ProcessLister); ok {
		sampler.Members = l.Processes
	}
	if t.Metrics != "" {
		var names []string
		if t.Throughput != "" {
			names = append(names, t.Throughput)
		}
		names = append(names, t.MetricsKeep...)
		for _, th := range t.Thresholds {
			names = append(names, th.Series) // a built-in series is no family: never found, harmless
		}
		sampler.Scraper = &probe.Scraper{URL: base + t.Metrics, Names: names, MaxSeries: t.MetricsMaxSeries}
		// A target that answers its metrics path with an error status is up
		// and the path is wrong: say so during the run, once. (Refused
		// connections are a target still starting, or gone.)
		sampler.ScrapeFailed = func(err error) {
			var st *probe.StatusError
			if errors.As(err, &st) {
				cr.warn(fmt.Sprintf("metrics %s answers %s: no metrics are sampled (check the target's metrics: path)", t.Metrics, st.Status))
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &sampling{cr: cr, w: w, cancel: cancel}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		sampler.Run(ctx, r.Matrix.Interval, func(smp results.Sample) {
			if err := w.Write(&smp); err != nil {
				cr.warn("write samples: " + err.Error())
			}
			cr.track(smp)
			cr.watch(smp)
			if h := cr.heap.Load(); h != nil {
				h.sampled(held(smp), cr.cell.RAM)
			}
			cr.obs.Sampled(cr.cell, smp)
		})
	}()
	return s, nil
}

// finish stops sampling, waits for the last sample and closes the file.
// Safe to call more than once.
func (s *sampling) finish() {
	s.once.Do(func() {
		s.cancel()
		s.wg.Wait()
		s.cr.res.Samples = s.w.Count()
		if err := s.w.Close(); err != nil {
			s.cr.warn("close samples: " + err.Error())
		}
	})
}

// held is a sample's memory held against the limit: the cgroup's working
// set, else (no cgroup) RSS.
func held(s results.Sample) int64 {
	if s.WorkingSet > 0 {
		return s.WorkingSet
	}
	return s.RSS
}
