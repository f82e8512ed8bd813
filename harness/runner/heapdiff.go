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
// own: a baseline at the end of warm-up, then one every interval and one
// when memory first crosses each of DefaultProfileAt of the limit, and one
// at the end of a cell whose target is still alive. It keeps only two, in
// memory and on disk (results.HeapFirstFile, results.HeapLastFile): the
// baseline and the newest. The growth sites are the difference of the two,
// so a cell OOM-killed or crashed names the sites that grew until the last
// profile before it ended.
type heapDiff struct {
	url     string
	dir     string // cell directory the two profiles are written to; "" = not written
	start   time.Time
	every   time.Duration
	timeout time.Duration
	warn    func(string)

	kick   chan string // a memory level crossed: profile now
	cancel context.CancelFunc
	done   chan struct{}

	mu            sync.Mutex
	first, last   *heapTaken
	taken, failed int
	fired         int // levels of DefaultProfileAt already crossed
}

type heapTaken struct {
	p   *profile.Profile
	at  float64 // seconds since start
	why string
}

// startHeapDiff starts profiling url (the target's /debug/pprof/heap):
// the baseline after warmup, then one every `every`. warn reports a
// profile endpoint that answers with an error status, once per message.
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
	wait := time.NewTimer(warmup)
	defer wait.Stop()
	select {
	case <-ctx.Done():
		return
	case <-wait.C:
	}
	// The baseline: retried at each tick until one is taken.
	h.take(ctx, "baseline")
	tick := time.NewTicker(h.every)
	defer tick.Stop()
	for {
		why := "every " + shortDuration(h.every)
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case why = <-h.kick:
		}
		h.take(ctx, why)
	}
}

// take downloads one profile; the first kept is the baseline, any later
// one replaces the newest.
func (h *heapDiff) take(ctx context.Context, why string) error {
	raw, p, err := probe.FetchHeapRaw(ctx, nil, h.timeout, h.url)
	at := time.Since(h.start).Seconds()
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil {
			h.failed++
		}
		var st *probe.StatusError
		if errors.As(err, &st) && h.warn != nil {
			h.warn(fmt.Sprintf("heap profiles: pprof %s answers %s: no growth sites are named (check the target's pprof: prefix)", h.url, st.Status))
		}
		return err
	}
	h.taken++
	file := results.HeapLastFile
	t := &heapTaken{p: p, at: at, why: why}
	if h.first == nil {
		h.first, file = t, results.HeapFirstFile
	} else {
		h.last = t
	}
	h.mu.Unlock()
	defer h.mu.Lock() // one take at a time (the loop, then finish): the file is written unlocked
	if h.dir != "" {
		if err := results.WriteFile(filepath.Join(h.dir, file), raw); err != nil && h.warn != nil {
			h.warn("heap profiles: keep " + file + ": " + err.Error())
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

// finish stops profiling; when the target is still alive it takes a last
// profile first. It returns the growth sites between the baseline and the
// newest profile, and which profiles those were; none when no baseline was
// taken (the cell ended during warm-up) or nothing after it. err is a
// failed end-of-cell profile (the newest periodic one is used instead).
func (h *heapDiff) finish(alive bool) ([]results.GrowthSite, *results.HeapProfiles, error) {
	h.cancel()
	<-h.done
	var err error
	if alive {
		h.mu.Lock()
		haveFirst := h.first != nil
		h.mu.Unlock()
		if haveFirst {
			err = h.take(context.Background(), "end of cell")
		}
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.first == nil {
		return nil, nil, err
	}
	info := &results.HeapProfiles{FirstS: round1(h.first.at), Taken: h.taken, Failed: h.failed}
	if h.last == nil {
		return nil, info, err
	}
	info.LastS, info.Last = round1(h.last.at), h.last.why
	return probe.Growth(h.first.p, h.last.p, probe.DefaultTopSites), info, err
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
