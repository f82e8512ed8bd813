package pipeline

import (
	"fmt"
	"time"

	"github.com/soaklab/soaklab/matrix"
)

// CellOverhead is the wall time a cell costs beyond its duration: starting
// the target in its cgroup, waiting until it is ready, stopping it and
// writing its results. Measured on a 2-core machine at about 1–3 s a
// cell for the sample targets (a target slow to start costs more).
const CellOverhead = 3 * time.Second

// Estimate is the planned wall time of cells, run one after another: the
// sum of their durations plus CellOverhead each. Builds are not counted,
// and a cell that stops early (judge.early_stop) ends sooner.
type Estimate struct {
	Cells    int
	Duration time.Duration // the cells' durations added up
	Overhead time.Duration // CellOverhead per cell
}

// Total is the estimated wall time.
func (e Estimate) Total() time.Duration { return e.Duration + e.Overhead }

// String reads "12 cells, about 1h0m36s of wall time (1h0m0s of cells + 36s to start and stop them)".
func (e Estimate) String() string {
	noun := "cells"
	if e.Cells == 1 {
		noun = "cell"
	}
	return fmt.Sprintf("%d %s, about %s of wall time (%s of cells + %s to start and stop them)",
		e.Cells, noun, e.Total().Round(time.Second), e.Duration, e.Overhead)
}

// EstimateCells plans the wall time of cells.
func EstimateCells(cells []matrix.Cell) Estimate {
	e := Estimate{Cells: len(cells), Overhead: time.Duration(len(cells)) * CellOverhead}
	for _, c := range cells {
		e.Duration += c.Duration
	}
	return e
}
