package progress

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var t0 = time.Date(2026, 11, 23, 16, 0, 0, 0, time.UTC)

// script is a two-cell run: steady completes (not judged), hog is
// OOM-killed and judged NO-GO as it ends; a warning
// arrives in between.
func script(o runner.Observer) {
	steady := matrix.Cell{ID: "steady/ram=256MiB,rps=100", Target: "steady",
		Axes: map[string]string{"ram": "256MiB", "rps": "100"}, Duration: 30 * time.Second, RAM: 256 << 20}
	hog := matrix.Cell{ID: "hog/ram=48MiB", Target: "hog",
		Axes: map[string]string{"ram": "48MiB"}, Duration: 30 * time.Second, RAM: 48 << 20}
	o.RunStarted(&results.Run{ID: "golden", Backend: "process"}, []matrix.Cell{steady, hog})

	o.CellStarted(1, 2, steady)
	for i := 1; i <= 4; i++ {
		o.Sampled(steady, results.Sample{T: float64(i), At: t0.Add(time.Duration(i) * time.Second),
			RSS: int64(20+i) << 20, WorkingSet: int64(30+i) << 20, RPS: 100, P99: 2.5 + float64(i)/10,
			Errors: int64(i / 4), Metrics: map[string]float64{"go_goroutines": 12}})
	}
	o.CellEnded(1, 2, &results.Cell{ID: steady.ID, Target: "steady", Outcome: results.Completed,
		Started: t0, Ended: t0.Add(30 * time.Second), PeakRSS: 24 << 20, Samples: 30})

	o.Warn("hog: no metrics path; goroutines are not sampled")
	o.CellStarted(2, 2, hog)
	// No working set (watchdog enforcement): memory falls back to RSS.
	o.Sampled(hog, results.Sample{T: 1, At: t0.Add(31 * time.Second), RSS: 40 << 20})
	o.CellEnded(2, 2, &results.Cell{ID: hog.ID, Target: "hog", Outcome: results.OOMKilled,
		Detail: "cgroup oom_kill 1", Started: t0.Add(30 * time.Second), Ended: t0.Add(32 * time.Second),
		PeakRSS: 47 << 20, OOMKills: 1, Samples: 2, Verdict: results.NOGO})
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run with -update to create %s", path)
	require.Equal(t, string(want), string(got))
}

func TestGolden(t *testing.T) {
	t.Parallel()
	fixed := func() time.Time { return t0 }
	cases := []struct {
		name string
		obs  func(*bytes.Buffer) runner.Observer
	}{
		// every sample printed
		{"plain.golden", func(b *bytes.Buffer) runner.Observer { return NewPlain(b, time.Second) }},
		// one sample line in two
		{"plain-every2.golden", func(b *bytes.Buffer) runner.Observer { return NewPlain(b, 2*time.Second) }},
		// one object per event, fixed clock
		{"json.golden", func(b *bytes.Buffer) runner.Observer { return NewJSON(b, fixed) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			script(tc.obs(&b))
			golden(t, tc.name, b.Bytes())
		})
	}
}

func TestSize(t *testing.T) {
	t.Parallel()
	cases := []struct {
		n    int64
		want string
	}{
		{512, "512B"},              // bytes
		{3 << 10, "3KiB"},          // kibibytes, no decimals
		{48 << 20, "48.0MiB"},      // mebibytes, one decimal
		{3 << 29, "1.50GiB"},       // gibibytes, two decimals
		{0, "0B"},                  // nothing
		{(1 << 20) - 1, "1024KiB"}, // just under a MiB
	}
	for _, tc := range cases {
		require.Equal(t, tc.want, Size(tc.n), "Size(%d)", tc.n)
	}
}

// Plain prints a running cell's line once every `every` of the cell's own
// time, whatever the sampling interval.
func TestPlainEvery(t *testing.T) {
	t.Parallel()
	c := matrix.Cell{ID: "s/x=1", Duration: 90 * time.Second, RAM: 64 << 20}
	tests := []struct {
		name   string
		every  time.Duration
		step   float64 // seconds between samples
		n      int     // samples
		wantTs []string
	}{
		// CI default: 70 one-second samples give two lines
		{"30s", 30 * time.Second, 1, 70, []string{" 30s/90s", " 60s/90s"}},
		// 0 prints every sample
		{"all", 0, 1, 3, []string{"  1s/90s", "  2s/90s", "  3s/90s"}},
		// samples every 7s: the first at or past each 10s mark
		{"uneven", 10 * time.Second, 7, 5, []string{" 14s/90s", " 21s/90s", " 35s/90s"}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		p := NewPlain(&b, tt.every)
		p.CellStarted(1, 1, c)
		for i := 1; i <= tt.n; i++ {
			p.Sampled(c, results.Sample{T: float64(i) * tt.step})
		}
		lines := strings.Split(strings.TrimSpace(b.String()), "\n")[1:] // after the start line
		require.Len(t, lines, len(tt.wantTs), "%s: %s", tt.name, b.String())
		for i, want := range tt.wantTs {
			require.Contains(t, lines[i], "s/x=1: "+want, tt.name)
		}
	}
}
