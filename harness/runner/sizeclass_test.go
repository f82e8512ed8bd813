package runner

import (
	"runtime"
	"runtime/metrics"
	"testing"
)

func TestSizeClasses(t *testing.T) {
	sizes := sizeClasses()
	if len(sizes) == 0 {
		t.Skip("runtime publishes no allocation size classes")
	}
	if sizes[0] != 8 || sizes[len(sizes)-1] != 32<<10 {
		t.Errorf("size classes %d … %d, want 8 … 32768", sizes[0], sizes[len(sizes)-1])
	}
	for i := 1; i < len(sizes); i++ {
		if sizes[i] <= sizes[i-1] {
			t.Fatalf("size classes not increasing: %v", sizes)
		}
	}
}

func readMetrics(t *testing.T, names ...string) []metrics.Value {
	t.Helper()
	s := make([]metrics.Sample, len(names))
	for i, n := range names {
		s[i].Name = n
	}
	metrics.Read(s)
	v := make([]metrics.Value, len(s))
	for i := range s {
		if s[i].Value.Kind() == metrics.KindBad {
			t.Skip("runtime has no metric", s[i].Name)
		}
		v[i] = s[i].Value
	}
	return v
}

// Each object fill allocates, with pointers or without, lands in the size
// class it is meant to fill: its class's allocation count grows by at least
// as many objects as were made for it.
func TestClassFillLandsInClass(t *testing.T) {
	sizes := sizeClasses()
	if len(sizes) == 0 {
		t.Skip("runtime publishes no allocation size classes")
	}
	counts := func() []uint64 {
		runtime.GC() // flushes the per-P allocation counts
		h := readMetrics(t, "/gc/heap/allocs-by-size:bytes")[0].Float64Histogram()
		return append([]uint64(nil), h.Counts...)
	}
	for i, class := range sizes {
		before := counts()
		var f classFill
		f.fill(class)
		after := counts()
		// bucket i holds the allocations of sizes[i]
		if got, want := after[i]-before[i], uint64(len(f.bytes)+len(f.ptrs)); got < want {
			t.Errorf("class %d: %d allocations counted, want at least the %d objects kept", class, got, want)
		}
		runtime.KeepAlive(&f)
	}
}

// prewarmSizeClasses leaves no heap behind: what it allocated is dropped
// and collected.
func TestPrewarmSizeClassesLeavesNoHeap(t *testing.T) {
	sizes := sizeClasses()
	if len(sizes) == 0 {
		t.Skip("runtime publishes no allocation size classes")
	}
	runtime.GC()
	before := readMetrics(t, "/memory/classes/heap/objects:bytes")[0].Uint64()
	prewarmSizeClasses(sizes)
	after := readMetrics(t, "/memory/classes/heap/objects:bytes")[0].Uint64()
	const slack = 1 << 20 // other tests' goroutines may still allocate
	if after > before+slack {
		t.Errorf("heap objects %d → %d bytes after a prewarm: it kept what it allocated", before, after)
	}
}
