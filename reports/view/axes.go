package view

import (
	"strings"

	"github.com/soaklab/soaklab/harness/results"
)

// Axes splits the axes of a run's cells into those that vary (shown per
// cell) and those every cell shares (shown once, "duration=3m, ram=512MiB").
func Axes(cells []results.Cell) (varying []string, common string) {
	values := map[string]map[string]bool{}
	present := map[string]int{}
	for i := range cells {
		for k, v := range cells[i].Axes {
			if values[k] == nil {
				values[k] = map[string]bool{}
			}
			values[k][v] = true
			present[k]++
		}
	}
	var shared []string
	for _, k := range SortedKeys(values) {
		if len(values[k]) == 1 && present[k] == len(cells) {
			for v := range values[k] {
				shared = append(shared, k+"="+v)
			}
			continue
		}
		varying = append(varying, k)
	}
	return varying, strings.Join(shared, ", ")
}

// ShortID names a cell by its target and the axes that vary in its run:
// "leaky · rps=500, tasks=10". Without varying axes it is the target.
func ShortID(c *results.Cell, varying []string) string {
	var parts []string
	for _, k := range varying {
		if v, ok := c.Axes[k]; ok {
			parts = append(parts, k+"="+v)
		}
	}
	if c.Repeat > 0 {
		parts = append(parts, "repeat "+Num(float64(c.Repeat)))
	}
	if len(parts) == 0 {
		return c.Target
	}
	return c.Target + " · " + strings.Join(parts, ", ")
}
