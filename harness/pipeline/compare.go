package pipeline

import (
	"fmt"
	"io"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
)

// cellData loads every finished cell of a run with the analysis of its
// samples, one cell's series in memory at a time.
func cellData(dir string, run *results.Run) ([]judge.CellData, error) {
	var out []judge.CellData
	samples := cellSamples(dir)
	for i := range run.Cells {
		c := &run.Cells[i]
		if c.Outcome == "" {
			continue
		}
		s, err := samples(c)
		if err != nil {
			return nil, err
		}
		out = append(out, judge.Analyzed(c, s))
	}
	return out, nil
}

// RegressionRule is the rule a run is compared against an earlier one by:
// the default thresholds, with the run's own judge criteria (from the
// matrix it stores) deciding what counts as a new leak. A stored matrix
// that no longer parses is an error: comparing by the defaults instead
// would judge by criteria the run never asked for.
func RegressionRule(run *results.Run) (judge.RegressionRule, error) {
	m, err := matrix.Parse(run.Matrix, []byte(run.MatrixYAML))
	if err != nil {
		return judge.RegressionRule{}, fmt.Errorf("run %s: its stored matrix: %w", run.ID, err)
	}
	return regressionRule(m), nil
}

func regressionRule(m *matrix.Matrix) judge.RegressionRule {
	rule := judge.DefaultRegressionRule
	rule.Judge = m.Judge
	return rule
}

// compareBaseline adds the regressions of run (whose stored matrix is m)
// against its baseline run.
func compareBaseline(runDir string, run *results.Run, m *matrix.Matrix) error {
	old, err := results.ReadRun(run.Baseline)
	if err != nil {
		return err
	}
	a, err := cellData(run.Baseline, old)
	if err != nil {
		return err
	}
	b, err := cellData(runDir, run)
	if err != nil {
		return err
	}
	run.Comparisons = append(run.Comparisons, judge.Regressions(a, b, regressionRule(m))...)
	return nil
}

// Compare matches the cells of two runs by id and judges the memory
// regressions of the new run against the old one, by the new run's judge
// criteria. A directory that is not a run, or two runs that share no cell,
// is an InputError.
func Compare(oldDir, newDir string) ([]results.Comparison, error) {
	rc, err := CompareRuns(oldDir, newDir)
	if err != nil {
		return nil, err
	}
	return rc.Comparisons, nil
}

// RunComparison is two runs' cells, the rule they were compared by and the
// comparisons: what judge.WriteRegressions prints.
type RunComparison struct {
	Old, New    []judge.CellData
	Rule        judge.RegressionRule
	Comparisons []results.Comparison
}

// Write prints the comparison as text (judge.WriteRegressions): oldName
// and newName name the runs, value spells a measure in its unit.
func (rc *RunComparison) Write(w io.Writer, oldName, newName string, value func(v float64, unit string) string) {
	judge.WriteRegressions(w, oldName, newName, rc.Old, rc.New, rc.Comparisons, rc.Rule, value)
}

// CompareRuns is Compare with the cells and rule kept for printing.
func CompareRuns(oldDir, newDir string) (*RunComparison, error) {
	var data [2][]judge.CellData
	var newRun *results.Run
	for i, dir := range []string{oldDir, newDir} {
		run, err := results.ReadRun(dir)
		if err != nil {
			return nil, input(err)
		}
		if data[i], err = cellData(dir, run); err != nil {
			return nil, err
		}
		newRun = run
	}
	rule, err := RegressionRule(newRun)
	if err != nil {
		return nil, err
	}
	if err := judge.CommonCells(data[0], data[1]); err != nil {
		return nil, input(err)
	}
	return &RunComparison{Old: data[0], New: data[1], Rule: rule,
		Comparisons: judge.Regressions(data[0], data[1], rule)}, nil
}
