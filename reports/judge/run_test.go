package judge

import (
	"encoding/json"
	"errors"
	"reflect"
	"sync"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

func TestJudgeRun(t *testing.T) {
	t.Parallel()
	fast, lean := repeats(4, 61, "fast", 100*M, 1000, 0), repeats(4, 62, "lean", 30*M, 990, 0)
	run := &results.Run{}
	byID := map[string][]results.Sample{}
	for i, d := range append(fast, lean...) {
		c := *d.Cell
		c.ID = c.ID + "#" + string(rune('a'+i))
		run.Cells = append(run.Cells, c)
		byID[c.ID] = d.Samples
	}
	// A leaky workload cell, a pending cell and a cell whose samples are lost.
	leak := synth.Spec{Noise: 0.3 * M, Seed: 2, LeakPerMin: M, Counter: "ops_total", CounterRate: 50}
	run.Cells = append(run.Cells,
		results.Cell{ID: "leaky", Target: "leaky", Kind: "workload", RAMLimit: 128 << 20, Duration: 180, Warmup: 18, Outcome: results.Completed},
		results.Cell{ID: "pending", Target: "leaky", Kind: "workload"},
		results.Cell{ID: "lost", Target: "leaky", Kind: "workload", Outcome: results.Completed},
	)
	byID["leaky"] = leak.Samples()
	errLost := errors.New("no such file")
	reads := map[string]int{}
	var mu sync.Mutex // the source is called by several workers at once
	src := func(c *results.Cell) ([]results.Sample, error) {
		mu.Lock()
		reads[c.ID]++
		mu.Unlock()
		if c.ID == "lost" {
			return nil, errLost
		}
		return byID[c.ID], nil
	}
	m := &matrix.Matrix{
		Targets: []matrix.Target{{Name: "leaky", Kind: "workload", Throughput: "ops_total"}},
		Compare: []matrix.Compare{{Name: "lean", Axis: "variant", Baseline: "fast", Candidate: "lean"}},
	}
	err := JudgeRun(run, src, m)
	if !errors.Is(err, errLost) {
		t.Errorf("error %v does not report the lost samples", err)
	}
	want := results.Counts{Cells: 11, GO: 8, NOGO: 1, NEUTRAL: 1, Pending: 1}
	if run.Counts != want {
		t.Errorf("counts %+v, want %+v", run.Counts, want)
	}
	cells := map[string]results.Cell{}
	for _, c := range run.Cells {
		cells[c.ID] = c
	}
	if c := cells["leaky"]; c.Verdict != results.NOGO || c.Analysis == nil || c.Analysis.Load == nil || c.Analysis.Load.ThroughputOpsPerS == nil || *c.Analysis.Load.ThroughputOpsPerS < 45 {
		t.Errorf("leaky: %s %+v", c.Verdict, c.Analysis)
	}
	if c := cells["pending"]; c.Verdict != "" || c.Reasons != nil {
		t.Errorf("pending cell judged: %+v", c)
	}
	if _, err := json.Marshal(run); err != nil {
		t.Errorf("judged run does not encode: %v", err)
	}
	if len(run.Comparisons) != 1 || run.Comparisons[0].Verdict != results.GO {
		t.Fatalf("comparisons %+v", run.Comparisons)
	}
	// every cell that ran is read once, compared ones included: no series
	// is kept for the comparisons, only its analysis
	for _, c := range run.Cells {
		want := 1
		if c.Outcome == "" {
			want = 0
		}
		if reads[c.ID] != want {
			t.Errorf("cell %s: samples read %d times, want %d", c.ID, reads[c.ID], want)
		}
	}
}

// A comparison made from analyses alone (Analyzed) is the one made from
// the samples.
func TestCompareAnalyzedSameAsSamples(t *testing.T) {
	t.Parallel()
	a, b := repeats(6, 71, "fast", 100*M, 1000, 0), repeats(6, 72, "lean", 30*M, 990, 0)
	analyzed := func(ds []CellData) []CellData {
		var out []CellData
		for _, d := range ds {
			out = append(out, Analyzed(d.Cell, d.Samples))
		}
		return out
	}
	cmp := matrix.Compare{Name: "lean", Axis: "variant", Baseline: "fast", Candidate: "lean"}
	want, got := Compare(cmp, a, b), Compare(cmp, analyzed(a), analyzed(b))
	if !reflect.DeepEqual(want, got) {
		t.Errorf("from analyses %+v\nfrom samples %+v", got, want)
	}
	rule := DefaultRegressionRule
	later := repeats(6, 73, "fast", 130*M, 1000, 0.5*M) // the same cells, heavier and leaking
	if w, g := Regressions(a, later, rule), Regressions(analyzed(a), analyzed(later), rule); len(w) == 0 || !reflect.DeepEqual(w, g) {
		t.Errorf("regressions from analyses %+v\nfrom samples %+v", g, w)
	}
}
