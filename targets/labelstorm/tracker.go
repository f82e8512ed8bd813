package main

import (
	"strconv"
	"sync"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
	"github.com/prometheus/client_golang/prometheus"
)

// Histogram range: 1 µs to 60 s, in microseconds.
const (
	histMin = 1
	histMax = 60_000_000
)

// overflowLabel collects every label past MAX_LABELS.
const overflowLabel = "_other"

// stats is what TRACK=off keeps per label: counts, not percentiles.
type stats struct {
	Count         int64
	Min, Max, Sum int64
}

// tracker keeps latency per label: one HDR histogram each (TRACK=on) or
// plain stats (TRACK=off), capped at MAX_LABELS, reset every ROTATE (the
// closed window is merged into one run-wide histogram), recording one
// request in SAMPLE_N.
type tracker struct {
	cfg config

	mu      sync.Mutex
	hists   map[string]*hdrhistogram.Histogram
	stats   map[string]*stats
	total   *hdrhistogram.Histogram // closed windows, merged
	seen    int64
	rotated time.Time

	labels     prometheus.GaugeFunc
	histograms prometheus.GaugeFunc
	histBytes  prometheus.GaugeFunc
}

func newTracker(c config, reg prometheus.Registerer) *tracker {
	t := &tracker{cfg: c, hists: map[string]*hdrhistogram.Histogram{}, stats: map[string]*stats{}}
	t.labels = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "labelstorm_labels", Help: "Labels tracked in the current window.",
	}, func() float64 { l, _, _ := t.Counts(); return float64(l) })
	t.histograms = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "labelstorm_histograms", Help: "Live latency histograms (per label, plus the merged one).",
	}, func() float64 { _, h, _ := t.Counts(); return float64(h) })
	t.histBytes = prometheus.NewGaugeFunc(prometheus.GaugeOpts{
		Name: "labelstorm_histogram_bytes", Help: "Estimated bytes held by live histograms.",
	}, func() float64 { _, _, b := t.Counts(); return float64(b) })
	reg.MustRegister(t.labels, t.histograms, t.histBytes)
	return t
}

// Record notes one request's latency under label, at time now.
func (t *tracker) Record(label string, d time.Duration, now time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cfg.Rotate > 0 {
		if t.rotated.IsZero() {
			t.rotated = now
		} else if now.Sub(t.rotated) >= t.cfg.Rotate {
			t.rotate(now)
		}
	}
	t.seen++
	if t.cfg.SampleN > 1 && t.seen%int64(t.cfg.SampleN) != 0 {
		return
	}
	us := max(d.Microseconds(), histMin)
	if !t.cfg.Track {
		s := t.stats[label]
		if s == nil {
			if t.full(len(t.stats)) {
				label = overflowLabel
				s = t.stats[label]
			}
			if s == nil {
				s = &stats{Min: us}
				t.stats[label] = s
			}
		}
		s.Count++
		s.Sum += us
		s.Min, s.Max = min(s.Min, us), max(s.Max, us)
		return
	}
	h := t.hists[label]
	if h == nil {
		if t.full(len(t.hists)) {
			label = overflowLabel
			h = t.hists[label]
		}
		if h == nil {
			h = t.newHist()
			t.hists[label] = h
		}
	}
	_ = h.RecordValue(min(us, histMax))
}

// newHist returns an empty histogram whose counts are resident. A fresh
// large allocation is not in RSS until written; a histogram of a long run
// has values across its range, so Reset writes every counter once to model
// that: each new label costs its full ByteSize in RSS.
func (t *tracker) newHist() *hdrhistogram.Histogram {
	h := hdrhistogram.New(histMin, histMax, t.cfg.SigFigs)
	h.Reset()
	return h
}

// full says whether a new label must go to the overflow label.
func (t *tracker) full(n int) bool { return t.cfg.MaxLabels > 0 && n >= t.cfg.MaxLabels }

// rotate closes the window: per-label histograms are merged into one and
// dropped, so memory is bounded by the labels of one window.
func (t *tracker) rotate(now time.Time) {
	if t.cfg.Track && len(t.hists) > 0 {
		if t.total == nil {
			t.total = t.newHist()
		}
		for _, h := range t.hists {
			t.total.Merge(h)
		}
	}
	t.hists = map[string]*hdrhistogram.Histogram{}
	t.stats = map[string]*stats{}
	t.rotated = now
}

// Counts returns live labels, live histograms and their estimated bytes.
func (t *tracker) Counts() (labels, histograms int, bytes int64) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, h := range t.hists {
		bytes += int64(h.ByteSize())
	}
	histograms = len(t.hists)
	if t.total != nil {
		histograms++
		bytes += int64(t.total.ByteSize())
	}
	return len(t.hists) + len(t.stats), histograms, bytes
}

// labelName is the i-th label of the growing set.
func labelName(i int) string { return "step-" + strconv.Itoa(i) }
