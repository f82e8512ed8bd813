package judge

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// parsed returns the judge and compare blocks of a matrix with the given
// trailing YAML, read the way `soaklab report` reads the matrix stored in
// run.json.
func parsed(t *testing.T, blocks string) *matrix.Matrix {
	t.Helper()
	m, err := matrix.Parse("run.json matrix", []byte(`targets: {t: {build: ./t}}
axes:
  variant: [fast, lean]
`+blocks))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// WithDefaults replaces a zero only when the matrix left its key out.
func TestWithDefaultsHonoursSetZeros(t *testing.T) {
	t.Parallel()
	all := map[string]bool{}
	for _, k := range matrix.JudgeKeys {
		all[k.Key] = true
	}
	withSet := func(j matrix.Judge) matrix.Judge { j.Set = all; return j }
	tests := []struct {
		name string
		in   matrix.Judge
		want matrix.Judge
	}{
		// a Go literal: every zero is "unset"
		{"literal", matrix.Judge{}, DefaultJudge},
		// every key given as 0: the ones with a meaning stay 0; the two the
		// parser refuses at 0 still take their default
		{"all set to 0", matrix.Judge{Set: all},
			withSet(matrix.Judge{PeakWarnRatio: DefaultJudge.PeakWarnRatio, MaxCV: DefaultJudge.MaxCV})},
		// one key set, the rest default
		{"max_error_rate 0", matrix.Judge{Set: map[string]bool{matrix.KeyMaxErrorRate: true}},
			func() matrix.Judge {
				j := DefaultJudge
				j.MaxErrorRate = 0
				j.Set = map[string]bool{matrix.KeyMaxErrorRate: true}
				return j
			}()},
		// non-zero values are kept whether set or not
		{"values", matrix.Judge{MaxDriftPct: 20, Horizon: time.Hour},
			func() matrix.Judge { j := DefaultJudge; j.MaxDriftPct, j.Horizon = 20, time.Hour; return j }()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := WithDefaults(tt.in)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("WithDefaults(%+v)\n = %+v\nwant %+v", tt.in, got, tt.want)
			}
			if again := WithDefaults(got); !reflect.DeepEqual(again, got) {
				t.Errorf("not idempotent: %+v then %+v", got, again)
			}
		})
	}
}

// An explicit zero in `judge:` is honoured, not replaced by the default:
// the same samples are judged under the default and under the zero.
func TestExplicitZeroJudge(t *testing.T) {
	t.Parallel()
	steady := synth.Spec{Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5, Seed: 1}
	// 1 failed request in 100 000
	oneError := func(c *results.Cell) {
		c.Load = &results.Load{TargetRPS: 100, Sent: 100_000, Completed: 99_999, Errors: 1, AchievedRPS: 100}
	}
	// 3 MiB/h on 20 MiB for an hour: significant, but under the default
	// 5 MiB/h floor
	slow := synth.Spec{Duration: 3600, Interval: 10, Base: 20 * M, LeakPerMin: 0.05 * M, Noise: 0.3 * M,
		RPS: 100, RPSNoise: 0.03, P99: 5, Seed: 2}
	hour := func(c *results.Cell) { c.Duration, c.Warmup, c.Interval = 3600, 360, 10 }
	// 1 MiB/min on 200 MiB for 3 minutes: a significant slope but +1 %
	// drift, under a 4 GiB limit
	big := synth.Spec{Base: 200 * M, LeakPerMin: M, Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5, Seed: 3}
	gib4 := func(c *results.Cell) { c.RAMLimit = 4 << 30 }
	// 1 MiB/min on 15 MiB under 128 MiB: the limit is
	// under two hours away
	leak := synth.Spec{Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5, LeakPerMin: M, Seed: 2}
	// 80 % of the requested rate
	slowDriver := synth.Spec{Noise: 0.3 * M, RPS: 80, RPSNoise: 0.03, P99: 5, Seed: 1}
	rps100 := func(c *results.Cell) { c.Axes = map[string]string{"rps": "100"} }

	type want struct {
		verdict results.Verdict
		status  map[string]results.Status // criterion → status; "" = absent
	}
	cases := []struct {
		name   string
		spec   synth.Spec
		tweak  func(*results.Cell)
		judge  string // the matrix's judge block
		dflt   want   // under the default judge
		zero   want   // under the block
		saysIn string // the deciding reason under the block says this
		says   string
	}{
		// max_error_rate 0: a single failed request fails the cell
		{"max_error_rate", steady, oneError, "judge: {max_error_rate: 0}\n",
			want{results.GO, map[string]results.Status{"errors": results.Pass}},
			want{results.NOGO, map[string]results.Status{"errors": results.Fail}},
			"errors", "error rate 0.001 % > 0.00 % budget (no failed request allowed)"},
		// max_slope_mib_per_h 0: any significant positive slope counts
		{"max_slope_mib_per_h", slow, hour, "judge: {max_slope_mib_per_h: 0}\n",
			want{results.GO, map[string]results.Status{"leak": results.Pass, "oom-risk": results.Pass}},
			want{results.NOGO, map[string]results.Status{"leak": results.Fail, "oom-risk": results.Pass}},
			"leak", "slope above the 0 MiB/h floor"},
		// max_drift_pct 0: any positive drift agrees with the slope
		{"max_drift_pct", big, gib4, "judge: {max_drift_pct: 0}\n",
			want{results.NEUTRAL, map[string]results.Status{"leak": results.Unknown}},
			want{results.NOGO, map[string]results.Status{"leak": results.Fail}},
			"leak", "drift +1.0 % > 0 %"},
		// horizon 0: no time-to-limit projection at all; the leak criterion
		// still fails
		{"horizon", leak, nil, "judge: {horizon: 0s}\n",
			want{results.NOGO, map[string]results.Status{"leak": results.Fail, "oom-risk": results.Fail}},
			want{results.NOGO, map[string]results.Status{"leak": results.Fail, "oom-risk": ""}},
			"", ""},
		// min_rate_ratio 0: no rate requirement
		{"min_rate_ratio", slowDriver, rps100, "judge: {min_rate_ratio: 0}\n",
			want{results.NOGO, map[string]results.Status{"rate": results.Fail}},
			want{results.GO, map[string]results.Status{"rate": results.Pass}},
			"rate", "no minimum required"},
		// min_samples 0: 7 samples after warm-up are judged, not held back
		// as inconclusive (too few for a slope interval, so the growth
		// floor decides the leak criterion)
		{"min_samples", synth.Spec{Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5, Seed: 9, Duration: 25}, nil, "judge: {min_samples: 0}\n",
			want{results.NEUTRAL, map[string]results.Status{"samples": results.Unknown, "leak": ""}},
			want{results.GO, map[string]results.Status{"samples": "", "leak": results.Pass}},
			"", ""},
	}
	check := func(t *testing.T, label string, j matrix.Judge, c func(*results.Cell), spec synth.Spec, w want) []results.Reason {
		t.Helper()
		cl := cell(results.Completed)
		if c != nil {
			c(cl)
		}
		v, rs, _ := Cell(cl, spec.Samples(), j)
		bad := v != w.verdict
		for crit, st := range w.status {
			r, ok := reason(rs, crit)
			if st == "" && ok || st != "" && (!ok || r.Status != st) {
				bad = true
				t.Errorf("%s: %s: %s, want %q", label, crit, r.Status, st)
			}
		}
		if v != w.verdict {
			t.Errorf("%s: verdict %s, want %s", label, v, w.verdict)
		}
		if bad {
			for _, r := range rs {
				t.Logf("%s: %s %s: %s", label, r.Criterion, r.Status, r.Message)
			}
		}
		return rs
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			check(t, "default", matrix.Judge{}, c.tweak, c.spec, c.dflt)
			m := parsed(t, c.judge)
			rs := check(t, strings.TrimSpace(c.judge), m.Judge, c.tweak, c.spec, c.zero)
			if c.saysIn != "" {
				if r, _ := reason(rs, c.saysIn); !strings.Contains(r.Message, c.says) {
					t.Errorf("%s reason %q does not say %q", c.saysIn, r.Message, c.says)
				}
			}
		})
	}
}

// With min_samples 0 a cell with no measured sample at all is judged
// without panicking or writing NaN, and is not GO.
func TestMinSamplesZeroNoSamples(t *testing.T) {
	t.Parallel()
	j := parsed(t, "judge: {min_samples: 0}\n").Judge
	for _, n := range []float64{0, 10} { // none at all; all in warm-up
		s := synth.Spec{Duration: n, Interval: 1, Noise: 0.3 * M, RPS: 100, Seed: 3}.Samples()
		if n == 0 {
			s = nil
		}
		v, rs, _ := Cell(cell(results.Completed), s, j)
		if v == results.GO {
			t.Errorf("%v s of samples: GO", n)
		}
		for _, r := range rs {
			if math.IsNaN(r.Value) || math.IsNaN(r.Limit) {
				t.Errorf("%v s of samples: %s has NaN: %+v", n, r.Criterion, r)
			}
		}
	}
}

// An explicit max_throughput_loss_pct: 0 allows no detectable loss: a
// candidate 3 % slower is fine under the default 10 % and a miss under 0.
func TestExplicitZeroScorecard(t *testing.T) {
	t.Parallel()
	a, b := repeats(6, 1, "fast", 100*M, 1000, 0), repeats(6, 2, "lean", 30*M, 970, 0)
	cases := []struct {
		name     string
		compare  string
		verdict  results.Verdict
		status   results.Status
		says     string
		explicit bool
	}{
		{"default", "{name: ab, axis: variant, baseline: fast, candidate: lean}",
			results.GO, results.Pass, "allowed loss ≤ 10 %", false},
		{"max_throughput_loss_pct 0", "{name: ab, axis: variant, baseline: fast, candidate: lean, scorecard: {max_throughput_loss_pct: 0}}",
			results.NEUTRAL, results.Fail, "allowed loss ≤ 0 %", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmp := parsed(t, "compare:\n  - "+c.compare+"\n").Compare[0]
			if got := cmp.Scorecard.IsSet(matrix.KeyMaxThroughputLossPct); got != c.explicit {
				t.Fatalf("IsSet = %v", got)
			}
			got := Compare(cmp, a, b)
			for _, r := range got.Rows {
				if r.Measure == "throughput" && !r.Detected {
					t.Fatalf("the 3 %% loss is not detected: %+v", r)
				}
			}
			r, _ := reason(got.Reasons, "throughput")
			if got.Verdict != c.verdict || r.Status != c.status || !strings.Contains(r.Message, c.says) {
				for _, r := range got.Reasons {
					t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
				}
				t.Fatalf("verdict %s throughput %s, want %s %s saying %q", got.Verdict, r.Status, c.verdict, c.status, c.says)
			}
		})
	}
}

func TestThresholdFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		v    float64
		want string
	}{{5, "5"}, {0, "0"}, {0.5, "0.5"}, {99.5, "99.5"}, {0.001, "0.001"}, {95, "95"}, {12.345, "12.3"}} {
		if got := thr(tc.v); got != tc.want {
			t.Errorf("thr(%v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}
