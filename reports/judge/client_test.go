package judge

import (
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// clientSamples are 180 one-second samples of a flat client target whose
// sink received rps requests a second, with errs errors a second. Old
// samples (soaklab before the sink measured a rate) carry the requests
// only.
func clientSamples(rps float64, errs int64, old bool) []results.Sample {
	out := make([]results.Sample, 180)
	for i := range out {
		s := results.Sample{T: float64(i + 1), RSS: 40 << 20, WorkingSet: 40 << 20, Requests: int64(rps), Errors: errs, Bytes: int64(rps) * 100}
		if !old {
			s.RPS = rps
		}
		if i < 18 {
			s.Phase = "warmup"
		}
		out[i] = s
	}
	return out
}

// A client target's rate is what soaklab's sink received, judged against
// the rate its cell asked of it.
func TestClientRate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		axes    map[string]string
		load    *results.Load
		samples []results.Sample
		opts    []Option
		verdict results.Verdict
		status  results.Status
		hard    bool
		says    []string
		rate    float64 // analysis load.achieved_per_s
		source  string
	}{
		// asked 1000/s, the sink counted 830/s: below 90 %, NO-GO in words
		{"behind", map[string]string{"rps": "1000"}, &results.Load{Mode: results.SinkMode, TargetRPS: 1000, AchievedRPS: 700},
			clientSamples(830, 0, false), nil, results.NOGO, results.Fail, true,
			[]string{"the client fell behind", "830 requests/s", "83.0 %", "1000/s asked", "< 95 %"}, 830, "sink"},
		// asked 1000/s, sent 950/s: the cell's totals (700/s with the
		// client's start) are not what is judged
		{"keeps up", map[string]string{"rps": "1000"}, &results.Load{Mode: results.SinkMode, TargetRPS: 1000, AchievedRPS: 700},
			clientSamples(950, 0, false), nil, results.GO, results.Pass, true,
			[]string{"the client sent 950 requests/s", "95.0 %"}, 950, "sink"},
		// asked 100/s, sent nothing at all: a 0 is a measured rate, NO-GO
		{"silent", map[string]string{"rps": "100"}, &results.Load{Mode: results.SinkMode, TargetRPS: 100},
			clientSamples(0, 0, false), nil, results.NOGO, results.Fail, true,
			[]string{"the client fell behind: it sent 0 requests/s", "0.0 %"}, 0, "sink"},
		// asked no rate: its rate is stated, not judged
		{"not asked", map[string]string{}, &results.Load{Mode: results.SinkMode},
			clientSamples(40, 0, false), nil, results.GO, results.Pass, false,
			[]string{"the client sent 40 requests/s", "no rate asked"}, 40, "sink"},
		// an older result whose cell carries an rps its client never read:
		// the matrix says the target is asked no rate
		{"old cell, rps unused", map[string]string{"rps": "1000"}, nil,
			clientSamples(40, 0, true), []Option{NoRequestedRate("c")}, results.GO, results.Pass, false,
			[]string{"the client sent 40 requests/s", "no rate asked"}, 40, "driver"},
		// an older result's samples count requests but hold no rate: the
		// rate comes from the counts
		{"old samples", map[string]string{"rps": "100"}, nil,
			clientSamples(97, 0, true), nil, results.GO, results.Pass, true,
			[]string{"the client sent 97 requests/s", "97.0 %"}, 97, "driver"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &results.Cell{ID: "c/ram=128MiB", Target: "c", Kind: matrix.KindClient, Axes: tt.axes, RAMLimit: 128 << 20,
				Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed, Load: tt.load}
			v, rs, a := Cell(c, tt.samples, matrix.Judge{}, tt.opts...)
			r, ok := reason(rs, "rate")
			if !ok {
				t.Fatalf("no rate reason in %+v", rs)
			}
			if v != tt.verdict || r.Status != tt.status || r.Hard != tt.hard {
				t.Errorf("verdict %s, rate %s hard=%v; want %s, %s hard=%v: %s", v, r.Status, r.Hard, tt.verdict, tt.status, tt.hard, r.Message)
			}
			for _, s := range tt.says {
				if !strings.Contains(r.Message, s) {
					t.Errorf("message %q lacks %q", r.Message, s)
				}
			}
			if a.Load == nil || a.Load.AchievedPerS == nil || *a.Load.AchievedPerS != tt.rate || a.Load.RateSource != tt.source {
				t.Errorf("analysis load %+v: want achieved %v from %q", a.Load, tt.rate, tt.source)
			}
		})
	}
}

// Requests the sink refused are the client's errors, judged by the error
// budget.
func TestClientErrors(t *testing.T) {
	t.Parallel()
	c := &results.Cell{ID: "c/ram=128MiB,rps=100", Target: "c", Kind: matrix.KindClient, Axes: map[string]string{"rps": "100"},
		RAMLimit: 128 << 20, Duration: 180, Warmup: 18, Interval: 1, Outcome: results.Completed,
		Load: &results.Load{Mode: results.SinkMode, TargetRPS: 100}}
	v, rs, _ := Cell(c, clientSamples(100, 5, false), matrix.Judge{})
	r, _ := reason(rs, "errors")
	if v != results.NOGO || r.Status != results.Fail || !strings.Contains(r.Message, "4.76 %") {
		t.Errorf("verdict %s, errors %s: %s; want NO-GO on 5 errors in 105", v, r.Status, r.Message)
	}
}

// MatrixOptions tells a client that reads rps from one that does not.
func TestMatrixOptionsClientRate(t *testing.T) {
	t.Parallel()
	m, err := matrix.Parse("m.yaml", []byte(`targets:
  asked: {kind: client, command: [sh, -c, "true"], env: {RATE: "{{.rps}}"}}
  free: {kind: client, command: [sh, -c, "true"]}
axes: {rps: [100]}
`))
	if err != nil {
		t.Fatal(err)
	}
	o := newOptions(MatrixOptions(m))
	if o.noRate["asked"] || !o.noRate["free"] {
		t.Errorf("noRate = %v, want only free", o.noRate)
	}
}
