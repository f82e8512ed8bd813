package runner

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
)

// DefaultProfileTimeout bounds one heap profile download: a slow or stuck
// /debug/pprof/heap delays the next profile and nothing else.
const DefaultProfileTimeout = 10 * time.Second

// DefaultProfileAt are the shares of the memory limit whose first
// crossing takes a heap profile at once, besides the periodic ones: a
// leak fast enough to be killed between two periodic profiles still
// leaves one taken near the limit.
var DefaultProfileAt = []float64{0.5, 0.75, 0.9}

// heapDiff takes Go heap profiles during a cell, in a goroutine of its
// own: one as soon as the target is ready (the start), one at the end of
// warm-up (the baseline), then one every interval and one when memory first
// crosses each of DefaultProfileAt of the limit, and one at the end of a
// cell whose target is still alive. It keeps three, in memory and on disk
// (results.HeapStartFile, HeapBaselineFile, HeapLastFile): the start, the
// baseline and the newest. The growth sites are the newest less the
// baseline; a cell that ended before its end (OOM-killed, crashed) with no
// growth after its baseline, or no baseline at all (it died during
// warm-up), is compared with the start instead, so it names the sites that
// grew until the last profile before it ended.
type heapDiff struct {
	url     string
	dir     string // cell directory the profiles are written to; "" = not written
	start   time.Time
	every   time.Duration
	timeout time.Duration
	warn    func(string)

	kick   chan string // a memory level crossed: profile now
	cancel context.CancelFunc
	done   chan struct{}

	mu                    sync.Mutex
	ready, baseline, last *heapTaken
	taken, failed         int
	lastErr               error // of the latest attempt that failed
	fired                 int   // levels of DefaultProfileAt already crossed
}

// heapTaken is one profile kept: where it is on disk, when and why it was
// taken.
type heapTaken struct {
	p    *profile.Profile
	at   float64 // seconds since start
	why  string
	file string
}

// Why the start and the baseline are taken.
const (
	whyReady    = "target ready"
	whyBaseline = "end of warm-up"
	whyEnd      = results.HeapAtEnd
)

// startHeapDiff starts profiling url (the target's /debug/pprof/heap) of
// a target that is ready: at once, after warmup, then every `every`. warn
// reports a profile endpoint that answers with an error status.
func startHeapDiff(ctx context.Context, url, dir string, start time.Time, warmup, every time.Duration, warn func(string)) *heapDiff {
	h := newHeapDiff(url, dir, start, every, warn)
	h.run(ctx, warmup)
	return h
}

func newHeapDiff(url, dir string, start time.Time, every time.Duration, warn func(string)) *heapDiff {
	return &heapDiff{url: url, dir: dir, start: start, every: every, timeout: DefaultProfileTimeout, warn: warn,
		kick: make(chan string, 1), done: make(chan struct{})}
}

// run starts the profiling goroutine.
func (h *heapDiff) run(ctx context.Context, warmup time.Duration) {
	ctx, h.cancel = context.WithCancel(ctx)
	go h.loop(ctx, warmup)
}

func (h *heapDiff) loop(ctx context.Context, warmup time.Duration) {
	defer close(h.done)
	_ = h.take(ctx, whyReady)
	wait := time.NewTimer(warmup)
	defer wait.Stop()
	tick := time.NewTicker(h.every)
	defer tick.Stop()
	owed := false // the baseline failed: the next profile is the baseline
	for {
		why := "every " + shortDuration(h.every)
		select {
		case <-wait.C: // first when both are due: the baseline is the end of warm-up
			why = whyBaseline
		default:
			select {
			case <-ctx.Done():
				return
			case <-wait.C:
				why = whyBaseline
			case <-tick.C:
			case why = <-h.kick:
			}
		}
		if owed {
			why = whyBaseline
		}
		owed = h.take(ctx, why) != nil && why == whyBaseline
	}
}

// take downloads one profile and keeps it: the first taken is the start,
// the one at the end of warm-up the baseline, any other replaces the
// newest.
func (h *heapDiff) take(ctx context.Context, why string) error {
	raw, p, err := probe.FetchHeapRaw(ctx, nil, h.timeout, h.url)
	at := time.Since(h.start).Seconds()
	h.mu.Lock()
	if err != nil {
		h.lastErr = err
		if ctx.Err() == nil {
			h.failed++
		} else {
			h.lastErr = errors.New("no answer before the cell ended")
		}
		h.mu.Unlock()
		var st *probe.StatusError
		if errors.As(err, &st) && h.warn != nil {
			h.warn(fmt.Sprintf("heap profiles: pprof %s answers %s: no growth sites are named (check the target's pprof: prefix)", h.url, st.Status))
		}
		return err
	}
	h.taken++
	t := &heapTaken{p: p, at: at, why: why}
	var files []string
	switch {
	case h.ready == nil && why == whyBaseline: // the start failed: the baseline stands for it
		t.file, h.ready, h.baseline = results.HeapBaselineFile, t, t
		files = append(files, t.file)
	case h.ready == nil:
		t.file, h.ready = results.HeapStartFile, t
		files = append(files, t.file)
	case why == whyBaseline:
		t.file, h.baseline = results.HeapBaselineFile, t
		files = append(files, t.file)
	default:
		t.file, h.last = results.HeapLastFile, t
		files = append(files, t.file)
	}
	h.mu.Unlock()
	// One take at a time (the loop, then finish): files are written unlocked.
	for _, f := range files {
		if h.dir == "" {
			break
		}
		if err := results.WriteFile(filepath.Join(h.dir, f), raw); err != nil && h.warn != nil {
			h.warn("heap profiles: keep " + f + ": " + err.Error())
		}
	}
	return nil
}

// sampled is told each sample's memory held against the limit; the first
// crossing of each level of DefaultProfileAt asks for a profile at once,
// without waiting (a profile already asked for and not yet taken stands).
func (h *heapDiff) sampled(held, limit int64) {
	if limit <= 0 {
		return
	}
	h.mu.Lock()
	level := -1
	for h.fired < len(DefaultProfileAt) && float64(held) >= DefaultProfileAt[h.fired]*float64(limit) {
		level = h.fired
		h.fired++
	}
	h.mu.Unlock()
	if level < 0 {
		return
	}
	select {
	case h.kick <- fmt.Sprintf("memory at %.0f %% of the limit", 100*DefaultProfileAt[level]):
	default:
	}
}

// finish stops profiling; when the target is still alive (the cell ran to
// its end, or was stopped) it takes a last profile first. It returns the
// growth sites and which two profiles they compare: the newest against the
// baseline; for a target that ended by itself, against the start when
// nothing grew after the baseline or there is none. No sites when fewer
// than two profiles were taken. err is a failed end-of-cell profile (the
// newest earlier one is used instead), or why none was taken at all.
func (h *heapDiff) finish(alive bool) ([]results.GrowthSite, *results.HeapProfiles, error) {
	h.cancel()
	<-h.done
	var err error
	if alive {
		h.mu.Lock()
		started := h.ready != nil
		h.mu.Unlock()
		if started { // a target that never answered gets no more tries
			err = h.take(context.Background(), whyEnd)
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	base := h.baseline
	if base == nil {
		base = h.ready
	}
	if base == nil {
		if err == nil && h.lastErr != nil {
			err = fmt.Errorf("none taken from %s: %w", h.url, h.lastErr)
		}
		return nil, nil, err
	}
	newest := h.last
	if newest == nil || newest.at < base.at {
		newest = base
	}
	var sites []results.GrowthSite
	if newest != base {
		sites = probe.Growth(base.p, newest.p, probe.DefaultTopSites)
	}
	if len(sites) == 0 && !alive && base != h.ready && newest != h.ready {
		base = h.ready
		sites = probe.Growth(base.p, newest.p, probe.DefaultTopSites)
	}
	info := &results.HeapProfiles{FirstS: round1(base.at), First: base.why, FirstFile: base.file, Taken: h.taken, Failed: h.failed}
	if newest != nil && newest != base {
		info.LastS, info.Last, info.LastFile = round1(newest.at), newest.why, newest.file
	}
	return sites, info, err
}

func round1(s float64) float64 { return float64(int64(s*10+0.5)) / 10 }

// shortDuration prints 15s, 5m0s as 5m, 1m30s as 90s.
func shortDuration(d time.Duration) string {
	switch {
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	case d%time.Second == 0:
		return fmt.Sprintf("%ds", d/time.Second)
	}
	return d.String()
}
