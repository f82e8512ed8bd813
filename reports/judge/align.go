package judge

import (
	"slices"

	"github.com/soaklab/soaklab/matrix"
)

// aligned returns old and new with the driver axes (tasks, rps) of a
// client or workload target left out of the side whose cells of that
// target have them when the other side's have none: runs from before
// soaklab dropped axes such a target does not read still match tonight's
// cells. Cells are copied, never changed; sides that agree come back as
// they were.
func aligned(old, new []CellData) ([]CellData, []CellData) {
	has := func(ds []CellData) map[string]map[string]bool {
		m := map[string]map[string]bool{}
		for _, d := range ds {
			if m[d.Cell.Target] == nil {
				m[d.Cell.Target] = map[string]bool{}
			}
			for _, a := range matrix.DriverAxes {
				if _, ok := d.Cell.Axes[a]; ok {
					m[d.Cell.Target][a] = true
				}
			}
		}
		return m
	}
	ho, hn := has(old), has(new)
	strip := func(ds []CellData, other map[string]map[string]bool) []CellData {
		var out []CellData
		for i, d := range ds {
			theirs, seen := other[d.Cell.Target]
			var drop []string
			if seen && d.Cell.Kind != matrix.KindServer && d.Cell.Kind != "" {
				for _, a := range matrix.DriverAxes {
					if _, ok := d.Cell.Axes[a]; ok && !theirs[a] {
						drop = append(drop, a)
					}
				}
			}
			if len(drop) == 0 {
				if out != nil {
					out = append(out, d)
				}
				continue
			}
			if out == nil {
				out = append(make([]CellData, 0, len(ds)), ds[:i]...)
			}
			c := *d.Cell
			c.Axes = make(map[string]string, len(d.Cell.Axes))
			for k, v := range d.Cell.Axes {
				if !slices.Contains(drop, k) {
					c.Axes[k] = v
				}
			}
			d.Cell = &c
			out = append(out, d)
		}
		if out == nil {
			return ds
		}
		return out
	}
	return strip(old, hn), strip(new, ho)
}
