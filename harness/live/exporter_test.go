package live

import (
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil/promlint"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/buildinfo"
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// scrape fetches url and returns every series as "name{labels}" -> value.
func scrape(t *testing.T, url string) map[string]float64 {
	t.Helper()
	resp, err := http.Get(url)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	require.NoError(t, err)
	out := map[string]float64{}
	for name, f := range fams {
		for _, m := range f.GetMetric() {
			key := name
			if len(m.GetLabel()) > 0 {
				var ls []string
				for _, l := range m.GetLabel() {
					ls = append(ls, l.GetName()+"="+l.GetValue())
				}
				key += "{" + strings.Join(ls, ",") + "}"
			}
			out[key] = value(m)
		}
	}
	return out
}

func value(m *dto.Metric) float64 {
	switch {
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	return m.GetUntyped().GetValue()
}

func TestScrape(t *testing.T) {
	t.Parallel()
	e := New()
	url, err := e.Serve("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { require.NoError(t, e.Close()) })
	require.True(t, strings.HasPrefix(url, "http://127.0.0.1:"), url)

	leaky := matrix.Cell{ID: "leaky/ram=128MiB", Target: "leaky", Duration: 3 * time.Minute, RAM: 128 << 20}
	hog := matrix.Cell{ID: "hog/ram=48MiB", Target: "hog", Duration: time.Minute, RAM: 48 << 20}
	e.RunStarted(&results.Run{ID: "r"}, []matrix.Cell{leaky, hog})
	e.CellStarted(1, 2, leaky)
	e.Sampled(leaky, results.Sample{T: 5, RSS: 30 << 20, WorkingSet: 32 << 20, Usage: 40 << 20, DriverRSS: 20 << 20,
		DriverAnon: 9 << 20, DriverHeap: 4 << 20,
		Requests: 100, RPS: 99.5, P99: 12.5, Errors: 2, Latency: latencies(0.002, 0.002, 0.3),
		Metrics: map[string]float64{"go_goroutines": 40, "go_memstats_heap_inuse_bytes": 1e7}})
	e.Sampled(leaky, results.Sample{T: 6, RSS: 31 << 20, WorkingSet: 33 << 20, Usage: 41 << 20,
		Requests: 100, RPS: 100, P99: 10, Errors: 1, Latency: latencies(0.02, 30),
		Metrics: map[string]float64{"go_goroutines": 41}})

	got := scrape(t, url)
	cases := []struct {
		series string
		want   float64
	}{
		{"soaklab_cell_info{cell=leaky/ram=128MiB,target=leaky}", 1}, // the running cell named
		{"soaklab_target_rss_bytes", 31 << 20},                       // latest sample wins
		{"soaklab_target_working_set_bytes", 33 << 20},
		{"soaklab_target_cgroup_usage_bytes", 41 << 20},
		{"soaklab_memory_limit_bytes", 128 << 20},
		{"soaklab_driver_rss_bytes", 20 << 20}, // kept when a sample lacks it
		{"soaklab_driver_rss_anon_bytes", 9 << 20},
		{"soaklab_driver_heap_bytes", 4 << 20},
		{"soaklab_requests_per_second", 100},
		{"soaklab_latency_p99_seconds", 0.010},  // ms turned into seconds
		{"soaklab_errors_total", 3},             // summed over intervals
		{"soaklab_requests_total", 200},         // summed over intervals
		{"soaklab_request_duration_seconds", 5}, // every request with a latency
		{"soaklab_oom_kills_total", 0},
		{"soaklab_target_major_faults_total", 0},
		{"soaklab_run_cells", 2},
		{"soaklab_cells_done_total{outcome=completed}", 0}, // present before any cell ends
		{"soaklab_cell_elapsed_seconds", 6},
		{"soaklab_cell_duration_seconds", 180},
		{"soaklab_target_metric{name=go_goroutines}", 41},
	}
	for _, tc := range cases {
		v, ok := got[tc.series]
		require.True(t, ok, "series %s missing from scrape", tc.series)
		require.InDelta(t, tc.want, v, 1e-9, tc.series)
	}
	info := buildinfo.Read()
	require.Equal(t, 1.0, got["soaklab_build_info{goarch="+runtime.GOARCH+",goos="+runtime.GOOS+",goversion="+info.GoVersion+
		",revision="+info.Commit+",version="+info.Version+"}"], "build info: %v", got)
	_, stale := got["soaklab_target_metric{name=go_memstats_heap_inuse_bytes}"]
	require.False(t, stale, "a series absent from the latest sample is dropped")

	e.CellEnded(1, 2, &results.Cell{ID: leaky.ID, Outcome: results.Completed})
	e.CellStarted(2, 2, hog)
	e.Sampled(hog, results.Sample{T: 1, RSS: 47 << 20, OOMKills: 1, MajorFaults: 300})
	e.Sampled(hog, results.Sample{T: 2, RSS: 47 << 20, OOMKills: 1, MajorFaults: 500})
	e.CellEnded(2, 2, &results.Cell{ID: hog.ID, Outcome: results.OOMKilled, OOMKills: 2})
	got = scrape(t, url)
	require.Equal(t, 2.0, got["soaklab_oom_kills_total"], "counted once per kill, from samples and the cell's end")
	require.Equal(t, 500.0, got["soaklab_target_major_faults_total"], "the cumulative count's growth, added once")
	require.Equal(t, 1.0, got["soaklab_cells_done_total{outcome=completed}"])
	require.Equal(t, 1.0, got["soaklab_cells_done_total{outcome=oom-killed}"])
	for k := range got {
		require.False(t, strings.HasPrefix(k, "soaklab_cell_info{"), "no cell runs after the last ended: %s", k)
	}
}

func TestServeRefusesNonLoopback(t *testing.T) {
	t.Parallel()
	cases := []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:0", true},        // IPv4 loopback
		{"localhost:0", true},        // the loopback name
		{"[::1]:0", true},            // IPv6 loopback (listening may fail without IPv6; only the check is tested)
		{":9464", false},             // every interface
		{"0.0.0.0:9464", false},      // every interface, spelled out
		{"192.168.1.10:9464", false}, // a LAN address
		{"example.com:9464", false},  // a name other than localhost
		{"127.0.0.1", false},         // no port: not an address
	}
	for _, tc := range cases {
		err := CheckLoopback(tc.addr)
		if tc.ok {
			require.NoError(t, err, tc.addr)
			continue
		}
		require.Error(t, err, tc.addr)
		if tc.addr != "127.0.0.1" {
			require.True(t, errors.Is(err, ErrNotLoopback), "%s: %v", tc.addr, err)
			require.Contains(t, err.Error(), tc.addr)
		}
	}
	e := New()
	_, err := e.Serve("0.0.0.0:0")
	require.ErrorIs(t, err, ErrNotLoopback, "Serve itself refuses")
	require.NoError(t, e.Close(), "Close without a server is a no-op")
}

func TestServeTwiceAndClose(t *testing.T) {
	t.Parallel()
	e := New()
	url, err := e.Serve("127.0.0.1:0")
	require.NoError(t, err)
	_, err = e.Serve("127.0.0.1:0")
	require.ErrorIs(t, err, ErrServing)
	resp, err := http.Get(strings.TrimSuffix(url, MetricsPath) + "/")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Contains(t, string(body), MetricsPath, "the index page points at the metrics")
	require.Contains(t, string(body), ProfilePath, "and at the profiles")
	require.NoError(t, e.Close())
	require.NoError(t, e.Close(), "closing twice is fine")
	_, err = http.Get(url)
	require.Error(t, err, "nothing listens after Close")
}

func TestServeProfiles(t *testing.T) {
	t.Parallel()
	e := New()
	url, err := e.Serve("127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Close() })
	base := strings.TrimSuffix(url, MetricsPath) + ProfilePath
	tests := []struct {
		path, want string // want: in the body
	}{
		{"", "goroutine"}, // the index lists the profiles
		{"goroutine?debug=1", "goroutine profile: total"},
		{"allocs?debug=1", "heap profile:"}, // allocations since start
		{"cmdline", ""},
	}
	for _, tt := range tests {
		resp, err := http.Get(base + tt.path)
		require.NoError(t, err, tt.path)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		require.Equal(t, http.StatusOK, resp.StatusCode, tt.path)
		require.Contains(t, string(body), tt.want, tt.path)
	}
}

// latencies counts requests of the given latencies in seconds.
func latencies(seconds ...float64) results.LatencyCounts {
	var l results.LatencyCounts
	for _, s := range seconds {
		l.Add(s)
	}
	return l
}

// TestLatencyHistogram reads the histogram as Prometheus does: cumulative
// buckets over the run, the +Inf bucket equal to the count, the sum.
func TestLatencyHistogram(t *testing.T) {
	t.Parallel()
	e := New()
	c := matrix.Cell{ID: "a"}
	e.Sampled(c, results.Sample{Latency: latencies(0.0005, 0.002, 0.3)})
	e.Sampled(c, results.Sample{Latency: latencies(0.3, 30)})
	fams, err := e.Registry().Gather()
	require.NoError(t, err)
	var h *dto.Histogram
	for _, f := range fams {
		if f.GetName() == "soaklab_request_duration_seconds" {
			require.Equal(t, dto.MetricType_HISTOGRAM, f.GetType())
			h = f.GetMetric()[0].GetHistogram()
		}
	}
	require.NotNil(t, h)
	require.Equal(t, uint64(5), h.GetSampleCount())
	require.InDelta(t, 30.6025, h.GetSampleSum(), 1e-9)
	cum := map[float64]uint64{}
	for _, b := range h.GetBucket() {
		cum[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	require.Len(t, cum, len(results.LatencyBounds))
	require.Equal(t, uint64(1), cum[0.001])
	require.Equal(t, uint64(2), cum[0.0025])
	require.Equal(t, uint64(2), cum[0.25])
	require.Equal(t, uint64(4), cum[0.5])
	require.Equal(t, uint64(4), cum[10], "30 s lies only in +Inf")
}

// TestMetricNamesLint holds every metric to Prometheus's naming rules
// (promlint): counters end in _total and only counters do, units in base
// units and in the name, help on every metric.
func TestMetricNamesLint(t *testing.T) {
	t.Parallel()
	e := New()
	e.Sampled(matrix.Cell{ID: "a"}, results.Sample{Requests: 1, Latency: latencies(0.01), Metrics: map[string]float64{"x": 1}})
	fams, err := e.Registry().Gather()
	require.NoError(t, err)
	problems, err := promlint.NewWithMetricFamilies(fams).Lint()
	require.NoError(t, err)
	require.Empty(t, problems)
	for _, f := range fams {
		isCounter := f.GetType() == dto.MetricType_COUNTER
		require.Equal(t, isCounter, strings.HasSuffix(f.GetName(), "_total"), "%s is a %s", f.GetName(), f.GetType())
		require.True(t, strings.HasPrefix(f.GetName(), "soaklab_"), f.GetName())
	}
}
