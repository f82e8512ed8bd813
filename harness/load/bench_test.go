package load

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkMaxRate drives a trivial target in another process as fast as
// 64 tasks go, 2 s per iteration. req/s is what the pair reached on this
// machine; req/cpu-s is requests per second of the driver's own CPU (its
// per-core capacity).
func BenchmarkMaxRate(b *testing.B) {
	for _, via := range []struct {
		name string
		opts []Option
	}{{"own", nil}, {"net-http", []Option{StdTransport()}}} {
		b.Run(via.name, func(b *testing.B) {
			url := startTarget(b)
			var sent int64
			var wall, cpu time.Duration
			for b.Loop() {
				d, err := New(Config{BaseURL: url, Tasks: 64, Duration: 2 * time.Second}, via.opts...)
				if err != nil {
					b.Fatal(err)
				}
				c0, t0 := cpuTime(), time.Now()
				out, err := d.Run(context.Background())
				if err != nil {
					b.Fatal(err)
				}
				wall += time.Since(t0)
				cpu += cpuTime() - c0
				sent += out.Sent
			}
			b.ReportMetric(float64(sent)/wall.Seconds(), "req/s")
			b.ReportMetric(float64(sent)/cpu.Seconds(), "req/cpu-s")
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkRate30k holds 30,000 req/s for 5 s against a trivial target in
// another process: accuracy_% is requests started over requests intended.
func BenchmarkRate30k(b *testing.B) {
	url := startTarget(b)
	for b.Loop() {
		d, err := New(Config{BaseURL: url, Rate: 30_000, Tasks: 128, Duration: 5 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		out, err := d.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(out.AchievedRPS, "achieved_rps")
		b.ReportMetric(100*float64(out.Sent)/150_000, "accuracy_%")
		b.ReportMetric(float64(out.Dropped), "dropped")
		b.ReportMetric(100*float64(out.Late)/float64(max(out.Sent, 1)), "late_%")
		b.ReportMetric(out.Corrected.P99, "p99_ms")
		b.ReportMetric(out.Uncorrected.P99, "p99raw_ms")
		b.ReportMetric(float64(out.Errors), "errors")
	}
	b.ReportMetric(0, "ns/op")
}

var modes = []Mode{ModeHDR, ModeWindowed, ModeSampled, ModeOff}

// BenchmarkRecord is the cost of recording one finished request: it must
// report 0 allocs/op in every mode.
func BenchmarkRecord(b *testing.B) {
	for _, mode := range modes {
		b.Run(string(mode), func(b *testing.B) {
			r := newRecorder(mode, DefaultSampleN, []string{"a", "b", "c"}, DefaultHighestLatency, DefaultSigFigs)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i++
				r.record(i%3, time.Duration(i%50_000)*time.Microsecond, time.Duration(i%1000)*time.Microsecond, errNone)
			}
		})
	}
}

// BenchmarkHeapAfter records 5 million latencies over 10 labels in each
// mode (windowed rotating every 50,000) and reports the live heap of the
// recorder afterwards and what MemoryBytes accounts for.
func BenchmarkHeapAfter(b *testing.B) {
	const n = 5_000_000
	labels := make([]string, 10)
	for i := range labels {
		labels[i] = fmt.Sprint("label", i)
	}
	for _, mode := range modes {
		b.Run(fmt.Sprintf("%s/5M", mode), func(b *testing.B) {
			for b.Loop() {
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				r := newRecorder(mode, DefaultSampleN, labels, DefaultHighestLatency, DefaultSigFigs)
				rng := rand.New(rand.NewPCG(1, 2))
				for i := range n {
					v := time.Duration(rng.Int64N(int64(time.Second)))
					r.record(i%len(labels), v, v/2, errNone)
					if i%50_000 == 0 {
						r.rotate()
					}
				}
				runtime.GC()
				runtime.ReadMemStats(&after)
				b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "heap_MiB")
				b.ReportMetric(float64(r.MemoryBytes())/(1<<20), "accounted_MiB")
				runtime.KeepAlive(r)
			}
			b.ReportMetric(0, "ns/op")
		})
	}
}

// BenchmarkRequest is one whole request on a task's own connection (send,
// parse, drain, record) against a target in another process, so allocs/op
// counts the driver's allocations alone.
func BenchmarkRequest(b *testing.B) {
	url := startTarget(b)
	d, err := New(Config{BaseURL: url, Tasks: 1, Duration: time.Second})
	if err != nil {
		b.Fatal(err)
	}
	c := d.newConn()
	defer c.close()
	ctx := context.Background()
	b.ReportAllocs()
	var seq int64
	for b.Loop() {
		d.do(ctx, c, seq, time.Now())
		seq++
	}
	if n := d.rec.labels[0].errors; n > 0 {
		b.Fatalf("%d requests failed", n)
	}
}

// BenchmarkRamp ramps from 0 to 10,000 req/s over 2 s against a trivial
// target in another process: first_half_% is the share of requests that
// reached it in the ramp's first second (ideal 25: the rate line's area),
// late_% those that started more than LateAfter past their intended time.
func BenchmarkRamp(b *testing.B) {
	url := startTarget(b)
	for b.Loop() {
		d, err := New(Config{BaseURL: url, Rate: 10_000, Ramp: 2 * time.Second, Tasks: 64, Duration: 2 * time.Second})
		if err != nil {
			b.Fatal(err)
		}
		var firstHalf int64
		done := make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(time.Second)
			firstHalf = d.Interval().Requests
		}()
		out, err := d.Run(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		<-done
		b.ReportMetric(100*float64(firstHalf)/float64(max(out.Sent, 1)), "first_half_%")
		b.ReportMetric(100*float64(out.Late)/float64(max(out.Sent, 1)), "late_%")
		b.ReportMetric(float64(out.Dropped), "dropped")
	}
	b.ReportMetric(0, "ns/op")
}
