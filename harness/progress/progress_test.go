package progress

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
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
