package main

import (
	"bytes"
	"encoding/json"
	"hash/crc32"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestParseVariantsAgree(t *testing.T) {
	t.Parallel()
	body := mixedBodies(3)
	want := func(b []byte) Result {
		cur := bytes.Clone(b)
		for range 3 {
			transform(cur)
		}
		return Result{Bytes: len(b), Records: bytes.Count(b, []byte("\n")) + 1, CRC32: crc32.ChecksumIEEE(cur)}
	}
	cases := []struct {
		name    string
		variant string
		chunked bool
	}{
		// fresh buffers every request
		{"naive", "naive", false},
		// pooled buffers, sized from Content-Length
		{"pooled", "pooled", false},
		// pooled buffers grown class by class when the length is unknown
		{"pooled chunked", "pooled", true},
		// naive under a memory limit and lower GOGC
		{"capped", "naive", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			app := serve.New("stairstep")
			p := newParser(config{Variant: tc.variant, Copies: 3, MaxBody: DefaultMaxBody}, app.Registry)
			for _, b := range body {
				for range 2 { // the second round reuses pooled buffers
					req := httptest.NewRequest("POST", "/parse", bytes.NewReader(b))
					if tc.chunked {
						req.ContentLength = -1
					}
					rec := httptest.NewRecorder()
					p.serveParse(rec, req)
					require.Equal(t, 200, rec.Code, rec.Body.String())
					var got Result
					require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &got))
					w := want(b)
					w.Records = len(split(b, nil, false))
					w.Variant = tc.variant
					assert.Equal(t, w, got)
				}
			}
		})
	}
}

func TestParseTooLarge(t *testing.T) {
	t.Parallel()
	p := newParser(config{Variant: "pooled", Copies: 1, MaxBody: 64 << 10}, serve.New("s").Registry)
	rec := httptest.NewRecorder()
	p.serveParse(rec, httptest.NewRequest("POST", "/parse", strings.NewReader(strings.Repeat("x", 65<<10))))
	assert.Equal(t, http.StatusRequestEntityTooLarge, rec.Code)
}

func TestBufPool(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		n       int
		wantCap int
	}{
		// the smallest class holds tiny requests
		{"tiny", 10, minClass},
		// exactly a class size stays in that class
		{"exact", 64 << 10, 64 << 10},
		// one byte over goes to the next class
		{"over", 64<<10 + 1, 128 << 10},
		// beyond the largest class the buffer is exact and unpooled
		{"huge", maxClass + 1, maxClass + 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newBufPool()
			b := p.Get(tc.n)
			assert.Len(t, b, tc.n)
			assert.Equal(t, tc.wantCap, cap(b))
			p.Put(b)
		})
	}
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	cases := []servetest.Knob{
		// defaults parse
		{Name: "defaults", OK: true},
		// every variant is accepted
		{Name: "pooled", Env: map[string]string{"VARIANT": "pooled", "SLEEP_MS": "5"}, OK: true},
		// an unknown variant is an error
		{Name: "bad variant", Env: map[string]string{"VARIANT": "clever"}},
		// COPIES out of range is an error
		{Name: "copies", Env: map[string]string{"COPIES": "0"}},
		// a size with a unit is accepted for CAP_LIMIT
		{Name: "cap limit", Env: map[string]string{"CAP_LIMIT": "256MiB"}, OK: true},
	}
	servetest.Knobs(t, cases, func(_ *testing.T, env *serve.Env) any { return readConfig(env) })
}

func TestBinary(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	p := servetest.Start(t, bin, "VARIANT=pooled", "SLEEP_MS=1")
	resp, err := http.Post(p.URL+"/parse", "text/plain", strings.NewReader("a\nb\nc"))
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, 200, resp.StatusCode)
	assert.Equal(t, 1.0, p.Metric(t, "stairstep_requests_total"))
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	p.Stop(t)
	servetest.Refuses(t, bin, []string{"PORT=1", "VARIANT=x"}, "VARIANT")
}
