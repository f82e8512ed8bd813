package main

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// Story 1: the load generator killed by its own histograms. labelstorm
// over two memory limits × two loads × a label cap (ci/stories/story1.yaml);
// the run's works/OOM grid must answer "with this much RAM, how many tasks,
// what RPS, for how long?".
func init() {
	register(story{n: 1, name: "the load generator killed by its own histograms: a works/OOM grid with projected durations", run: story1})
}

// capAxis is the story matrix's label cap: "0" is none.
const capAxis = "env.MAX_LABELS"

func story1(s *session) error {
	run, dir, err := s.runMatrix(filepath.Join("ci", "stories", "story1.yaml"), "grid")
	if err != nil {
		return err
	}
	var g *view.Grid
	for _, x := range view.Grids(run.Cells) {
		if x.Target == "labelstorm" {
			g = &x
		}
	}
	if g == nil {
		return fmt.Errorf("%s: no labelstorm cells", dir)
	}
	for _, line := range gridLines(g) {
		s.note("%s", line)
	}
	s.expect(len(g.RAMs) >= 2, "the grid has at least two memory limits: %d", len(g.RAMs))

	capCol := -1
	for i, a := range g.Axes {
		if a == capAxis {
			capCol = i
		}
	}
	s.expect(capCol >= 0, "the grid has a row axis %s (capped / uncapped): axes %v", capAxis, g.Axes)
	if capCol < 0 {
		return nil
	}
	var capped, uncapped, ooms, projected []*view.GridEntry
	for _, row := range g.Rows {
		for _, e := range row.Entries {
			if e == nil {
				continue
			}
			if row.Values[capCol] == "0" {
				uncapped = append(uncapped, e)
			} else {
				capped = append(capped, e)
			}
			switch e.State {
			case view.OOM:
				ooms = append(ooms, e)
			case view.Projected:
				projected = append(projected, e)
			}
		}
	}

	// an OOM from the kernel's own counter, not an exit code
	kernel := 0
	for _, e := range ooms {
		if c := cellByID(run, e.ID); c != nil && c.Outcome == results.OOMKilled && c.OOMKills > 0 {
			kernel++
			s.note("OOM: %s: %s (oom_kill counter %d)", e.ID, e.Label(), c.OOMKills)
		}
	}
	s.expect(kernel >= 1, "at least one configuration OOM-killed by the kernel (its cgroup's oom_kill counter): %d", kernel)

	withInterval := 0
	for _, e := range projected {
		if e.LowS > 0 && e.HighS > e.LowS && e.AtS >= e.LowS && (math.IsInf(e.HighS, 1) || e.AtS <= e.HighS) {
			withInterval++
			s.note("projected: %s: %s, %s; %s", e.ID, e.Label(), e.Interval(), e.HorizonText())
		}
	}
	s.expect(withInterval >= 1, "at least one projected OOM with its interval (earliest ≤ T ≤ latest): %d", withInterval)

	cappedOK := len(capped) > 0
	for _, e := range capped {
		ok := e.State == view.Works && e.Counts[view.Works] == e.Runs && e.Survives == view.Survives
		for _, id := range e.IDs {
			if c := cellByID(run, id); c == nil || c.Verdict != results.GO {
				ok = false
			}
		}
		if !ok {
			cappedOK = false
			s.note("capped but not GO/works: %s: %s %s (verdict %s)", e.ID, e.Label(), e.HorizonText(), e.Verdict)
		}
	}
	s.expect(cappedOK, "every capped configuration (%s > 0) works, is GO and lasts the horizon: %d configurations", capAxis, len(capped))

	uncappedOK := len(uncapped) > 0
	for _, e := range uncapped {
		if e.State != view.OOM && e.State != view.Projected {
			uncappedOK = false
			s.note("uncapped but neither OOM nor projected: %s: %s", e.ID, e.Label())
		}
	}
	s.expect(uncappedOK, "every uncapped configuration (%s=0) is OOM-killed or projected to OOM: %d configurations", capAxis, len(uncapped))

	page, err := os.ReadFile(filepath.Join(dir, "report", "index.html"))
	if err != nil {
		return err
	}
	html := string(page)
	links := 0
	if i := strings.Index(html, `<section id="grid"`); i >= 0 {
		sec := html[i:]
		sec = sec[:strings.Index(sec, "</section>")]
		for _, e := range append(capped, uncapped...) {
			if strings.Contains(sec, `href="#`+view.Anchor(e.ID)+`"`) && strings.Contains(html, `id="`+view.Anchor(e.ID)+`"`) {
				links++
			}
		}
	}
	s.expect(links == len(capped)+len(uncapped) && links > 0,
		"index.html has the grid, every configuration linked to its cell section: %d of %d", links, len(capped)+len(uncapped))

	md, err := os.ReadFile(filepath.Join(dir, "summary.md"))
	if err != nil {
		return err
	}
	sum := string(md)
	s.expect(strings.Contains(sum, "### Works / OOM grid") && strings.Contains(sum, "❌ OOM at") && strings.Contains(sum, "🟠 OOM") &&
		strings.Contains(sum, "✅ works"), "summary.md has the grid with works, OOM and projected configurations")
	return nil
}

func cellByID(run *results.Run, id string) *results.Cell {
	for i := range run.Cells {
		if run.Cells[i].ID == id {
			return &run.Cells[i]
		}
	}
	return nil
}

// gridLines prints a grid as text: a row per configuration, a column per
// memory limit.
func gridLines(g *view.Grid) []string {
	head := strings.Join(g.Axes, " ")
	for _, r := range g.RAMs {
		head += " | " + view.Bytes(r)
	}
	out := []string{"grid of " + g.Target + " (" + g.Common + "): " + head}
	for _, row := range g.Rows {
		line := strings.Join(row.Values, " ")
		for _, e := range row.Entries {
			if e == nil {
				line += " | —"
				continue
			}
			line += " | " + e.Label()
			if iv := e.Interval(); iv != "" && e.State == view.Projected {
				line += " [" + iv + "]"
			}
			if h := e.HorizonText(); h != "" {
				line += ", " + h
			}
		}
		out = append(out, line)
	}
	return out
}
