package load

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     []SinkOption
		minDelay time.Duration
		paths    []string
		byPath   map[string]int64
	}{
		// answers at once and counts by path
		{"fast", nil, 0, []string{"/a", "/a", "/b"}, map[string]int64{"/a": 2, "/b": 1}},
		// adds the configured latency
		{"delayed", []SinkOption{SinkDelay(50 * time.Millisecond)}, 50 * time.Millisecond, []string{"/x"}, map[string]int64{"/x": 1}},
		// paths past the cap are counted together
		{"path cap", []SinkOption{SinkMaxPaths(1)}, 0, []string{"/a", "/b", "/c"}, map[string]int64{"/a": 1, OverflowLabel: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewSink(tt.opts...)
			url, err := s.Start("127.0.0.1:0")
			require.NoError(t, err)
			defer s.Close()
			for _, p := range tt.paths {
				begin := time.Now()
				resp, err := http.Post(url+p, "text/plain", strings.NewReader("12345"))
				require.NoError(t, err)
				resp.Body.Close()
				assert.Equal(t, http.StatusOK, resp.StatusCode)
				assert.GreaterOrEqual(t, time.Since(begin), tt.minDelay)
			}
			st := s.Stats()
			assert.Equal(t, int64(len(tt.paths)), st.Requests)
			assert.Equal(t, int64(5*len(tt.paths)), st.Bytes)
			assert.Equal(t, tt.byPath, st.ByPath)
		})
	}
}

func TestSinkLoopbackOnly(t *testing.T) {
	t.Parallel()
	_, err := NewSink().Start("0.0.0.0:0")
	assert.ErrorIs(t, err, ErrNotLoopback)
}

// TestSinkErrors sends raw requests the sink cannot take and checks each is
// counted as an error, not as a request.
func TestSinkErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		raw      string // written as is, then the connection is closed
		bad, cut int64
		requests int64
		bytes    int64
	}{
		// a well-formed request is a request, not an error
		{"good", "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc", 0, 0, 1, 3},
		// garbage instead of a request line: net/http answers 400 itself
		{"malformed request line", "HELLO\r\n\r\n", 1, 0, 0, 0},
		// a header without a colon: 400 as well
		{"malformed header", "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 1, 0, 0, 0},
		// a body that ends before its Content-Length: cut short
		{"cut short", "POST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n0123456789", 0, 1, 0, 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			s := NewSink()
			u, err := s.Start("127.0.0.1:0")
			require.NoError(t, err)
			defer s.Close()
			c, err := net.Dial("tcp", strings.TrimPrefix(u, "http://"))
			require.NoError(t, err)
			_, err = io.WriteString(c, tt.raw)
			require.NoError(t, err)
			require.NoError(t, c.(*net.TCPConn).CloseWrite())
			_, _ = io.ReadAll(c) // the answer, until the sink closes
			c.Close()
			// the handler may still be counting after the client saw EOF
			require.Eventually(t, func() bool {
				st := s.Stats()
				return st.Requests+st.Errors() == tt.requests+tt.bad+tt.cut
			}, 10*time.Second, 5*time.Millisecond)
			st := s.Stats()
			assert.Equal(t, tt.bad, st.BadRequests, "bad requests")
			assert.Equal(t, tt.cut, st.CutShort, "cut short")
			assert.Equal(t, tt.requests, st.Requests, "requests")
			assert.Equal(t, tt.bytes, st.Bytes, "bytes")
			assert.Equal(t, tt.bad+tt.cut, s.Interval().Errors)
		})
	}
}

// TestSinkInterval checks the windows Interval reports against a fake clock.
func TestSinkInterval(t *testing.T) {
	t.Parallel()
	clock := time.Unix(1000, 0)
	s := NewSink(SinkClock(func() time.Time { return clock }))
	u, err := s.Start("127.0.0.1:0")
	require.NoError(t, err)
	defer s.Close()
	post := func(n int) {
		for range n {
			resp, err := http.Post(u+"/x", "text/plain", strings.NewReader("1234"))
			require.NoError(t, err)
			resp.Body.Close()
		}
	}
	steps := []struct {
		sends   int
		elapsed time.Duration
		want    SinkWindow
	}{
		// 10 requests in the first 2 s: 5 per second
		{10, 2 * time.Second, SinkWindow{Requests: 10, Bytes: 40, Seconds: 2, RPS: 5}},
		// nothing in the next second: an empty window, not the total
		{0, time.Second, SinkWindow{Seconds: 1}},
		// 3 requests in half a second: 6 per second
		{3, 500 * time.Millisecond, SinkWindow{Requests: 3, Bytes: 12, Seconds: 0.5, RPS: 6}},
		// no time passed: no rate
		{1, 0, SinkWindow{Requests: 1, Bytes: 4}},
	}
	for i, st := range steps {
		post(st.sends)
		clock = clock.Add(st.elapsed)
		assert.Equal(t, st.want, s.Interval(), "step %d", i)
	}
}
