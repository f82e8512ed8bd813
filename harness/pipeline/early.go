package pipeline

import (
	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/harness/runner"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
)

// watchFactory gives each cell the judge's Watch, which stops the cell
// once its NO-GO is certain, as the matrix's early-stop mode and the
// command line allow; nil when no cell may stop early.
func (p *Plan) watchFactory() runner.WatchFactory {
	if p.noEarlyStop {
		return nil
	}
	opts := judge.MatrixOptions(p.Matrix)
	return func(c matrix.Cell, planned results.Cell) runner.Watcher {
		switch EarlyStopMode(p.Matrix, c) {
		case matrix.EarlyStopOn:
			return judge.NewWatch(planned, p.Matrix.Judge, opts...)
		case matrix.EarlyStopRecord:
			return recorder{judge.NewWatch(planned, p.Matrix.Judge, opts...)}
		}
		return nil
	}
}

// EarlyStopMode is the early-stop mode of cell c: a side of a compare
// block runs to its end unless the block's early_stop says otherwise (an
// A/B scorecard compares whole cells); any other cell follows
// judge.early_stop (default on).
func EarlyStopMode(m *matrix.Matrix, c matrix.Cell) matrix.EarlyStop {
	for _, cmp := range m.Compare {
		if inPair(cmp, c) {
			if cmp.EarlyStop == "" {
				return matrix.EarlyStopOff
			}
			return cmp.EarlyStop
		}
	}
	return m.Judge.EarlyStop.Mode()
}

// inPair reports whether c is the baseline or the candidate of cmp.
func inPair(cmp matrix.Compare, c matrix.Cell) bool {
	v, ok := c.Axes[cmp.Axis]
	if !ok || (v != cmp.Baseline && v != cmp.Candidate) {
		return false
	}
	if len(cmp.Targets) == 0 {
		return true
	}
	for _, t := range cmp.Targets {
		if t == c.Target {
			return true
		}
	}
	return false
}

// recorder is a Watch in record mode: its stop is written down, and the
// cell runs on.
type recorder struct{ w *judge.Watch }

func (r recorder) Add(s results.Sample) *results.EarlyStop {
	e := r.w.Add(s)
	if e != nil {
		e.Recorded = true
	}
	return e
}
