package judge

import (
	"errors"
	"fmt"
	"runtime"
	"sync"

	"github.com/soaklab/soaklab/harness/results"
	"github.com/soaklab/soaklab/matrix"
)

// SampleSource loads the samples of a cell (results.ReadSamples of the
// cell's samples.jsonl, or a fake in tests). JudgeRun calls it from
// several goroutines at once, never twice for one cell.
type SampleSource func(c *results.Cell) ([]results.Sample, error)

// MatrixOptions are the judge's options that m's targets ask for (their
// throughput counters, thresholds, whether a client is asked a rate) and
// the counters its scorecards' ratio rows name; m may be nil.
func MatrixOptions(m *matrix.Matrix) []Option {
	var opts []Option
	if m == nil {
		return nil
	}
	for _, t := range m.Targets {
		if t.Throughput != "" {
			opts = append(opts, ThroughputMetric(t.Name, t.Throughput))
		}
		if len(t.Thresholds) > 0 {
			opts = append(opts, Thresholds(t.Name, t.Thresholds))
		}
		if t.Kind == matrix.KindClient && !t.Uses(matrix.AxisRPS) {
			opts = append(opts, NoRequestedRate(t.Name))
		}
	}
	var counters []string
	for _, c := range m.Compare {
		for _, r := range c.Scorecard.Ratios {
			counters = append(counters, r.Num, r.Den)
		}
	}
	if len(counters) > 0 {
		opts = append(opts, Counters(counters...))
	}
	return opts
}

// JudgeRun judges every cell of run that has an outcome (cells without one
// have not run yet and stay pending), fills their Verdict, Reasons and
// Analysis, replaces run.Comparisons with the A/B comparisons of m's
// compare blocks and recounts run.Counts. m may be nil: the default judge
// and no comparisons. Samples that cannot be read are reported in the
// returned error; their cells are judged without samples (inconclusive).
func JudgeRun(run *results.Run, samples SampleSource, m *matrix.Matrix) error {
	var j matrix.Judge
	if m != nil {
		j = m.Judge
	}
	opts := MatrixOptions(m)
	// Each cell's samples are read once and dropped after its verdict; a
	// cell in a comparison keeps the analysis of them, not the series.
	pairs := Pairs(m, run.Cells)
	paired := map[*results.Cell]bool{}
	for _, p := range pairs {
		for _, c := range p.A {
			paired[c] = true
		}
		for _, c := range p.B {
			paired[c] = true
		}
	}
	// Cells are judged by a few workers at once: reading a long cell's
	// samples is most of the cost, and a worker holds one cell's samples.
	data := make([]*CellData, len(run.Cells))
	cellErrs := make([]error, len(run.Cells))
	next := make(chan int)
	var wg sync.WaitGroup
	for range judgeWorkers(len(run.Cells)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				c := &run.Cells[i]
				s, err := samples(c)
				if err != nil {
					cellErrs[i] = fmt.Errorf("cell %s: %w", c.ID, err)
				}
				d := Analyzed(c, s, opts...)
				c.Verdict, c.Reasons, c.Analysis = judged(c, *d.Analysis, j)
				if paired[c] {
					data[i] = &d
				}
			}
		}()
	}
	for i := range run.Cells {
		c := &run.Cells[i]
		if c.Outcome == "" {
			c.Verdict, c.Reasons, c.Analysis = "", nil, nil
			continue
		}
		next <- i
	}
	close(next)
	wg.Wait()
	analyzed := map[*results.Cell]CellData{}
	for i, d := range data {
		if d != nil {
			analyzed[&run.Cells[i]] = *d
		}
	}
	run.Comparisons = nil
	for _, p := range pairs {
		a, b := ran(p.A, analyzed), ran(p.B, analyzed)
		if len(a) == 0 || len(b) == 0 {
			continue
		}
		run.Comparisons = append(run.Comparisons, Compare(p.Compare, a, b, opts...))
	}
	run.Counts = Count(run.Cells)
	return errors.Join(cellErrs...)
}

// judgeWorkers is how many cells JudgeRun judges at once: one per CPU, at
// most four (each holds a cell's samples in memory) and at most n.
func judgeWorkers(n int) int {
	return max(1, min(n, runtime.GOMAXPROCS(0), 4))
}

// ran keeps the cells that have run, with their analyses.
func ran(cells []*results.Cell, analyzed map[*results.Cell]CellData) []CellData {
	var out []CellData
	for _, c := range cells {
		if d, ok := analyzed[c]; ok && c.Outcome != "" {
			out = append(out, d)
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
