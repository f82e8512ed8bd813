package runner

import (
	"runtime"
	"sync"
)

// settleRuntime readies soaklab's own Go runtime for a cell's load, just
// before it starts. The driver's memory is fixed when it is made
// (prefaulted histograms, pre-built requests), but the runtime adds an OS
// thread whenever more goroutines than ever before sit in system calls at
// once, and keeps idle threads for good: about 40 KiB of RSS each, arriving
// at random through a cell (a 10-minute, 5,000 RPS self-soak gained one
// after 2 minutes and another after 8). Starting the threads up front moves
// that growth before the first sample.
//
// The heap is left to the runtime: it reaches its steady size after a few
// collections (about 3 minutes at that load, RssAnon +1.6 MiB, then flat).
// Touching the gap to the GC goal in advance was tried; the scavenger
// returned those pages within a minute and the heap faulted them in again.
func settleRuntime() {
	prewarmThreads(2*runtime.GOMAXPROCS(0) + 8)
}

// prewarmThreads makes the runtime start n OS threads at once and then
// leaves them idle, where it keeps them for reuse: n goroutines each lock
// their thread and wait, so each needs a thread of its own.
func prewarmThreads(n int) {
	var locked, done sync.WaitGroup
	release := make(chan struct{})
	locked.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			locked.Done()
			<-release
			runtime.UnlockOSThread() // unlocked before exit: the thread is kept
		}()
	}
	locked.Wait()
	close(release)
	done.Wait()
}
