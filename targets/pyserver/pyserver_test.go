// Package pyserver tests server.py, the non-Go `command:` sample target.
package pyserver

import (
	"encoding/json"
	"os"
	"os/exec"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func python(t *testing.T) string {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed: the Python command target cannot run here")
	}
	return py
}

// TestServer runs server.py, checks /healthz, that /alloc grows RSS by
// ALLOC a request, and that SIGTERM stops it with status 0.
func TestServer(t *testing.T) {
	t.Parallel()
	python(t)
	p := servetest.Start(t, "./server.py", "ALLOC=4MiB")
	rss0 := p.RSS(t, "VmRSS")
	var last struct {
		Held int64 `json:"held_bytes"`
	}
	for range 8 {
		require.NoError(t, json.Unmarshal([]byte(p.Get(t, "/alloc")), &last))
	}
	assert.Equal(t, int64(32<<20), last.Held)
	grew := p.RSS(t, "VmRSS") - rss0
	assert.Greater(t, grew, int64(24<<20), "RSS grew %d bytes for 32 MiB held", grew)
	assert.Equal(t, float64(32<<20), p.Metric(t, "pyserver_held_bytes"))
	assert.Greater(t, p.Metric(t, "process_resident_memory_bytes"), float64(32<<20))
	p.Stop(t)
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
		// a malformed ALLOC is refused
		{"bad alloc", []string{"PORT=1", "ALLOC=plenty"}, "ALLOC"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			servetest.Refuses(t, "./server.py", append(tc.env, "PATH="+os.Getenv("PATH")), tc.want)
		})
	}
}
