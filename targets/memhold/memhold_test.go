// Package memhold tests memhold.py, the target that holds shared, kernel
// or page-cache memory while its heap stays flat.
package memhold

import (
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func python(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed: the Python command target cannot run here")
	}
}

// TestHolds runs each mode at 60 MiB/min for a few seconds and checks the
// bytes it says it holds grow (or, for the cache, stay at CACHE_SIZE)
// while its RSS does not grow with them.
func TestHolds(t *testing.T) {
	t.Parallel()
	python(t)
	tests := []struct {
		mode  string
		grows bool
	}{
		// a memfd grows: shared memory, outside RSS until mapped
		{"shm", true},
		// unread loopback connections fill: socket buffers
		{"sock", true},
		// unread pipes fill: pipe buffers
		{"pipe", true},
		// an unlinked 8 MiB file read over and over: page cache, stable
		{"cache", false},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			t.Parallel()
			p := servetest.Start(t, "./memhold.py", "HOLD="+tt.mode, "HOLD_RATE=60MiB", "CACHE_SIZE=8MiB")
			first := p.Metric(t, "memhold_held_bytes")
			rss0 := p.RSS(t, "RssAnon")
			deadline := time.Now().Add(20 * time.Second)
			for p.Metric(t, "memhold_held_bytes") < first+3<<20 && time.Now().Before(deadline) && tt.grows {
				time.Sleep(200 * time.Millisecond)
			}
			last := p.Metric(t, "memhold_held_bytes")
			if tt.grows {
				assert.GreaterOrEqual(t, last, first+3<<20, "held bytes grow at 1 MiB/s")
				assert.Less(t, float64(p.RSS(t, "RssAnon")-rss0), (last-first)/2, "the heap does not grow with what is held")
			} else {
				assert.Equal(t, float64(8<<20), last)
			}
			p.Stop(t)
		})
	}
}

func TestUsage(t *testing.T) {
	t.Parallel()
	python(t)
	cases := []struct {
		name string
		env  []string
		want string
	}{
		// PORT is required
		{"no port", nil, "PORT"},
		// any host but 127.0.0.1 is refused
		{"remote host", []string{"PORT=0.0.0.0:8080"}, "127.0.0.1"},
		// an unknown mode is refused, naming the modes
		{"bad mode", []string{"PORT=1", "HOLD=disk"}, "shm, sock, pipe, cache"},
		// a malformed rate is refused
		{"bad rate", []string{"PORT=1", "HOLD_RATE=lots"}, "HOLD_RATE"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servetest.Refuses(t, "./memhold.py", append(tc.env, "PATH="+os.Getenv("PATH")), tc.want)
		})
	}
}
