package judge

import (
	"slices"
	"sort"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Pair is one A/B group of a compare block: the repeats of the baseline
// cell (A) and of the candidate cell (B) that share a target and every
// axis value except the compared axis.
type Pair struct {
	Compare matrix.Compare
	Key     string // target and the shared axis values, e.g. "stairstep/ram=256MiB,rps=50"
	A, B    []*results.Cell
}

// Pairs finds the A/B groups of every compare block of m among cells, in
// compare-block order, then by key. Groups with an empty side are left
// out. Cells are returned as pointers into cells.
func Pairs(m *matrix.Matrix, cells []results.Cell) []Pair {
	if m == nil {
		return nil
	}
	var out []Pair
	for _, cmp := range m.Compare {
		groups := map[string]*Pair{}
		for i := range cells {
			c := &cells[i]
			if len(cmp.Targets) > 0 && !slices.Contains(cmp.Targets, c.Target) {
				continue
			}
			v, ok := c.Axes[cmp.Axis]
			if !ok || (v != cmp.Baseline && v != cmp.Candidate) {
				continue
			}
			k := groupKey(c, cmp.Axis)
			g := groups[k]
			if g == nil {
				g = &Pair{Compare: cmp, Key: k}
				groups[k] = g
			}
			if v == cmp.Baseline {
				g.A = append(g.A, c)
			} else {
				g.B = append(g.B, c)
			}
		}
		keys := make([]string, 0, len(groups))
		for k, g := range groups {
			if len(g.A) > 0 && len(g.B) > 0 {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			g := groups[k]
			byRepeat := func(s []*results.Cell) {
				sort.SliceStable(s, func(i, j int) bool { return s[i].Repeat < s[j].Repeat })
			}
			byRepeat(g.A)
			byRepeat(g.B)
			out = append(out, *g)
		}
	}
	return out
}
