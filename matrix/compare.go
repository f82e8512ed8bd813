package matrix

// Pairs returns the A/B pairs of a comparison among cells: each baseline
// cell (Axes[c.Axis] == c.Baseline) of one of c.Targets with the candidate
// cell that differs from it only in that axis, and in the same repeat.
// Pairs come in the order of the baseline cells.
func Pairs(cells []Cell, c Compare) [][2]Cell {
	byID := make(map[string]int, len(cells))
	for i, cell := range cells {
		byID[cell.ID] = i
	}
	var out [][2]Cell
	for _, a := range cells {
		if a.Axes[c.Axis] != c.Baseline || (len(c.Targets) > 0 && !contains(c.Targets, a.Target)) {
			continue
		}
		twin := make(map[string]string, len(a.Axes))
		for k, v := range a.Axes {
			twin[k] = v
		}
		twin[c.Axis] = c.Candidate
		if j, ok := byID[CellID(a.Target, twin, a.Repeat)]; ok {
			out = append(out, [2]Cell{a, cells[j]})
		}
	}
	return out
}
