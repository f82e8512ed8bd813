package pipeline

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
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
	if err := judge.JudgeRun(one, cellSamples(j.dir), j.m); err != nil {
		j.next.Warn("judging " + res.ID + ": " + err.Error())
	}
	judged = one.Cells[0]
	j.next.CellEnded(i, n, &judged)
}
