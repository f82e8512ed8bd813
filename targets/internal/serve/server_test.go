package serve

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAddr(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		port string
		want string
	}{
		{"bare port", "8080", "127.0.0.1:8080"},         // the usual form
		{"loopback host", "127.0.0.1:9", "127.0.0.1:9"}, // explicit loopback is fine
		{"missing", "", ""},                             // PORT is required
		{"any host", "0.0.0.0:8080", ""},                // refused: not loopback
		{"other host", "localhost:8080", ""},            // refused: only the literal address
		{"ipv6", "[::1]:8080", ""},                      // refused: only 127.0.0.1
		{"zero", "0", ""},                               // refused: a port must be given
		{"too big", "70000", ""},                        // refused: out of range
		{"junk", "http", ""},                            // refused: not a number
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Addr(tc.port)
			if tc.want == "" {
				assert.ErrorIs(t, err, ErrAddr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestAppEndpoints(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(New("x").Mux)
	t.Cleanup(srv.Close)
	cases := []struct {
		path string
		want string
	}{
		{"/healthz", "ok"},                            // liveness
		{"/metrics", "go_goroutines"},                 // Go collector
		{"/metrics", "go_memstats_heap_inuse_bytes"},  // heap in use
		{"/metrics", "process_resident_memory_bytes"}, // process collector
		{"/debug/pprof/", "goroutine"},                // pprof index
		{"/debug/pprof/heap?debug=1", "heap profile"}, // a named profile
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Get(srv.URL + tc.path)
			require.NoError(t, err)
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			assert.Equal(t, 200, resp.StatusCode)
			assert.Contains(t, string(body), tc.want)
		})
	}
}

func TestEnvCollectsEveryError(t *testing.T) {
	t.Parallel()
	e := NewEnv(MapEnv(map[string]string{
		"A": "12", "B": "-3", "S": "1MiB", "D": "soon", "T": "on", "C": "blue", "R": "64KiB/s",
	}))
	assert.Equal(t, 12, e.Int("A", 0))
	assert.Equal(t, 7, e.Int("B", 7)) // bad: default kept
	assert.Equal(t, int64(1<<20), e.Size("S", 0))
	assert.Equal(t, time.Second, e.Duration("D", time.Second))
	assert.True(t, e.Bool("T", false))
	assert.Equal(t, "red", e.Choice("C", "red", "red", "green"))
	assert.InDelta(t, 65536, e.Rate("R", 0), 1e-9)
	assert.Equal(t, "dflt", e.String("UNSET", "dflt"))
	err := e.Err()
	require.ErrorIs(t, err, ErrKnob)
	for _, name := range []string{"B=", "D=", "C="} {
		assert.Contains(t, err.Error(), name)
	}
	assert.NotContains(t, err.Error(), "A=")
}

func freePort(t *testing.T) int {
	t.Helper()
	srv := httptest.NewServer(nil)
	port := srv.Listener.Addr().(interface{ String() string }).String()
	srv.Close()
	p, err := strconv.Atoi(port[strings.LastIndex(port, ":")+1:])
	require.NoError(t, err)
	return p
}

func TestRun(t *testing.T) {
	t.Parallel()
	t.Run("bad knob exits 2 without listening", func(t *testing.T) {
		t.Parallel()
		var stderr bytes.Buffer
		started := false
		code := Run(context.Background(), "x", MapEnv(map[string]string{"PORT": "1", "N": "x"}), &stderr,
			func(env *Env, app *App) (func(context.Context), error) {
				env.Int("N", 0)
				return func(context.Context) { started = true }, nil
			})
		assert.Equal(t, ExitUsage, code)
		assert.Contains(t, stderr.String(), "N=")
		assert.False(t, started)
	})
	t.Run("serves until the context ends", func(t *testing.T) {
		t.Parallel()
		port := strconv.Itoa(freePort(t))
		ctx, cancel := context.WithCancel(context.Background())
		ran := make(chan struct{})
		done := make(chan int)
		go func() {
			done <- Run(ctx, "x", MapEnv(map[string]string{"PORT": port}), io.Discard,
				func(*Env, *App) (func(context.Context), error) {
					return func(ctx context.Context) { close(ran); <-ctx.Done() }, nil
				})
		}()
		<-ran
		require.Eventually(t, func() bool {
			resp, err := http.Get("http://127.0.0.1:" + port + "/healthz")
			if err != nil {
				return false
			}
			resp.Body.Close()
			return resp.StatusCode == 200
		}, 5*time.Second, 10*time.Millisecond)
		cancel()
		assert.Equal(t, ExitOK, <-done)
	})
}
