package main

import (
	"context"
	"math/rand/v2"
	"runtime/debug"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// tick is the pacing interval when CHURN_RATE > 0.
const tick = 10 * time.Millisecond

// pageSize is the stride at which new allocations are written.
const pageSize = 4096

// worker owns the working set and churns it.
type worker struct {
	cfg   config
	slots [][]byte
	live  int64
	rng   *rand.Rand

	ops     prometheus.Counter
	bytes   prometheus.Counter
	freed   prometheus.Counter
	liveG   prometheus.Gauge
	sinceOS int
}

func newWorker(c config, reg prometheus.Registerer) *worker {
	w := &worker{
		cfg:   c,
		slots: make([][]byte, max(1, c.Live/c.Bytes)),
		rng:   rand.New(rand.NewPCG(uint64(c.Bytes), uint64(c.Live))),
		ops:   prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_ops_total", Help: "Allocate-and-free operations done."}),
		bytes: prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_alloc_bytes_total", Help: "Bytes allocated by operations."}),
		freed: prometheus.NewCounter(prometheus.CounterOpts{Name: "churn_free_os_total", Help: "debug.FreeOSMemory calls (LEAN=1)."}),
		liveG: prometheus.NewGauge(prometheus.GaugeOpts{Name: "churn_live_bytes", Help: "Bytes held in the working set."}),
	}
	reg.MustRegister(w.ops, w.bytes, w.freed, w.liveG)
	return w
}

// op replaces one random slot with a fresh allocation of [Bytes/2, 2·Bytes)
// bytes, every page written; the old one becomes garbage.
func (w *worker) op() {
	n := int(w.cfg.Bytes/2) + w.rng.IntN(int(w.cfg.Bytes*3/2))
	b := make([]byte, n)
	for i := 0; i < n; i += pageSize {
		b[i] = byte(i) | 1
	}
	i := w.rng.IntN(len(w.slots))
	w.live += int64(n - len(w.slots[i]))
	w.slots[i] = b
	w.ops.Inc()
	w.bytes.Add(float64(n))
	w.liveG.Set(float64(w.live))
	if w.cfg.Lean {
		w.sinceOS++
		if w.sinceOS >= w.cfg.LeanEvery {
			w.sinceOS = 0
			debug.FreeOSMemory()
			w.freed.Inc()
		}
	}
}

// run churns until ctx ends or Duration passes (when set): paced at Rate
// operations a second, or flat out when Rate is 0.
func (w *worker) run(ctx context.Context) {
	if w.cfg.Duration > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, w.cfg.Duration)
		defer cancel()
	}
	if w.cfg.Rate == 0 {
		for ctx.Err() == nil {
			for range 64 {
				w.op()
			}
		}
		return
	}
	start := time.Now()
	done := 0
	t := time.NewTicker(tick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			due := int(float64(w.cfg.Rate) * now.Sub(start).Seconds())
			for ; done < due && ctx.Err() == nil; done++ {
				w.op()
			}
		}
	}
}
