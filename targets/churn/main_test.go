package main

import (
	"context"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestWorker(t *testing.T) {
	t.Parallel()
	base := config{Bytes: 16 << 10, Live: 4 << 20, Rate: 4000, LeanEvery: 100}
	// Each case runs until it has done minOps operations, however slow the
	// machine, and checks what holds at any speed: a paced worker never
	// runs ahead of Rate × elapsed, a lean one frees every LeanEvery.
	cases := []struct {
		name     string
		mod      func(*config)
		minOps   float64
		wantFree bool
	}{
		// paced: no more than Rate × elapsed operations
		{"paced", func(*config) {}, 400, false},
		// lean: FreeOSMemory every LeanEvery operations
		{"lean", func(c *config) { c.Lean = true; c.Rate = 1000 }, 300, true},
		// unpaced: as many as it can
		{"unpaced", func(c *config) { c.Rate = 0 }, 1000, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base
			tc.mod(&c)
			w := newWorker(c, prometheus.NewRegistry())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			go func() {
				for ctx.Err() == nil && opsSoFar(w) < tc.minOps {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			start := time.Now()
			w.run(ctx)
			elapsed := time.Since(start)
			ops := servetest.Counter(t, w.ops)
			assert.GreaterOrEqual(t, ops, tc.minOps, "reached before the minute's backstop")
			if c.Rate > 0 {
				assert.LessOrEqual(t, ops, float64(c.Rate)*elapsed.Seconds()+1, "never ahead of the pace")
			}
			freed := servetest.Counter(t, w.freed)
			if tc.wantFree {
				assert.Equal(t, float64(int(ops)/c.LeanEvery), freed)
			} else {
				assert.Zero(t, freed)
			}
			held := int64(0)
			for _, s := range w.slots {
				held += int64(len(s))
			}
			assert.Equal(t, held, w.live)
			assert.LessOrEqual(t, w.live, 2*c.Live, "working set stays near CHURN_LIVE")
		})
	}
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	cases := []servetest.Knob{
		// defaults parse
		{Name: "defaults", OK: true},
		// lean with sizes in units
		{Name: "lean", Env: map[string]string{"LEAN": "1", "CHURN_BYTES": "4KiB", "CHURN_LIVE": "1MB"}, OK: true},
		// a working set smaller than one op is an error
		{Name: "live too small", Env: map[string]string{"CHURN_BYTES": "1MiB", "CHURN_LIVE": "1KiB"}},
		// LEAN must be a boolean
		{Name: "bad lean", Env: map[string]string{"LEAN": "sometimes"}},
	}
	servetest.Knobs(t, cases, func(_ *testing.T, env *serve.Env) any { return readConfig(env) })
}

// TestBinaryChurnsAlone checks the real binary counts operations with no
// requests sent to it.
func TestBinaryChurnsAlone(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	p := servetest.Start(t, bin, "CHURN_RATE=2000", "CHURN_LIVE=8MiB", "LEAN=1", "LEAN_EVERY=200")
	time.Sleep(500 * time.Millisecond)
	ops := p.Metric(t, "churn_ops_total")
	assert.InDelta(t, 1000, ops, 400)
	assert.Greater(t, p.Metric(t, "churn_free_os_total"), 1.0)
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	p.Stop(t)
	servetest.Refuses(t, bin, []string{"PORT=1", "CHURN_RATE=-3"}, "CHURN_RATE")
}

// opsSoFar reads the worker's operation counter while it runs.
func opsSoFar(w *worker) float64 {
	var m dto.Metric
	if err := w.ops.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}
