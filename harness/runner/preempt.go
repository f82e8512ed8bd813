package runner

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/soaklab/soaklab/harness/internal/godebug"
)

// When the runtime preempts a goroutine asynchronously (a signal to the
// thread running it, because a collection or the scheduler needs it to stop
// where it has no safe point of its own), it saves the goroutine's vector
// registers in a block of about 2 KiB taken from a pool the runtime keeps
// outside the heap and never frees (Go 1.26 on amd64, arm64, loong64). A
// goroutine keeps its block until it runs again, so the pool grows whenever
// more goroutines than ever before sit preempted at once, and a new block
// is a new page about every second time. Collections stop the running
// goroutines every second in a cell, and a 10-minute, 5,000 RPS self-soak
// took new pages of that pool at 70 and 548 s (perf: page faults in
// runtime.xRegSave): a slope in the harness's memory at random moments.
//
// prewarmPreemption grows the pool to n blocks before the load: it runs n
// goroutines that spin in a loop without calls, which only an asynchronous
// preemption can stop, on GOMAXPROCS threads. Each is preempted when its
// time slice ends (the runtime's 10 ms) and waits with its block for its
// next turn, so by the time the last one starts, every other has been
// preempted and holds a block: n blocks at once, later reused. It takes
// about n / GOMAXPROCS time slices: 0.19 s for 16 on 2 threads
// (BenchmarkPrewarmPreemption), 0.6–1.3 s for 64.
//
// Under the race detector the loop's atomic load is a call, which a
// preemption may stop at without a signal, so fewer blocks are made; the
// pool then grows as it would have.
//
// Its goroutines can only be stopped by a preemption, so it must not run
// when GODEBUG switches asynchronous preemption off (asyncPreemption).
func prewarmPreemption(n int) {
	var stop atomic.Bool
	var started atomic.Int64
	var done sync.WaitGroup
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			started.Add(1)
			for !stop.Load() {
			}
		}()
	}
	for started.Load() < int64(n) {
		time.Sleep(time.Millisecond)
	}
	stop.Store(true)
	done.Wait()
}

// asyncPreemption reports whether the GODEBUG value env leaves the
// runtime's asynchronous preemption on.
func asyncPreemption(env string) bool {
	v, ok := godebug.Value(env, "asyncpreemptoff")
	return !ok || v == "0"
}
