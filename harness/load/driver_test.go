package load

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// counter is a trivial loopback target that counts what it serves and
// when, relative to its first request.
type counter struct {
	n     atomic.Int64
	mu    sync.Mutex
	first time.Time
	at    []time.Duration
}

func (c *counter) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	c.n.Add(1)
	c.mu.Lock()
	now := time.Now()
	if c.first.IsZero() {
		c.first = now
	}
	c.at = append(c.at, now.Sub(c.first))
	c.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func run(t *testing.T, cfg Config, opts ...Option) *Driver {
	t.Helper()
	d, err := New(cfg, opts...)
	require.NoError(t, err)
	return d
}

// These tests check what holds however busy the machine is: a start grace
// longer than any stall lets every intended request start (the late ones
// counted as late), so counts are exact, and no request may start before
// its intended time. How closely the starts follow the clock is a figure
// of `make bench` (BenchmarkRate30k, BenchmarkRamp), not a pass/fail here.

// patient is the grace that lets every due request start on a busy machine.
var patient = StartGrace(time.Minute)

func TestEveryIntendedRequestStarts(t *testing.T) {
	t.Parallel()
	c := &counter{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	// 2,000 req/s for 3 s: the open model intends exactly 6,000 requests.
	d := run(t, Config{BaseURL: srv.URL, Rate: 2000, Tasks: 32, Duration: 3 * time.Second}, patient)
	done := make(chan struct{})
	var intervals []IntervalStats
	go func() { // the sampler calls Interval while Run runs
		defer close(done)
		for range 3 {
			time.Sleep(900 * time.Millisecond)
			intervals = append(intervals, d.Interval())
		}
	}()
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	<-done
	intervals = append(intervals, d.Interval()) // what finished since the last call
	assert.Equal(t, int64(6000), out.Sent, "every intended request started")
	assert.Zero(t, out.Dropped)
	assert.Equal(t, 2000.0, out.AchievedRPS, "over the scheduled window")
	assert.Equal(t, out.Sent, c.n.Load(), "the target saw every request sent")
	assert.Equal(t, out.Sent, out.Completed)
	assert.Zero(t, out.Errors)
	require.Len(t, out.Labels, 1)
	assert.Equal(t, "/", out.Labels[0].Label)
	assert.NotEmpty(t, out.Labels[0].Histogram)
	var seen int64
	for _, iv := range intervals {
		seen += iv.Requests
	}
	assert.Equal(t, out.Sent, seen, "the intervals add up to what was sent, none counted twice")
}

func TestRampNeverEarly(t *testing.T) {
	t.Parallel()
	c := &counter{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	// ramp 0 -> 2,000 req/s over the whole 2 s run: 2,000 requests, the
	// k-th intended at sqrt(k/1000) s. The k-th to reach the target cannot
	// arrive before that, measured from before Run began.
	d := run(t, Config{BaseURL: srv.URL, Rate: 2000, Ramp: 2 * time.Second, Tasks: 32, Duration: 2 * time.Second}, patient)
	begin := time.Now()
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(2000), out.Sent)
	assert.Zero(t, out.Dropped)
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.at, 2000)
	offset := c.first.Sub(begin) // c.at counts from the first arrival
	sched := schedule{rate: 2000, ramp: 2, dur: 2}
	arrivals := slices.Sorted(slices.Values(c.at))
	early := 0
	for k, at := range arrivals {
		if at+offset < sched.At(int64(k)) {
			early++
		}
	}
	assert.Zero(t, early, "requests arrived before their intended time")
	// the ramp, not a burst: the last request is intended at 2 s
	assert.GreaterOrEqual(t, arrivals[len(arrivals)-1]+offset, sched.At(1999))
}

// TestBurstsPauseBetween drives 200 req/s in 200 ms bursts with 300 ms
// pauses for 1 s: 80 requests, none sent inside a pause, and the requested
// rate is the planned requests over the run (80/s), not the bursts' rate.
func TestBurstsPauseBetween(t *testing.T) {
	t.Parallel()
	c := &counter{}
	srv := httptest.NewServer(c)
	defer srv.Close()
	d := run(t, Config{BaseURL: srv.URL, Rate: 200, Tasks: 8, Duration: time.Second, Burst: 200 * time.Millisecond, Pause: 300 * time.Millisecond}, patient)
	begin := time.Now()
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(80), out.Sent)
	assert.Equal(t, 80.0, out.TargetRPS)
	assert.Equal(t, 0.2, out.Burst)
	assert.Equal(t, 0.3, out.Pause)
	c.mu.Lock()
	defer c.mu.Unlock()
	require.Len(t, c.at, 80)
	offset := c.first.Sub(begin)
	sched := schedule{rate: 200, dur: 1, on: 0.2, off: 0.3}
	early := 0
	for k, at := range slices.Sorted(slices.Values(c.at)) {
		if at+offset < sched.At(int64(k)) {
			early++
		}
	}
	assert.Zero(t, early, "requests arrived before their intended time (none inside a pause)")
}

// stall is a target that stops answering for 1 s once, at its request
// number stallAt, like a process frozen by a pause: requests arriving
// meanwhile wait behind it.
type stall struct {
	mu      sync.Mutex
	n       int
	stallAt int
}

func (s *stall) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.n++
	if s.n == s.stallAt {
		time.Sleep(time.Second)
	}
	s.mu.Unlock()
	_, _ = w.Write([]byte("ok"))
}

func TestCoordinatedOmission(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&stall{stallAt: 1000})
	defer srv.Close()
	// 1,000 req/s for 4 s through 2 tasks; the stall holds back about a
	// quarter of the requests. Timed from their intended start they show
	// it; timed from when they were actually sent only the one or two that
	// met the stall do.
	d := run(t, Config{BaseURL: srv.URL, Rate: 1000, Tasks: 2, Duration: 4 * time.Second}, patient)
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(4000), out.Sent)
	assert.GreaterOrEqual(t, out.Corrected.P99, 500.0, "corrected p99 shows the stall")
	assert.Less(t, out.Uncorrected.P99, out.Corrected.P99/2, "uncorrected p99 hides it")
	assert.GreaterOrEqual(t, out.Uncorrected.Max, 1000.0, "the stalled request itself")
	assert.Greater(t, out.Late, int64(500), "requests queued behind the stall started late")
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	// a port nothing listens on
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "http://" + ln.Addr().String()
	require.NoError(t, ln.Close())
	fail := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	t.Cleanup(fail.Close)
	missing := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(missing.Close)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(30 * time.Second):
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(slow.Close)
	reset := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		_ = conn.(*net.TCPConn).SetLinger(0)
		_ = conn.Close()
	}))
	t.Cleanup(reset.Close)

	// Only the timeout case has a short Timeout: elsewhere a busy machine
	// that stalls a request past it would turn its kind into "timeout".
	tests := []struct {
		name    string
		url     string
		kind    string
		timeout time.Duration
	}{
		{"refused", refused, "refused", 20 * time.Second},        // nothing listens
		{"5xx", fail.URL, "http-5xx", 20 * time.Second},          // server error
		{"4xx", missing.URL, "http-4xx", 20 * time.Second},       // not found
		{"timeout", slow.URL, "timeout", 100 * time.Millisecond}, // slower than Timeout (the server answers after 30 s)
		{"reset", reset.URL, "reset", 20 * time.Second},          // connection reset mid-request
	}
	// each kind through the driver's own connections and through net/http
	transports := map[string][]Option{"own": nil, "net/http": {StdTransport()}}
	for _, tt := range tests {
		for via, opts := range transports {
			t.Run(tt.name+"/"+via, func(t *testing.T) {
				t.Parallel()
				d := run(t, Config{BaseURL: tt.url, Rate: 50, Tasks: 8, Duration: 200 * time.Millisecond, Timeout: tt.timeout},
					append(opts, patient)...) // counts exact even on a busy machine
				out, err := d.Run(context.Background())
				require.NoError(t, err)
				assert.Equal(t, int64(10), out.Sent)
				assert.Equal(t, map[string]int64{tt.kind: 10}, out.ErrorsByKind)
				assert.Equal(t, int64(10), out.Errors)
				assert.Zero(t, out.Completed)
			})
		}
	}
}

func TestLabelOverflow(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&counter{})
	defer srv.Close()
	mix := []Request{{Label: "a"}, {Label: "b"}, {Label: "c"}, {Label: "d", Path: "/d"}, {Label: "e", Path: "/e"}}
	d := run(t, Config{BaseURL: srv.URL, Rate: 1000, Tasks: 16, Duration: 500 * time.Millisecond, Mix: mix, MaxLabels: 3},
		patient) // counts exact even on a busy machine (a second's grace dropped 38 of 500 beside two CPU hogs)
	require.Len(t, d.Warnings(), 1)
	assert.Contains(t, d.Warnings()[0], "MaxLabels 3")
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	require.Zero(t, out.Dropped)
	var names []string
	for _, l := range out.Labels {
		names = append(names, l.Label)
	}
	assert.Equal(t, []string{"a", "b", "c", OverflowLabel}, names)
	assert.Equal(t, int64(200), out.Overflowed, "2 of every 5 requests")
	assert.Equal(t, d.Warnings(), out.Warnings)
}

func TestMaxRateAndBodies(t *testing.T) {
	t.Parallel()
	for via, opts := range map[string][]Option{"own": nil, "net/http": {StdTransport()}} {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			testMaxRateAndBodies(t, opts)
		})
	}
}

func testMaxRateAndBodies(t *testing.T, opts []Option) {
	sink := NewSink()
	url, err := sink.Start("127.0.0.1:0")
	require.NoError(t, err)
	defer sink.Close()
	body := make([]byte, 1000)
	d := run(t, Config{BaseURL: url, Tasks: 4, Duration: 300 * time.Millisecond,
		Mix: []Request{{Method: http.MethodPost, Path: "/up", Body: body}}, Mode: ModeOff}, opts...)
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Positive(t, out.Sent, "max-rate mode sends until the end (how fast: BenchmarkMaxRate)")
	assert.Zero(t, out.Dropped)
	assert.Zero(t, out.Late, "no schedule, nothing late")
	st := sink.Stats()
	assert.Equal(t, out.Sent, st.Requests)
	assert.Equal(t, out.Sent*1000, st.Bytes, "every body sent whole")
	assert.Equal(t, map[string]int64{"/up": out.Sent}, st.ByPath)
	assert.Equal(t, out.Corrected.P99, 0.0, "mode off keeps no percentiles")
	assert.Greater(t, out.Corrected.Max, 0.0)
}

func TestDroppedWhenTasksBusy(t *testing.T) {
	t.Parallel()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		time.Sleep(100 * time.Millisecond)
	}))
	defer slow.Close()
	// 1 task at 100 ms or more each can start at most 6 of the 50 requests
	// due in 500 ms (the 6th within the 50 ms grace); the rest are dropped
	d := run(t, Config{BaseURL: slow.URL, Rate: 100, Tasks: 1, Duration: 500 * time.Millisecond})
	out, err := d.Run(context.Background())
	require.NoError(t, err)
	assert.Equal(t, int64(50), out.Sent+out.Dropped)
	assert.Positive(t, out.Sent)
	assert.LessOrEqual(t, out.Sent, int64(6), "one every 100 ms at most, until the end and its grace")
	assert.GreaterOrEqual(t, out.Late, out.Sent-1, "each after the first waited for the task")
	assert.NotEmpty(t, out.Warnings)
}

func TestCancelEndsEarly(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&counter{})
	defer srv.Close()
	d := run(t, Config{BaseURL: srv.URL, Rate: 100, Tasks: 4, Duration: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	out, err := d.Run(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	ran := time.Since(begin)
	assert.Less(t, ran, 5*time.Second)
	assert.Positive(t, out.Sent)
	// never ahead of the schedule: at most one request per 10 ms run, and
	// the rate is over the time actually run
	assert.LessOrEqual(t, out.Sent, int64(ran/(10*time.Millisecond))+1)
	// the rate is over the time the driver ran (from its own start, a
	// little after the deadline was set), not over the minute scheduled:
	// that time is within the test's, and long enough for the requests
	// sent, one per 10 ms
	require.Positive(t, out.AchievedRPS)
	runFor := float64(out.Sent) / out.AchievedRPS
	assert.LessOrEqual(t, runFor, ran.Seconds()+1e-9, "not over the minute scheduled")
	assert.GreaterOrEqual(t, runFor, float64(out.Sent-1)*0.010-1e-9, "never ahead of the schedule over the time run")
	_, err = d.Run(context.Background())
	assert.Error(t, err, "a driver runs once")
}

// TestExpectedStatuses drives a server whose /missing is a 404 and whose /
// is a 200: with expect: [404] on /missing, its 404s are not errors; a
// 200 where only 404 is expected is one.
func TestExpectedStatuses(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/missing" {
			http.NotFound(w, r)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}))
	t.Cleanup(srv.Close)
	transports := map[string][]Option{"own": nil, "net/http": {StdTransport()}}
	for via, opts := range transports {
		t.Run(via, func(t *testing.T) {
			t.Parallel()
			mix := []Request{
				{Label: "missing", Path: "/missing", Expect: []int{200, 404}},
				{Label: "root", Path: "/", Expect: []int{404}},
			}
			d := run(t, Config{BaseURL: srv.URL, Rate: 50, Tasks: 8, Duration: 200 * time.Millisecond, Mix: mix},
				append(opts, StartGrace(time.Second))...)
			out, err := d.Run(context.Background())
			require.NoError(t, err)
			assert.Equal(t, int64(10), out.Sent)
			assert.Equal(t, map[string]int64{"http-unexpected": 5}, out.ErrorsByKind, "only the root's 200s")
			for _, l := range out.Labels {
				want := map[string]int64{"missing": 0, "root": 5}[l.Label]
				assert.Equal(t, want, l.Errors, l.Label)
			}
		})
	}
}
