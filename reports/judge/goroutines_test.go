package judge

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/analysis/synth"
)

func TestGoroutines(t *testing.T) {
	t.Parallel()
	base := synth.Spec{Noise: 0.3 * M, RPS: 100, RPSNoise: 0.03, P99: 5, Seed: 3}
	with := func(f func(*synth.Spec)) synth.Spec { s := base; f(&s); return s }
	cases := []struct {
		name   string
		spec   synth.Spec
		judge  matrix.Judge
		status results.Status // "" = criterion left out
		says   string
	}{
		{"not scraped", base, matrix.Judge{}, "", ""},
		{"flat", with(func(s *synth.Spec) { s.Goroutines = 20 }), matrix.Judge{}, results.Pass, "goroutines steady"},
		// the story's leak: 30 more a minute, +90 over 3 minutes
		{"growing", with(func(s *synth.Spec) { s.Goroutines = 20; s.GoroutinesPerMin = 30 }), matrix.Judge{}, results.Fail, "goroutines growing"},
		// 2 a minute is above the 60/h floor but adds 5 in the window: load, not a leak
		{"a handful", with(func(s *synth.Spec) { s.Goroutines = 20; s.GoroutinesPerMin = 2 }), matrix.Judge{}, results.Pass, "under 10"},
		// a ceiling the runners explain, exceeded though flat
		{"over the ceiling", with(func(s *synth.Spec) { s.Goroutines = 50 }), matrix.Judge{MaxGoroutines: 40}, results.Fail, "over the ceiling: 50 > 40"},
		{"under the ceiling", with(func(s *synth.Spec) { s.Goroutines = 30 }), matrix.Judge{MaxGoroutines: 40}, results.Pass, "ceiling 40"},
		// a floor above the growth: allowed
		{"floor above", with(func(s *synth.Spec) { s.Goroutines = 20; s.GoroutinesPerMin = 30 }),
			matrix.Judge{MaxGoroutineGrowthPerH: 5000}, results.Pass, "floor 5000/h"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			_, rs, a := Cell(cell(results.Completed), c.spec.Samples(), c.judge)
			r, ok := reason(rs, "goroutines")
			if c.status == "" {
				if ok {
					t.Fatalf("criterion judged without go_goroutines: %+v", r)
				}
				return
			}
			if !ok || r.Status != c.status || !strings.Contains(r.Message, c.says) {
				t.Fatalf("goroutines %+v, want %s saying %q", r, c.status, c.says)
			}
			if a.Goroutines == nil || a.Goroutines.Max < a.Goroutines.First {
				t.Errorf("stored goroutines %+v", a.Goroutines)
			}
		})
	}
}

// Real series of the leaky target (LEAK_GOROUTINES=30/min, no memory
// leak) and the steady one, 90 s at 50 rps with a 10 s warm-up, scraped
// once a second: the leak is named, steady passes, and a ceiling the
// runners explain catches the leak too.
func TestGoroutinesRecorded(t *testing.T) {
	t.Parallel()
	cases := []struct {
		file   string
		judge  matrix.Judge
		status results.Status
		says   string
	}{
		{"leaky-goroutines.jsonl", matrix.Judge{}, results.Fail, "goroutines growing: go_goroutines 25 → 65"},
		{"leaky-goroutines.jsonl", matrix.Judge{MaxGoroutines: 40}, results.Fail, "over the ceiling: 65 > 40"},
		{"steady-goroutines.jsonl", matrix.Judge{}, results.Pass, "goroutines steady"},
		{"steady-goroutines.jsonl", matrix.Judge{MaxGoroutines: 40}, results.Pass, "ceiling 40"},
	}
	for _, c := range cases {
		samples, err := results.ReadSamples(filepath.Join("testdata", c.file))
		if err != nil {
			t.Fatal(err)
		}
		cl := &results.Cell{ID: c.file, Target: "t", Kind: "server", RAMLimit: 256 << 20, Duration: 90, Warmup: 10, Interval: 1, Outcome: results.Completed}
		_, rs, _ := Cell(cl, samples, c.judge)
		r, _ := reason(rs, "goroutines")
		t.Logf("%s: %s %s", c.file, r.Status, r.Message)
		if r.Status != c.status || !strings.Contains(r.Message, c.says) {
			t.Errorf("%s %+v: goroutines %s %q, want %s saying %q", c.file, c.judge.MaxGoroutines, r.Status, r.Message, c.status, c.says)
		}
	}
}
