package runner

import (
	"os"
	"os/signal"
	"runtime"
	"runtime/metrics"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/soaklab/soaklab/harness/probe"
	"github.com/soaklab/soaklab/harness/results"
)

// osThreads is the process's OS thread count, read as targets' are.
func osThreads(t *testing.T) int {
	t.Helper()
	procs, err := probe.NewProcs("/proc")
	if err != nil {
		t.Skip("no /proc:", err)
	}
	var s results.Sample
	if err := procs.Read(os.Getpid(), &s); err != nil {
		t.Fatal(err)
	}
	return int(s.Threads)
}

// After prewarmThreads(n) the process has at least n OS threads, and they
// stay: the runtime keeps idle threads, so doing it again adds none. Each
// of the n threads signalled itself once.
func TestPrewarmThreads(t *testing.T) {
	const n = 24
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	defer signal.Stop(sigs)
	if got := prewarmThreads(n, syscall.SIGUSR1); got != n {
		t.Errorf("%d threads signalled themselves, want %d", got, n)
	}
	select {
	case <-sigs: // the runtime merges pending signals of one kind: at least one arrives
	case <-time.After(time.Minute):
		t.Error("no SIGUSR1 arrived from the prewarmed threads")
	}
	got := osThreads(t)
	if got < n {
		t.Fatalf("%d OS threads after prewarming %d", got, n)
	}
	prewarmThreads(n, syscall.SIGURG)
	if again := osThreads(t); again > got+2 {
		t.Errorf("a second prewarm grew the threads %d → %d: the first ones were not kept", got, again)
	}
}

// prewarmPreemption returns once its goroutines have all run, and leaves
// none behind.
func TestPrewarmPreemption(t *testing.T) {
	before := runtime.NumGoroutine()
	prewarmPreemption(4 * runtime.GOMAXPROCS(0))
	deadline := time.Now().Add(time.Minute)
	for runtime.NumGoroutine() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d goroutines a minute after the prewarm, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(time.Millisecond)
	}
}

func TestAsyncPreemption(t *testing.T) {
	tests := []struct {
		godebug string
		want    bool
	}{
		{"", true},
		{"gctrace=1", true},
		{"asyncpreemptoff=0", true},
		{"asyncpreemptoff=1", false},
		{"asyncpreemptoff=0,asyncpreemptoff=1", false},
		{"asyncpreemptoff=1,asyncpreemptoff=0", true},
	}
	for _, tt := range tests {
		if got := asyncPreemption(tt.godebug); got != tt.want {
			t.Errorf("asyncPreemption(%q) = %v, want %v", tt.godebug, got, tt.want)
		}
	}
}

func forcedGCs(t *testing.T) uint64 {
	t.Helper()
	s := []metrics.Sample{{Name: "/gc/cycles/forced:gc-cycles"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		t.Skip("runtime has no forced GC counter")
	}
	return s[0].Value.Uint64()
}

// collect collects at most once per interval however often it is called:
// cells sampling side by side share one collection.
func TestCollectAtMostOncePerInterval(t *testing.T) {
	lastCollect.Lock()
	lastCollect.at = time.Time{}
	lastCollect.Unlock()
	before := forcedGCs(t)
	for range 5 {
		collect()
	}
	if got := forcedGCs(t) - before; got != 1 {
		t.Fatalf("%d forced collections from 5 calls in a row, want 1", got)
	}
	lastCollect.Lock()
	lastCollect.at = time.Now().Add(-time.Second)
	lastCollect.Unlock()
	collect()
	if got := forcedGCs(t) - before; got != 2 {
		t.Fatalf("%d forced collections once the interval passed, want 2", got)
	}
}

// BenchmarkCollect is what one per-interval collection costs with a heap
// shaped like the harness's during a cell: about 4 MiB of pointer-free
// histogram counts and a few thousand small objects with pointers.
func BenchmarkCollect(b *testing.B) {
	counts := make([][]int64, 16)
	for i := range counts {
		counts[i] = make([]int64, 32<<10) // 256 KiB each
	}
	type node struct {
		next *node
		name string
	}
	var head *node
	for i := range 20000 {
		head = &node{next: head, name: strconv.Itoa(i)}
	}
	b.ReportAllocs()
	for b.Loop() {
		lastCollect.Lock()
		lastCollect.at = time.Time{}
		lastCollect.Unlock()
		collect()
	}
	runtime.KeepAlive(counts)
	runtime.KeepAlive(head)
}

// BenchmarkPrewarmPreemption is the pause prewarmPreemption adds before a
// process's first cell, at the size settleRuntime asks for.
func BenchmarkPrewarmPreemption(b *testing.B) {
	for b.Loop() {
		prewarmPreemption(8 * runtime.GOMAXPROCS(0))
	}
}
