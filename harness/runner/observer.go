package runner

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// Observer is told what the runner does, for progress lines, live metrics
// and logs. Calls come from the runner's goroutines; implementations must
// be safe for concurrent use and must not block.
type Observer interface {
	RunStarted(run *results.Run, cells []matrix.Cell)
	CellStarted(index, total int, cell matrix.Cell)
	Sampled(cell matrix.Cell, s results.Sample)
	CellEnded(index, total int, res *results.Cell)
	Warn(msg string)
}

// Observers fans out to several observers.
type Observers []Observer

var _ Observer = Observers(nil)

func (o Observers) RunStarted(run *results.Run, cells []matrix.Cell) {
	for _, x := range o {
		x.RunStarted(run, cells)
	}
}

func (o Observers) CellStarted(i, n int, c matrix.Cell) {
	for _, x := range o {
		x.CellStarted(i, n, c)
	}
}

func (o Observers) Sampled(c matrix.Cell, s results.Sample) {
	for _, x := range o {
		x.Sampled(c, s)
	}
}

func (o Observers) CellEnded(i, n int, r *results.Cell) {
	for _, x := range o {
		x.CellEnded(i, n, r)
	}
}

func (o Observers) Warn(msg string) {
	for _, x := range o {
		x.Warn(msg)
	}
}
