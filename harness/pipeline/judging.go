package pipeline

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
	"github.com/soaklab/soaklab/reports/render"
)

// judging judges each cell from its samples on disk as it ends, so the
// observers after it see the cell's verdict and reasons. The verdicts in
// run.json are written by Finish, which judges the whole run again
// (comparisons need every cell).
type judging struct {
	next runner.Observer
	dir  string
	m    *matrix.Matrix
}

var _ runner.Observer = (*judging)(nil)

func (j *judging) RunStarted(run *results.Run, cells []matrix.Cell) { j.next.RunStarted(run, cells) }
func (j *judging) CellStarted(i, n int, c matrix.Cell)              { j.next.CellStarted(i, n, c) }
func (j *judging) Sampled(c matrix.Cell, s results.Sample)          { j.next.Sampled(c, s) }
func (j *judging) Warn(msg string)                                  { j.next.Warn(msg) }

func (j *judging) CellEnded(i, n int, res *results.Cell) {
	judged := *res
	one := &results.Run{Cells: []results.Cell{judged}}
	// The samples read for the verdict also make the cell's chart series,
	// so that the report never reads them again.
	var samples []results.Sample
	read := false
	src := func(c *results.Cell) ([]results.Sample, error) {
		s, err := cellSamples(j.dir)(c)
		samples, read = s, err == nil
		return s, err
	}
	if err := judge.JudgeRun(one, src, j.m); err != nil {
		j.next.Warn("judging " + res.ID + ": " + err.Error())
	}
	if read {
		if err := render.CacheChartSeries(samplesPath(j.dir, res), samples); err != nil {
			j.next.Warn("chart series of " + res.ID + ": " + err.Error())
		}
	}
	judged = one.Cells[0]
	j.next.CellEnded(i, n, &judged)
}
