package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestRunnerPaces(t *testing.T) {
	t.Parallel()
	// Each case runs until it has leaked minBytes and started minMonitors,
	// however slow the machine, and checks what holds at any speed: never
	// ahead of the rates (one tick of slack), and every byte retained.
	cases := []struct {
		name           string
		bytesPerSec    float64
		monitorsPerSec float64
		minBytes       float64
		minMonitors    int
	}{
		// 8 MiB/s and 20 monitors/s
		{"fast", 8 << 20, 20, 2 << 20, 4},
		// no goroutine growth: the first monitor takes every sample
		{"one monitor", 4 << 20, 0, 1 << 20, 1},
		// no memory growth: monitors still pile up
		{"goroutines only", 0, 40, 0, 6},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(tc.bytesPerSec, tc.monitorsPerSec, prometheus.NewRegistry())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			go func() {
				for ctx.Err() == nil && (counter(r.leaked) < tc.minBytes || r.Monitors() < tc.minMonitors) {
					time.Sleep(time.Millisecond)
				}
				cancel()
			}()
			start := time.Now()
			r.run(ctx)
			el := time.Since(start).Seconds()

			leaked := servetest.Counter(t, r.leaked)
			assert.GreaterOrEqual(t, leaked, tc.minBytes, "reached before the minute's backstop")
			assert.LessOrEqual(t, leaked, tc.bytesPerSec*(el+tick.Seconds()), "never ahead of the rate")
			assert.GreaterOrEqual(t, r.Monitors(), tc.minMonitors)
			assert.LessOrEqual(t, float64(r.Monitors()), 1+tc.monitorsPerSec*(el+tick.Seconds()), "never ahead of the rate")
			if tc.monitorsPerSec == 0 {
				assert.Equal(t, 1, r.Monitors())
			}

			// every leaked byte is retained by some monitor
			held := 0
			r.mu.Lock()
			for _, m := range r.monitors {
				held += m.retained()
			}
			r.mu.Unlock()
			assert.Equal(t, int(leaked), held)
		})
	}
}

func TestRecordTouchesEveryPage(t *testing.T) {
	t.Parallel()
	m := &monitor{leaked: prometheus.NewCounter(prometheus.CounterOpts{Name: "x"})}
	m.record(10*pageSize + 7)
	require.Len(t, m.samples, 1)
	buf := m.samples[0]
	for i := 0; i < len(buf); i += pageSize {
		require.NotZero(t, buf[i], "page at %d was not written", i)
	}
	assert.Equal(t, 10.0*pageSize+7, servetest.Counter(t, m.leaked))
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	cases := []servetest.Knob{
		// defaults parse
		{Name: "defaults", OK: true},
		// a rate with binary unit per second
		{Name: "rate", Env: map[string]string{"LEAK_RATE": "64KiB/s", "LEAK_GOROUTINES": "5/s"}, OK: true},
		// a rate without a time unit is per second
		{Name: "bare rate", Env: map[string]string{"LEAK_RATE": "1MB"}, OK: true},
		// an unknown time unit is an error
		{Name: "bad unit", Env: map[string]string{"LEAK_RATE": "1MiB/fortnight"}},
		// a goroutine rate that is not a number is an error
		{Name: "bad goroutines", Env: map[string]string{"LEAK_GOROUTINES": "many/min"}},
	}
	servetest.Knobs(t, cases, func(t *testing.T, env *serve.Env) any {
		_, err := setup(env, serve.New("leaky"))
		require.NoError(t, err)
		return nil
	})
}

// TestBinaryLeaksAtRate runs the real binary at 32 MiB/s and 20 monitors/s
// for about two seconds and checks the counters, RSS and goroutines grew
// roughly as configured, and that the heap profile names the leak site.
func TestBinaryLeaksAtRate(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	start := time.Now() // before the process: bounds what it can have done
	p := servetest.Start(t, bin, "LEAK_RATE=32MiB/s", "LEAK_GOROUTINES=20/s")
	rss0 := p.RSS(t, "VmRSS")
	g0 := p.Metric(t, "go_goroutines")
	// Until it has leaked 32 MiB and 10 goroutines, however slow the
	// machine (a busy one leaked half the rate), with a minute's backstop.
	var leaked, dg float64
	deadline := time.Now().Add(time.Minute)
	for {
		leaked = p.Metric(t, "leaky_leaked_bytes_total")
		dg = p.Metric(t, "go_goroutines") - g0
		if leaked >= 32<<20 && dg >= 10 || time.Now().After(deadline) {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	grew := float64(p.RSS(t, "VmRSS") - rss0)
	el := time.Since(start).Seconds()
	assert.GreaterOrEqual(t, leaked, float64(32<<20), "leaked before the minute's backstop")
	assert.LessOrEqual(t, leaked, 32<<20*(el+tick.Seconds()), "never ahead of the rate: %.0f bytes in %.2fs", leaked, el)
	assert.Greater(t, grew, 0.6*leaked, "RSS grew %.0f bytes for %.0f leaked", grew, leaked)
	assert.GreaterOrEqual(t, dg, 10.0, "goroutines grew by %.0f", dg)
	assert.LessOrEqual(t, dg, 20*(el+tick.Seconds())+2, "goroutines grew by %.0f in %.2fs", dg, el)

	heap := p.Get(t, "/debug/pprof/heap?debug=1")
	assert.True(t, strings.Contains(heap, "main.(*monitor).record"), "heap profile does not name the leak site")
	p.Stop(t)
}

func TestBinaryEchoAndUsage(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	p := servetest.Start(t, bin)
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	p.Stop(t)
	servetest.Refuses(t, bin, []string{"PORT=1", "LEAK_RATE=fast"}, "LEAK_RATE")
}

// counter reads a counter while its owner runs.
func counter(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		return 0
	}
	return m.GetCounter().GetValue()
}
