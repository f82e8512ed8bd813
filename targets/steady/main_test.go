package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func newServer(t *testing.T, env map[string]string) *httptest.Server {
	t.Helper()
	app := serve.New("steady")
	e := serve.NewEnv(serve.MapEnv(env))
	_, err := setup(e, app)
	require.NoError(t, err)
	require.NoError(t, e.Err())
	srv := httptest.NewServer(app.Mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestEcho(t *testing.T) {
	t.Parallel()
	srv := newServer(t, map[string]string{"MAX_BODY": "1KiB"})
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	cases := []struct {
		name string
		body string
		code int
	}{
		// an empty body has length 0 and the digest of nothing
		{"empty", "", 200},
		// a small body is measured and hashed
		{"small", "hello soaklab", 200},
		// exactly MAX_BODY is accepted
		{"at limit", strings.Repeat("x", 1024), 200},
		// one byte over MAX_BODY is refused with 413
		{"over limit", strings.Repeat("x", 1025), 413},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, err := http.Post(srv.URL+"/echo", "text/plain", strings.NewReader(tc.body))
			require.NoError(t, err)
			defer resp.Body.Close()
			require.Equal(t, tc.code, resp.StatusCode)
			if tc.code != 200 {
				return
			}
			var got Summary
			require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
			assert.Equal(t, Summary{Bytes: int64(len(tc.body)), SHA256: sum(tc.body)}, got)
		})
	}
}

func TestIndexAndMetrics(t *testing.T) {
	t.Parallel()
	reg := prometheus.NewRegistry()
	e := newEcho(DefaultMaxBody, reg)
	rec := httptest.NewRecorder()
	e.index(rec, httptest.NewRequest("GET", "/", nil))
	assert.JSONEq(t, `{"name":"steady","ok":true}`, rec.Body.String())
	rec = httptest.NewRecorder()
	e.echo(rec, httptest.NewRequest("POST", "/echo", strings.NewReader("abc")))
	mfs, err := reg.Gather()
	require.NoError(t, err)
	got := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			got[mf.GetName()] += m.GetCounter().GetValue()
		}
	}
	assert.Equal(t, 2.0, got["steady_requests_total"])
	assert.Equal(t, 3.0, got["steady_echo_bytes_total"])
}

func TestBinary(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	p := servetest.Start(t, bin)
	assert.Contains(t, p.Get(t, "/"), `"steady"`)
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	assert.Greater(t, p.Metric(t, "go_memstats_heap_inuse_bytes"), 0.0)
	assert.Contains(t, p.Get(t, "/debug/pprof/"), "heap")
	p.Stop(t)

	// a bad knob or a non-loopback PORT exits 2 before listening
	servetest.Refuses(t, bin, []string{"PORT=1", "MAX_BODY=lots"}, "MAX_BODY")
	servetest.Refuses(t, bin, []string{"PORT=0.0.0.0:8080"}, "127.0.0.1")
}
