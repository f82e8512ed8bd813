package runner

import (
	"context"
	"sync"
	"time"

	"github.com/google/pprof/profile"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
)

// heapDiff takes a Go heap profile at the end of warm-up and another at the
// end of the cell, and names the allocation sites that grew in between.
type heapDiff struct {
	url    string
	mu     sync.Mutex
	before *profile.Profile
	timer  *time.Timer
}

// startHeapDiff schedules the first profile; url is the target's
// /debug/pprof/heap.
func startHeapDiff(ctx context.Context, url string, warmup time.Duration) *heapDiff {
	h := &heapDiff{url: url}
	h.timer = time.AfterFunc(warmup, func() {
		p, err := probe.FetchHeap(ctx, nil, url)
		if err == nil {
			h.mu.Lock()
			h.before = p
			h.mu.Unlock()
		}
	})
	return h
}

// finish takes the second profile and returns the growth sites; none when
// the first profile was never taken (the cell ended during warm-up).
func (h *heapDiff) finish() ([]results.GrowthSite, error) {
	h.timer.Stop()
	after, err := probe.FetchHeap(context.Background(), nil, h.url)
	if err != nil {
		return nil, err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.before == nil {
		return nil, nil
	}
	return probe.Growth(h.before, after, probe.DefaultTopSites), nil
}
