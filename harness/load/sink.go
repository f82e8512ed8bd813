package load

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultSinkMaxPaths caps the distinct paths a Sink counts; further paths
// are counted under OverflowLabel.
const DefaultSinkMaxPaths = 1000

// Sink is the HTTP server client targets send their load to. It answers
// 200 at once (or after a configured delay), reads and discards every body,
// and counts what it received.
type Sink struct {
	delay    time.Duration
	maxPaths int

	requests atomic.Int64
	bytes    atomic.Int64
	mu       sync.Mutex
	byPath   map[string]int64

	srv *http.Server
	ln  net.Listener
}

// SinkOption sets a knob of a Sink.
type SinkOption func(*Sink)

// SinkDelay makes the sink wait d before answering each request.
func SinkDelay(d time.Duration) SinkOption { return func(s *Sink) { s.delay = d } }

// SinkMaxPaths caps the distinct paths counted; default DefaultSinkMaxPaths.
func SinkMaxPaths(n int) SinkOption { return func(s *Sink) { s.maxPaths = n } }

// SinkStats is what a Sink received.
type SinkStats struct {
	Requests int64            // requests received
	Bytes    int64            // request body bytes received
	ByPath   map[string]int64 // requests by URL path
}

// NewSink makes a sink; Start it to listen.
func NewSink(opts ...SinkOption) *Sink {
	s := &Sink{maxPaths: DefaultSinkMaxPaths, byPath: map[string]int64{}}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start listens on addr (a loopback address such as "127.0.0.1:0") and
// serves in the background. It returns the sink's base URL.
func (s *Sink) Start(addr string) (string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("load: sink address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return "", fmt.Errorf("%w: sink address %q", ErrNotLoopback, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("load: sink listen %q: %w", addr, err)
	}
	s.ln = ln
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	n, _ := io.Copy(io.Discard, r.Body)
	s.requests.Add(1)
	s.bytes.Add(n)
	s.mu.Lock()
	path := r.URL.Path
	if _, ok := s.byPath[path]; !ok && len(s.byPath) >= s.maxPaths {
		path = OverflowLabel
	}
	s.byPath[path]++
	s.mu.Unlock()
	if s.delay > 0 {
		select {
		case <-time.After(s.delay):
		case <-r.Context().Done():
			return
		}
	}
	w.Header().Set("Content-Length", "2")
	_, _ = io.WriteString(w, "ok")
}

// Stats returns a copy of what the sink received so far.
func (s *Sink) Stats() SinkStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := SinkStats{Requests: s.requests.Load(), Bytes: s.bytes.Load(), ByPath: make(map[string]int64, len(s.byPath))}
	for k, v := range s.byPath {
		st.ByPath[k] = v
	}
	return st
}

// Close stops the sink and its connections.
func (s *Sink) Close() error {
	if s.srv == nil {
		return nil
	}
	if err := s.srv.Close(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
