package live

import (
	"runtime"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/soaklab/soaklab/harness/buildinfo"
	"github.com/soaklab/soaklab/harness/results"
)

// latencyHistogram is soaklab_request_duration_seconds: every request the
// driver finished with a latency, by corrected latency, accumulated over
// the run from each sample's interval counts (results.LatencyCounts), so
// that Grafana can aggregate it: histogram_quantile(0.99,
// sum by (le) (rate(soaklab_request_duration_seconds_bucket[5m]))).
type latencyHistogram struct {
	desc *prometheus.Desc

	mu      sync.Mutex
	buckets [len(results.LatencyBounds) + 1]uint64
	sum     float64
}

func newLatencyHistogram() *latencyHistogram {
	return &latencyHistogram{desc: prometheus.NewDesc("soaklab_request_duration_seconds",
		"Latency of the requests the driver finished in this run, from their intended send time (corrected for coordinated omission).",
		nil, nil)}
}

func (h *latencyHistogram) add(c *results.LatencyCounts) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, n := range c.Buckets {
		h.buckets[i] += uint64(n)
	}
	h.sum += c.Sum
}

func (h *latencyHistogram) Describe(ch chan<- *prometheus.Desc) { ch <- h.desc }

func (h *latencyHistogram) Collect(ch chan<- prometheus.Metric) {
	h.mu.Lock()
	cum := make(map[float64]uint64, len(results.LatencyBounds))
	var n uint64
	for i, le := range results.LatencyBounds {
		n += h.buckets[i]
		cum[le] = n
	}
	n += h.buckets[len(results.LatencyBounds)]
	sum := h.sum
	h.mu.Unlock()
	ch <- prometheus.MustNewConstHistogram(h.desc, n, sum, cum)
}

// buildInfo is soaklab_build_info: 1, labelled with the running soaklab's
// version, commit and Go version, the convention of Prometheus exporters.
func buildInfo(i buildinfo.Info) prometheus.Collector {
	g := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "soaklab_build_info",
		Help: "1, labelled with the version, commit and Go version of the soaklab serving these metrics."},
		[]string{"version", "revision", "goversion", "goos", "goarch"})
	g.WithLabelValues(i.Version, i.Commit, i.GoVersion, runtime.GOOS, runtime.GOARCH).Set(1)
	return g
}
