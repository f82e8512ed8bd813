package html

import (
	"fmt"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/reports/plot"
)

// thresholdMarks draws the thresholds of series on its chart: the level as
// a line and each episode's crossing and return as marks, the pairs an
// alert would send ("exceeded", "no longer exceeded"). Values are divided
// by scale, as the chart's.
func thresholdMarks(ch *plot.Chart, c *results.Cell, series string, scale float64) {
	if c.Analysis == nil {
		return
	}
	for _, te := range c.Analysis.Thresholds {
		if te.Series != series {
			continue
		}
		ch.HLines = append(ch.HLines, plot.HLine{Name: fmt.Sprintf("threshold %.4g", te.Above/scale), Y: te.Above / scale, Color: plot.Red})
		for _, e := range te.Episodes {
			ch.Marks = append(ch.Marks, plot.Mark{Label: "exceeded", X: e.CrossedS, Y: te.Above / scale, Color: plot.Red})
			if e.BackS != nil {
				ch.Marks = append(ch.Marks, plot.Mark{Label: "no longer exceeded", X: *e.BackS, Y: te.Leave / scale, Color: plot.Grey})
			}
		}
	}
}
