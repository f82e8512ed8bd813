package runner

import (
	"math"
	"runtime"
	"runtime/metrics"
)

// The Go allocator carves small objects (up to 32 KiB) from spans, one size
// class a span, and keeps the spans of each class (separately for objects
// with and without pointers) in four span sets: partly free and full, for
// this collection's sweep generation and the previous one. A span set gets
// its spine (2 KiB of memory the runtime never frees) the first time a
// span is pushed into it, and an mspan record is made whenever more spans
// are in use at once than ever before. Both come at random: a class the
// harness rarely uses, a span of it that happens to be full or partly free
// at a collection, the one generation of the two it has not met yet. A
// 10-minute, 5,000 RPS self-soak, collecting every second, made new spines
// at 113, 181, 219 and 439 s and new mspan records at 146 and 596 s, each
// a new page of RssAnon at a random moment: a slope. prewarmSizeClasses
// puts spans of every class through all four sets before the load, so the
// spines exist up front and the mspan records of more spans than a cell
// uses at once.

// maxSpanBytes bounds the span of any small size class: the runtime uses
// spans of at most 10 pages (80 KiB), so a span of objects of size n holds
// at most maxSpanBytes/n of them.
const maxSpanBytes = 80 << 10

// mallocHeader is what a pointerful object above 512 bytes carries in its
// slot besides itself (its type), and the largest pointer-free object a
// size class takes is 32 KiB less it.
const (
	mallocHeader    = 8
	headerlessBytes = 512
	maxSmallBytes   = 32<<10 - mallocHeader
)

// classBatch is how many size classes are filled at once between
// collections: enough to be quick, few enough that the transient heap
// stays a few MiB and the span sets in use at once not many more than a
// cell's.
const classBatch = 4

// sizeClasses returns the object sizes of the allocator's small size
// classes, from the bucket boundaries of /gc/heap/allocs-by-size:bytes
// (one bucket per class, each boundary one byte above its class's size);
// nil when the runtime does not publish them.
func sizeClasses() []int {
	s := []metrics.Sample{{Name: "/gc/heap/allocs-by-size:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindFloat64Histogram {
		return nil
	}
	var sizes []int
	for _, b := range s[0].Value.Float64Histogram().Buckets[1:] {
		if math.IsInf(b, 1) {
			break
		}
		sizes = append(sizes, int(b)-1)
	}
	return sizes
}

// classFill holds the objects that fill a batch of size classes.
type classFill struct {
	bytes []*byte  // pointer-free objects
	ptrs  []**byte // objects with pointers
}

// fill allocates objects of one size class, with and without pointers:
// first 2n+1 kept, then 2n+1 of which every other one is dropped, where n
// bounds the objects of a span. The first run fills at least one span
// completely (a full span), the second leaves spans partly free.
func (f *classFill) fill(class int) {
	n := maxSpanBytes / class
	plain := min(class, maxSmallBytes)
	withPtrs := class
	if class > headerlessBytes {
		withPtrs -= mallocHeader
	}
	for i := range 4*n + 2 {
		keep := i <= 2*n || i%2 == 0
		if class >= 16 { // smaller pointer-free objects share 16-byte blocks
			b := make([]byte, plain)
			if keep {
				f.bytes = append(f.bytes, &b[0])
			}
		}
		p := make([]*byte, withPtrs/8)
		if keep {
			f.ptrs = append(f.ptrs, &p[0])
		}
	}
}

// large allocates two objects too big for a size class, with and without
// pointers: each has a span of its own, kept in the full sets of the two
// large classes.
func (f *classFill) large() {
	for range 2 {
		f.bytes = append(f.bytes, &make([]byte, 2*maxSmallBytes)[0])
		f.ptrs = append(f.ptrs, &make([]*byte, 2*maxSmallBytes/8)[0])
	}
}

// prewarmSizeClasses fills each size class's spans, a few classes at a
// time, keeps them through two collections (the sweeps push the full and
// the partly free spans into the sets of both sweep generations) and drops
// them; a last collection frees them. Their free pages are left to the
// scavenger, which returns those above its goal (a tenth above the heap in
// use) from the top of the heap down, and keeps the low ones the heap
// goes on to reuse. Returning them all instead
// (debug.FreeOSMemory) had the heap fault pages back, and the scavenger
// return some again, for minutes into the cell: steps of -108 to +32 KiB
// after the first minute in each of three self-soaks, none in one with
// this.
func prewarmSizeClasses(sizes []int) {
	for i := 0; i < len(sizes); i += classBatch {
		var f classFill
		for _, c := range sizes[i:min(i+classBatch, len(sizes))] {
			f.fill(c)
		}
		if i == 0 {
			f.large()
		}
		runtime.GC()
		runtime.GC()
		runtime.KeepAlive(&f)
	}
	runtime.GC()
}
