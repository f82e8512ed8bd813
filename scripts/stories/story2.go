package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Story 2: heap fragmentation in stairs — which allocator holds a ceiling?
// cstairs (C, a thread per connection, malloc-parsed 30 KB – 2 MB bodies)
// runs under glibc's malloc and under jemalloc (LD_PRELOAD), four repeats
// each, with the load in bursts and pauses. The story holds when glibc's
// cells climb in counted steps, jemalloc's hold a lower ceiling with fewer
// steps, and the A/B on peak memory is decided with its n, p and interval.
func init() {
	register(story{n: 2, name: "heap fragmentation in stairs: which allocator holds a ceiling?", run: story2})
}

func story2(s *session) error {
	run, dir, err := s.runMatrix("ci/stories/story2.yaml", "allocators")
	if err != nil {
		return err
	}
	type side struct {
		steps []int
		peaks []float64 // MiB
		libs  []string
	}
	sides := map[string]*side{"glibc": {}, "jemalloc": {}}
	var example *results.Cell
	for i := range run.Cells {
		c := &run.Cells[i]
		sd := sides[c.Axes["allocator"]]
		if sd == nil {
			return fmt.Errorf("cell %s: allocator %q is neither glibc nor jemalloc", c.ID, c.Axes["allocator"])
		}
		s.expect(c.Outcome == results.Completed, "%s completed (%s)", c.ID, c.Outcome)
		if c.Analysis == nil || c.Analysis.Steps == nil || c.Analysis.Peak == nil {
			s.expect(false, "%s has steps and a peak in its analysis", c.ID)
			continue
		}
		sd.steps = append(sd.steps, c.Analysis.Steps.Count)
		sd.peaks = append(sd.peaks, c.Analysis.Peak.Bytes/(1<<20))
		sd.libs = append(sd.libs, s2MallocLibrary(filepath.Join(dir, "cells", c.Dir, "target.log")))
		if example == nil && c.Axes["allocator"] == "glibc" {
			example = c
		}
	}
	g, j := sides["glibc"], sides["jemalloc"]
	s.note("glibc    steps %v, peaks %s MiB, malloc from %v", g.steps, s2Mibs(g.peaks), s2Unique(g.libs))
	s.note("jemalloc steps %v, peaks %s MiB, malloc from %v", j.steps, s2Mibs(j.peaks), s2Unique(j.libs))
	if example != nil {
		s.note("a glibc cell's unreclaimable memory every 6 s (MiB): %s", s2Levels(filepath.Join(dir, "cells", example.Dir, "samples.jsonl"), 6))
	}
	s.expect(len(g.steps) >= 4 && len(j.steps) >= 4, "four repeats a side: glibc %d, jemalloc %d", len(g.steps), len(j.steps))
	s.expect(s2AllEqual(g.libs, "libc.so.6") && s2AllEqual(j.libs, "libjemalloc.so.2"),
		"the allocator is the one the cell names: glibc cells malloc from %v, jemalloc cells from %v", s2Unique(g.libs), s2Unique(j.libs))
	s.expect(s2MinInt(g.steps) >= 2, "every glibc cell climbs in at least 2 counted steps: %v", g.steps)
	s.expect(s2MaxInt(j.steps) < s2MinInt(g.steps), "jemalloc cells count fewer steps than every glibc cell: %v vs %v", j.steps, g.steps)
	s.expect(s2Median(j.peaks) < s2Median(g.peaks), "jemalloc's ceiling is lower: median peak %.0f MiB vs glibc %.0f MiB", s2Median(j.peaks), s2Median(g.peaks))

	var cmp *results.Comparison
	for i := range run.Comparisons {
		if strings.HasPrefix(run.Comparisons[i].Name, "jemalloc-vs-glibc") {
			cmp = &run.Comparisons[i]
		}
	}
	if cmp == nil {
		s.expect(false, "the run has the jemalloc-vs-glibc comparison")
		return nil
	}
	var rss *results.CompareRow
	for i := range cmp.Rows {
		if cmp.Rows[i].Measure == "peak memory" {
			rss = &cmp.Rows[i]
		}
	}
	for _, r := range cmp.Reasons {
		s.note("%s %s: %s", r.Criterion, r.Status, r.Message)
	}
	if rss == nil {
		s.expect(false, "the comparison has a peak memory row")
		return nil
	}
	s.expect(cmp.Verdict == results.GO, "the A/B is decided for jemalloc: %s (n=%d+%d, p=%.3f, peak %+.1f %%, 95 %% interval %+.1f…%+.1f %%)",
		cmp.Verdict, rss.NA, rss.NB, rss.P, rss.DeltaPct, rss.Low, rss.High)
	s.expect(rss.Detected && rss.NA >= 4 && rss.NB >= 4 && rss.P < 0.05 && rss.High < 0,
		"jemalloc's peak is lower, detected with n, p and an interval below zero: n=%d+%d, p=%.3f, %+.1f…%+.1f %%", rss.NA, rss.NB, rss.P, rss.Low, rss.High)
	return nil
}

// mallocLibrary reads the shared object cstairs says malloc comes from
// (its first stderr line: "... malloc from libc.so.6)").
func s2MallocLibrary(logPath string) string {
	b, err := os.ReadFile(logPath)
	if err != nil {
		return "unreadable log"
	}
	_, rest, ok := strings.Cut(string(b), "malloc from ")
	if !ok {
		return "not said"
	}
	lib, _, _ := strings.Cut(rest, ")")
	return lib
}

// levels prints the unreclaimable memory every `every` samples.
func s2Levels(samplesPath string, every int) string {
	samples, err := results.ReadSamples(samplesPath)
	if err != nil {
		return err.Error()
	}
	var out []string
	for i := 0; i < len(samples); i += every {
		out = append(out, fmt.Sprintf("%.0f", float64(samples[i].Unreclaimable)/(1<<20)))
	}
	return strings.Join(out, " ")
}

func s2Mibs(v []float64) string {
	var out []string
	for _, x := range v {
		out = append(out, fmt.Sprintf("%.0f", x))
	}
	return "[" + strings.Join(out, " ") + "]"
}

func s2Unique(v []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range v {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	sort.Strings(out)
	return out
}

func s2AllEqual(v []string, want string) bool {
	for _, s := range v {
		if s != want {
			return false
		}
	}
	return len(v) > 0
}

func s2MinInt(v []int) int {
	if len(v) == 0 {
		return 0
	}
	m := v[0]
	for _, x := range v {
		m = min(m, x)
	}
	return m
}

func s2MaxInt(v []int) int {
	m := 0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

func s2Median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if n := len(s); n%2 == 1 {
		return s[n/2]
	} else {
		return (s[n/2-1] + s[n/2]) / 2
	}
}
