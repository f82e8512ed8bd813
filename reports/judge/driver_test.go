package judge

import (
	"math/rand/v2"
	"strings"
	"testing"

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
			says: []string{"anonymous memory flat", "whole RSS +2.0 MiB/h"}},
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
