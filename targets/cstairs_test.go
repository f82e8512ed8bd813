package targets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/servetest"
)

// jemalloc is Debian's libjemalloc2, the allocator story 2 preloads.
const jemalloc = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2"

// buildCstairs compiles targets/cstairs/cstairs.c as soaklab's `build:`
// does a folder of C files (cc -O2 -pthread -o bin *.c -lm); it skips the
// test only when there is no C compiler.
func buildCstairs(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("cc"); err != nil {
		t.Skip("no C compiler cc on PATH: the C target cannot be built here")
	}
	bin := filepath.Join(t.TempDir(), "cstairs")
	cmd := exec.Command("cc", "-O2", "-pthread", "-Wall", "-Wextra", "-Werror", "-o", bin, "cstairs.c", "-lm")
	cmd.Dir = "cstairs"
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "cc: %s", out)
	return bin
}

// parseBody is text like the driver's generated bodies: 53-byte tokens
// separated by spaces.
func parseBody(n int) []byte {
	const pattern = "soaklab-payload-0123456789abcdefghijklmnopqrstuvwxyz "
	return bytes.Repeat([]byte(pattern), n/len(pattern)+1)[:n]
}

type parsed struct {
	Bytes, Tokens, Kept int
}

func post(t *testing.T, c *http.Client, url string, body []byte, close bool) parsed {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url+"/parse", bytes.NewReader(body))
	require.NoError(t, err)
	req.Close = close
	resp, err := c.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var p parsed
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&p))
	return p
}

// TestCstairsServesAndFrees builds the C target, parses bodies of 30 KB –
// 2 MB from 8 connections at once (new connections and kept-alive ones),
// and checks the answers, the metrics, that the cache stays within
// CACHE_ENTRIES, that memory is given back to malloc (80 sequential 2 MB
// bodies leave RSS far below what they would hold if kept), and that
// SIGTERM stops it with status 0.
func TestCstairsServesAndFrees(t *testing.T) {
	t.Parallel()
	bin := buildCstairs(t)
	p := servetest.Start(t, bin, "SLEEP_MS=5", "CACHE_ENTRIES=500", "KEEP=16")
	sizes := []int{30_000, 200_000, 800_000, 2_000_000}
	c := &http.Client{}
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 6 {
				n := sizes[(w+i)%len(sizes)]
				got := post(t, c, p.URL, parseBody(n), w%2 == 0)
				assert.Equal(t, n, got.Bytes)
				assert.Equal(t, (n+52)/53, got.Tokens, "one token per 53-byte word")
				assert.Equal(t, 16, got.Kept)
			}
		}()
	}
	wg.Wait()
	assert.GreaterOrEqual(t, p.Metric(t, "cstairs_requests_total"), 48.0, "the parses and the health checks")
	assert.LessOrEqual(t, p.Metric(t, "cstairs_cache_entries"), 500.0)
	assert.Greater(t, p.Metric(t, "cstairs_cache_entries"), 100.0)
	assert.Greater(t, p.Metric(t, "process_resident_memory_bytes"), 0.0)
	assert.Contains(t, p.Get(t, "/metrics"), `cstairs_malloc_info{library="libc.so.6"} 1`)

	// 80 × 2 MB on one connection: each request holds the body, a copy
	// and its nodes (> 6 MB), so keeping them would take > 500 MB.
	big := parseBody(2_000_000)
	for range 80 {
		post(t, c, p.URL, big, false)
	}
	rss := p.RSS(t, "VmRSS")
	assert.Less(t, rss, int64(200<<20), "RSS %d MiB after 80 × 2 MB bodies: the buffers are not freed", rss>>20)

	resp, err := c.Get(p.URL + "/nowhere")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	resp, err = c.Get(p.URL + "/parse")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	p.Stop(t)
	assert.Contains(t, p.Stderr(), "malloc from libc.so.6")
}

// TestCstairsUnderJemalloc preloads jemalloc as story 2's matrix does and
// checks malloc comes from it.
func TestCstairsUnderJemalloc(t *testing.T) {
	t.Parallel()
	bin := buildCstairs(t)
	if _, err := os.Stat(jemalloc); err != nil {
		t.Skip("libjemalloc2 not installed: " + jemalloc)
	}
	p := servetest.Start(t, bin, "SLEEP_MS=1", "LD_PRELOAD="+jemalloc)
	got := post(t, &http.Client{}, p.URL, parseBody(300_000), false)
	assert.Equal(t, 300_000, got.Bytes)
	assert.Contains(t, p.Get(t, "/metrics"), `cstairs_malloc_info{library="libjemalloc.so.2"} 1`)
	p.Stop(t)
}

func TestCstairsUsage(t *testing.T) {
	t.Parallel()
	bin := buildCstairs(t)
	cases := []struct {
		name string
		env  []string
		want []string
	}{
		// PORT is required
		{"no port", nil, []string{"PORT"}},
		// any host but 127.0.0.1 is refused
		{"remote host", []string{"PORT=0.0.0.0:8080"}, []string{"127.0.0.1"}},
		// every bad knob is named at once
		{"bad knobs", []string{"PORT=1", "SLEEP_MS=soon", "MAX_BODY=huge", "KEEP=-1"}, []string{"SLEEP_MS=soon", "MAX_BODY=huge", "KEEP=-1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			servetest.Refuses(t, bin, c.env, c.want...)
		})
	}
}

// TestCstairsRefusesOversizedBody: a body over MAX_BODY is answered 413
// without being read.
func TestCstairsRefusesOversizedBody(t *testing.T) {
	t.Parallel()
	bin := buildCstairs(t)
	p := servetest.Start(t, bin, "MAX_BODY=64KiB")
	resp, err := http.Post(p.URL+"/parse", "text/plain", strings.NewReader(string(parseBody(100_000))))
	if err == nil {
		resp.Body.Close()
		assert.Equal(t, http.StatusRequestEntityTooLarge, resp.StatusCode)
	} else {
		// the server may close before the client finishes sending
		assert.Contains(t, fmt.Sprint(err), "connection")
	}
	p.Stop(t)
}
