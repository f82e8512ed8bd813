package load

import (
	"net/http"
	"time"
)

// DefaultLateAfter is how far past its intended time a request may start
// before it counts as late.
const DefaultLateAfter = time.Millisecond

// DefaultStartGrace is how long after the end of the run a request that
// was due before the end may still start; later it counts as dropped.
const DefaultStartGrace = 50 * time.Millisecond

// Option sets a knob of the driver from code.
type Option func(*options)

type options struct {
	transport http.RoundTripper
	std       bool
	lateAfter time.Duration
	grace     time.Duration
	highest   time.Duration
	sigfigs   int
}

func defaultOptions() options {
	return options{lateAfter: DefaultLateAfter, grace: DefaultStartGrace, highest: DefaultHighestLatency, sigfigs: DefaultSigFigs}
}

// WithTransport sends requests through rt (net/http) instead of the
// driver's own HTTP/1.1 connections, one kept alive per task.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) { o.transport = rt }
}

// StdTransport sends requests through a net/http Transport that keeps Tasks
// idle connections alive, instead of the driver's own HTTP/1.1 connections.
// It costs more CPU per request.
func StdTransport() Option {
	return func(o *options) { o.std = true }
}

// LateAfter sets how far past its intended time a request may start before
// it counts as late; default DefaultLateAfter.
func LateAfter(d time.Duration) Option {
	return func(o *options) { o.lateAfter = d }
}

// StartGrace sets how long after the run's end a request due before it may
// still start; default DefaultStartGrace.
func StartGrace(d time.Duration) Option {
	return func(o *options) { o.grace = d }
}

// HistogramRange sets the highest latency the histograms track and their
// significant figures (1-5); defaults DefaultHighestLatency and
// DefaultSigFigs. Memory per histogram grows with both.
func HistogramRange(highest time.Duration, sigfigs int) Option {
	return func(o *options) { o.highest, o.sigfigs = highest, sigfigs }
}

// newTransport is the driver's own transport: keep-alive with an idle pool
// as large as the task count, no compression, no proxy.
func newTransport(tasks int) *http.Transport {
	return &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        tasks,
		MaxIdleConnsPerHost: tasks,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
		ForceAttemptHTTP2:   false,
		WriteBufferSize:     16 << 10,
		ReadBufferSize:      16 << 10,
	}
}
