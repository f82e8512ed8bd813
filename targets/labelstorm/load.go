package main

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// load sends labelled GETs to the sink at a constant rate with at most
// Tasks in flight, for Duration, and records each latency in a tracker.
type load struct {
	cfg     config
	tracker *tracker
	client  *http.Client

	requests *prometheus.CounterVec
	done     prometheus.Gauge
	finished chan struct{}
}

func newLoad(c config, tr *tracker, reg prometheus.Registerer) *load {
	l := &load{
		cfg:     c,
		tracker: tr,
		client: &http.Client{
			Timeout:   10 * time.Second,
			Transport: &http.Transport{MaxIdleConnsPerHost: c.Tasks, MaxConnsPerHost: c.Tasks},
		},
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "labelstorm_requests_total", Help: "Requests by result: ok, error, or dropped (all tasks busy).",
		}, []string{"result"}),
		done: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "labelstorm_done", Help: "1 once TARGET_DURATION has ended and sending stopped.",
		}),
		finished: make(chan struct{}),
	}
	for _, r := range []string{"ok", "error", "dropped"} {
		l.requests.WithLabelValues(r)
	}
	reg.MustRegister(l.requests, l.done)
	return l
}

// job is one request to send: its label and intended send time.
type job struct {
	label string
	at    time.Time
}

// run paces requests until Duration passes or ctx ends, waits for the
// workers, then marks itself done. Label i exists once i/LabelsPerSec
// seconds have passed; requests cycle through the labels that exist.
func (l *load) run(ctx context.Context) {
	defer close(l.finished)
	defer l.done.Set(1)
	ctx, cancel := context.WithTimeout(ctx, l.cfg.Duration)
	defer cancel()
	jobs := make(chan job)
	var wg sync.WaitGroup
	for range l.cfg.Tasks {
		wg.Go(func() {
			for j := range jobs {
				l.send(ctx, j)
			}
		})
	}
	defer wg.Wait()
	defer close(jobs)

	start := time.Now()
	interval := time.Second / time.Duration(l.cfg.RPS)
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for n := 0; ; n++ {
		select {
		case <-ctx.Done():
			return
		case now := <-tick.C:
			j := job{label: labelName(n % l.cfg.labelsAt(now.Sub(start))), at: now}
			select {
			case jobs <- j:
			default:
				l.requests.WithLabelValues("dropped").Inc()
			}
		}
	}
}

func (l *load) send(ctx context.Context, j job) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.cfg.Sink+"?label="+url.QueryEscape(j.label), nil)
	if err != nil {
		l.requests.WithLabelValues("error").Inc()
		return
	}
	resp, err := l.client.Do(req)
	if err != nil {
		if ctx.Err() == nil {
			l.requests.WithLabelValues("error").Inc()
		}
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	now := time.Now()
	if resp.StatusCode >= 400 {
		l.requests.WithLabelValues("error").Inc()
		return
	}
	l.requests.WithLabelValues("ok").Inc()
	l.tracker.Record(j.label, now.Sub(j.at), now)
}

// labelsAt is how many labels exist after d: the first at once, then one
// every 1/LabelsPerSec.
func (c config) labelsAt(d time.Duration) int {
	return 1 + int(c.LabelsPerSec*d.Seconds())
}
