package main

import (
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Story 3, the lean mode scorecard: churn's lean mode A/B against its fast
// mode, 5 repeats a side. The answer is the comparison's scorecard: a row
// for peak RSS, throughput, CPU per operation, a counter of the target per
// operation, drift and CV, each PASS or FAIL with its measured value and
// its threshold, and the overall GO / NEUTRAL / NO-GO.
func init() {
	register(story{n: 3, name: "the lean mode scorecard: RSS, throughput, CPU/op, frees/op, drift, CV", run: story3})
}

// story3Gates are the scorecard rows the story asks for, by criterion.
var story3Gates = []struct{ criterion, question string }{
	{"rss", "peak RSS down by 30 %?"},
	{"throughput", "throughput within −10 %?"},
	{"cpu/op", "CPU per operation within +25 %?"},
	{"ratio frees-to-os/op", "frees to the OS per operation under 0.002?"},
	{"drift", "drift not significantly above 0?"},
	{"cv", "throughput CV under 2 %?"},
}

func story3(s *session) error {
	run, dir, err := s.runMatrix("ci/stories/story3-lean.yaml", "lean")
	if err != nil {
		return err
	}
	// Every cell measured its CPU time and context switches per operation.
	measured := 0
	for _, c := range run.Cells {
		if a := c.Analysis; a != nil && a.Cost != nil && a.Cost.CPUSPerOp != nil && a.Cost.CtxSwitchesPerOp != nil && *a.Cost.CPUSPerOp > 0 {
			measured++
			s.note("%s repeat %d: %.1f µs CPU/op, %.3f ctx switches/op, %.2f cores, over %.0f ops (%s)",
				c.Axes["mode"], c.Repeat, *a.Cost.CPUSPerOp*1e6, *a.Cost.CtxSwitchesPerOp, story3Deref(a.Cost.CPUCores), story3Deref(a.Cost.Ops), a.Cost.OpsFrom)
		}
	}
	s.expect(measured == len(run.Cells) && measured == 10, "every cell has CPU/op and ctx switches/op in its analysis: %d of %d (10 expected)", measured, len(run.Cells))

	var cmp *results.Comparison
	for i := range run.Comparisons {
		if strings.HasPrefix(run.Comparisons[i].Name, "lean-vs-fast") {
			cmp = &run.Comparisons[i]
		}
	}
	s.expect(cmp != nil, "the lean-vs-fast comparison is judged (%d comparisons)", len(run.Comparisons))
	if cmp == nil {
		return nil
	}
	for _, r := range cmp.Rows {
		s.note("row %-16s A %-10.4g B %-10.4g n=%d+%d delta %+.1f %% p=%.3f", r.Measure, r.A, r.B, r.NA, r.NB, r.DeltaPct, r.P)
	}
	for _, g := range story3Gates {
		r, ok := story3Gate(cmp.Reasons, g.criterion)
		if !ok {
			s.expect(false, "%s %s: the scorecard has no %s row", g.question, g.criterion, g.criterion)
			continue
		}
		kind := map[bool]string{true: "hard", false: "soft"}[r.Hard]
		decided := r.Status == results.Pass || r.Status == results.Fail
		s.expect(decided && r.Limit != 0 && r.Message != "",
			"%s %s %s (%s): measured %.4g %s, threshold %.4g %s: %s", g.question, g.criterion, r.Status, kind, r.Value, r.Unit, r.Limit, r.Unit, r.Message)
	}
	row := func(m string) (results.CompareRow, bool) {
		for _, r := range cmp.Rows {
			if r.Measure == m {
				return r, true
			}
		}
		return results.CompareRow{}, false
	}
	cpu, ok := row("CPU/op")
	s.expect(ok && cpu.NA == 5 && cpu.NB == 5 && cpu.A > 0 && cpu.B > 0, "the CPU/op row compares 5 + 5 repeats: %.1f → %.1f µs (p=%.3f)", cpu.A, cpu.B, cpu.P)
	frees, ok := row("frees-to-os/op")
	s.expect(ok && frees.A == 0 && frees.B > 0, "frees to the OS per op: fast %.4g, lean %.4g (one per LEAN_EVERY=1000 ops)", frees.A, frees.B)
	verdicts := map[results.Verdict]string{results.GO: "GO", results.NEUTRAL: "NEUTRAL (research box)", results.NOGO: "NO-GO (revert)"}
	v, ok := verdicts[cmp.Verdict]
	s.expect(ok, "overall verdict: %s", v)

	// The report shows the scorecard; the summary too.
	html, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	s.expect(err == nil && strings.Contains(string(html), `class="reasons gates"`) && strings.Contains(string(html), "ratio frees-to-os/op"),
		"report/index.html shows the scorecard table with the ratio row")
	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	s.expect(err == nil && strings.Contains(string(md), "| gate | status | measured | threshold |") && strings.Contains(string(md), "| cpu/op (soft) |"),
		"summary.md shows the scorecard")
	return nil
}

// story3Gate finds a comparison's reason by criterion.
func story3Gate(rs []results.Reason, criterion string) (results.Reason, bool) {
	for _, r := range rs {
		if r.Criterion == criterion {
			return r, true
		}
	}
	return results.Reason{}, false
}

func story3Deref(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}
