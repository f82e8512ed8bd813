package judge

import (
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// A 3-minute cell reports the driver's slope but does not judge it.
func TestDriverNotJudgedOnShortCells(t *testing.T) {
	t.Parallel()
	s := synth.Spec{Seed: 1}.Samples()
	for i := range s {
		s[i].DriverRSS = int64(30<<20 + 100*(1<<20)*s[i].T/3600)
	}
	v, rs, m := Cell(cell(results.Completed), s, matrix.Judge{})
	if _, ok := reason(rs, "driver"); ok || v != results.GO {
		t.Fatalf("verdict %s with reasons %+v: a short cell's driver slope must not decide", v, rs)
	}
	if m.Driver == nil || m.Driver.SlopeMiBPerH < 90 {
		t.Errorf("driver slope %+v not reported", m.Driver)
	}
}

func TestDriverCriterion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		filePerH float64 // growth of the executable's pages in RSS, MiB/h
		anonPerH float64 // growth of anonymous memory, MiB/h
		noAnon   bool    // samples without RssAnon (older results)
		verdict  results.Verdict
		status   results.Status
		says     []string
	}{
		// a flat driver with noise: the slope's interval contains zero
		{name: "flat", verdict: results.GO, status: results.Pass,
			says: []string{"anonymous memory flat", "indistinguishable from zero", "whole RSS +0.0", "Go heap +0.0"}},
		// a driver growing 200 MiB/h: a soft miss, the cell cannot be GO
		{name: "growing", anonPerH: 200, verdict: results.NEUTRAL, status: results.Fail,
			says: []string{"anonymous memory grows +200", "disturbs the measurement"}},
		// the executable's pages fault in as code runs the first time: whole
		// RSS creeps, anonymous memory does not, and that is no leak
		{name: "text pages", filePerH: 2, verdict: results.GO, status: results.Pass,
			says: []string{"anonymous memory flat", "whole RSS +2.0"}},
		// growing, but surely slower than the floor: the upper bound is under it
		{name: "under the floor", anonPerH: 2, verdict: results.GO, status: results.Pass,
			says: []string{"anonymous memory +2.0", "under the 5 MiB/h floor"}},
		// growing about as fast as the floor: neither under nor above it, the
		// cell cannot be a confident GO
		{name: "straddles", anonPerH: 5, verdict: results.NEUTRAL, status: results.Unknown,
			says: []string{"anonymous memory +5.0", "straddles the 5 MiB/h floor"}},
		// results without RssAnon are judged on the whole RSS
		{name: "rss only", filePerH: 200, noAnon: true, verdict: results.NEUTRAL, status: results.Fail,
			says: []string{"soaklab's own RSS grows +200"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := synth.Spec{Seed: 1, Duration: 720}.Samples()
			rng := rand.New(rand.NewPCG(3, 4))
			for i := range s {
				h := s[i].T / 3600
				anon := 12<<20 + c.anonPerH*(1<<20)*h + rng.NormFloat64()*(64<<10)
				file := 18<<20 + c.filePerH*(1<<20)*h
				s[i].DriverRSS = int64(anon + file)
				if !c.noAnon {
					s[i].DriverAnon = int64(anon)
					s[i].DriverHeap = int64(4<<20 + rng.NormFloat64()*(32<<10))
				}
			}
			cl := cell(results.Completed)
			cl.Duration = 720
			v, rs, m := Cell(cl, s, matrix.Judge{})
			r, ok := reason(rs, "driver")
			if !ok {
				t.Fatalf("no driver reason in %+v", rs)
			}
			if v != c.verdict || r.Status != c.status {
				t.Fatalf("verdict %s, driver %s %q; want %s, %s", v, r.Status, r.Message, c.verdict, c.status)
			}
			for _, w := range c.says {
				if !strings.Contains(r.Message, w) {
					t.Errorf("driver reason %q lacks %q", r.Message, w)
				}
			}
			if m.Driver == nil {
				t.Fatalf("analysis lacks the driver's slope")
			}
			if got, want := m.Driver.Series, map[bool]string{true: "RSS anon", false: "RSS"}[!c.noAnon]; got != want {
				t.Errorf("driver series = %q, want %q", got, want)
			}
		})
	}
}

// A 10-minute cell with a 60 s warm-up is judged however its samples fall
// around the second: the fit spans from the first sample after 60 s to the
// last at 600 s, here 539.9995 s apart.
func TestDriverJudgedOnTenMinuteCell(t *testing.T) {
	t.Parallel()
	s := synth.Spec{Seed: 1, Duration: 600}.Samples()
	for i := range s {
		s[i].T = float64(i) + 0.001 // each sample a millisecond after its second
		s[i].DriverRSS = 30 << 20
		s[i].DriverAnon = 12 << 20
	}
	s[len(s)-1].T = float64(len(s)-1) + 0.0005 // the last one a little sooner
	require.InDelta(t, 600, s[len(s)-1].T, 0.01, "the samples reach 600 s")
	cl := cell(results.Completed)
	cl.Duration, cl.Warmup = 600, 60
	_, rs, _ := Cell(cl, s, matrix.Judge{})
	r, ok := reason(rs, "driver")
	require.True(t, ok, "no driver reason in %+v", rs)
	assert.Equal(t, results.Pass, r.Status, r.Message)
}

// The harness's own memory at a 1 MiB/h floor, as `make soak-self` judges
// it: a ramp that stopped passes on its last half, growth in the last half
// does not.
func TestDriverRampAtSoakSelfFloor(t *testing.T) {
	t.Parallel()
	mib := float64(1 << 20)
	cases := []struct {
		name   string
		anon   func(t float64) float64 // RssAnon at t seconds, beyond 8 MiB
		status results.Status
		says   string
	}{
		// the Go heap finding its size over its first collection cycles:
		// +1.5 MiB from 60 s to 220 s, then flat (a self-soak with GOGC=100)
		{"ramp that stopped", func(t float64) float64 { return 1.5 * mib * min(max(t-60, 0), 160) / 160 },
			results.Pass, "a ramp that stopped"},
		// the same 1.5 MiB from 300 s to 440 s: growth in the last half
		{"late growth", func(t float64) float64 { return 1.5 * mib * min(max(t-300, 0), 140) / 140 },
			results.Fail, "grows"},
		// a steady 3 MiB/h: above the floor all the way
		{"steady growth", func(t float64) float64 { return 3 * mib * t / 3600 },
			results.Fail, "grows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := synth.Spec{Seed: 1, Duration: 600}.Samples()
			for i := range s {
				anon := int64(8<<20+c.anon(s[i].T)) &^ 4095 // whole pages
				s[i].DriverAnon, s[i].DriverRSS = anon, anon+18<<20
			}
			cl := cell(results.Completed)
			cl.Duration, cl.Warmup = 600, 60
			_, rs, _ := Cell(cl, s, matrix.Judge{MaxSlopeMiBPerH: 1})
			r, ok := reason(rs, "driver")
			require.True(t, ok, "no driver reason in %+v", rs)
			assert.Equal(t, c.status, r.Status, r.Message)
			assert.Contains(t, r.Message, c.says)
		})
	}
}
