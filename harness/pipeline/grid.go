package pipeline

import (
	"fmt"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/view"
)

// GridLines sums up a judged run's works/OOM grid (view.Grids) for the end
// of a run, a line per target with more than one configuration under a
// memory limit: "labelstorm (96 MiB, 192 MiB): 8 configurations: 4 works,
// 2 OOM (first at 25s), 2 projected OOM (first ~3m40s), 0 unknown; 4 last
// the 24h horizon".
func GridLines(run *results.Run) []string {
	var out []string
	for _, g := range view.Grids(run.Cells) {
		var n, lasts int
		var count [4]int
		first := [4]float64{}
		for _, row := range g.Rows {
			for _, e := range row.Entries {
				if e == nil {
					continue
				}
				n++
				count[e.State]++
				if e.AtS > 0 && (first[e.State] == 0 || e.AtS < first[e.State]) {
					first[e.State] = e.AtS
				}
				if e.Survives == view.Survives {
					lasts++
				}
			}
		}
		limited := false
		var rams []string
		for _, r := range g.RAMs {
			limited = limited || r > 0
			rams = append(rams, view.Bytes(r))
		}
		if n < 2 || !limited {
			continue
		}
		s := fmt.Sprintf("%s (%s): %d configurations: %d works, %d OOM", g.Target, strings.Join(rams, ", "), n, count[view.Works], count[view.OOM])
		if first[view.OOM] > 0 {
			s += " (first at " + view.Seconds(first[view.OOM]) + ")"
		}
		s += fmt.Sprintf(", %d projected OOM", count[view.Projected])
		if first[view.Projected] > 0 {
			s += " (first ~" + view.When(first[view.Projected]) + ")"
		}
		s += fmt.Sprintf(", %d unknown", count[view.Unknown])
		if g.HorizonS > 0 {
			s += fmt.Sprintf("; %d last the %s horizon", lasts, view.Seconds(g.HorizonS))
		}
		out = append(out, s)
	}
	return out
}
