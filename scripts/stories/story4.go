package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Story 4: the slow leak found by hand. A Go service (targets/leaky)
// drifts, leaks goroutines and crosses a heap threshold; the same service
// leaking faster is OOM-killed. The run must list and mark the threshold
// episodes, judge the goroutine growth with its own criterion, and name
// the growing allocation site of the killed cell too.
func init() {
	register(story{n: 4, name: "the slow leak found by hand: drift, goroutines, growing sites, threshold episodes", run: story4})
}

// story4Site is the function targets/leaky leaks through.
const story4Site = "main.(*monitor).record"

func story4(s *session) error {
	run, dir, err := s.runMatrix(filepath.Join("ci", "stories", "story4.yaml"), "leak")
	if err != nil {
		return err
	}
	html, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		return fmt.Errorf("read the report: %w", err)
	}
	page := string(html)
	cells := map[string]*results.Cell{}
	for i := range run.Cells {
		cells[run.Cells[i].Target] = &run.Cells[i]
	}
	leaky, steady, oom := cells["leaky"], cells["steady"], cells["leaky-oom"]
	if leaky == nil || steady == nil || oom == nil {
		return fmt.Errorf("run %s: want cells of leaky, steady and leaky-oom, got %d cells", dir, len(run.Cells))
	}

	// (a) threshold episodes: listed with crossed at, back at, peak, and marked.
	s.note("(a) threshold episodes")
	heap := story4Threshold(leaky, "go_memstats_heap_alloc_bytes")
	s.expect(heap != nil && len(heap.Episodes) > 0, "leaky's HeapAlloc crosses 32 MiB: %s", story4List(heap))
	if heap != nil {
		for _, e := range heap.Episodes {
			ok := e.CrossedS >= 0 && e.CrossedS <= leaky.Duration+1 && e.Peak >= heap.Above
			if e.BackS != nil {
				ok = ok && *e.BackS > e.CrossedS
			}
			s.expect(ok, "episode crossed at %.0f s, back at %s, peak %.1f MiB ≥ the level", e.CrossedS, story4BackAt(e), e.Peak/(1<<20))
		}
	}
	gor := story4Threshold(leaky, "go_goroutines")
	s.expect(gor != nil && len(gor.Episodes) > 0, "leaky's goroutines cross 60: %s", story4List(gor))
	r, _ := story4Reason(leaky, "thresholds")
	s.expect(r.Status == results.Fail && strings.Contains(r.Message, "crossed at") &&
		(strings.Contains(r.Message, "back under") || strings.Contains(r.Message, "still above at the end")),
		"the thresholds reason lists them: %s", r.Message)
	episodesOf := story4Episodes(leaky)
	s.expect(strings.Count(page, `"name":"exceeded"`) >= episodesOf && strings.Count(page, `"name":"no longer exceeded"`) >= story4Backs(leaky),
		"index.html marks each crossing (%d) and each return (%d) on the charts", episodesOf, story4Backs(leaky))
	s.expect(story4Episodes(steady) == 0, "the control (steady) has no episode: %s", story4List(story4Threshold(steady, "go_memstats_heap_alloc_bytes")))

	// (b) the goroutine criterion.
	s.note("(b) goroutine criterion")
	gl, _ := story4Reason(leaky, "goroutines")
	s.expect(gl.Status == results.Fail && gl.Hard, "leaky's goroutine growth fails its own criterion: %s", gl.Message)
	gs, _ := story4Reason(steady, "goroutines")
	s.expect(gs.Status == results.Pass, "steady's goroutines pass: %s", gs.Message)
	if a := leaky.Analysis; a != nil && a.Goroutines != nil {
		s.note("leaky goroutines %.0f → %.0f, %+.0f/h (95 %% CI %.0f…%.0f)", a.Goroutines.First, a.Goroutines.Last,
			a.Goroutines.SlopePerH, a.Goroutines.SlopeLowPerH, a.Goroutines.SlopeHighPerH)
	}
	lk, _ := story4Reason(leaky, "leak")
	s.expect(lk.Status == results.Fail && strings.Contains(lk.Message, story4Site), "the drift is a leak naming its site: %s", lk.Message)

	// (c) the OOM-killed cell names its growing allocation site.
	s.note("(c) growth site of an OOM-killed cell")
	s.expect(oom.Outcome == results.OOMKilled && oom.OOMKills >= 1, "leaky-oom is OOM-killed by the kernel: %s (oom_kill %d)", oom.Outcome, oom.OOMKills)
	top := ""
	if len(oom.GrowthSites) > 0 {
		g := oom.GrowthSites[0]
		top = fmt.Sprintf("%s +%.1f MiB", g.Function, float64(g.Delta)/(1<<20))
	}
	s.expect(strings.HasPrefix(top, story4Site+" "), "its top growing allocation site is %s: %q", story4Site, top)
	hp := oom.HeapProfiles
	s.expect(hp != nil && hp.Last != "end of cell" && hp.LastS > hp.FirstS,
		"from the last heap profile before the kill: %+v", hp)
	o, _ := story4Reason(oom, "outcome")
	s.expect(strings.Contains(o.Message, "top growing allocation sites: "+story4Site) && strings.Contains(o.Message, "the last before the cell ended"),
		"the outcome reason names it: %s", o.Message)
	s.expect(strings.Contains(page, "<code>"+story4Site+"</code>") && strings.Contains(page, "the last before the cell ended"),
		"index.html lists it in the killed cell's growth table")
	if hp != nil {
		for _, f := range []string{hp.FirstFile, hp.LastFile} {
			_, err := os.Stat(filepath.Join(dir, results.CellsDir, oom.Dir, f))
			s.expect(f != "" && err == nil, "%q kept for go tool pprof", f)
		}
	}
	return nil
}

func story4Threshold(c *results.Cell, series string) *results.ThresholdEpisodes {
	if c.Analysis == nil {
		return nil
	}
	for i := range c.Analysis.Thresholds {
		if c.Analysis.Thresholds[i].Series == series {
			return &c.Analysis.Thresholds[i]
		}
	}
	return nil
}

func story4Reason(c *results.Cell, criterion string) (results.Reason, bool) {
	for _, r := range c.Reasons {
		if r.Criterion == criterion {
			return r, true
		}
	}
	return results.Reason{Message: "(no " + criterion + " reason)"}, false
}

func story4Episodes(c *results.Cell) int {
	n := 0
	if c.Analysis != nil {
		for _, t := range c.Analysis.Thresholds {
			n += len(t.Episodes)
		}
	}
	return n
}

func story4Backs(c *results.Cell) int {
	n := 0
	if c.Analysis != nil {
		for _, t := range c.Analysis.Thresholds {
			for _, e := range t.Episodes {
				if e.BackS != nil {
					n++
				}
			}
		}
	}
	return n
}

func story4BackAt(e results.ThresholdEpisode) string {
	if e.BackS == nil {
		return "never (still above at the end)"
	}
	return fmt.Sprintf("%.0f s", *e.BackS)
}

func story4List(t *results.ThresholdEpisodes) string {
	if t == nil {
		return "not measured"
	}
	var out []string
	for _, e := range t.Episodes {
		out = append(out, fmt.Sprintf("crossed at %.0f s, back at %s, peak %.4g", e.CrossedS, story4BackAt(e), e.Peak))
	}
	if len(out) == 0 {
		return fmt.Sprintf("no episode (peak %.4g)", t.Peak)
	}
	return strings.Join(out, "; ")
}
