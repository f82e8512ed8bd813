package runner

import (
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// settleRuntime readies soaklab's own Go runtime for a cell's load, just
// before it starts. The driver's memory is fixed when it is made
// (prefaulted histograms, pre-built requests), but the runtime grows some
// of its own structures whenever its use passes a new high, keeps them for
// good, and so grows at random through a cell, a page or a few at a time,
// ever more rarely: the slope of a flat harness's memory would not be
// zero. Each of these is driven to its peak here, before the first
// sample:
//
//   - OS threads: the runtime adds one whenever more goroutines than ever
//     before sit in system calls at once, about 40 KiB of RSS each (a
//     10-minute, 5,000 RPS self-soak gained one after 2 minutes and
//     another after 8), and a thread's signal stack takes its pages on
//     its first signal, which for an idle thread may come at any time (a
//     self-soak took one at 442 s; perf: the kernel writing the signal
//     frame);
//   - the runtime's pool of register save areas for preempted goroutines
//     (prewarmPreemption);
//   - the pages of the executable's writable globals, each copied or zeroed
//     on its first write (prefaultGlobals);
//   - the span sets and mspan records of the allocator's size classes,
//     made on a class's first use in each state (prewarmSizeClasses).
//
// The last two are best effort: an older kernel or a position-independent
// build leaves the globals' pages to come as they are written.
//
// It runs once per process: the runtime keeps idle threads, span-set
// spines, mspan records and private pages for good, so a later cell finds
// them still there.
func settleRuntime() {
	settleOnce.Do(func() {
		_ = prewarmThreads(2*runtime.GOMAXPROCS(0)+8, syscall.SIGURG)
		_ = prefaultGlobals("/proc/self/exe")
		if asyncPreemption(os.Getenv("GODEBUG")) {
			// Eight blocks a thread: traced self-soaks on 2 threads held
			// 2 blocks at most in one and grew by 2 pages (about 4
			// blocks) in another.
			prewarmPreemption(8 * runtime.GOMAXPROCS(0))
		}
		prewarmSizeClasses(sizeClasses())
	})
}

var settleOnce sync.Once

// prewarmThreads makes the runtime start n OS threads at once and then
// leaves them idle, where it keeps them for reuse: n goroutines each lock
// their thread and wait, so each needs a thread of its own. Each thread
// first sends itself sig, so its signal stack has its pages before the
// load. soaklab uses SIGURG, the runtime's own preemption signal, which
// the runtime ignores when it asked for no preemption. It returns how many
// threads signalled themselves; each goroutine holds its own thread while
// all n wait, so they are n distinct threads.
func prewarmThreads(n int, sig syscall.Signal) int {
	var locked, done sync.WaitGroup
	release := make(chan struct{})
	locked.Add(n)
	done.Add(n)
	pid := syscall.Getpid()
	var signalled atomic.Int64
	for range n {
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			if syscall.Tgkill(pid, syscall.Gettid(), sig) == nil {
				signalled.Add(1)
			}
			locked.Done()
			<-release
			runtime.UnlockOSThread() // unlocked before exit: the thread is kept
		}()
	}
	locked.Wait()
	close(release)
	done.Wait()
	return int(signalled.Load())
}

// lastCollect is when collect last ran, shared by every cell of the process.
var lastCollect struct {
	sync.Mutex
	at time.Time
}

// collect runs a garbage collection after a sample, at most about once a
// second however many cells sample at once.
//
// The harness's garbage is a trickle from its per-interval work (reading
// procfs and cgroup files, scraping the target, writing the sample; the
// driver allocates nothing per request): about 17 KiB/s at 5,000 RPS with a
// scraped target, 116 KiB/s before the probes parsed into reused buffers,
// when what follows was measured. Left to the pacer (GOGC=100), the heap
// climbed to twice its live size between collections 40 s apart, and its
// RSS followed the scavenger: it returned free pages near the goal and the
// heap faulted them back in, so RssAnon moved by a few pages to 256 KiB at
// a time for the whole cell, and a 10-minute self-soak read slopes of
// +0.5…+0.9 MiB/h in three of four runs. Collected every second, the heap
// stays within about 100 KiB of its live size, far below where the
// scavenger acts: RssAnon was 8.1 MiB instead of 13 MiB and flat to the
// page from the second minute. A collection of a few-MiB heap costs well
// under a millisecond of CPU with a sub-millisecond stop.
func collect() {
	lastCollect.Lock()
	if time.Since(lastCollect.at) < 900*time.Millisecond {
		lastCollect.Unlock()
		return
	}
	lastCollect.at = time.Now()
	lastCollect.Unlock()
	runtime.GC()
}
