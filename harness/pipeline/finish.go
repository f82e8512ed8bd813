package pipeline

import (
	"fmt"
	"path/filepath"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
	"github.com/soaklab/soaklab/reports/judge"
	"github.com/soaklab/soaklab/reports/render"
	"github.com/soaklab/soaklab/reports/view"
)

// Finish judges a run from its results alone, compares it with its
// baseline run when it names one, writes the verdicts back into run.json
// and renders the report, JUnit file and summary. Samples that cannot be
// read and an unreadable baseline are warnings on env.Stderr: the report
// is still written. It returns the judged run.
func Finish(runDir string, env Env) (*results.Run, error) {
	run, err := results.ReadRun(runDir)
	if err != nil {
		return nil, fmt.Errorf("read run: %w", err)
	}
	m, err := matrix.Parse(run.Matrix, []byte(run.MatrixYAML))
	if err != nil {
		return nil, fmt.Errorf("the run's stored matrix: %w", err)
	}
	if err := judge.JudgeRun(run, cellSamples(runDir), m); err != nil {
		fmt.Fprintf(env.stderr(), "soaklab: judging %s: %v\n", runDir, err)
	}
	if run.Baseline != "" {
		if err := compareBaseline(runDir, run, m); err != nil {
			fmt.Fprintf(env.stderr(), "soaklab: baseline %s: %v\n", run.Baseline, err)
		}
	}
	if err := results.WriteJSON(filepath.Join(runDir, results.RunFile), run); err != nil {
		return nil, err
	}
	if _, err := render.Run(runDir); err != nil {
		return nil, fmt.Errorf("render report: %w", err)
	}
	return run, nil
}

// ReportPath is where Finish writes a run's HTML report.
func ReportPath(runDir string) string { return filepath.Join(runDir, "report", "index.html") }

// cellSamples reads a cell's samples from a run directory.
func cellSamples(runDir string) judge.SampleSource {
	return func(c *results.Cell) ([]results.Sample, error) {
		return results.ReadSamples(samplesPath(runDir, c))
	}
}

// samplesPath is where a cell of the run in runDir keeps its samples.
func samplesPath(runDir string, c *results.Cell) string {
	return filepath.Join(runDir, results.CellsDir, c.Dir, results.SamplesFile)
}

// NoGo is a NO-GO cell or comparison and the reason that best explains it.
type NoGo struct {
	ID     string // cell id, or "comparison <name>"
	Reason string // "criterion: message"
}

// NoGos lists a judged run's NO-GO cells, then its NO-GO comparisons, in
// run order, each with its main reason (the one the report's scorecard
// shows).
func NoGos(run *results.Run) []NoGo {
	var out []NoGo
	for _, c := range run.Cells {
		if c.Verdict == results.NOGO {
			out = append(out, NoGo{ID: c.ID, Reason: view.MainReasonText(c.Reasons)})
		}
	}
	for _, c := range run.Comparisons {
		if c.Verdict == results.NOGO {
			out = append(out, NoGo{ID: "comparison " + c.Name, Reason: view.MainReasonText(c.Reasons)})
		}
	}
	return out
}
