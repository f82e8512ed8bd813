package load

import (
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
