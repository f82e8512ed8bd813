package probe

import (
	"runtime/metrics"
	"sync"
)

// GoRuntime is what the harness's own Go runtime holds, read without
// stopping the world: the bytes of live and not-yet-swept heap objects and
// the number of goroutines. It tells a growing harness heap (something
// retained) from RSS that grows beneath a flat heap (the runtime or the
// kernel keeping pages).
type GoRuntime struct {
	Heap       int64
	Goroutines int64
}

var selfMetrics = struct {
	sync.Mutex
	s []metrics.Sample
}{s: []metrics.Sample{
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/sched/goroutines:goroutines"},
}}

// ReadGoRuntime reads this process's GoRuntime; it costs a few
// microseconds and allocates nothing.
func ReadGoRuntime() GoRuntime {
	selfMetrics.Lock()
	defer selfMetrics.Unlock()
	metrics.Read(selfMetrics.s)
	var g GoRuntime
	if v := selfMetrics.s[0].Value; v.Kind() == metrics.KindUint64 {
		g.Heap = int64(v.Uint64())
	}
	if v := selfMetrics.s[1].Value; v.Kind() == metrics.KindUint64 {
		g.Goroutines = int64(v.Uint64())
	}
	return g
}
