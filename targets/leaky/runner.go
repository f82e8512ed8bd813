package main

import (
	"context"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// tick is how often the runner paces the leak and the monitor starts.
const tick = 50 * time.Millisecond

// runner starts monitors at one rate and feeds them samples at another. Its
// bug, on purpose: nothing ever stops a monitor, and monitors keep every
// sample.
type runner struct {
	bytesPerSec    float64
	monitorsPerSec float64
	samples        chan int // sample sizes, read by whichever monitor is free

	mu       sync.Mutex
	monitors []*monitor // every monitor ever started (the runner's registry)

	leaked   prometheus.Counter
	started  prometheus.Counter
	leakRate prometheus.Gauge
}

func newRunner(bytesPerSec, monitorsPerSec float64, reg prometheus.Registerer) *runner {
	r := &runner{
		bytesPerSec:    bytesPerSec,
		monitorsPerSec: monitorsPerSec,
		samples:        make(chan int),
		leaked: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "leaky_leaked_bytes_total", Help: "Bytes recorded and retained by monitors.",
		}),
		started: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "leaky_monitors_started_total", Help: "Monitor goroutines started (none ever stops).",
		}),
		leakRate: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "leaky_leak_rate_bytes_per_second", Help: "Configured LEAK_RATE.",
		}),
	}
	r.leakRate.Set(bytesPerSec)
	reg.MustRegister(r.leaked, r.started, r.leakRate)
	return r
}

// run paces until ctx ends: after t seconds it has started 1+rate·t
// monitors and handed out rate·t bytes of samples. The monitors themselves
// outlive ctx: that is the leak.
func (r *runner) run(ctx context.Context) {
	start := time.Now()
	r.startMonitor()
	var started float64 = 1
	var handed float64
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			el := now.Sub(start).Seconds()
			for ; started < 1+r.monitorsPerSec*el; started++ {
				r.startMonitor()
			}
			if due := int(r.bytesPerSec*el - handed); due > 0 {
				select {
				case r.samples <- due:
					handed += float64(due)
				case <-ctx.Done():
					return
				}
			}
		}
	}
}

func (r *runner) startMonitor() {
	m := &monitor{leaked: r.leaked}
	r.mu.Lock()
	r.monitors = append(r.monitors, m)
	r.mu.Unlock()
	r.started.Inc()
	go m.watch(r.samples)
}

// Monitors returns how many monitors were started.
func (r *runner) Monitors() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.monitors)
}
