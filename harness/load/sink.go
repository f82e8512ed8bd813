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
// and counts what it received: the requests it answered, the bytes of
// their bodies, and the requests it could not take, which are the client's
// errors (see SinkStats).
type Sink struct {
	delay    time.Duration
	maxPaths int
	now      func() time.Time

	requests atomic.Int64
	bytes    atomic.Int64
	bad      atomic.Int64 // refused by the HTTP server: malformed, headers too large
	cut      atomic.Int64 // bodies that ended before their length
	mu       sync.Mutex
	byPath   map[string]int64
	last     SinkStats // totals at the previous Interval
	lastAt   time.Time

	srv *http.Server
	ln  net.Listener
}

// SinkOption sets a knob of a Sink.
type SinkOption func(*Sink)

// SinkDelay makes the sink wait d before answering each request.
func SinkDelay(d time.Duration) SinkOption { return func(s *Sink) { s.delay = d } }

// SinkMaxPaths caps the distinct paths counted; default DefaultSinkMaxPaths.
func SinkMaxPaths(n int) SinkOption { return func(s *Sink) { s.maxPaths = n } }

// SinkClock sets the clock Interval measures elapsed time with; default
// time.Now.
func SinkClock(now func() time.Time) SinkOption { return func(s *Sink) { s.now = now } }

// SinkStats is what a Sink received.
type SinkStats struct {
	Requests int64            // requests received and answered 200
	Bytes    int64            // request body bytes received
	ByPath   map[string]int64 // requests by URL path
	// BadRequests were refused by the HTTP server before the sink saw
	// them (a malformed request line or header, headers too large): it
	// answered them 4xx and they are not in Requests.
	BadRequests int64
	// CutShort are requests whose body ended before its announced length
	// (the client closed or reset the connection); not in Requests.
	CutShort int64
}

// Errors is what the sink could not take: BadRequests + CutShort.
func (st SinkStats) Errors() int64 { return st.BadRequests + st.CutShort }

// SinkWindow is what a Sink received between two calls of Interval.
type SinkWindow struct {
	Requests, Errors, Bytes int64
	Seconds                 float64 // length of the window
	RPS                     float64 // Requests / Seconds; 0 for an empty window
}

// NewSink makes a sink; Start it to listen.
func NewSink(opts ...SinkOption) *Sink {
	s := &Sink{maxPaths: DefaultSinkMaxPaths, byPath: map[string]int64{}, now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Start listens on addr (a loopback address such as "127.0.0.1:0") and
// serves in the background. It returns the sink's base URL. Interval's
// first window starts here.
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
	s.ln = &refusalListener{Listener: ln, refused: &s.bad}
	s.mu.Lock()
	s.lastAt = s.now()
	s.mu.Unlock()
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.srv.Serve(s.ln) }()
	return "http://" + ln.Addr().String(), nil
}

func (s *Sink) serve(w http.ResponseWriter, r *http.Request) {
	n, err := io.Copy(io.Discard, r.Body)
	s.bytes.Add(n)
	if err != nil {
		s.cut.Add(1)
		return
	}
	s.requests.Add(1)
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
	st := s.totals()
	st.ByPath = make(map[string]int64, len(s.byPath))
	for k, v := range s.byPath {
		st.ByPath[k] = v
	}
	return st
}

func (s *Sink) totals() SinkStats {
	return SinkStats{Requests: s.requests.Load(), Bytes: s.bytes.Load(), BadRequests: s.bad.Load(), CutShort: s.cut.Load()}
}

// Interval reports what the sink received since its previous call (or
// since Start). Safe to call concurrently with the requests it counts.
func (s *Sink) Interval() SinkWindow {
	s.mu.Lock()
	defer s.mu.Unlock()
	now, cur := s.now(), s.totals()
	w := SinkWindow{
		Requests: cur.Requests - s.last.Requests,
		Errors:   cur.Errors() - s.last.Errors(),
		Bytes:    cur.Bytes - s.last.Bytes,
		Seconds:  now.Sub(s.lastAt).Seconds(),
	}
	if w.Seconds > 0 {
		w.RPS = float64(w.Requests) / w.Seconds
	}
	s.last, s.lastAt = cur, now
	return w
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
