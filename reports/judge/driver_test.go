package judge

import (
	"math/rand/v2"
	"strings"
	"testing"

	"soaklab/harness/results"
	"soaklab/matrix"
	"soaklab/reports/analysis/synth"
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
	if m["driver_slope_mib_per_h"] < 90 {
		t.Errorf("driver slope %v not reported", m["driver_slope_mib_per_h"])
	}
}

func TestDriverCriterion(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		perHour float64 // driver RSS growth, MiB/h
		verdict results.Verdict
		status  results.Status
		says    string
	}{
		// a flat driver with noise: the slope's interval contains zero
		{"flat", 0, results.GO, results.Pass, "indistinguishable from zero"},
		// a driver growing 200 MiB/h: a soft miss, the cell cannot be GO
		{"growing", 200, results.NEUTRAL, results.Fail, "disturbs the measurement"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			s := synth.Spec{Seed: 1, Duration: 720}.Samples()
			rng := rand.New(rand.NewPCG(3, 4))
			for i := range s {
				s[i].DriverRSS = int64(30<<20 + c.perHour*(1<<20)*s[i].T/3600 + rng.NormFloat64()*(64<<10))
			}
			cl := cell(results.Completed)
			cl.Duration = 720
			v, rs, m := Cell(cl, s, matrix.Judge{})
			r, ok := reason(rs, "driver")
			if !ok {
				t.Fatalf("no driver reason in %+v", rs)
			}
			if v != c.verdict || r.Status != c.status || !strings.Contains(r.Message, c.says) {
				t.Fatalf("verdict %s, driver %s %q; want %s, %s, %q", v, r.Status, r.Message, c.verdict, c.status, c.says)
			}
			if _, ok := m["driver_slope_mib_per_h"]; !ok {
				t.Errorf("analysis map lacks driver_slope_mib_per_h")
			}
		})
	}
}
