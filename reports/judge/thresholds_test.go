package judge

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

// The story's heap threshold: a saw-tooth heap whose peaks cross the level
// lists each episode and makes the cell NEUTRAL, not NO-GO.
func TestThresholdsCriterion(t *testing.T) {
	t.Parallel()
	saw := synth.Spec{Duration: 120, Base: 20 * M, SawPeriod: 40, SawAmplitude: 20 * M, Seed: 2}.Samples()
	for i := range saw {
		saw[i].Metrics = map[string]float64{"go_memstats_heap_alloc_bytes": float64(saw[i].RSS)}
	}
	heap := func(above float64) []matrix.Threshold {
		return []matrix.Threshold{{Series: "go_memstats_heap_alloc_bytes", Above: above, Hysteresis: 0.1}}
	}
	cases := []struct {
		name    string
		ths     []matrix.Threshold
		verdict results.Verdict
		status  results.Status // "" = left out
		says    []string
	}{
		{"no thresholds", nil, results.GO, "", nil},
		// peaks reach 40 MiB every 40 s: three episodes, each back under 31.5 MiB
		{"crossed", heap(35 * M), results.NEUTRAL, results.Fail,
			[]string{"go_memstats_heap_alloc_bytes above 35.0 MiB in 3 episode(s): crossed at 30 s, back under 31.5 MiB at 40 s, peak 39."}},
		{"under", heap(60 * M), results.GO, results.Pass, []string{"never above 60.0 MiB (peak 39."}},
		{"not sampled", []matrix.Threshold{{Series: "go_goroutines", Above: 100, Hysteresis: 0.1}}, results.NEUTRAL, results.Unknown,
			[]string{"go_goroutines never sampled (level 100)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cl := cell(results.Completed)
			cl.Duration = 120
			v, rs, a := Cell(cl, saw, matrix.Judge{}, Thresholds(cl.Target, c.ths))
			r, ok := reason(rs, "thresholds")
			if c.status == "" {
				if ok || a.Thresholds != nil {
					t.Fatalf("criterion without thresholds: %+v", r)
				}
			} else if !ok || r.Status != c.status || r.Hard {
				t.Fatalf("thresholds %+v, want soft %s", r, c.status)
			}
			for _, w := range c.says {
				if !strings.Contains(r.Message, w) {
					t.Errorf("message %q lacks %q", r.Message, w)
				}
			}
			if v != c.verdict {
				for _, r := range rs {
					t.Logf("%s %s: %s", r.Criterion, r.Status, r.Message)
				}
				t.Errorf("verdict %s, want %s", v, c.verdict)
			}
			if c.status == results.Fail && len(a.Thresholds[0].Episodes) != 3 {
				t.Errorf("stored episodes %+v", a.Thresholds)
			}
		})
	}
}

// On the leaky target's recorded series: go_goroutines crosses 50 once and
// stays above; its heap never reaches 64 MiB.
func TestThresholdsRecorded(t *testing.T) {
	t.Parallel()
	samples, err := results.ReadSamples(filepath.Join("testdata", "leaky-goroutines.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	cl := &results.Cell{ID: "leaky", Target: "leaky", Kind: "server", RAMLimit: 256 << 20, Duration: 90, Warmup: 10, Interval: 1, Outcome: results.Completed}
	_, rs, a := Cell(cl, samples, matrix.Judge{}, Thresholds("leaky", []matrix.Threshold{
		{Series: "go_goroutines", Above: 50, Hysteresis: 0.1},
		{Series: "go_memstats_heap_alloc_bytes", Above: 64 * M, Hysteresis: 0.1},
	}))
	r, _ := reason(rs, "thresholds")
	t.Log(r.Message)
	if len(a.Thresholds) != 2 || len(a.Thresholds[0].Episodes) != 1 || a.Thresholds[0].Episodes[0].BackS != nil || len(a.Thresholds[1].Episodes) != 0 {
		t.Fatalf("episodes %+v", a.Thresholds)
	}
	for _, w := range []string{"go_goroutines above 50 in 1 episode(s): crossed at", "still above at the end, peak 65", "go_memstats_heap_alloc_bytes never above 64.0 MiB"} {
		if !strings.Contains(r.Message, w) {
			t.Errorf("message %q lacks %q", r.Message, w)
		}
	}
}
