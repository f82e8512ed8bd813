package view

import (
	"sort"
	"strconv"
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// SafeRow is one line of the "safe configurations" table: for a target, a RAM
// limit and the values of every other axis (Others), the largest load that
// stayed GO. Found is false when no configuration at that limit is safe.
type SafeRow struct {
	Target   string
	RAM      int64
	Others   string // other axes, "percentiles=hdr,variant=lean"; "" if none
	Found    bool
	Tasks    float64 // 0 when the cells have no tasks value (client and workload targets that set their own load)
	RPS      float64 // 0 when the cells have no rps value (idem)
	Duration float64 // seconds
	GO       int     // cells in the group judged GO
	Cells    int     // cells in the group
}

type point struct {
	tasks, rps, dur float64
	ok              bool
}

// dominates says p covers q in every load dimension.
func (p point) dominates(q point) bool {
	return q.tasks <= p.tasks && q.rps <= p.rps && q.dur <= p.dur
}

// SafeConfigs builds the safe configurations table. Cells are grouped by
// target, RAM limit and the values of their other axes (everything but tasks,
// rps, duration and ram). In a group, a GO cell is safe when every cell of
// the group it covers (no more tasks, no more RPS, no longer duration,
// repeats included) is GO too: a configuration is called safe only if
// everything lighter also held. A row is each safe cell not covered by
// another safe cell, so a group can have several rows when one limit allows,
// say, many tasks at a low rate or few tasks at a high rate. Groups with no
// safe cell give one row with Found false. Rows are ordered by target, RAM,
// other axes, then tasks, RPS and duration.
func SafeConfigs(cells []results.Cell) []SafeRow {
	type group struct {
		row SafeRow
		pts []point
	}
	groups := map[string]*group{}
	var keys []string
	for i := range cells {
		c := &cells[i]
		others := otherAxes(c.Axes)
		key := c.Target + "\x00" + strconv.FormatInt(c.RAMLimit, 10) + "\x00" + others
		g := groups[key]
		if g == nil {
			g = &group{row: SafeRow{Target: c.Target, RAM: c.RAMLimit, Others: others}}
			groups[key] = g
			keys = append(keys, key)
		}
		g.row.Cells++
		ok := c.Verdict == results.GO
		if ok {
			g.row.GO++
		}
		g.pts = append(g.pts, point{tasks: Tasks(c), rps: RPS(c), dur: c.Duration, ok: ok})
	}
	var rows []SafeRow
	for _, k := range keys {
		g := groups[k]
		var safe []point
		for _, p := range g.pts {
			if !p.ok {
				continue
			}
			held := true
			for _, q := range g.pts {
				if !q.ok && p.dominates(q) {
					held = false
					break
				}
			}
			if held {
				safe = append(safe, p)
			}
		}
		var frontier []point
		for i, p := range safe {
			covered := false
			for j, q := range safe {
				if i != j && q.dominates(p) && (q != p || j < i) {
					covered = true
					break
				}
			}
			if !covered {
				frontier = append(frontier, p)
			}
		}
		if len(frontier) == 0 {
			rows = append(rows, g.row)
			continue
		}
		for _, p := range frontier {
			r := g.row
			r.Found, r.Tasks, r.RPS, r.Duration = true, p.tasks, p.rps, p.dur
			rows = append(rows, r)
		}
	}
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		switch {
		case a.Target != b.Target:
			return a.Target < b.Target
		case a.RAM != b.RAM:
			return a.RAM < b.RAM
		case a.Others != b.Others:
			return a.Others < b.Others
		case a.Tasks != b.Tasks:
			return a.Tasks < b.Tasks
		case a.RPS != b.RPS:
			return a.RPS < b.RPS
		}
		return a.Duration < b.Duration
	})
	return rows
}

// loadAxes are the axes SafeConfigs maximises or groups by directly.
var loadAxes = map[string]bool{"tasks": true, "rps": true, "duration": true, "ram": true}

func otherAxes(axes map[string]string) string {
	var parts []string
	for _, k := range SortedKeys(axes) {
		if !loadAxes[k] {
			parts = append(parts, k+"="+axes[k])
		}
	}
	return strings.Join(parts, ",")
}

// Tasks is a cell's tasks: its "tasks" axis, else what the driver ran with.
func Tasks(c *results.Cell) float64 {
	if v, err := strconv.ParseFloat(c.Axes["tasks"], 64); err == nil {
		return v
	}
	if c.Load != nil {
		return float64(c.Load.Tasks)
	}
	return 0
}

// RPS is a cell's requested rate: its "rps" axis, else the driver's target.
func RPS(c *results.Cell) float64 {
	if v, err := strconv.ParseFloat(c.Axes["rps"], 64); err == nil {
		return v
	}
	if c.Load != nil {
		return c.Load.TargetRPS
	}
	return 0
}
