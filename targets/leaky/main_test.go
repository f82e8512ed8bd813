package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestRunnerPaces(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name           string
		bytesPerSec    float64
		monitorsPerSec float64
	}{
		// 8 MiB/s and 20 monitors/s over half a second
		{"fast", 8 << 20, 20},
		// no goroutine growth: the first monitor takes every sample
		{"one monitor", 4 << 20, 0},
		// no memory growth: monitors still pile up
		{"goroutines only", 0, 40},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			r := newRunner(tc.bytesPerSec, tc.monitorsPerSec, prometheus.NewRegistry())
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			start := time.Now()
			r.run(ctx)
			el := time.Since(start).Seconds()

			wantBytes := tc.bytesPerSec * el
			leaked := servetest.Counter(t, r.leaked)
			assert.InDelta(t, wantBytes, leaked, 0.25*wantBytes+float64(tc.bytesPerSec)*tick.Seconds()*2)
			wantMon := 1 + tc.monitorsPerSec*el
			assert.InDelta(t, wantMon, float64(r.Monitors()), 0.25*wantMon+2)

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
	p := servetest.Start(t, bin, "LEAK_RATE=32MiB/s", "LEAK_GOROUTINES=20/s")
	start := time.Now()
	rss0 := p.RSS(t, "VmRSS")
	g0 := p.Metric(t, "go_goroutines")
	time.Sleep(2 * time.Second)
	el := time.Since(start).Seconds()

	leaked := p.Metric(t, "leaky_leaked_bytes_total")
	want := 32 << 20 * el
	assert.InDelta(t, want, leaked, 0.3*want, "leaked %.0f bytes in %.2fs", leaked, el)
	grew := float64(p.RSS(t, "VmRSS") - rss0)
	assert.Greater(t, grew, 0.6*leaked, "RSS grew %.0f bytes for %.0f leaked", grew, leaked)
	dg := p.Metric(t, "go_goroutines") - g0
	assert.InDelta(t, 20*el, dg, 0.35*20*el+2, "goroutines grew by %.0f", dg)

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
