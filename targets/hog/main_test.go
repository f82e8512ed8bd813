package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/targets/internal/serve"
	"github.com/soaklab/soaklab/targets/internal/servetest"
)

func TestGrowsAtRate(t *testing.T) {
	t.Parallel()
	// Each case runs until the hog holds goal bytes, however slow the
	// machine, and checks what holds at any speed: never ahead of rate ×
	// elapsed, and never past HOG_MAX.
	cases := []struct {
		name string
		rate float64
		max  int64
		goal int64
	}{
		// uncapped: no more than rate × elapsed
		{"uncapped", 32 << 20, 0, 4 << 20},
		// capped: stops at HOG_MAX exactly
		{"capped", 64 << 20, 4 << 20, 4 << 20},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHog(tc.rate, tc.max, prometheus.NewRegistry())
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			go func() {
				for ctx.Err() == nil && held(h) < float64(tc.goal) {
					time.Sleep(time.Millisecond)
				}
				time.Sleep(3 * tick) // a capped hog would have grown past its cap by now
				cancel()
			}()
			start := time.Now()
			h.run(ctx)
			elapsed := time.Since(start).Seconds()
			assert.GreaterOrEqual(t, h.total, tc.goal, "reached before the minute's backstop")
			assert.LessOrEqual(t, float64(h.total), tc.rate*elapsed, "never ahead of the rate")
			if tc.max > 0 {
				assert.Equal(t, tc.max, h.total, "stops at HOG_MAX")
			}
			for _, b := range h.held {
				for i := 0; i < len(b); i += pageSize {
					require.Equal(t, byte(1), b[i], "page not written")
				}
			}
		})
	}
}

func TestKnobs(t *testing.T) {
	t.Parallel()
	env := serve.NewEnv(serve.MapEnv(map[string]string{"HOG_RATE": "1GiB/fortnight", "HOG_MAX": "-1", "HOG_CODE": "ram"}))
	_, err := setup(env, serve.New("hog"))
	require.NoError(t, err)
	assert.ErrorContains(t, env.Err(), "HOG_RATE")
	assert.ErrorContains(t, env.Err(), "HOG_MAX")
	assert.ErrorContains(t, env.Err(), "HOG_CODE")
}

// TestBinaryCode checks where the real binary's code runs from: a memfd by
// default (same pid, so a harness's cgroup and pid stay valid), the file
// with HOG_CODE=disk, a copy it wrote (and unlinked) with HOG_CODE=copy.
func TestBinaryCode(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	tmp := t.TempDir()
	cases := []struct {
		env  []string
		want string // prefix of /proc/<pid>/exe
	}{
		{nil, "/memfd:" + codeName},
		{[]string{"HOG_CODE=Memory"}, "/memfd:" + codeName},
		{[]string{"HOG_CODE=disk"}, bin},
		{[]string{"HOG_CODE=copy", "TMPDIR=" + tmp}, filepath.Join(tmp, codeName)},
	}
	for _, tc := range cases {
		t.Run(strings.Join(append([]string{"env"}, tc.env...), " "), func(t *testing.T) {
			t.Parallel()
			p := servetest.Start(t, bin, append([]string{"HOG_MAX=1MiB"}, tc.env...)...)
			exe, err := os.Readlink(fmt.Sprintf("/proc/%d/exe", p.Cmd.Process.Pid))
			require.NoError(t, err)
			assert.True(t, strings.HasPrefix(exe, tc.want), "exe %q, want %q…", exe, tc.want)
			assert.NotContains(t, p.Stderr(), "running from disk")
			p.Stop(t)
		})
	}
	t.Cleanup(func() {
		left, _ := filepath.Glob(filepath.Join(tmp, codeName+"*"))
		assert.Empty(t, left, "the copy is removed once running")
	})
}

// TestBinaryGrows runs the real binary at 64 MiB/s for a second and checks
// its RSS grew by most of that while /healthz kept answering.
func TestBinaryGrows(t *testing.T) {
	t.Parallel()
	bin := servetest.Build(t, ".")
	start := time.Now() // before the process: bounds what it can have done
	p := servetest.Start(t, bin, "HOG_RATE=64MiB/s", "HOG_MAX=256MiB")
	rss0 := p.RSS(t, "VmRSS")
	// Until it holds 48 MiB, however slow the machine (27 MiB in 1.1 s
	// beside two CPU hogs), answering all along; a minute's backstop.
	var heldBytes float64
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); {
		assert.Equal(t, "ok", p.Get(t, "/healthz"))
		if heldBytes = p.Metric(t, "hog_held_bytes"); heldBytes >= 48<<20 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	grew := float64(p.RSS(t, "VmRSS") - rss0)
	el := time.Since(start).Seconds()
	assert.GreaterOrEqual(t, heldBytes, float64(48<<20), "held before the minute's backstop")
	assert.LessOrEqual(t, heldBytes, 64*(1<<20)*(el+tick.Seconds()), "never ahead of the rate")
	assert.Greater(t, grew, 0.6*heldBytes, "RSS grew only %.0f MiB for %.0f MiB held", grew/(1<<20), heldBytes/(1<<20))
	assert.Greater(t, p.Metric(t, "go_goroutines"), 0.0)
	p.Stop(t)
}

// held reads the hog's gauge of bytes held while it runs.
func held(h *hog) float64 {
	var m dto.Metric
	if err := h.bytes.Write(&m); err != nil {
		return 0
	}
	return m.GetGauge().GetValue()
}
