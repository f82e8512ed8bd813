package runner

import (
	"sync"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// A Watcher is told each sample of a cell and answers, once, when the cell
// may stop before its planned end (its NO-GO is certain). The pipeline's
// watcher is the judge's; the runner knows nothing of verdicts. An answer
// with Recorded set is only written down: the cell runs on.
type Watcher interface {
	Add(s results.Sample) *results.EarlyStop
}

// WatchFactory makes the watcher of one cell from the cell as planned
// (limit, duration, warm-up, interval, kind); nil means no watching.
type WatchFactory func(c matrix.Cell, planned results.Cell) Watcher

// stopper ends a cell's load when its watcher says so, whether the load
// has started yet or not.
type stopper struct {
	mu    sync.Mutex
	stop  func()
	fired bool
}

// set gives the function that ends the load; it runs at once if the stop
// came first.
func (s *stopper) set(stop func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stop = stop
	if s.fired {
		stop()
	}
}

func (s *stopper) fire() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fired = true
	if s.stop != nil {
		s.stop()
	}
}

// watch passes a sample to the cell's watcher and stops the cell when it
// decides; safe from the sampler's goroutine.
func (cr *cellRun) watch(s results.Sample) {
	if cr.watcher == nil {
		return
	}
	e := cr.watcher.Add(s)
	if e == nil {
		return
	}
	cr.mu.Lock()
	cr.res.EarlyStop = e
	cr.mu.Unlock()
	if !e.Recorded {
		cr.stopper.fire()
	}
}
