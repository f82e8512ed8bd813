package judge

import (
	"errors"
	"fmt"

	"soaklab/harness/results"
	"soaklab/matrix"
)

// SampleSource loads the samples of a cell (results.ReadSamples of the
// cell's samples.jsonl, or a fake in tests).
type SampleSource func(c *results.Cell) ([]results.Sample, error)

// JudgeRun judges every cell of run that has an outcome (cells without one
// have not run yet and stay pending), fills their Verdict, Reasons and
// Analysis, replaces run.Comparisons with the A/B comparisons of m's
// compare blocks and recounts run.Counts. m may be nil: the default judge
// and no comparisons. Samples that cannot be read are reported in the
// returned error; their cells are judged without samples (inconclusive).
func JudgeRun(run *results.Run, samples SampleSource, m *matrix.Matrix) error {
	var j matrix.Judge
	var opts []Option
	if m != nil {
		j = m.Judge
		for _, t := range m.Targets {
			if t.Throughput != "" {
				opts = append(opts, ThroughputMetric(t.Name, t.Throughput))
			}
		}
	}
	var errs []error
	loaded := map[*results.Cell][]results.Sample{}
	load := func(c *results.Cell) []results.Sample {
		if s, ok := loaded[c]; ok {
			return s
		}
		s, err := samples(c)
		if err != nil {
			errs = append(errs, fmt.Errorf("cell %s: %w", c.ID, err))
		}
		loaded[c] = s
		return s
	}
	for i := range run.Cells {
		c := &run.Cells[i]
		if c.Outcome == "" {
			c.Verdict, c.Reasons, c.Analysis = "", nil, nil
			continue
		}
		c.Verdict, c.Reasons, c.Analysis = Cell(c, load(c), j, opts...)
	}
	run.Comparisons = nil
	for _, p := range Pairs(m, run.Cells) {
		a, b := ran(p.A, load), ran(p.B, load)
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		run.Comparisons = append(run.Comparisons, Compare(p.Compare, a, b, opts...))
	}
	run.Counts = Count(run.Cells)
	return errors.Join(errs...)
}

// ran keeps the cells that have run, with their samples.
func ran(cells []*results.Cell, load func(*results.Cell) []results.Sample) []CellData {
	var out []CellData
	for _, c := range cells {
		if c.Outcome != "" {
			out = append(out, CellData{Cell: c, Samples: load(c)})
		}
	}
	return out
}

// Count tallies the verdicts of cells; unjudged cells are pending.
func Count(cells []results.Cell) results.Counts {
	n := results.Counts{Cells: len(cells)}
	for _, c := range cells {
		switch c.Verdict {
		case results.GO:
			n.GO++
		case results.NEUTRAL:
			n.NEUTRAL++
		case results.NOGO:
			n.NOGO++
		default:
			n.Pending++
		}
	}
	return n
}
