package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestTracker(t *testing.T) {
	t.Parallel()
	base := config{Track: true, SampleN: 1, SigFigs: 3}
	cases := []struct {
		name      string
		mod       func(*config)
		labels    int // distinct labels recorded, 10 requests each, 1 ms apart
		wantLive  int // labels live at the end
		wantHists int
	}{
		// unbounded tracking: one histogram per label
		{"unbounded", func(*config) {}, 50, 50, 50},
		// a cap folds labels past it into one overflow label
		{"capped", func(c *config) { c.MaxLabels = 10 }, 50, 11, 11},
		// tracking off keeps stats, no histograms
		{"off", func(c *config) { c.Track = false }, 50, 50, 0},
		// rotation every 10 labels keeps only the last window's labels plus a merged histogram
		{"rotated", func(c *config) { c.Rotate = 100 * time.Millisecond }, 50, 10, 11},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := base
			tc.mod(&c)
			tr := newTracker(c, prometheus.NewRegistry())
			now := time.Unix(0, 0)
			for i := range tc.labels {
				for range 10 {
					tr.Record(labelName(i), time.Millisecond, now)
					now = now.Add(time.Millisecond)
				}
			}
			live, hists, bytes := tr.Counts()
			assert.Equal(t, tc.wantLive, live)
			assert.Equal(t, tc.wantHists, hists)
			if hists > 0 {
				assert.Greater(t, bytes, int64(hists)*100<<10, "a 3-figure 1µs–60s histogram is over 100 KiB")
			}
		})
	}
}

func TestTrackerSamples(t *testing.T) {
	t.Parallel()
	tr := newTracker(config{Track: true, SampleN: 4, SigFigs: 2}, prometheus.NewRegistry())
	for range 100 {
		tr.Record("a", time.Millisecond, time.Now())
	}
	assert.Equal(t, int64(25), tr.hists["a"].TotalCount())
}

func TestCheckSink(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		url  string
		ok   bool
	}{
		// loopback with a port and path
		{"loopback", "http://127.0.0.1:8080/sink", true},
		// empty is refused: the sink is required
		{"empty", "", false},
		// any other host is refused
		{"remote", "http://10.0.0.1:80/", false},
		// localhost by name is refused: only the literal address
		{"localhost", "http://localhost:80/", false},
		// https is refused (the sink is plain http on loopback)
		{"https", "https://127.0.0.1:443/", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := checkSink(tc.url)
			assert.Equal(t, tc.ok, err == nil, "%v", err)
		})
	}
}

// sink answers 200 and counts the labelled requests it saw.
func sink(t *testing.T) (*httptest.Server, *atomic.Int64) {
	srv, n, _ := labelSink(t)
	return srv, n
}

// labelSink is sink that also returns the set of distinct labels it saw.
func labelSink(t *testing.T) (*httptest.Server, *atomic.Int64, func() int) {
	var n atomic.Int64
	var mu sync.Mutex
	seen := map[string]bool{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if l := r.URL.Query().Get("label"); l != "" {
			n.Add(1)
			mu.Lock()
			seen[l] = true
			mu.Unlock()
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n, func() int { mu.Lock(); defer mu.Unlock(); return len(seen) }
}

func TestLabelsAt(t *testing.T) {
	t.Parallel()
	c := config{LabelsPerSec: 100}
	for _, tc := range []struct {
		at   time.Duration
		want int
	}{
		{0, 1},                       // the first label exists at once
		{9 * time.Millisecond, 1},    // the second after 1/100 s
		{10 * time.Millisecond, 2},   //
		{500 * time.Millisecond, 51}, // half a second: 50 more
	} {
		assert.Equal(t, tc.want, c.labelsAt(tc.at), "after %s", tc.at)
	}
}

func TestLoadRunsForDuration(t *testing.T) {
	t.Parallel()
	srv, hits, distinct := labelSink(t)
	c := config{Sink: srv.URL, RPS: 200, Tasks: 4, Duration: 500 * time.Millisecond,
		LabelsPerSec: 100, Track: true, SampleN: 1, SigFigs: 2}
	reg := prometheus.NewRegistry()
	tr := newTracker(c, reg)
	l := newLoad(c, tr, reg)
	start := time.Now()
	l.run(context.Background())
	assert.Less(t, time.Since(start), 2*time.Second, "run did not stop by itself")
	// How many requests a loaded machine gets through in 0.5 s varies;
	// what does not: at most RPS·Duration (+1) are sent, each one the sink
	// sees is counted, and the labels tracked are those the sink saw, no
	// more than had come into existence by the end.
	ok := servetest.Counter(t, l.requests.WithLabelValues("ok"))
	assert.LessOrEqual(t, ok, 101.0)
	assert.Positive(t, ok)
	assert.InDelta(t, float64(hits.Load()), ok, 4)
	live, _, _ := tr.Counts()
	assert.InDelta(t, distinct(), live, 4, "one tracked label per label sent")
	assert.LessOrEqual(t, live, c.labelsAt(c.Duration), "labels grow no faster than LABELS_PER_SEC")
	assert.Greater(t, live, 1, "labels grow")
	<-l.finished
}

func TestBinary(t *testing.T) {
	t.Parallel()
	srv, hits := sink(t)
	bin := servetest.Build(t, ".")
	p := servetest.Start(t, bin, "SINK_URL="+srv.URL+"/", "TARGET_RPS=100", "TARGET_TASKS=4",
		"TARGET_DURATION=1s", "LABELS_PER_SEC=50")
	rss0 := p.RSS(t, "VmRSS")
	deadline := time.Now().Add(time.Minute) // a backstop, not a speed goal
	for p.Metric(t, "labelstorm_done") != 1 {
		require.True(t, time.Now().Before(deadline), "labelstorm did not stop after TARGET_DURATION")
		time.Sleep(100 * time.Millisecond)
	}
	// How many requests a loaded machine gets through in 1 s varies (58 of
	// 100 beside two CPU hogs); at most RPS·Duration (+1) are sent.
	n := hits.Load()
	assert.Positive(t, n)
	assert.LessOrEqual(t, n, int64(101))
	// a request the sink answered as the duration ended may be cut on the client side
	assert.InDelta(t, float64(n), p.Metric(t, `labelstorm_requests_total{result="ok"}`), 4)
	assert.Greater(t, p.Metric(t, "labelstorm_histograms"), 1.0, "labels grow")
	// every histogram is resident, not just reserved
	hb := p.Metric(t, "labelstorm_histogram_bytes")
	assert.Greater(t, float64(p.RSS(t, "VmRSS")-rss0), 0.7*hb, "RSS grew less than the histograms' %.0f bytes", hb)
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	time.Sleep(200 * time.Millisecond)
	assert.Equal(t, n, hits.Load(), "requests after the duration ended")
	assert.Equal(t, "ok", p.Get(t, "/healthz"))
	p.Stop(t)

	servetest.Refuses(t, bin, []string{"PORT=1", "SINK_URL=http://192.0.2.1/", "TRACK=maybe"}, "SINK_URL", "TRACK")
}
